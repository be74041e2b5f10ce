/**
 * Listing answers encoded once per page. A listing of an unchanged
 * namespace answers the same page again and again (the repository keeps the
 * page while the namespace's listing version stands); writing its JSON
 * anew, and then measuring that string's UTF-8 length for Content-Length,
 * was the largest part of a listing's own cost after the read
 * (docs/benchmarks.md). Here the encoded bytes of a page are kept and sent
 * again for a page equal to it.
 *
 * Kept by value, not by identity: an entry holds its own copy of the items
 * and answers only a page whose items are equal to them (the same names,
 * level by level) with the same next-page token, so it is a pure function
 * of what the caller would otherwise serialise; no caller's later change to
 * its own arrays can reach it. Comparing a page of equal items is a string
 * comparison per level, mostly of the very same strings (the repository's
 * kept rows), far cheaper than writing them. Bounded by bytes, emptied when
 * full (catalog/bounded-map.ts, as the loadTable bodies).
 *
 * Written here because no serialiser library keeps its output: the compiled
 * writers (serializers.ts) still do the encoding.
 */
import { BoundedMap } from '../catalog/bounded-map.js';

const MAX_BYTES = 16 * 1024 * 1024;

/** How one kind of listing compares, copies and encodes its items. */
export interface ListingShape<T> {
  /** Equal items encode equally. */
  equal(a: T, b: T): boolean;
  /** Copies of a page's items that no change to their arrays reaches (sharing a copy where the items shared an array). */
  copy(items: readonly T[]): T[];
  /** A short string naming an item, to find the entry of a page quickly (not a proof of equality). */
  name(item: T): string;
  /** The page's JSON body. */
  encode(items: readonly T[], token: string | null): string;
}

interface Entry<T> {
  items: readonly T[];
  token: string | null;
  body: Buffer;
}

export class ListingBodies<T> {
  private readonly kept: BoundedMap<string, Entry<T>>;

  constructor(
    private readonly shape: ListingShape<T>,
    maxBytes = MAX_BYTES,
  ) {
    this.kept = new BoundedMap({ maxEntries: Infinity, maxSize: maxBytes, sizeOf: (e) => e.body.length });
  }

  /** The encoded body of this page: the kept bytes when an equal page was encoded before. */
  body(items: readonly T[], token: string | null): Buffer {
    const { shape } = this;
    const n = items.length;
    const key = n === 0 ? `0\u0000${token ?? ''}` : `${n}\u0000${token ?? ''}\u0000${shape.name(items[0]!)}\u0000${shape.name(items[n - 1]!)}`;
    const hit = this.kept.get(key);
    if (hit !== undefined && this.matches(hit, items, token)) return hit.body;
    const body = Buffer.from(shape.encode(items, token));
    this.kept.set(key, { items: shape.copy(items), token, body });
    return body;
  }

  /** Bytes of the pages kept. */
  get bytes(): number {
    return this.kept.totalSize;
  }

  private matches(entry: Entry<T>, items: readonly T[], token: string | null): boolean {
    if (entry.token !== token || entry.items.length !== items.length) return false;
    for (let i = 0; i < items.length; i++) if (!this.shape.equal(entry.items[i]!, items[i]!)) return false;
    return true;
  }
}

/** Two namespaces (or any level lists) with the same levels. */
export function sameLevels(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

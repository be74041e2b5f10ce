/**
 * Decoded manifests kept between plans, keyed by the reader's scope (the warehouse and table: two warehouses may
 * name the same path on different stores, and one table must never be answered another's entries) and the
 * manifest's path (with the sequence number and snapshot its entries inherit from the manifest list): Iceberg
 * manifests are immutable once committed, so a repeated plan of an unchanged snapshot re-reads nothing. Manifest
 * lists are kept the same way (by scope and path): a snapshot's list is as immutable as its manifests, so a
 * repeated plan opens no file at all. Least recently used first out.
 *
 * Two bounds, both enforced: a number of entries, and an estimate of the bytes they hold (entryBytes below). The
 * entry bound alone was a memory bound only for narrow tables: a decoded entry with full stats for 3 columns holds
 * about 2.2 KB of heap, one with 50 columns about 20 KB and one with 200 about 86 KB (bench/manifest-cache-bytes.mjs
 * measures the heap against the estimate), so 50,000 wide entries were 1-4 GB. One manifest (or list) over a quarter of
 * either bound is never kept, so a single huge manifest cannot empty the cache.
 */
import type { ContentFile, ManifestEntry, ManifestFile } from '../ports/manifests.js';

interface Kept {
  values: readonly unknown[];
  bytes: number;
}

/** Per-object costs in V8 (fitted to the heap that decoded entries hold, bench/manifest-cache-bytes.mjs, Node 26). */
const ENTRY_BASE = 700;
const NUMBER_MAP_ITEM = 60;
const BYTES_MAP_ITEM = 104;
const LIST_ITEM = 16;

const mapItems = (m: Map<number, unknown> | null): number => (m === null ? 0 : m.size);

function boundsBytes(m: Map<number, Uint8Array> | null): number {
  if (m === null) return 0;
  let n = 0;
  for (const v of m.values()) n += BYTES_MAP_ITEM + v.byteLength;
  return n;
}

/** The bytes one decoded entry holds: its objects, strings (two bytes a character at most) and byte arrays. */
export function entryBytes(e: ManifestEntry): number {
  const f: ContentFile = e.file;
  return (
    ENTRY_BASE +
    2 * f.filePath.length +
    2 * (f.referencedDataFile?.length ?? 0) +
    NUMBER_MAP_ITEM * (mapItems(f.columnSizes) + mapItems(f.valueCounts) + mapItems(f.nullValueCounts) + mapItems(f.nanValueCounts)) +
    boundsBytes(f.lowerBounds) +
    boundsBytes(f.upperBounds) +
    LIST_ITEM * (f.partition.length + (f.splitOffsets?.length ?? 0) + (f.equalityIds?.length ?? 0)) +
    (f.keyMetadata?.byteLength ?? 0)
  );
}

/** The bytes one manifest-list entry holds. */
export function manifestFileBytes(m: ManifestFile): number {
  let n = 400 + 2 * m.path.length;
  for (const s of m.partitions ?? []) n += 120 + (s.lowerBound?.byteLength ?? 0) + (s.upperBound?.byteLength ?? 0);
  return n;
}

/**
 * Byte arrays decoded from Avro are views of the decompressed block they came from, so a kept entry keeps its
 * block alive: each distinct buffer behind the entries' byte arrays counts once, whole.
 */
function pinnedBytes(arrays: Iterable<Uint8Array | null | undefined>): number {
  const seen = new Set<ArrayBufferLike>();
  let n = 0;
  for (const a of arrays) {
    if (a === null || a === undefined || a.byteLength === a.buffer.byteLength || seen.has(a.buffer)) continue;
    seen.add(a.buffer);
    n += a.buffer.byteLength;
  }
  return n;
}

/** One byte array of each entry (all of an entry's come from one block), for pinnedBytes. */
function* firstArrays(entries: readonly ManifestEntry[]): Iterable<Uint8Array | undefined> {
  for (const e of entries) yield e.file.lowerBounds?.values().next().value ?? e.file.upperBounds?.values().next().value;
}

export class ManifestCache {
  /** Manifests' entries by key(), manifest lists' manifests by listKey(). */
  private readonly kept = new Map<string, Kept>();
  private entries = 0;
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number = Infinity,
  ) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) throw new TypeError('maxEntries must be a non-negative integer');
    if (!(maxBytes >= 0)) throw new TypeError('maxBytes must be a non-negative number');
  }

  static key(m: ManifestFile, scope = ''): string {
    return `${scope}\u0000${m.path}\u0000${m.sequenceNumber}\u0000${m.addedSnapshotId}`;
  }

  /** A manifest list's key: its path alone (a list names its manifests with their sequence numbers itself). */
  static listKey(uri: string, scope = ''): string {
    return `${scope}\u0000${uri}\u0000list`;
  }

  get(m: ManifestFile, scope = ''): readonly ManifestEntry[] | undefined {
    return this.found(ManifestCache.key(m, scope)) as readonly ManifestEntry[] | undefined;
  }

  put(m: ManifestFile, entries: readonly ManifestEntry[], scope = ''): void {
    if (!this.fits(entries.length, 0)) return;
    let bytes = pinnedBytes(firstArrays(entries));
    for (const e of entries) bytes += entryBytes(e);
    this.keep(ManifestCache.key(m, scope), entries, bytes);
  }

  /** The manifests of the manifest list at `uri`, if kept. */
  getList(uri: string, scope = ''): readonly ManifestFile[] | undefined {
    return this.found(ManifestCache.listKey(uri, scope)) as readonly ManifestFile[] | undefined;
  }

  putList(uri: string, manifests: readonly ManifestFile[], scope = ''): void {
    if (!this.fits(manifests.length, 0)) return;
    let bytes = pinnedBytes(manifests.flatMap((m) => (m.partitions ?? []).map((s) => s.lowerBound ?? s.upperBound)));
    for (const m of manifests) bytes += manifestFileBytes(m);
    this.keep(ManifestCache.listKey(uri, scope), manifests, bytes);
  }

  private found(key: string): readonly unknown[] | undefined {
    const found = this.kept.get(key);
    if (found === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.kept.delete(key);
    this.kept.set(key, found);
    return found.values;
  }

  private fits(entries: number, bytes: number): boolean {
    return entries <= this.maxEntries / 4 && bytes <= this.maxBytes / 4;
  }

  private keep(key: string, values: readonly unknown[], bytes: number): void {
    if (!this.fits(values.length, bytes)) return;
    const old = this.kept.get(key);
    if (old !== undefined) this.forget(key, old);
    for (const [k, v] of this.kept) {
      if (this.entries + values.length <= this.maxEntries && this.bytes + bytes <= this.maxBytes) break;
      this.forget(k, v);
    }
    this.kept.set(key, { values, bytes });
    this.entries += values.length;
    this.bytes += bytes;
  }

  private forget(key: string, kept: Kept): void {
    this.kept.delete(key);
    this.entries -= kept.values.length;
    this.bytes -= kept.bytes;
  }

  get size(): { manifests: number; entries: number; bytes: number } {
    return { manifests: this.kept.size, entries: this.entries, bytes: this.bytes };
  }
}

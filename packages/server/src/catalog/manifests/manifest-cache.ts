/**
 * Decoded manifests kept between plans, keyed by the reader's scope (the warehouse and table: two warehouses may
 * name the same path on different stores, and one table must never be answered another's entries) and the
 * manifest's path (with the sequence number and snapshot its entries inherit from the manifest list): Iceberg manifests are immutable once committed, so a repeated
 * plan of an unchanged snapshot re-reads nothing. Least recently used first out, bounded by a number of
 * entries (not files): one huge manifest cannot push memory past the bound, and one larger than a quarter of
 * it is never kept. bench/planning-java.mjs measures what an entry costs (about 2.2 KB with three columns of full stats), so
 * the bound is a memory bound. Manifest lists are kept the same way (by scope and path, each manifest named counting
 * as an entry): a snapshot's list is as immutable as its manifests, so a repeated plan opens no file at all.
 */
import type { ManifestEntry, ManifestFile } from '../ports/manifests.js';

export class ManifestCache {
  /** Manifests' entries by key(), manifest lists' manifests by listKey(). */
  private readonly manifests = new Map<string, readonly unknown[]>();
  private entries = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxEntries: number) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) throw new TypeError('maxEntries must be a non-negative integer');
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
    this.keep(ManifestCache.key(m, scope), entries);
  }

  /** The manifests of the manifest list at `uri`, if kept. */
  getList(uri: string, scope = ''): readonly ManifestFile[] | undefined {
    return this.found(ManifestCache.listKey(uri, scope)) as readonly ManifestFile[] | undefined;
  }

  putList(uri: string, manifests: readonly ManifestFile[], scope = ''): void {
    this.keep(ManifestCache.listKey(uri, scope), manifests);
  }

  private found(key: string): readonly unknown[] | undefined {
    const found = this.manifests.get(key);
    if (found === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.manifests.delete(key);
    this.manifests.set(key, found);
    return found;
  }

  private keep(key: string, entries: readonly unknown[]): void {
    if (entries.length > this.maxEntries / 4) return;
    const old = this.manifests.get(key);
    if (old !== undefined) {
      this.manifests.delete(key);
      this.entries -= old.length;
    }
    for (const [k, v] of this.manifests) {
      if (this.entries + entries.length <= this.maxEntries) break;
      this.manifests.delete(k);
      this.entries -= v.length;
    }
    this.manifests.set(key, entries);
    this.entries += entries.length;
  }

  get size(): { manifests: number; entries: number } {
    return { manifests: this.manifests.size, entries: this.entries };
  }
}

/**
 * Decoded manifests kept between plans, keyed by the reader's scope (the warehouse and table: two warehouses may
 * name the same path on different stores, and one table must never be answered another's entries) and the
 * manifest's path (with the sequence number and snapshot its entries inherit from the manifest list): Iceberg manifests are immutable once committed, so a repeated
 * plan of an unchanged snapshot re-reads nothing. Least recently used first out, bounded by a number of
 * entries (not files): one huge manifest cannot push memory past the bound, and one larger than a quarter of
 * it is never kept. bench/planning-java.mjs measures what an entry costs (about 2.2 KB with three columns of full stats), so
 * the bound is a memory bound.
 */
import type { ManifestEntry, ManifestFile } from './ports.js';

export class ManifestCache {
  private readonly manifests = new Map<string, readonly ManifestEntry[]>();
  private entries = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxEntries: number) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) throw new TypeError('maxEntries must be a non-negative integer');
  }

  static key(m: ManifestFile, scope = ''): string {
    return `${scope}\u0000${m.path}\u0000${m.sequenceNumber}\u0000${m.addedSnapshotId}`;
  }

  get(m: ManifestFile, scope = ''): readonly ManifestEntry[] | undefined {
    const key = ManifestCache.key(m, scope);
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

  put(m: ManifestFile, entries: readonly ManifestEntry[], scope = ''): void {
    if (entries.length > this.maxEntries / 4) return;
    const key = ManifestCache.key(m, scope);
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

/**
 * A doorkeeper for caches that keep only what is asked for twice: the first sighting of a key is remembered
 * (bounded; all forgotten when full), the second is let in. Loads spread at random over a million tables would
 * otherwise fill a cache with answers read once and never again, which only costs the garbage collector
 * (docs/benchmarks-scale.md); a key read twice is likely read again. Used by the SQLite read memo
 * (sqlite/read-memo.ts) and the metadata JSON cache (read-caches.ts).
 */
export class Doorkeeper {
  private readonly seen = new Set<string>();

  constructor(private readonly maxSeen = 16_384) {}

  /** true on a second sighting (the key is let in and forgotten here); false on a first (it is remembered). */
  admit(key: string): boolean {
    if (this.seen.delete(key)) return true;
    if (this.seen.size >= this.maxSeen) this.seen.clear();
    this.seen.add(key);
    return false;
  }
}

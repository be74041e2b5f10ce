/**
 * A doorkeeper for caches that keep only what is asked for twice: the first sighting of a key is remembered
 * (bounded; all forgotten when full), the second is let in. Loads spread at random over a million tables would
 * otherwise fill a cache with answers read once and never again, which only costs the garbage collector
 * (docs/benchmarks-scale.md); a key read twice is likely read again. Used by the SQLite read memo
 * (persistence/sqlite/read-memo.ts), the metadata JSON cache (persistence/read-caches.ts), the kept
 * loadTable answers (http/routes/iceberg/load-body.ts) and the cached authorization decisions
 * (TtlCache's `secondSighting`, catalog/access/access-service.ts).
 *
 * What it remembers is a 30-bit hash of each key (`hashOf`), not the key: a first sighting of a cold key then
 * allocates nothing that outlives the request (keeping the key strings made every one of them survive
 * into the old generation until the set was cleared), and asking costs one pass over the key's
 * characters instead of building and hashing a new string. Two keys of the same hash share a sighting:
 * at worst a key is let in on its first sighting, which costs only the entry its cache keeps (the
 * caches behind a doorkeeper check every entry they answer from on their own).
 */
export class Doorkeeper {
  private readonly seen = new Set<number>();

  constructor(private readonly maxSeen = 16_384) {}

  /** true on a second sighting (the key is let in and forgotten here); false on a first (it is remembered). */
  admit(key: string, seed = FNV_OFFSET): boolean {
    const h = hashOf(key, seed);
    if (this.seen.delete(h)) return true;
    if (this.seen.size >= this.maxSeen) this.seen.clear();
    this.seen.add(h);
    return false;
  }
}

const FNV_OFFSET = 0x811c9dc5;

/**
 * FNV-1a over the UTF-16 code units, starting from `seed` (e.g. the hash of what the keys are keys of, so
 * equal keys of different things differ), cut to 30 bits: a small integer (a Smi) on every V8 build, so a Set
 * of them holds no heap objects. Not a defence against chosen collisions, which only let a key in early.
 */
export function hashOf(text: string, seed = FNV_OFFSET): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

/**
 * The one bounded map of the server: every cache kept across requests (decisions, lookups, parsed texts,
 * prepared statements, kept answers) holds its entries here, so each is bounded the same way and says how in
 * one line. Hand-written because the eviction wanted on the hot paths is the cheapest one: a full map is
 * emptied at once (`evict: 'all'`, the default: no recency bookkeeping on a hit), and the well-kept LRU
 * packages (lru-cache) track recency on every read; `'oldest'` drops the first written entry instead, for the
 * few maps whose entries are costly to rebuild (parsed Avro types, stored plans, failure counts); `'least-recent'`
 * drops the entry read or written longest ago (a hit moves its entry to the end), for the few maps off the hot path
 * whose entries are both costly and worth keeping for the callers that come back (a listing's grants, grant-reads.ts).
 *
 * Options, each optional but the entry bound:
 * - `ttlMs` (with `now`): an entry is answered only until `ttlMs` after it was set; past it, it is dropped on read.
 *   The TTL is the bound on how stale an entry can be (authorization decisions: the revocation bound, ttl-cache.ts).
 * - `maxSize` (with `sizeOf`): a budget on the entries' total size (bytes of a body, characters of a text); an
 *   entry over a sixteenth of it is not kept, and one that would pass it evicts as above until it fits.
 */
export interface BoundedMapOptions<V> {
  /** Entries kept at most. */
  maxEntries: number;
  /** What goes when the map is full: everything (default), the entries written longest ago, or those used longest ago, one at a time. */
  evict?: 'all' | 'oldest' | 'least-recent';
  ttlMs?: number | undefined;
  now?: () => number;
  maxSize?: number;
  sizeOf?: (value: V) => number;
}

interface Timed<V> {
  value: V;
  untilMs: number;
}

export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V | Timed<V>>();
  private readonly maxEntries: number;
  private readonly oldestFirst: boolean;
  private readonly recency: boolean;
  private readonly ttlMs: number | undefined;
  private readonly now: () => number;
  private readonly maxSize: number;
  private readonly sizeOf: ((value: V) => number) | undefined;
  private total = 0;

  constructor(options: BoundedMapOptions<V>) {
    this.maxEntries = options.maxEntries;
    this.recency = options.evict === 'least-recent';
    this.oldestFirst = options.evict === 'oldest' || this.recency;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
    this.maxSize = options.maxSize ?? Infinity;
    this.sizeOf = options.sizeOf;
    if (this.sizeOf === undefined && options.maxSize !== undefined) throw new TypeError('BoundedMap: maxSize needs sizeOf');
  }

  /** `nowMs`: the clock read once by a caller that looks up several keys at one moment (default: read here). */
  get(key: K, nowMs?: number): V | undefined {
    const hit = this.entries.get(key);
    if (hit !== undefined && this.recency) {
      // The entry moves to the end of the map's order: eviction takes the first key.
      this.entries.delete(key);
      this.entries.set(key, hit);
    }
    if (hit === undefined || this.ttlMs === undefined) return hit as V | undefined;
    const timed = hit as Timed<V>;
    if (timed.untilMs > (nowMs ?? this.now())) return timed.value;
    this.delete(key);
    return undefined;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Keeps `value` under `key`, in place of what was there (unless it is too large for the size budget).
   * `nowMs`: when the value was read, if the caller read the clock before reading it (its TTL counts from then).
   */
  set(key: K, value: V, nowMs?: number): void {
    const size = this.sizeOf === undefined ? 0 : this.sizeOf(value);
    if (size > this.maxSize / 16 || this.maxEntries < 1) return;
    if (this.oldestFirst || this.sizeOf !== undefined) this.delete(key);
    if (!this.entries.has(key)) {
      while (this.entries.size >= this.maxEntries || (this.entries.size > 0 && this.total + size > this.maxSize)) this.evict();
    }
    this.entries.set(key, this.ttlMs === undefined ? value : { value, untilMs: (nowMs ?? this.now()) + this.ttlMs });
    this.total += size;
  }

  delete(key: K): boolean {
    if (this.sizeOf !== undefined) {
      const old = this.entries.get(key);
      if (old === undefined) return false;
      this.total -= this.sizeOf(this.ttlMs === undefined ? (old as V) : (old as Timed<V>).value);
    }
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  /** Entries held (expired ones included until they are read). */
  get size(): number {
    return this.entries.size;
  }

  /** Total size of the entries held, by `sizeOf` (0 without it). */
  get totalSize(): number {
    return this.total;
  }

  /** The keys held, written longest ago first (expired ones included until they are read). */
  keys(): IterableIterator<K> {
    return this.entries.keys();
  }

  /** The entries held, written longest ago first (for a TTL map, expired ones left out). */
  *[Symbol.iterator](): IterableIterator<[K, V]> {
    const now = this.ttlMs === undefined ? 0 : this.now();
    for (const [key, held] of this.entries) {
      if (this.ttlMs === undefined) yield [key, held as V];
      else if ((held as Timed<V>).untilMs > now) yield [key, (held as Timed<V>).value];
    }
  }

  private evict(): void {
    if (!this.oldestFirst) return this.clear();
    this.delete(this.entries.keys().next().value as K);
  }
}

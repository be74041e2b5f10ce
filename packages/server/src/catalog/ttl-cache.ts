import { BoundedMap } from './bounded-map.js';
import { Doorkeeper } from './doorkeeper.js';

/**
 * A bounded map whose entries expire: for decisions and lookups that may be
 * reused briefly across requests (authorization, namespace ids). Expiry is
 * the bound on how stale an entry can be on a replica that did not make the
 * change; a full map is simply cleared (no LRU bookkeeping on the hot path; bounded-map.ts).
 *
 * Every entry is filled after a read (get, await the read, set). A clear or delete while that read is on its
 * way (a grant revoked, a session revoked, through this process or announced by another) must not be undone
 * by the read's older answer: callers take `generation` before reading and pass it to set(), which keeps
 * nothing read before the last clear or delete.
 *
 * With `secondSighting`, a key is kept only from its second `set` on (a doorkeeper, see doorkeeper.ts):
 * for caches whose keys name single objects (a decision on one table), which loads spread over a million
 * tables would otherwise fill with entries asked for once, each surviving into the old generation.
 */
export class TtlCache<V> {
  private readonly entries: BoundedMap<string, V>;
  private readonly door: Doorkeeper | undefined;
  private cleared = 0;

  constructor(
    private readonly ttlMs: number,
    now: () => number,
    maxEntries = 50_000,
    options: { secondSighting?: boolean } = {},
  ) {
    this.entries = new BoundedMap({ maxEntries, ttlMs, now });
    this.door = options.secondSighting ? new Doorkeeper() : undefined;
  }

  /** Raised by every clear() and delete(): what was read before it is not kept. */
  get generation(): number {
    return this.cleared;
  }

  /** `nowMs`: the cache's clock read once by a caller that looks up several keys at one moment (default: read here). */
  get(key: string, nowMs?: number): V | undefined {
    return this.entries.get(key, nowMs);
  }

  /**
   * Keeps `value`, unless the cache was cleared or an entry deleted since `readAt` (its generation before the read).
   * `sinceMs`: when what `value` was made from was read, if earlier than now (its TTL counts from then).
   */
  set(key: string, value: V, readAt: number, sinceMs?: number): void {
    if (this.ttlMs <= 0 || readAt !== this.cleared) return;
    if (this.door !== undefined && !this.door.admit(key)) return;
    this.entries.set(key, value, sinceMs);
  }

  delete(key: string): void {
    this.entries.delete(key);
    this.cleared++;
  }

  clear(): void {
    this.entries.clear();
    this.cleared++;
  }
}

import { Doorkeeper } from './doorkeeper.js';

/**
 * A bounded map whose entries expire: for decisions and lookups that may be
 * reused briefly across requests (authorization, namespace ids). Expiry is
 * the bound on how stale an entry can be on a replica that did not make the
 * change; a full map is simply cleared (no LRU bookkeeping on the hot path).
 *
 * With `secondSighting`, a key is kept only from its second `set` on (a doorkeeper, see doorkeeper.ts):
 * for caches whose keys name single objects (a decision on one table), which loads spread over a million
 * tables would otherwise fill with entries asked for once, each surviving into the old generation.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; untilMs: number }>();
  private readonly door: Doorkeeper | undefined;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 50_000,
    options: { secondSighting?: boolean } = {},
  ) {
    this.door = options.secondSighting ? new Doorkeeper() : undefined;
  }

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    if (hit.untilMs > this.now()) return hit.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    if (this.door !== undefined && !this.door.admit(key)) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, untilMs: this.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

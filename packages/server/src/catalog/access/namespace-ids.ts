/**
 * Namespace ids by warehouse and namespace, kept for a TTL like every cached lookup: the TTL bounds how
 * stale an id can be on a replica that did not see a namespace dropped and created again (the processes of
 * one server forget them at once, through coherence).
 *
 * Renewed in bulk. A catalog with many namespaces in use read their ids back one by one as each expired: on
 * PostgreSQL a round trip each, so 1,000 namespaces in use and a 1 s TTL cost 1,000 reads a second, one
 * request in ten at the scale benchmark's load (docs/benchmarks-scale.md). Here a lookup that has to read
 * anyway also renews, in the same read, the ids of its warehouse that were used since they were read and
 * expire within the next half TTL (at most MAX_RENEW): ids in use are renewed a few hundred per read. An id
 * is never answered after its own expiry, and a renewal only ever replaces it with a fresher one (or drops
 * it, when the namespace is gone), so this is as fresh as reading each id when it expires.
 *
 * Entries are kept in the order they expire (Map insertion order: set always moves an entry to the end), so
 * finding the renewable ones reads only the front of the map, never all of it.
 */

/** At most this many ids renewed along with one lookup (with its own, under 256 names per read). */
export const MAX_RENEW = 240;

interface Entry {
  warehouse: string;
  levels: string[];
  id: string;
  untilMs: number;
  /** Answered since it was read: only ids in use are renewed; others simply expire. */
  used: boolean;
}

export class NamespaceIdCache {
  private readonly entries = new Map<string, Entry>();
  private cleared = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 100_000,
  ) {}

  /**
   * Raised by clear(): a read begun before a namespace was dropped (and the cache cleared) must not put the
   * id it read back. Pass the generation seen before reading to set(), as for TtlCache.
   */
  get generation(): number {
    return this.cleared;
  }

  /** The id of a namespace while it is fresh. */
  get(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.untilMs > this.now()) {
      entry.used = true;
      return entry.id;
    }
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, warehouse: string, levels: string[], id: string, generation: number): void {
    if (this.ttlMs <= 0 || generation !== this.cleared) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { warehouse, levels, id, untilMs: this.now() + this.ttlMs, used: false });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.cleared++;
  }

  /**
   * Keys and namespaces of `warehouse` worth renewing now: used since read, expiring within half the TTL (or
   * already expired), at most `limit`. Expired entries nobody used are dropped on the way.
   */
  renewable(warehouse: string, limit: number): Array<{ key: string; levels: string[] }> {
    const out: Array<{ key: string; levels: string[] }> = [];
    const now = this.now();
    const horizon = now + this.ttlMs / 2;
    let scanned = 0;
    for (const [key, entry] of this.entries) {
      if (entry.untilMs > horizon || out.length >= limit || scanned++ >= 4 * limit) break;
      if (entry.used && entry.warehouse === warehouse) {
        // Offered once: lookups that miss while this renewal is on its way renew others, not these again.
        entry.used = false;
        out.push({ key, levels: entry.levels });
      } else if (entry.untilMs <= now) this.entries.delete(key);
    }
    return out;
  }
}

/**
 * The table and view records Trino's OPA decisions resolve names to (issue 54), kept between decisions instead of
 * read from the database for each (a Trino query asks several decisions of one table; the record gives the id the
 * grants and policies are on, and the metadata location the filter and mask SQL is written against).
 *
 * Revocation: a record (or its absence) is kept per warehouse until any change of that warehouse's objects
 * commits, or at most `ttlMs` (the authorization cache's bound, authzCacheSeconds). The change's own process drops
 * its warehouse's records once the transaction commits (the store's committed changes, `committed()`), and
 * announces it (Coherence topic `objects`, key: the warehouse): the other workers over IPC, replicas on one
 * PostgreSQL over NOTIFY, drop theirs when it arrives (milliseconds). So a table dropped, renamed, created or
 * committed to (a column renamed) is seen by the next decision everywhere the announcement reaches, and within
 * `ttlMs` where it cannot (a replica whose listening connection is down: it drops everything when it reconnects).
 * Grants and policies keep their own caches and signals (access, policies); this keeps only what a name resolves to.
 * Every change kind counts except those known not to touch an object's record (a new kind counts: the safe default).
 */
import type { CatalogObjectRecord, Clock, Coherence } from '../ports/index.js';
import type { OutboxEventInput } from '../ports/outbox.js';
import { tenantOfStream } from '../outbox/tenant-events.js';
import { TtlCache } from '../ttl-cache.js';

/** Change kinds (after `io.lakegate.`) that leave every table's and view's record as it was. */
const UNRELATED =
  /^io\.lakegate\.(grant\.|policy\.|function\.|(table|view)\.labels-set$|lance-table\.(version-created|branch-deleted|tag-created|tag-updated|tag-deleted)$)/;
/** Records kept per warehouse at most (then forgotten at once, ttl-cache.ts). */
const MAX_PER_WAREHOUSE = 10_000;

export class TrinoTableRecords {
  private readonly byWarehouse = new Map<string, TtlCache<CatalogObjectRecord | null>>();

  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    private readonly coherence?: Coherence | undefined,
  ) {
    coherence?.on('objects', (warehouse) => this.drop(warehouse));
  }

  /** The record of that name (undefined: none), from the cache or else from `read`. */
  async get(
    warehouse: string,
    namespace: readonly string[],
    name: string,
    read: () => Promise<CatalogObjectRecord | undefined>,
  ): Promise<CatalogObjectRecord | undefined> {
    if (this.ttlMs <= 0) return read();
    let cache = this.byWarehouse.get(warehouse);
    if (cache === undefined) this.byWarehouse.set(warehouse, (cache = new TtlCache(this.ttlMs, () => this.clock.now(), MAX_PER_WAREHOUSE)));
    const key = `${namespace.join('\u001f')}\u0000${name}`;
    const kept = cache.get(key);
    if (kept !== undefined) return kept ?? undefined;
    // A drop while the read is on its way keeps its older answer out (ttl-cache.ts).
    const readAt = cache.generation;
    const record = await read();
    cache.set(key, record === undefined ? null : Object.freeze(record), readAt);
    return record;
  }

  /** The store's ChangeListener half (compose/catalog.ts): drops the records of each warehouse a change touched, here and elsewhere. */
  committed(changes: readonly OutboxEventInput[]): void {
    const touched = new Set<string>();
    // A tenant's own events (roles, principals: outbox/tenant-events.ts) name its stream, no warehouse.
    for (const c of changes) if (!UNRELATED.test(c.type) && tenantOfStream(c.warehouse) === undefined) touched.add(c.warehouse);
    for (const warehouse of touched) {
      this.drop(warehouse);
      this.coherence?.announce('objects', warehouse);
    }
  }

  /** Forgets the records of one warehouse (undefined: of every warehouse). */
  private drop(warehouse: string | undefined): void {
    if (warehouse === undefined) for (const cache of this.byWarehouse.values()) cache.clear();
    else this.byWarehouse.get(warehouse)?.clear();
  }
}

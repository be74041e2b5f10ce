/**
 * Federated warehouses' remote failures in the catalog database (tables federation_remote_failures and
 * federation_remote_answers, migration 0032; catalog/ports/remote-failures.ts). A failure is one upsert that adds to
 * its window's row; a new row (count 1) also trims the warehouse's oldest rows beyond REMOTE_FAILURES_KEPT.
 */
import { type Kysely, sql } from 'kysely';
import {
  REMOTE_FAILURES_KEPT,
  failureFingerprint,
  type RemoteFailure,
  type RemoteFailureCursor,
  type RemoteFailureInput,
  type RemoteFailureStore,
  type RemoteOperation,
} from '../catalog/ports/remote-failures.js';
import type { CatalogDatabase } from './schema.js';

const TABLE = 'federation_remote_failures';

// CASE rather than min/max (SQLite) or least/greatest (PostgreSQL): one statement for both.
const earlier = (column: string, atMs: number) => sql<number>`case when ${sql.ref(column)} < ${atMs} then ${sql.ref(column)} else ${atMs} end`;
const later = (column: string, atMs: number) => sql<number>`case when ${sql.ref(column)} > ${atMs} then ${sql.ref(column)} else ${atMs} end`;

export class KyselyRemoteFailures implements RemoteFailureStore {
  constructor(private readonly db: Kysely<CatalogDatabase>) {}

  async record(f: RemoteFailureInput, windowMs: number): Promise<void> {
    const fingerprint = failureFingerprint(f.code, f.message);
    const windowStart = Math.floor(f.atMs / windowMs) * windowMs;
    const count = f.count ?? 1;
    const firstAt = f.firstAtMs ?? f.atMs;
    const row = await this.db
      .insertInto(TABLE)
      .values({
        warehouse: f.warehouse,
        operation: f.operation,
        fingerprint,
        window_start: windowStart,
        code: f.code,
        message: f.message,
        count,
        first_at: firstAt,
        last_at: f.atMs,
      })
      .onConflict((oc) =>
        oc.columns(['warehouse', 'operation', 'fingerprint', 'window_start']).doUpdateSet({
          count: sql<number>`${sql.ref(`${TABLE}.count`)} + ${count}`,
          first_at: earlier(`${TABLE}.first_at`, firstAt),
          last_at: later(`${TABLE}.last_at`, f.atMs),
        }),
      )
      .returning('count')
      .executeTakeFirst();
    // The row is new when its count is this record's own: trim then.
    if (Number(row?.count ?? 0) === count) await this.trim(f.warehouse);
  }

  /** Keeps the warehouse's newest REMOTE_FAILURES_KEPT rows. */
  private async trim(warehouse: string): Promise<void> {
    const edge = await this.db
      .selectFrom(TABLE)
      .select('last_at')
      .where('warehouse', '=', warehouse)
      .orderBy('last_at', 'desc')
      .offset(REMOTE_FAILURES_KEPT - 1)
      .limit(1)
      .executeTakeFirst();
    if (edge) await this.db.deleteFrom(TABLE).where('warehouse', '=', warehouse).where('last_at', '<', edge.last_at).execute();
  }

  async recent(warehouse: string, limit: number): Promise<RemoteFailure[]> {
    return this.page(warehouse, limit);
  }

  /** Keyset paging in compareFailures' order (the primary key and last_at make it total). */
  async page(warehouse: string, limit: number, after?: RemoteFailureCursor): Promise<RemoteFailure[]> {
    let query = this.db.selectFrom(TABLE).selectAll().where('warehouse', '=', warehouse);
    if (after)
      query = query.where((eb) =>
        eb.or([
          eb('last_at', '<', after.lastAtMs),
          eb.and([eb('last_at', '=', after.lastAtMs), eb('operation', '>', after.operation)]),
          eb.and([eb('last_at', '=', after.lastAtMs), eb('operation', '=', after.operation), eb('window_start', '>', after.windowStartMs)]),
          eb.and([
            eb('last_at', '=', after.lastAtMs),
            eb('operation', '=', after.operation),
            eb('window_start', '=', after.windowStartMs),
            eb('fingerprint', '>', after.fingerprint),
          ]),
        ]),
      );
    const rows = await query
      .orderBy('last_at', 'desc')
      .orderBy('operation', 'asc')
      .orderBy('window_start', 'asc')
      .orderBy('fingerprint', 'asc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      warehouse: r.warehouse,
      operation: r.operation as RemoteOperation,
      code: r.code,
      message: r.message,
      count: Number(r.count),
      firstAtMs: Number(r.first_at),
      lastAtMs: Number(r.last_at),
      windowStartMs: Number(r.window_start),
      fingerprint: r.fingerprint,
    }));
  }

  async answered(warehouse: string, atMs: number): Promise<void> {
    await this.db
      .insertInto('federation_remote_answers')
      .values({ warehouse, answered_at: atMs })
      .onConflict((oc) => oc.column('warehouse').doUpdateSet({ answered_at: later('federation_remote_answers.answered_at', atMs) }))
      .execute();
  }

  async lastAnswered(warehouse: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('federation_remote_answers').select('answered_at').where('warehouse', '=', warehouse).executeTakeFirst();
    return row === undefined ? undefined : Number(row.answered_at);
  }
}

/**
 * The event outbox (catalog/ports/outbox.ts), its sinks and the delivery lease over SQLite or PostgreSQL.
 * appendOutboxEvents runs inside the change's transaction: it moves the warehouse's counter row by the number of
 * events (`insert … on conflict do update … returning`, one statement in both databases) and inserts the rows with
 * the numbers it got. On PostgreSQL the counter row stays locked until the transaction ends, so a second writer of
 * the same warehouse waits, and sequences are assigned in commit order; SQLite serialises write transactions anyway.
 */
import { type Kysely, sql } from 'kysely';
import type { OutboxEvent, OutboxEventInput, OutboxStore } from '../catalog/ports/outbox.js';
import type { LeaseStore, SinkKind, SinkRecord, SinkState, SinkStore } from '../catalog/ports/delivery.js';
import type { CatalogDatabase } from './schema.js';
import { parseJson, stringifyJson } from '../catalog/json.js';
import { noteOutboxWrite } from './committed-changes.js';

type Int = number | string | bigint;
type OutboxTables = {
  event_outbox: { warehouse: string; sequence: Int; id: string; type: string; subject: string | null; partition_key: string; time: Int; data: string };
  event_sequences: { warehouse: string; sequence: Int };
  /** Migration 0023: per stream, the highest sequence the retention sweep deleted. */
  event_retention: { warehouse: string; deleted_through: Int };
  event_sinks: {
    id: string;
    warehouse: string;
    kind: string;
    config: string;
    secret_id: string | null;
    /** Migration 0022: 1 when a platform administrator made the sink (any destination), 0 otherwise. */
    any_destination: Int;
    cursor: Int;
    state: string;
    failures: Int;
    last_error: string | null;
    next_attempt_at: Int;
    delivered: Int;
    created_at: Int;
    updated_at: Int;
  };
  event_leases: { name: string; holder: string; expires_at: Int };
};
type Db = Kysely<OutboxTables>;

const tablesOf = (db: Kysely<CatalogDatabase>): Db => db.withTables<OutboxTables>() as unknown as Db;

/** Inside a transaction (`db` is the transaction): the events, with the warehouse's next sequence numbers. */
export async function appendOutboxEvents(db: Kysely<CatalogDatabase>, events: readonly OutboxEventInput[]): Promise<void> {
  const byWarehouse = new Map<string, OutboxEventInput[]>();
  for (const e of events) byWarehouse.set(e.warehouse, [...(byWarehouse.get(e.warehouse) ?? []), e]);
  for (const [warehouse, list] of byWarehouse) await insertOutboxEvents(db, warehouse, await reserveSequences(db, warehouse, list.length), list);
}

/** Inside a transaction: moves the stream's counter by `count` (taking its row lock until the end); the first number. */
export async function reserveSequences(db: Kysely<CatalogDatabase>, warehouse: string, count: number): Promise<number> {
  const row = await tablesOf(db)
    .insertInto('event_sequences')
    .values({ warehouse, sequence: count })
    .onConflict((oc) => oc.column('warehouse').doUpdateSet({ sequence: sql`event_sequences.sequence + ${count}` }))
    .returning('sequence')
    .executeTakeFirstOrThrow();
  return Number(row.sequence) - count + 1;
}

/** Inside a transaction: the events of one stream with the numbers from `first` on (reserved before). */
export async function insertOutboxEvents(db: Kysely<CatalogDatabase>, warehouse: string, first: number, events: readonly OutboxEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await tablesOf(db)
    .insertInto('event_outbox')
    .values(
      events.map((e, i) => ({
        warehouse,
        sequence: first + i,
        id: e.id,
        type: e.type,
        subject: e.subject ?? null,
        partition_key: e.partitionKey,
        time: e.timeMs,
        data: stringifyJson(e.data),
      })),
    )
    .execute();
  await noteOutboxWrite(db, events);
}

/**
 * The lowest sequence a pending event intent holds in the stream (persistence/kysely-event-intents.ts), as SQL: the
 * stream is readable only below it, so an event a change has not published yet is never overtaken by later ones.
 */
const heldFrom = (warehouse: string) => sql<number | string | null>`(select min(i.sequence) from event_intents i where i.stream = ${warehouse})`;

const toEvent = (r: OutboxTables['event_outbox']): OutboxEvent => ({
  id: r.id,
  warehouse: r.warehouse,
  sequence: Number(r.sequence),
  type: r.type,
  ...(r.subject !== null ? { subject: r.subject } : {}),
  partitionKey: r.partition_key,
  timeMs: Number(r.time),
  // Exact: snapshot ids are 63-bit integers (catalog/json.ts).
  data: parseJson(r.data) as Record<string, unknown>,
});

const toSink = (r: OutboxTables['event_sinks']): SinkRecord => ({
  id: r.id,
  warehouse: r.warehouse,
  kind: r.kind as SinkKind,
  config: JSON.parse(r.config) as Record<string, unknown>,
  ...(r.secret_id !== null ? { secretId: r.secret_id } : {}),
  ...(Number(r.any_destination) === 1 ? { anyDestination: true } : {}),
  cursor: Number(r.cursor),
  state: r.state as SinkState,
  failures: Number(r.failures),
  ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  nextAttemptAtMs: Number(r.next_attempt_at),
  delivered: Number(r.delivered),
  createdAtMs: Number(r.created_at),
  updatedAtMs: Number(r.updated_at),
});

/**
 * Runs writes whose loss in a power failure is harmless (the store's choice of how: on SQLite without waiting for an
 * fsync, sqlite-store.ts). The delivery's bookkeeping is such: a lost cursor advance re-sends a batch, which
 * consumers drop by event id (at least once), and a lost lease renewal is a lease of processes that died with it.
 */
export type BookkeepingWrites = <T>(fn: (db: Kysely<CatalogDatabase>) => Promise<T>) => Promise<T>;

export class KyselyOutbox implements OutboxStore, SinkStore, LeaseStore {
  private readonly db: Db;
  private readonly bookkeeping: <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

  constructor(db: Kysely<CatalogDatabase>, bookkeeping?: BookkeepingWrites) {
    this.db = tablesOf(db);
    this.bookkeeping = bookkeeping ? (fn) => bookkeeping((conn) => fn(tablesOf(conn))) : (fn) => fn(this.db);
  }

  async list(warehouse: string, after: number, limit: number): Promise<OutboxEvent[]> {
    const rows = await this.db
      .selectFrom('event_outbox')
      .selectAll()
      .where('warehouse', '=', warehouse)
      .where('sequence', '>', after)
      .where(sql<boolean>`(${heldFrom(warehouse)} is null or sequence < ${heldFrom(warehouse)})`)
      .orderBy('sequence')
      .limit(limit)
      .execute();
    return rows.map(toEvent);
  }

  async head(warehouse: string): Promise<number> {
    const row = await this.db
      .selectFrom('event_sequences')
      .select(['sequence', sql<number | string | null>`${heldFrom(warehouse)}`.as('held')])
      .where('warehouse', '=', warehouse)
      .executeTakeFirst();
    if (!row) return 0;
    return row.held === null ? Number(row.sequence) : Math.min(Number(row.sequence), Number(row.held) - 1);
  }

  /**
   * One transaction: per stream, the highest sequence among its events older than `beforeMs` (none past a sink's
   * cursor), then those events up to it, then the stream's watermark (raised, never lowered: two replicas may sweep at
   * once). The delete is bounded by the number read, so a row committed in between is never deleted unrecorded; events
   * are keyed (warehouse, sequence), so each delete is a range of the key. The watermark has its own table: the sweep
   * takes no lock on the counter rows that appends wait on.
   */
  async deleteBefore(beforeMs: number, keepAfter: ReadonlyMap<string, number> = new Map()): Promise<number> {
    const kept = [...keepAfter];
    return this.db.transaction().execute(async (trx) => {
      const streams = await trx
        .selectFrom('event_outbox')
        .select(['warehouse', (eb) => eb.fn.max('sequence').as('last')])
        .where('time', '<', beforeMs)
        .where((eb) =>
          kept.length === 0
            ? eb.lit(true)
            : eb.or([
                eb(
                  'warehouse',
                  'not in',
                  kept.map(([w]) => w),
                ),
                ...kept.map(([w, floor]) => eb.and([eb('warehouse', '=', w), eb('sequence', '<=', floor)])),
              ]),
        )
        .groupBy('warehouse')
        .orderBy('warehouse')
        .execute();
      let deleted = 0;
      for (const { warehouse, last: top } of streams) {
        const last = Number(top);
        const res = await trx
          .deleteFrom('event_outbox')
          .where('warehouse', '=', warehouse)
          .where('sequence', '<=', last)
          .where('time', '<', beforeMs)
          .executeTakeFirst();
        deleted += Number(res.numDeletedRows);
        await trx
          .insertInto('event_retention')
          .values({ warehouse, deleted_through: last })
          .onConflict((oc) =>
            oc
              .column('warehouse')
              .doUpdateSet({ deleted_through: sql`case when event_retention.deleted_through < ${last} then ${last} else event_retention.deleted_through end` }),
          )
          .execute();
      }
      return deleted;
    });
  }

  async deletedThrough(warehouse: string): Promise<number> {
    const row = await this.db.selectFrom('event_retention').select('deleted_through').where('warehouse', '=', warehouse).executeTakeFirst();
    return row ? Number(row.deleted_through) : 0;
  }

  async insertSink(r: SinkRecord): Promise<void> {
    await this.db
      .insertInto('event_sinks')
      .values({
        id: r.id,
        warehouse: r.warehouse,
        kind: r.kind,
        config: JSON.stringify(r.config),
        secret_id: r.secretId ?? null,
        any_destination: r.anyDestination === true ? 1 : 0,
        cursor: r.cursor,
        state: r.state,
        failures: r.failures,
        last_error: r.lastError ?? null,
        next_attempt_at: r.nextAttemptAtMs,
        delivered: r.delivered,
        created_at: r.createdAtMs,
        updated_at: r.updatedAtMs,
      })
      .execute();
  }

  async getSink(id: string): Promise<SinkRecord | undefined> {
    const row = await this.db.selectFrom('event_sinks').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toSink(row);
  }

  async listSinks(warehouse?: string): Promise<SinkRecord[]> {
    let q = this.db.selectFrom('event_sinks').selectAll();
    if (warehouse !== undefined) q = q.where('warehouse', '=', warehouse);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toSink);
  }

  async updateSinkConfig(id: string, config: Record<string, unknown>, secretId: string | undefined, nowMs: number): Promise<boolean> {
    const res = await this.db
      .updateTable('event_sinks')
      .set({ config: JSON.stringify(config), secret_id: secretId ?? null, updated_at: nowMs })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async deleteSink(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('event_sinks').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  async advanceSink(id: string, from: number, to: number, count: number, nowMs: number): Promise<boolean> {
    const res = await this.bookkeeping((db) =>
      db
        .updateTable('event_sinks')
        .set({ cursor: to, delivered: sql`delivered + ${count}`, failures: 0, state: 'active', last_error: null, next_attempt_at: 0, updated_at: nowMs })
        .where('id', '=', id)
        .where('cursor', '=', from)
        .executeTakeFirst(),
    );
    return Number(res.numUpdatedRows) === 1;
  }

  async recordFailure(id: string, f: { failures: number; state: SinkState; lastError: string; nextAttemptAtMs: number }, nowMs: number): Promise<void> {
    await this.bookkeeping((db) =>
      db
        .updateTable('event_sinks')
        .set({ failures: f.failures, state: f.state, last_error: f.lastError, next_attempt_at: f.nextAttemptAtMs, updated_at: nowMs })
        .where('id', '=', id)
        .execute(),
    );
  }

  async acquireLease(name: string, holder: string, nowMs: number, ttlMs: number): Promise<boolean> {
    // Insert when absent; otherwise take it only when it expired or is ours (compare-and-set in the WHERE).
    const res = await this.bookkeeping((db) =>
      db
        .insertInto('event_leases')
        .values({ name, holder, expires_at: nowMs + ttlMs })
        .onConflict((oc) =>
          oc
            .column('name')
            .doUpdateSet({ holder, expires_at: nowMs + ttlMs })
            .where((eb) => eb.or([eb('event_leases.holder', '=', holder), eb('event_leases.expires_at', '<', nowMs)])),
        )
        .executeTakeFirst(),
    );
    return Number(res.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.db.deleteFrom('event_leases').where('name', '=', name).where('holder', '=', holder).execute();
  }
}

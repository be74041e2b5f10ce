/**
 * A table of pending work over SQLite or PostgreSQL, the shape two ports share: pending owner grants
 * (kysely-pending-owner-grants.ts) and derivation intents (kysely-derivation-intents.ts). Each row has an `id` and a
 * `created_at` (ms) beside its own columns; a record is added once, removed by id (true only for the call that
 * removed it), and listed oldest first (ties by id) below a time. Each adapter gives its table and the mapping
 * between its record and its row; the queries are here once.
 */
import type { Kysely } from 'kysely';
import type { CatalogDatabase } from './schema.js';

export type Int = number | string | bigint;

/** The columns every pending table has. */
export interface PendingRow {
  id: string;
  created_at: Int;
}

type Db = Kysely<Record<string, PendingRow>>;

export class KyselyPendingRows<T, R extends PendingRow> {
  private readonly db: Db;

  /** @param db the database, or a transaction (then every write is part of it). */
  constructor(
    db: Kysely<CatalogDatabase>,
    private readonly table: string,
    private readonly toRow: (record: T) => R,
    private readonly fromRow: (row: R) => T,
  ) {
    this.db = db.withTables<Record<string, PendingRow>>() as unknown as Db;
  }

  async add(record: T): Promise<void> {
    await this.db.insertInto(this.table).values(this.toRow(record)).execute();
  }

  async remove(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom(this.table).where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }

  async pending(beforeMs: number, limit: number): Promise<T[]> {
    const rows = await this.db.selectFrom(this.table).selectAll().where('created_at', '<', beforeMs).orderBy('created_at').orderBy('id').limit(limit).execute();
    return (rows as R[]).map((r) => this.fromRow(r));
  }
}

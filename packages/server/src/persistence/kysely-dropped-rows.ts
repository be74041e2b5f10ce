/**
 * The reads and the forgetting the two tables of soft-dropped things share, `dropped_objects` (kysely-dropped.ts) and
 * `dropped_namespaces` (kysely-dropped-namespaces.ts): a warehouse's rows by drop time (ties by id) from a page's
 * position, one row by id, the rows whose retention has passed (by expiry, ties by id), and a row deleted once its
 * purge is done (true only for the call that deleted it). Each store gives its table and its row's record; the
 * moves in and out (drop, restore) stay in the stores.
 */
import type { Kysely } from 'kysely';
import type { CatalogDatabase } from './schema.js';

type Num = number | string | bigint;

/** The columns both tables have. */
interface DroppedColumns {
  warehouse: string;
  id: string;
  dropped_at: Num;
  expires_at: Num;
}

type Db = Kysely<Record<string, DroppedColumns>>;

export class KyselyDroppedRows<T, R extends DroppedColumns> {
  private readonly rows: Db;

  constructor(
    db: Kysely<CatalogDatabase>,
    private readonly table: 'dropped_objects' | 'dropped_namespaces',
    private readonly toRecord: (row: R) => T,
  ) {
    this.rows = db.withTables<Record<string, DroppedColumns>>() as unknown as Db;
  }

  async list(warehouse: string, page: { after?: { droppedAtMs: number; id: string } | undefined; limit: number }): Promise<T[]> {
    let q = this.rows.selectFrom(this.table).selectAll().where('warehouse', '=', warehouse);
    const after = page.after;
    if (after !== undefined) {
      q = q.where((eb) => eb.or([eb('dropped_at', '>', after.droppedAtMs), eb.and([eb('dropped_at', '=', after.droppedAtMs), eb('id', '>', after.id)])]));
    }
    const rows = await q.orderBy('dropped_at').orderBy('id').limit(page.limit).execute();
    return (rows as R[]).map((r) => this.toRecord(r));
  }

  async get(warehouse: string, id: string): Promise<T | undefined> {
    const row = await this.rows.selectFrom(this.table).selectAll().where('warehouse', '=', warehouse).where('id', '=', id).executeTakeFirst();
    return row && this.toRecord(row as R);
  }

  async due(nowMs: number, limit: number): Promise<T[]> {
    const rows = await this.rows.selectFrom(this.table).selectAll().where('expires_at', '<=', nowMs).orderBy('expires_at').orderBy('id').limit(limit).execute();
    return (rows as R[]).map((r) => this.toRecord(r));
  }

  async forget(warehouse: string, id: string): Promise<boolean> {
    const res = await this.rows.deleteFrom(this.table).where('warehouse', '=', warehouse).where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) === 1;
  }
}

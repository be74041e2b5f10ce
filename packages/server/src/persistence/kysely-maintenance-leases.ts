/**
 * Maintenance leases (catalog/maintenance/ports.ts) over SQLite or PostgreSQL: a take is an insert that does nothing
 * when the row exists, else an update guarded by the row's expiry and last run (`update … where expires_at <= now and
 * last_run_at < due`): on PostgreSQL a second taker blocks on the row until the first commits, then updates nothing;
 * on SQLite writes are serialised already.
 */
import type { Kysely } from 'kysely';
import type { MaintenanceLeases } from '../catalog/maintenance/ports.js';
import type { CatalogDatabase } from './schema.js';

type Num = number | string | bigint;
type Db = Kysely<{ maintenance_leases: { table_id: string; warehouse: string; holder: string; expires_at: Num; last_run_at: Num } }>;

export class KyselyMaintenanceLeases implements MaintenanceLeases {
  private readonly db: Db;

  constructor(db: Kysely<CatalogDatabase>) {
    this.db = db.withTables<{ maintenance_leases: { table_id: string; warehouse: string; holder: string; expires_at: Num; last_run_at: Num } }>() as unknown as Db;
  }

  async take(tableId: string, warehouse: string, holder: string, nowMs: number, leaseMs: number, dueBeforeMs: number): Promise<boolean> {
    const inserted = await this.db
      .insertInto('maintenance_leases')
      .values({ table_id: tableId, warehouse, holder, expires_at: nowMs + leaseMs, last_run_at: 0 })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
    const updated = await this.db
      .updateTable('maintenance_leases')
      .set({ holder, expires_at: nowMs + leaseMs })
      .where('table_id', '=', tableId)
      .where('expires_at', '<=', nowMs)
      .where('last_run_at', '<', dueBeforeMs)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  async complete(tableId: string, holder: string, nowMs: number): Promise<void> {
    await this.db.updateTable('maintenance_leases').set({ expires_at: 0, last_run_at: nowMs }).where('table_id', '=', tableId).where('holder', '=', holder).execute();
  }
}

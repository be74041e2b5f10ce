/**
 * Maintenance leases (catalog/ports/maintenance.ts) over SQLite or PostgreSQL: a take is an insert that does nothing
 * when the row exists, else an update guarded by the row's expiry and last run (`update … where expires_at <= now and
 * last_run_at < due`): on PostgreSQL a second taker blocks on the row until the first commits, then updates nothing;
 * on SQLite writes are serialised already. The job's state and progress (migration 0020) are written only by the
 * lease's holder, so a replica whose lease was taken over cannot overwrite the new holder's report.
 */
import type { Kysely } from 'kysely';
import type { MaintenanceJobRecord, MaintenanceLeases, MaintenanceProgress } from '../catalog/ports/maintenance.js';
import type { CatalogDatabase } from './schema.js';

type Num = number | string | bigint;
interface LeaseRow {
  table_id: string;
  warehouse: string;
  holder: string;
  expires_at: Num;
  last_run_at: Num;
  state: string;
  started_at: Num;
  progress: string | null;
}
type Db = Kysely<{ maintenance_leases: LeaseRow }>;

export class KyselyMaintenanceLeases implements MaintenanceLeases {
  private readonly db: Db;

  constructor(db: Kysely<CatalogDatabase>) {
    this.db = db.withTables<{ maintenance_leases: LeaseRow }>() as unknown as Db;
  }

  async take(
    tableId: string,
    warehouse: string,
    holder: string,
    nowMs: number,
    leaseMs: number,
    dueBeforeMs: number,
    options: { overFailed?: boolean } = {},
  ): Promise<boolean> {
    const inserted = await this.db
      .insertInto('maintenance_leases')
      .values({ table_id: tableId, warehouse, holder, expires_at: nowMs + leaseMs, last_run_at: 0, state: 'running', started_at: nowMs, progress: null })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
    const updated = await this.db
      .updateTable('maintenance_leases')
      .set({ holder, expires_at: nowMs + leaseMs, state: 'running', started_at: nowMs, progress: null })
      .where('table_id', '=', tableId)
      .where((eb) => (options.overFailed ? eb.or([eb('expires_at', '<=', nowMs), eb('state', '=', 'failed')]) : eb('expires_at', '<=', nowMs)))
      .where('last_run_at', '<', dueBeforeMs)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  async renew(tableId: string, holder: string, nowMs: number, leaseMs: number): Promise<boolean> {
    const updated = await this.db
      .updateTable('maintenance_leases')
      .set({ expires_at: nowMs + leaseMs })
      .where('table_id', '=', tableId)
      .where('holder', '=', holder)
      .where('state', '=', 'running')
      .execute();
    return updated.reduce((n, r) => n + Number(r.numUpdatedRows), 0) === 1;
  }

  async report(tableId: string, holder: string, progress: MaintenanceProgress): Promise<void> {
    await this.db
      .updateTable('maintenance_leases')
      .set({ progress: JSON.stringify(progress) })
      .where('table_id', '=', tableId)
      .where('holder', '=', holder)
      .where('state', '=', 'running')
      .execute();
  }

  async complete(tableId: string, holder: string, ranAtMs: number | null, progress?: MaintenanceProgress): Promise<void> {
    await this.db
      .updateTable('maintenance_leases')
      .set({ expires_at: 0, ...(ranAtMs !== null ? { last_run_at: ranAtMs } : {}), state: 'done', ...(progress ? { progress: JSON.stringify(progress) } : {}) })
      .where('table_id', '=', tableId)
      .where('holder', '=', holder)
      .execute();
  }

  async fail(tableId: string, holder: string, progress: MaintenanceProgress, release: boolean): Promise<void> {
    await this.db
      .updateTable('maintenance_leases')
      .set({ state: 'failed', progress: JSON.stringify(progress), ...(release ? { expires_at: 0 } : {}) })
      .where('table_id', '=', tableId)
      .where('holder', '=', holder)
      .execute();
  }

  async get(tableId: string): Promise<MaintenanceJobRecord | undefined> {
    const r = await this.db.selectFrom('maintenance_leases').selectAll().where('table_id', '=', tableId).executeTakeFirst();
    if (!r) return undefined;
    return {
      tableId: r.table_id,
      warehouse: r.warehouse,
      holder: r.holder,
      state: r.state === 'done' || r.state === 'failed' ? r.state : 'running',
      startedAtMs: Number(r.started_at),
      expiresAtMs: Number(r.expires_at),
      lastRunMs: Number(r.last_run_at),
      progress: r.progress === null ? undefined : (JSON.parse(r.progress) as MaintenanceProgress),
    };
  }
}

/**
 * Scan plans (catalog/ports/planning.ts PlanStore) over SQLite or PostgreSQL, so that every worker and every
 * replica on one database answers fetchPlanningResult and cancelPlanning of every plan (issue 51). Each rule is one
 * guarded statement, so two processes racing cannot break it: settle is `update … where status = 'submitted'`
 * (settle once: a cancelled, settled or expired plan is left alone), cancel and heartbeat skip expired rows, a
 * heartbeat answers (returning) the plans still submitted, so the planning process sees a cancel made elsewhere, and
 * a claim (takeover of a plan whose process stopped) moves a lapsed lease only, so one claimer wins.
 *
 * Plans are transient state, so their writes are bookkeeping (kysely-outbox.ts BookkeepingWrites; on SQLite without
 * an fsync each): they are visible to every connection and process at once and survive the process dying; a power
 * failure may lose the last ones, and a client whose plan was lost plans again (its id answers 404, as an expired
 * one does). Before, every plan, a repeated one answered from the plan cache too, waited on the event loop for one
 * fsync of its row (issue 55: a warm plan of a small table cost 3.5× a loadTable, against 1.5× without its row).
 */
import type { Kysely } from 'kysely';
import type { HeldLease, PlannedPage, PlanStore, ScanSpec, StoredPlan } from '../catalog/ports/planning.js';
import type { DelegationMechanism } from '../catalog/ports/signing.js';
import type { BookkeepingWrites } from './kysely-outbox.js';
import type { CatalogDatabase } from './schema.js';

type Num = number | string | bigint;
interface PlanRow {
  id: string;
  owner: string;
  tenant: string;
  warehouse: string;
  table_uuid: string;
  status: string;
  result: string;
  delegation: string | null;
  error: string | null;
  lease_until: Num | null;
  expires_at: Num;
  scan: string | null;
  takeovers: Num;
}
type Db = Kysely<{ scan_plans: PlanRow }>;

const STATUSES = new Set<StoredPlan['status']>(['submitted', 'completed', 'failed', 'cancelled']);

export class KyselyPlanStore implements PlanStore {
  private readonly db: Db;
  /** How the writes run: without an fsync where the store can (see above); else as every other write. */
  private readonly writes: <T>(fn: (db: Db) => Promise<T>) => Promise<T>;

  constructor(db: Kysely<CatalogDatabase>, bookkeeping?: BookkeepingWrites) {
    this.db = tablesOf(db);
    this.writes = bookkeeping ? (fn) => bookkeeping((conn) => fn(tablesOf(conn))) : (fn) => fn(this.db);
  }

  async putAll(plans: readonly StoredPlan[]): Promise<void> {
    if (plans.length === 0) return;
    const rows = plans.map(toRow);
    // One statement (one transaction): a plan given twice keeps its last row.
    const last = [...new Map(rows.map((r) => [r.id, r])).values()];
    await this.writes((db) =>
      db
        .insertInto('scan_plans')
        .values(last)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            owner: eb.ref('excluded.owner'),
            tenant: eb.ref('excluded.tenant'),
            warehouse: eb.ref('excluded.warehouse'),
            table_uuid: eb.ref('excluded.table_uuid'),
            status: eb.ref('excluded.status'),
            result: eb.ref('excluded.result'),
            delegation: eb.ref('excluded.delegation'),
            error: eb.ref('excluded.error'),
            lease_until: eb.ref('excluded.lease_until'),
            expires_at: eb.ref('excluded.expires_at'),
            scan: eb.ref('excluded.scan'),
            takeovers: eb.ref('excluded.takeovers'),
          })),
        )
        .execute(),
    );
  }

  put(plan: StoredPlan): Promise<void> {
    return this.putAll([plan]);
  }

  async get(id: string, nowMs: number): Promise<StoredPlan | undefined> {
    const r = await this.db.selectFrom('scan_plans').selectAll().where('id', '=', id).where('expires_at', '>', nowMs).executeTakeFirst();
    if (!r) return undefined;
    const status = STATUSES.has(r.status as StoredPlan['status']) ? (r.status as StoredPlan['status']) : 'failed';
    return {
      id: r.id,
      owner: r.owner,
      tenant: r.tenant,
      warehouse: r.warehouse,
      tableUuid: r.table_uuid,
      status,
      result: JSON.parse(r.result) as PlannedPage,
      expiresAtMs: Number(r.expires_at),
      ...(r.delegation !== null ? { delegation: JSON.parse(r.delegation) as DelegationMechanism[] } : {}),
      ...(r.error !== null ? { error: JSON.parse(r.error) as { code: string; message: string } } : {}),
      ...(r.lease_until !== null ? { leaseUntilMs: Number(r.lease_until) } : {}),
      ...(r.scan !== null ? { scan: JSON.parse(r.scan) as ScanSpec } : {}),
      ...(Number(r.takeovers) > 0 ? { takeovers: Number(r.takeovers) } : {}),
    };
  }

  async cancel(id: string, nowMs: number): Promise<boolean> {
    const updated = await this.writes((db) =>
      db
        .updateTable('scan_plans')
        .set({ status: 'cancelled', result: '{}', error: null, lease_until: null })
        .where('id', '=', id)
        .where('expires_at', '>', nowMs)
        .executeTakeFirst(),
    );
    return Number(updated.numUpdatedRows) === 1;
  }

  async settle(id: string, nowMs: number, outcome: Pick<StoredPlan, 'status' | 'result' | 'error'>): Promise<boolean> {
    const updated = await this.writes((db) =>
      db
        .updateTable('scan_plans')
        .set({ status: outcome.status, result: JSON.stringify(outcome.result), error: outcome.error ? JSON.stringify(outcome.error) : null, lease_until: null })
        .where('id', '=', id)
        .where('status', '=', 'submitted')
        .where('expires_at', '>', nowMs)
        .executeTakeFirst(),
    );
    return Number(updated.numUpdatedRows) === 1;
  }

  async heartbeat(leases: readonly HeldLease[], nowMs: number, leaseUntilMs: number): Promise<string[]> {
    if (leases.length === 0) return [];
    // The leases grouped by the takeover count their holder knows (one group nearly always: 0).
    const byCount = new Map<number, string[]>();
    for (const { id, takeovers } of leases) byCount.set(takeovers, [...(byCount.get(takeovers) ?? []), id]);
    const rows = await this.writes((db) =>
      db
        .updateTable('scan_plans')
        .set({ lease_until: leaseUntilMs })
        .where((eb) => eb.or([...byCount].map(([count, ids]) => eb.and([eb('id', 'in', ids), eb('takeovers', '=', count)]))))
        .where('status', '=', 'submitted')
        .where('expires_at', '>', nowMs)
        .returning('id')
        .execute(),
    );
    return rows.map((r) => r.id);
  }

  async claim(id: string, nowMs: number, leaseUntilMs: number, maxTakeovers: number): Promise<boolean> {
    // One guarded statement: a racing claimer's update finds the lease renewed (PostgreSQL re-checks the where
    // clause on the row it waited for; SQLite runs one writer at a time), so it changes nothing.
    const updated = await this.writes((db) =>
      db
        .updateTable('scan_plans')
        .set((eb) => ({ lease_until: leaseUntilMs, takeovers: eb('takeovers', '+', 1) }))
        .where('id', '=', id)
        .where('status', '=', 'submitted')
        .where('lease_until', '<=', nowMs)
        .where('takeovers', '<', maxTakeovers)
        .where('expires_at', '>', nowMs)
        .executeTakeFirst(),
    );
    return Number(updated.numUpdatedRows) === 1;
  }

  async sweep(nowMs: number, limit: number): Promise<number> {
    const deleted = await this.writes((db) =>
      db
        .deleteFrom('scan_plans')
        .where('id', 'in', db.selectFrom('scan_plans').select('id').where('expires_at', '<=', nowMs).limit(limit))
        .executeTakeFirst(),
    );
    return Number(deleted.numDeletedRows);
  }
}

const tablesOf = (db: Kysely<CatalogDatabase>): Db => db.withTables<{ scan_plans: PlanRow }>() as unknown as Db;

function toRow(plan: StoredPlan): PlanRow {
  return {
    id: plan.id,
    owner: plan.owner,
    tenant: plan.tenant,
    warehouse: plan.warehouse,
    table_uuid: plan.tableUuid,
    status: plan.status,
    result: JSON.stringify(plan.result),
    delegation: plan.delegation === undefined ? null : JSON.stringify(plan.delegation),
    error: plan.error === undefined ? null : JSON.stringify(plan.error),
    lease_until: plan.leaseUntilMs ?? null,
    expires_at: plan.expiresAtMs,
    scan: plan.scan === undefined ? null : JSON.stringify(plan.scan),
    takeovers: plan.takeovers ?? 0,
  };
}

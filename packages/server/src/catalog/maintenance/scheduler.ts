/**
 * Scheduled table maintenance: per warehouse with `maintenance.interval-ms` set (off by default), every table's job
 * (snapshot expiry by the table's `history.expire.*` properties, then orphan files older than 3 days) runs at most
 * once per interval. Every replica's scheduler walks the warehouse; a table's job runs where its lease (ports.ts
 * MaintenanceLeases) is taken, so on one shared database it runs once, and a job whose replica died is taken again
 * when its lease expires. A failed job keeps its lease until then (a backoff), and is logged through its event.
 * A job reports its progress on its lease row (progress.ts), where GET of the table's job reads it.
 */
import { randomUUID } from 'node:crypto';
import type { CatalogEvents } from '../events.js';
import { encodeNamespace } from '../identifiers.js';
import type { RequestScope, ServiceContext } from '../context.js';
import type { Caller, NamespaceRecord, Warehouse } from '../ports/index.js';
import { DEFAULT_ORPHAN_AGE_MS } from './orphan-files.js';
import { MAINTENANCE_ACTIONS, type MaintenanceService } from './maintenance-service.js';
import { failureReason, JobProgress } from './progress.js';

export const MAINTENANCE_INTERVAL_PROPERTY = 'maintenance.interval-ms';
/** How long a replica holds a table's job before another may take it (a job that outlives it may run twice: harmless, each commit is a compare-and-swap). */
export const MAINTENANCE_LEASE_MS = 30 * 60_000;
const PAGE = 500;

export interface SchedulerTick {
  /** Jobs this replica ran, and of those, how many failed. */
  ran: number;
  failed: number;
}

export class MaintenanceScheduler {
  /** This process, as lease holder. */
  private readonly holder = `replica:${randomUUID()}`;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly maintenance: MaintenanceService,
    private readonly events: CatalogEvents,
  ) {}

  /** One pass over every warehouse with a schedule: runs the jobs that are due and whose lease this replica takes. */
  async tick(): Promise<SchedulerTick> {
    const result: SchedulerTick = { ran: 0, failed: 0 };
    for (const warehouse of await this.ctx.store.repository.listWarehouses()) {
      const interval = Number(warehouse.properties[MAINTENANCE_INTERVAL_PROPERTY] ?? '0');
      if (!Number.isSafeInteger(interval) || interval <= 0) continue;
      await this.warehouse(warehouse, interval, result);
    }
    return result;
  }

  private async warehouse(warehouse: Warehouse, intervalMs: number, result: SchedulerTick): Promise<void> {
    const caller: Caller = { tenant: warehouse.tenant, description: 'system:maintenance-scheduler', key: 'system:maintenance-scheduler', members: [], admin: false, unrestricted: true };
    const scope: RequestScope = { warehouse, caller };
    for await (const ns of this.namespaces(warehouse.name, [])) {
      let after: string | undefined;
      for (;;) {
        const page = await this.ctx.store.repository.listObjects(warehouse.name, ns.levels, 'table', { after, limit: PAGE });
        for (const t of page) {
          const now = this.ctx.clock.now();
          if (!(await this.ctx.store.maintenanceLeases.take(t.id, warehouse.name, this.holder, now, MAINTENANCE_LEASE_MS, now - intervalMs))) continue;
          const record = await this.ctx.store.repository.getObject(warehouse.name, t.namespace, t.name);
          if (!record || record.id !== t.id) continue;
          result.ran += 1;
          const leases = this.ctx.store.maintenanceLeases;
          const progress = new JobProgress((p) => leases.report(t.id, this.holder, p), this.ctx.clock);
          try {
            await this.maintenance.runTable(scope, record, { actions: [...MAINTENANCE_ACTIONS], dryRun: false, expiry: {}, orphanOlderThanMs: DEFAULT_ORPHAN_AGE_MS }, progress);
            await progress.phase('done');
            await leases.complete(t.id, this.holder, this.ctx.clock.now(), progress.current);
          } catch (e) {
            result.failed += 1;
            await progress.phase('failed', failureReason(e));
            await leases.fail(t.id, this.holder, progress.current, false);
            this.events.emit({ type: 'table.maintenance-failed', warehouse: warehouse.name, namespace: t.namespace, name: t.name, reason: e instanceof Error ? e.message : String(e) });
          }
        }
        if (page.length < PAGE) break;
        after = page.at(-1)!.name;
      }
    }
  }

  /** Every namespace of the warehouse, depth first. */
  private async *namespaces(warehouse: string, parent: string[]): AsyncGenerator<NamespaceRecord> {
    let after: string | undefined;
    for (;;) {
      const page = await this.ctx.store.repository.listNamespaces(warehouse, parent, { after, limit: PAGE });
      for (const ns of page) {
        yield ns;
        yield* this.namespaces(warehouse, ns.levels);
      }
      if (page.length < PAGE) return;
      after = encodeNamespace(page.at(-1)!.levels);
    }
  }
}

/**
 * Scheduled table maintenance: per warehouse with `maintenance.interval-ms` set (off by default), every table's job
 * (snapshot expiry by the table's `history.expire.*` properties, then orphan files older than 3 days) runs at most
 * once per interval. Every replica's scheduler walks the warehouse; a table's job runs where its lease (ports/maintenance.ts
 * MaintenanceLeases) is taken, so on one shared database it runs once, and a job whose replica died is taken again
 * when its lease expires. A failed job keeps its lease until then (a backoff), and is logged through its event.
 * A job reports its progress on its lease row (progress.ts), where GET of the table's job reads it, and renews its
 * lease while it runs (lease-keeper.ts), stopping if another replica took it.
 *
 * Compaction on the schedule (issue 59): a table whose properties, or else its warehouse's, set `compaction.enabled`
 * (metadata/compaction-properties.ts) is also compacted by its job, first, through the same path as on demand
 * (MaintenanceService.runTable with `rewrite-data-files`), with the thresholds as the compaction's options: a
 * partition's small files are rewritten only in groups of `compaction.min-input-files`, and nothing when fewer than
 * `compaction.min-small-file-ratio` of the live data files are small. Its event, audit record and /metrics counts say
 * `trigger: scheduled`. The job runs on the request thread and yields to requests between groups (compact.ts) and
 * between tables, so a request waits at most one group's rewrite.
 */
import { randomUUID } from 'node:crypto';
import { parseJson } from '../json.js';
import { tableObject } from '../kit/table-kit.js';
import { scheduledCompaction } from '../metadata/compaction-properties.js';
import type { TableMetadata } from '../metadata/index.js';
import { DEFAULT_LEASE_MS, LeaseKeeper } from './lease-keeper.js';
import type { Outcomes } from '../ports/change-listener.js';
import { encodeNamespace } from '../identifiers.js';
import type { RequestScope, ServiceContext } from '../context.js';
import type { Caller, NamespaceRecord, Warehouse } from '../ports/index.js';
import { DEFAULT_ORPHAN_AGE_MS } from './orphan-files.js';
import {
  MAINTENANCE_ACTIONS,
  type MaintenanceAction,
  type MaintenanceOptions,
  type MaintenanceResult,
  type MaintenanceService,
  maintenanceAuditDetail,
} from './maintenance-service.js';
import { failureReason, JobProgress } from './progress.js';

export const MAINTENANCE_INTERVAL_PROPERTY = 'maintenance.interval-ms';
const PAGE = 500;

export interface SchedulerTick {
  /** Jobs this replica ran, and of those, how many failed. */
  ran: number;
  failed: number;
  /** Of the jobs run, those that compacted (committed a replace snapshot). */
  compacted: number;
}

export class MaintenanceScheduler {
  /** This process, as lease holder. */
  private readonly holder = `replica:${randomUUID()}`;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly maintenance: MaintenanceService,
    private readonly outcomes: Outcomes,
  ) {}

  /** One pass over every warehouse with a schedule: runs the jobs that are due and whose lease this replica takes. */
  async tick(): Promise<SchedulerTick> {
    const result: SchedulerTick = { ran: 0, failed: 0, compacted: 0 };
    for (const warehouse of await this.ctx.store.repository.listWarehouses()) {
      const interval = Number(warehouse.properties[MAINTENANCE_INTERVAL_PROPERTY] ?? '0');
      if (!Number.isSafeInteger(interval) || interval <= 0) continue;
      await this.warehouse(warehouse, interval, result);
    }
    return result;
  }

  private async warehouse(warehouse: Warehouse, intervalMs: number, result: SchedulerTick): Promise<void> {
    const caller: Caller = {
      tenant: warehouse.tenant,
      description: 'system:maintenance-scheduler',
      key: 'system:maintenance-scheduler',
      members: [],
      admin: false,
      unrestricted: true,
    };
    const scope: RequestScope = { warehouse, caller };
    for await (const ns of this.namespaces(warehouse.name, [])) {
      let after: string | undefined;
      for (;;) {
        const page = await this.ctx.store.repository.listObjects(warehouse.name, ns.levels, 'table', { after, limit: PAGE });
        for (const t of page) {
          // Requests that arrived meanwhile first (see the opening comment).
          await new Promise<void>((resolve) => setImmediate(resolve));
          const now = this.ctx.clock.now();
          const leaseMs = this.ctx.settings.maintenanceLeaseMs ?? DEFAULT_LEASE_MS;
          if (!(await this.ctx.store.maintenanceLeases.take(t.id, warehouse.name, this.holder, now, leaseMs, now - intervalMs))) continue;
          const record = await this.ctx.store.repository.getObject(warehouse.name, t.namespace, t.name);
          if (!record || record.id !== t.id) continue;
          result.ran += 1;
          const leases = this.ctx.store.maintenanceLeases;
          const progress = new JobProgress((p) => leases.report(t.id, this.holder, p), this.ctx.clock);
          const keeper = new LeaseKeeper(leases, t.id, this.holder, this.ctx.clock, leaseMs).start();
          try {
            const options = this.jobOptions(warehouse, parseJson(record.metadataJson) as TableMetadata);
            const ran = await this.maintenance.runTable(scope, record, { ...options, signal: keeper.signal }, progress);
            await keeper.stop();
            await progress.phase('done');
            await leases.complete(t.id, this.holder, this.ctx.clock.now(), progress.current);
            if (ran.compaction?.outcome === 'committed') result.compacted += 1;
            if (changed(ran))
              await this.ctx.access.record(
                caller,
                'maintenance.completed',
                undefined,
                'table:maintain',
                tableObject(scope, t.namespace, t.name),
                maintenanceAuditDetail(ran, 'scheduled'),
              );
          } catch (e) {
            await keeper.stop();
            result.failed += 1;
            await progress.phase('failed', failureReason(e));
            await leases.fail(t.id, this.holder, progress.current, false);
            this.outcomes.report({
              type: 'table.maintenance-failed',
              warehouse: warehouse.name,
              namespace: t.namespace,
              name: t.name,
              reason: e instanceof Error ? e.message : String(e),
            });
          }
        }
        if (page.length < PAGE) break;
        after = page.at(-1)!.name;
      }
    }
  }

  /** The scheduled job of a table: expiry and orphans, and compaction first when its settings turn it on. */
  private jobOptions(warehouse: Warehouse, metadata: TableMetadata): MaintenanceOptions {
    const actions: MaintenanceAction[] = [...MAINTENANCE_ACTIONS];
    const compaction = scheduledCompaction(metadata.properties, warehouse.properties);
    // Format versions other than 2 are refused by compaction (docs/maintenance.md): their expiry still runs.
    const compacts = compaction !== undefined && this.maintenance.compacts && metadata['format-version'] === 2;
    if (compacts) actions.unshift('rewrite-data-files');
    return {
      actions,
      dryRun: false,
      expiry: {},
      orphanOlderThanMs: DEFAULT_ORPHAN_AGE_MS,
      trigger: 'scheduled',
      ...(compacts ? { compaction: { minInputFiles: compaction.minInputFiles, minSmallFileRatio: compaction.minSmallFileRatio } } : {}),
    };
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

/** Whether a scheduled job changed anything (its audit record is kept then; a job that found nothing to do is not audited). */
function changed(r: MaintenanceResult): boolean {
  return r['expired-snapshots'].length > 0 || r['deleted-files'] > 0 || r.compaction?.outcome === 'committed';
}

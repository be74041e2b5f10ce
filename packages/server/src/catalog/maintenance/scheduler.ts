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
 * partition's small files are rewritten only when at least `compaction.min-input-files` of them (or more than the target
 * in bytes, or deletes over the threshold: compaction/bin-pack.ts), and nothing when fewer than
 * `compaction.min-small-file-ratio` of the live data files are small. Its event, audit record and /metrics counts say
 * `trigger: scheduled`. The job runs on the request thread and yields to requests between groups (compact.ts) and
 * between tables, so a request waits at most one group's rewrite.
 *
 * A managed Lance table opted in the same way (lance-schedule.ts) has its `optimize` run by its job instead, under the
 * same lease, when its latest version holds at least `compaction.lance.min-fragments` small fragments, and only where
 * the Lance library loads: without it the tables are left, reported once per process, and no job is taken or failed.
 * A managed Lance table that carries policies and is not optimized by its job (under the threshold, its optimize off,
 * or no library) has its job only clean up its superseded policy-derived datasets (lance-optimize.ts cleanManagedDerived,
 * by the catalog's latest versions); on a warehouse without a schedule, the same job runs after a commit of it (a new
 * version, or a change of its policies), at most once an hour per table (cleanAfterCommit).
 * A Lance table whose dataset manages its own versions (never optimized here) that carries policies has a job that
 * only cleans up its superseded policy-derived datasets (lance-optimize.ts cleanUnmanagedDerived), by the dataset's
 * latest version as the library reads it (nothing done without the library); on a warehouse without a schedule, the
 * same job runs after a restricted read of it, at most once an hour per table (cleanAfterRead).
 * Whether a Lance table carries policies is read once per page of a namespace's Lance tables on each tick
 * (PolicyStore.withPolicies), not once per table: a policy added or deleted is seen on the next tick, as before.
 */
import { randomUUID } from 'node:crypto';
import { BoundedMap } from '../bounded-map.js';
import { parseJson } from '../json.js';
import { yieldToRequests } from '../loop-pacer.js';
import { tableObject } from '../kit/table-kit.js';
import { scheduledCompaction } from '../metadata/compaction-properties.js';
import type { TableMetadata } from '../metadata/index.js';
import { isRewritableFormat } from './compaction/format-versions.js';
import { DEFAULT_LEASE_MS, LeaseKeeper } from './lease-keeper.js';
import type { Outcomes } from '../ports/change-listener.js';
import { encodeNamespace } from '../identifiers.js';
import type { RequestScope, ServiceContext } from '../context.js';
import type { Caller, CatalogObjectRecord, NamespaceRecord, Warehouse } from '../ports/index.js';
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
import { lanceSchedule, smallFragments } from './lance-schedule.js';
import { LANCE_TABLE } from '../lance/table-id.js';
import { isManaged } from '../lance/managed.js';
import { cleanManagedDerived, cleanUnmanagedDerived } from './lance-optimize.js';
import type { ObjectKind } from '../object-record.js';

export const MAINTENANCE_INTERVAL_PROPERTY = 'maintenance.interval-ms';
/** How often a restricted read (cleanAfterRead) or a commit (cleanAfterCommit) runs a Lance table's derived datasets' cleanup at most. */
export const READ_CLEANUP_INTERVAL_MS = 3_600_000;
const PAGE = 500;

export interface SchedulerTick {
  /** Jobs this replica ran, and of those, how many failed. */
  ran: number;
  failed: number;
  /** Of the jobs run, those that compacted (committed a replace snapshot). */
  compacted: number;
  /** Of the jobs run, the Lance tables' optimizes that removed fragments. */
  optimized: number;
}

export class MaintenanceScheduler {
  /** This process, as lease holder. */
  private readonly holder = `replica:${randomUUID()}`;
  /** The Lance library's absence was reported (lanceAvailable): once per process. */
  private lanceUnavailableReported = false;
  /** When this process last asked for a table's cleanup after a read or a commit (unscheduledCleanup), by table id. */
  private readonly readCleanups = new BoundedMap<string, number>({ maxEntries: 10_000, evict: 'oldest' });
  /** This tick's answer of the Lance library's availability (lanceAvailable). */
  private lanceCheck: Promise<string | undefined> | undefined;

  /** A Lance table's latest version as the library reads it (attached by the composition root); undefined without it. */
  private lanceLatest: ((scope: RequestScope, record: CatalogObjectRecord) => Promise<number | undefined>) | undefined;

  useLanceLatest(latest: ((scope: RequestScope, record: CatalogObjectRecord) => Promise<number | undefined>) | undefined): void {
    this.lanceLatest = latest;
  }

  constructor(
    private readonly ctx: ServiceContext,
    private readonly maintenance: MaintenanceService,
    private readonly outcomes: Outcomes,
  ) {}

  /** One pass over every warehouse with a schedule: runs the jobs that are due and whose lease this replica takes. */
  async tick(): Promise<SchedulerTick> {
    const result: SchedulerTick = { ran: 0, failed: 0, compacted: 0, optimized: 0 };
    this.lanceCheck = undefined;
    for (const warehouse of await this.ctx.store.repository.listWarehouses()) {
      const interval = Number(warehouse.properties[MAINTENANCE_INTERVAL_PROPERTY] ?? '0');
      if (!Number.isSafeInteger(interval) || interval <= 0) continue;
      await this.warehouse(warehouse, interval, result);
    }
    return result;
  }

  /**
   * After a restricted read of a Lance table managing its own versions, on a warehouse without a schedule (which would
   * clean it up itself): its superseded policy-derived datasets' cleanup (cleanUnmanagedDerived, by `latest`, the
   * version the read just found latest), as the scheduled job runs it (its lease, grace, audit and events), at most once
   * per READ_CLEANUP_INTERVAL_MS per table: asked once per interval by this process, run where the lease is taken.
   */
  async cleanAfterRead(warehouse: Warehouse, record: CatalogObjectRecord, latest: number): Promise<void> {
    if (isManaged(record)) return;
    await this.unscheduledCleanup(warehouse, record, (scope, found, progress, signal) =>
      cleanUnmanagedDerived(this.ctx, scope, found, latest, progress, signal),
    );
  }

  /**
   * After a commit of a table whose versions the catalog manages (a new version, or a change of its policies: the
   * policy-derived datasets' preparation, catalog/lance/policy-prepare.ts, hands it here), on a warehouse without a
   * schedule: its superseded derived datasets' cleanup (cleanManagedDerived, by the catalog's latest versions), bounded
   * and run as cleanAfterRead's.
   */
  async cleanAfterCommit(warehouse: Warehouse, record: CatalogObjectRecord): Promise<void> {
    if (!isManaged(record)) return;
    await this.unscheduledCleanup(warehouse, record, (scope, found, progress, signal) => cleanManagedDerived(this.ctx, scope, found, progress, signal));
  }

  /** A table's cleanup-only job on a warehouse without a schedule, at most once per READ_CLEANUP_INTERVAL_MS per table. */
  private async unscheduledCleanup(
    warehouse: Warehouse,
    record: CatalogObjectRecord,
    clean: (scope: RequestScope, record: CatalogObjectRecord, progress: JobProgress, signal: AbortSignal) => Promise<MaintenanceResult | undefined>,
  ): Promise<void> {
    const interval = Number(warehouse.properties[MAINTENANCE_INTERVAL_PROPERTY] ?? '0');
    if (Number.isSafeInteger(interval) && interval > 0) return;
    const now = this.ctx.clock.now();
    const last = this.readCleanups.get(record.id);
    if (last !== undefined && now - last < READ_CLEANUP_INTERVAL_MS) return;
    this.readCleanups.set(record.id, now);
    const scope: RequestScope = { warehouse, caller: schedulerCaller(warehouse) };
    const result: SchedulerTick = { ran: 0, failed: 0, compacted: 0, optimized: 0 };
    await this.job(scope, record, READ_CLEANUP_INTERVAL_MS, result, (found, progress, signal) =>
      found.uuid === record.uuid ? clean(scope, found, progress, signal) : Promise.resolve(undefined),
    );
  }

  private async warehouse(warehouse: Warehouse, intervalMs: number, result: SchedulerTick): Promise<void> {
    const scope: RequestScope = { warehouse, caller: schedulerCaller(warehouse) };
    for await (const ns of this.namespaces(warehouse.name, [])) {
      for await (const t of this.objects(warehouse.name, ns.levels, 'table')) {
        await this.job(scope, t, intervalMs, result, (record, progress, signal) =>
          this.maintenance.runTable(scope, record, { ...this.jobOptions(warehouse, parseJson(record.metadataJson) as TableMetadata), signal }, progress),
        );
      }
      // The policies are read once per page of Lance tables (which of them carry any), not once per table every tick.
      for await (const page of this.pages(warehouse.name, ns.levels, LANCE_TABLE)) {
        const policied = await this.ctx.store.policies.withPolicies(
          warehouse.tenant,
          page.map((t) => t.id),
        );
        for (const t of page) {
          await yieldToRequests();
          await this.lanceTable(scope, t, intervalMs, result, policied.has(t.id));
        }
      }
    }
  }

  /** A Lance table's scheduled job, if it has one: optimize, or the cleanup of its derived datasets (`policied`: it carries policies). */
  private async lanceTable(
    scope: RequestScope,
    t: { id: string; namespace: string[]; name: string },
    intervalMs: number,
    result: SchedulerTick,
    policied: boolean,
  ): Promise<void> {
    const warehouse = scope.warehouse;
    const found = await this.ctx.store.repository.getObject(warehouse.name, t.namespace, t.name);
    if (found?.id !== t.id) return;
    // A table whose dataset manages its versions is never optimized here; its policy-derived datasets are the
    // catalog's, so their superseded ones are cleaned up on the schedule (lance-optimize.ts cleanUnmanagedDerived).
    if (!isManaged(found)) {
      if (!policied) return;
      await this.job(scope, t, intervalMs, result, async (record, progress, signal) => {
        const latest = await this.lanceLatest?.(scope, record);
        return latest === undefined ? undefined : cleanUnmanagedDerived(this.ctx, scope, record, latest, progress, signal);
      });
      return;
    }
    const schedule = lanceSchedule(found, warehouse.properties);
    const minFragments = schedule !== undefined && (await this.lanceAvailable(scope, t)) ? schedule.minFragments : undefined;
    // A table its schedule does not optimize still has its superseded derived datasets cleaned up, when it carries policies.
    if (minFragments === undefined && !policied) return;
    await this.job(scope, t, intervalMs, result, async (record, progress, signal) => {
      // Under the lease, so the manifest is read once per interval: a table under its threshold is left until the next
      // (its optimize's, that is: its cleanup-only job, when it carries policies, runs instead).
      if (minFragments !== undefined && (await smallFragments(this.ctx, scope, record)) >= minFragments)
        return this.maintenance.optimizeLance(scope, record, progress, signal);
      return policied ? cleanManagedDerived(this.ctx, scope, record, progress, signal) : undefined;
    });
  }

  /**
   * One table's scheduled job, when it is due and this replica takes its lease: `run` does the work (undefined: there
   * was nothing to do), the lease is kept renewed meanwhile, and the job is completed, audited, or failed.
   */
  private async job(
    scope: RequestScope,
    t: { id: string; namespace: string[]; name: string },
    intervalMs: number,
    result: SchedulerTick,
    run: (record: CatalogObjectRecord, progress: JobProgress, signal: AbortSignal) => Promise<MaintenanceResult | undefined>,
  ): Promise<void> {
    const warehouse = scope.warehouse;
    const now = this.ctx.clock.now();
    const leaseMs = this.ctx.settings.maintenanceLeaseMs ?? DEFAULT_LEASE_MS;
    if (!(await this.ctx.store.maintenanceLeases.take(t.id, warehouse.name, this.holder, now, leaseMs, now - intervalMs))) return;
    const record = await this.ctx.store.repository.getObject(warehouse.name, t.namespace, t.name);
    if (!record || record.id !== t.id) return;
    result.ran += 1;
    const leases = this.ctx.store.maintenanceLeases;
    const progress = new JobProgress((p) => leases.report(t.id, this.holder, p), this.ctx.clock);
    const keeper = new LeaseKeeper(leases, t.id, this.holder, this.ctx.clock, leaseMs).start();
    try {
      const ran = await run(record, progress, keeper.signal);
      await keeper.stop();
      await progress.phase('done');
      await leases.complete(t.id, this.holder, this.ctx.clock.now(), progress.current);
      if (ran?.compaction?.outcome === 'committed') result.compacted += 1;
      if ((ran?.optimize?.['fragments-removed'] ?? 0) > 0) result.optimized += 1;
      if (ran !== undefined && changed(ran))
        await this.ctx.access.record(
          scope.caller,
          'maintenance.completed',
          undefined,
          'table:maintain',
          tableObject(scope, t.namespace, t.name),
          maintenanceAuditDetail(ran, 'scheduled', this.maintenance.executorKind),
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

  /** Whether the Lance library loads here; when it does not, the tables are left, and that is reported once per process. */
  private async lanceAvailable(scope: RequestScope, t: { namespace: string[]; name: string }): Promise<boolean> {
    // Asked once per tick (loading the library again after a failure is an import's resolution each time).
    this.lanceCheck ??= this.maintenance.lanceUnavailable();
    const reason = await this.lanceCheck;
    if (reason === undefined) return true;
    if (!this.lanceUnavailableReported) {
      this.lanceUnavailableReported = true;
      this.outcomes.report({ type: 'lance-table.optimize-unavailable', warehouse: scope.warehouse.name, namespace: t.namespace, name: t.name, reason });
    }
    return false;
  }

  /** The objects of a kind in a namespace, yielding to requests that arrived meanwhile before each (see the opening comment). */
  private async *objects(warehouse: string, levels: string[], kind: ObjectKind): AsyncGenerator<{ id: string; namespace: string[]; name: string }> {
    for await (const page of this.pages(warehouse, levels, kind)) {
      for (const t of page) {
        await yieldToRequests();
        yield t;
      }
    }
  }

  /** The objects of a kind in a namespace, a page (PAGE) at a time. */
  private async *pages(warehouse: string, levels: string[], kind: ObjectKind): AsyncGenerator<Array<{ id: string; namespace: string[]; name: string }>> {
    let after: string | undefined;
    for (;;) {
      const page = await this.ctx.store.repository.listObjects(warehouse, levels, kind, { after, limit: PAGE });
      if (page.length > 0) yield page;
      if (page.length < PAGE) return;
      after = page.at(-1)!.name;
    }
  }

  /**
   * The scheduled job of a table: expiry and orphans, and compaction first when its settings turn it on (data files,
   * then manifests when at least compaction.manifests.min-count of them are small).
   */
  private jobOptions(warehouse: Warehouse, metadata: TableMetadata): MaintenanceOptions {
    const actions: MaintenanceAction[] = [...MAINTENANCE_ACTIONS];
    const compaction = scheduledCompaction(metadata.properties, warehouse.properties);
    // A format version compaction does not write (compaction/format-versions.ts: above 3) keeps its expiry only.
    const rewritable = isRewritableFormat(metadata['format-version']);
    const compacts = compaction !== undefined && this.maintenance.compacts && rewritable;
    if (compacts) actions.unshift('rewrite-data-files');
    // Metadata only: no Parquet rewriter needed.
    const mergesManifests = compaction !== undefined && rewritable;
    if (mergesManifests) actions.unshift('rewrite-manifests');
    return {
      actions,
      dryRun: false,
      expiry: {},
      orphanOlderThanMs: DEFAULT_ORPHAN_AGE_MS,
      trigger: 'scheduled',
      ...(compacts
        ? {
            compaction: {
              minInputFiles: compaction.minInputFiles,
              minSmallFileRatio: compaction.minSmallFileRatio,
              // Iceberg's rewrite_data_files options of the same names (compaction.* properties, else the defaults).
              minFileSizeBytes: compaction.minFileSizeBytes,
              maxFileSizeBytes: compaction.maxFileSizeBytes,
              deleteFileThreshold: compaction.deleteFileThreshold,
              deleteRatioThreshold: compaction.deleteRatioThreshold,
            },
          }
        : {}),
      ...(mergesManifests ? { manifests: { minManifests: compaction.manifestsMinCount } } : {}),
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

function schedulerCaller(warehouse: Warehouse): Caller {
  return {
    tenant: warehouse.tenant,
    description: 'system:maintenance-scheduler',
    key: 'system:maintenance-scheduler',
    members: [],
    admin: false,
    unrestricted: true,
  };
}

/** Whether a scheduled job changed anything (its audit record is kept then; a job that found nothing to do is not audited). */
function changed(r: MaintenanceResult): boolean {
  return (
    r['expired-snapshots'].length > 0 ||
    r['deleted-files'] > 0 ||
    r.compaction?.outcome === 'committed' ||
    r.manifests?.outcome === 'committed' ||
    (r.optimize?.['fragments-removed'] ?? 0) > 0
  );
}

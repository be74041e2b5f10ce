/**
 * Table maintenance run by the catalog (issue 39): snapshot expiry with the deletion of the files only expired
 * snapshots reached. One job: validate → authorize (`table:maintain` on the table) → execute:
 * 1. plan the expiry (expire-plan.ts) from the table's properties, the warehouse's defaults and the request's values;
 * 2. compute every file to delete (reachable-files.ts) before changing anything: a manifest that cannot be read fails
 *    the job with its reason and nothing committed or deleted;
 * 3. commit the removal through the normal commit path (tables/commit.ts: compare-and-swap with retries, events),
 *    with every ref asserted at the snapshot it was planned on: a concurrent commit to any ref makes the plan stale,
 *    and the job plans again (up to three times);
 * 4. drop from the candidates whatever the committed metadata still reaches (snapshots committed by others in the
 *    meantime), then delete the rest, all under the table's own location.
 * The commit runs as the catalog (`system:maintenance`), on behalf of the caller the job was authorized for.
 */
import { randomUUID } from 'node:crypto';
import { CatalogError } from '../../errors/catalog-error.js';
import type { CatalogRequest, RequestScope } from '../context.js';
import { checkName, checkNamespace } from '../identifiers.js';
import { parseJson } from '../json.js';
import { isPurgeable } from '../location-policy.js';
import type { TableMetadata, TableRequirement, TableUpdate } from '../metadata/index.js';
import type { Caller, CatalogObjectRecord, ObjectStorage } from '../ports/index.js';
import type { DataFileRewriter } from '../planning/rewrite-ports.js';
import { compactTable, type CompactionResult } from './compaction/compact.js';
import { rewriteManifests, type ManifestRewriteResult } from './compaction/rewrite-manifests.js';
import type { AppliedStrategy } from './compaction/sort-strategy.js';
import { compactWithEngine, PLAN_ONLY, rewriteManifestsWithEngine } from './compaction/engine-compaction.js';
import type { CompactionExecutor } from '../ports/compaction-executor.js';
import { commitTables } from '../tables/commit.js';
import { type TableContext, requireTable, tableObject } from '../kit/table-kit.js';
import { deleteFiles } from './delete-files.js';
import { DEFAULT_EXPIRY, type ExpirySettings, planExpiry } from './expire-plan.js';
import { ReachableFiles } from './reachable-files.js';
import { findOrphans, reachableFromMetadata } from './orphan-files.js';
import { jobView, maintenanceAuditDetail, systemCaller } from './maintenance-views.js';
import { CountingManifestReader, failureReason, JobProgress } from './progress.js';
import { DEFAULT_LEASE_MS, LeaseKeeper } from './lease-keeper.js';
import type { LanceOptimizer } from '../ports/lance-optimizer.js';
import { requireManagedTable } from '../lance/versions/managed-table.js';
import { optimizeLanceTable } from './lance-optimize.js';
import { lanceLibraryMissing } from '../lance/library.js';
import { LANCE_TABLE } from '../lance/table-id.js';
import {
  LANCE_OPTIMIZE,
  type MaintenanceJobView,
  type MaintenanceOptions,
  type MaintenanceResult,
  nothingDeleted,
  checkMaintenanceBody,
  fromProperties,
} from './maintenance-options.js';

export { ALL_MAINTENANCE_ACTIONS, MAINTENANCE_ACTIONS, checkExpiryProperties, checkMaintenanceBody } from './maintenance-options.js';
export { maintenanceAuditDetail } from './maintenance-views.js';
export type { MaintenanceAction, MaintenanceJobView, MaintenanceOptions, MaintenanceResult } from './maintenance-options.js';

/** Plans of an expiry made stale by concurrent commits before the job gives up. */
const PLAN_ATTEMPTS = 3;

export class MaintenanceService {
  /** This process, as holder of the leases of the jobs it runs on demand. */
  private readonly holder = `replica:${randomUUID()}:on-demand`;

  constructor(
    private readonly ctx: TableContext,
    /** The Parquet rewriter compaction writes with (the policy files' adapter); without one, rewrite-data-files is refused. */
    private readonly rewriter?: (storage: ObjectStorage) => DataFileRewriter,
  ) {}

  /** The Lance library's optimize (ports/lance-optimizer.ts), attached by the composition root; without one, optimize is refused (406). */
  private lanceOptimizer: LanceOptimizer | undefined;

  useLanceOptimizer(optimizer: LanceOptimizer | undefined): void {
    this.lanceOptimizer = optimizer;
  }

  /** Why a Lance table's optimize cannot run here (no library), or undefined: the schedule asks before it takes a job. */
  lanceUnavailable(): Promise<string | undefined> {
    return this.lanceOptimizer?.unavailable() ?? Promise.resolve(lanceLibraryMissing('optimize'));
  }

  /** The scheduled optimize of a Lance table the scheduler chose (lance-schedule.ts), committed as the catalog. */
  optimizeLance(scope: RequestScope, record: CatalogObjectRecord, progress: JobProgress, signal: AbortSignal): Promise<MaintenanceResult> {
    return optimizeLanceTable(this.ctx, this.lanceOptimizer, scope, record, systemCaller(scope), progress, signal, 'scheduled');
  }

  /** Where compaction runs (ports/compaction-executor.ts): in-process unless the composition root attached an engine. */
  private executor: CompactionExecutor | undefined;

  useCompactionExecutor(executor: CompactionExecutor | undefined): void {
    this.executor = executor;
  }

  /** The executor's name, as a job's audit record says it: in-process, or the attached engine's. */
  get executorKind(): string {
    return this.executor?.kind ?? 'in-process';
  }

  /** Whether rewrite-data-files can run here (the Parquet rewriter, or an engine to hand it to). */
  get compacts(): boolean {
    return this.rewriter !== undefined || this.executor !== undefined;
  }

  /** On demand: runs the maintenance of one table for the caller. */
  async run(request: CatalogRequest, namespace: unknown, name: unknown, body: unknown): Promise<MaintenanceResult> {
    // validate
    const levels = checkNamespace(namespace);
    const table = checkName(name, 'table name');
    const options = checkMaintenanceBody(body);
    const scope = await this.ctx.scope(request);
    // optimize is a Lance table's action (one whose versions the catalog manages); the others an Iceberg table's.
    const lance = options.actions.includes(LANCE_OPTIMIZE);
    // authorize
    const { record } = lance
      ? await requireManagedTable(this.ctx, scope, [...levels, table], ['table:maintain'], undefined)
      : await requireTable(this.ctx, scope, levels, table, ['table:maintain'], true);
    // execute: under the table's job lease, so it never runs beside another job of the table, and reports its progress there.
    const leases = this.ctx.store.maintenanceLeases;
    const leaseMs = this.ctx.settings.maintenanceLeaseMs ?? DEFAULT_LEASE_MS;
    if (!(await leases.take(record.id, scope.warehouse.name, this.holder, this.ctx.clock.now(), leaseMs, Number.MAX_SAFE_INTEGER, { overFailed: true }))) {
      const job = await leases.get(record.id);
      throw new CatalogError(
        'ERR_JOB_RUNNING',
        `A maintenance job of this table is running (since ${new Date(job?.startedAtMs ?? 0).toISOString()}); follow it with GET of the job, or run again when it ends`,
      );
    }
    const progress = new JobProgress((p) => leases.report(record.id, this.holder, p), this.ctx.clock);
    const keeper = new LeaseKeeper(leases, record.id, this.holder, this.ctx.clock, leaseMs).start();
    let result: MaintenanceResult;
    try {
      result = lance
        ? await optimizeLanceTable(
            this.ctx,
            this.lanceOptimizer,
            scope,
            record,
            systemCaller(scope),
            progress,
            keeper.signal,
            'on-demand',
            options.orphanOlderThanMs,
          )
        : await this.runTable(scope, record, { ...options, signal: keeper.signal }, progress);
    } catch (e) {
      await keeper.stop();
      await progress.phase('failed', failureReason(e));
      await leases.fail(record.id, this.holder, progress.current, true);
      throw e;
    }
    await keeper.stop();
    await progress.phase('done');
    // A dry run changes nothing, so it does not count as the table's last run for the schedule.
    await leases.complete(record.id, this.holder, options.dryRun ? null : this.ctx.clock.now(), progress.current);
    await this.ctx.access.record(
      scope.caller,
      'maintenance.completed',
      undefined,
      'table:maintain',
      tableObject(scope, levels, table),
      maintenanceAuditDetail(result, 'on-demand', this.executorKind),
    );
    return result;
  }

  /** The table's job as its lease row records it (any replica's): running with its progress so far, or how the last one ended. */
  async job(request: CatalogRequest, namespace: unknown, name: unknown): Promise<MaintenanceJobView> {
    // validate
    const levels = checkNamespace(namespace);
    const table = checkName(name, 'table name');
    const scope = await this.ctx.scope(request);
    // authorize (a Lance table's job as an Iceberg table's: both kinds share one name space)
    const found = await this.ctx.store.repository.getObject(scope.warehouse.name, levels, table);
    const { record } =
      found?.kind === LANCE_TABLE
        ? await requireManagedTable(this.ctx, scope, [...levels, table], ['table:maintain'], undefined)
        : await requireTable(this.ctx, scope, levels, table, ['table:maintain'], true);
    // execute
    return jobView(await this.ctx.store.maintenanceLeases.get(record.id), this.ctx.clock.now());
  }

  /** Runs the job on a table already authorized for (on demand) or chosen by the scheduler. */
  async runTable(
    scope: RequestScope,
    record: CatalogObjectRecord,
    options: MaintenanceOptions,
    progress = JobProgress.none(this.ctx.clock),
  ): Promise<MaintenanceResult> {
    if (options.actions.includes('rewrite-data-files')) {
      const compaction = await this.compact(scope, record, options, progress);
      const rest = await this.runTable(
        scope,
        (await this.ctx.store.repository.getObject(scope.warehouse.name, record.namespace, record.name)) ?? record,
        { ...options, actions: options.actions.filter((a) => a !== 'rewrite-data-files') },
        progress,
      );
      return { ...rest, compaction };
    }
    if (options.actions.includes('rewrite-manifests')) {
      const manifests = await this.rewriteManifests(scope, record, options, progress);
      const rest = await this.runTable(
        scope,
        (await this.ctx.store.repository.getObject(scope.warehouse.name, record.namespace, record.name)) ?? record,
        { ...options, actions: options.actions.filter((a) => a !== 'rewrite-manifests') },
        progress,
      );
      return { ...rest, manifests };
    }
    const expired: MaintenanceResult = options.actions.includes('expire-snapshots')
      ? await this.expire(scope, record, options, progress)
      : nothingDeleted(options.dryRun, record.metadataLocation);
    if (!options.actions.includes('remove-orphan-files')) return this.done(scope, record, expired);
    // After the expiry, on the metadata it committed: what expired snapshots left behind is no orphan, it is gone.
    const current = await this.ctx.store.repository.getObject(scope.warehouse.name, record.namespace, record.name);
    if (!current || current.id !== record.id) throw new CatalogError('ERR_TABLE_NOT_FOUND', 'The table was dropped or replaced while its maintenance ran');
    const storage = await this.ctx.storageFor(scope.warehouse);
    const metadata = parseJson(current.metadataJson) as TableMetadata;
    options.signal?.throwIfAborted();
    await progress.phase('listing-orphans');
    const reachable = await reachableFromMetadata(new CountingManifestReader(storage, [metadata.location], progress), metadata, current.metadataLocation);
    const orphans = (
      await findOrphans(storage, reachable, metadata.location, this.ctx.clock.now(), options.orphanOlderThanMs, (n) => progress.filesScanned(n))
    ).filter((f) => isPurgeable(scope.warehouse, f.path));
    if (options.dryRun) return this.done(scope, record, { ...expired, files: [...expired.files, ...orphans] });
    await progress.phase('deleting-orphans');
    const { deleted, missing, failed } = await deleteFiles(storage, orphans, progress, { listed: true, signal: options.signal });
    return this.done(scope, record, {
      ...expired,
      files: [...expired.files, ...deleted],
      'failed-files': [...expired['failed-files'], ...failed],
      'missing-files': [...expired['missing-files'], ...missing],
      'deleted-files': expired['deleted-files'] + deleted.length,
      'deleted-bytes': expired['deleted-bytes'] + deleted.reduce((n, f) => n + f.bytes, 0),
    });
  }

  /** The job's event (and so its /metrics counts), for a run that was not a dry run. */
  private done(scope: RequestScope, record: CatalogObjectRecord, result: MaintenanceResult): MaintenanceResult {
    if (!result['dry-run']) {
      this.ctx.outcomes.report({
        type: 'table.maintained',
        warehouse: scope.warehouse.name,
        namespace: record.namespace,
        name: record.name,
        expiredSnapshots: result['expired-snapshots'].length,
        deletedFiles: result['deleted-files'],
        deletedBytes: result['deleted-bytes'],
        failedFiles: result['failed-files'].length,
        missingFiles: result['missing-files'].length,
      });
    }
    return result;
  }

  /** rewrite-data-files (compaction/compact.ts): committed as the catalog, on behalf of the caller, like the expiry. */
  private async compact(scope: RequestScope, record: CatalogObjectRecord, options: MaintenanceOptions, progress: JobProgress): Promise<CompactionResult> {
    if (this.rewriter === undefined && this.executor === undefined)
      throw new CatalogError('ERR_NOT_IMPLEMENTED', 'rewrite-data-files needs the Parquet rewriter, which this server was built without');
    const storage = await this.ctx.storageFor(scope.warehouse);
    const location = (parseJson(record.metadataJson) as TableMetadata).location;
    await progress.phase('rewriting-data-files');
    const rewritten = (files: number, bytes: number) => progress.rewritten(files, bytes);
    const deps = {
      ctx: this.ctx,
      storage,
      reader: new CountingManifestReader(storage, [location], progress),
      rewriter: this.rewriter?.(storage) ?? PLAN_ONLY,
      caller: systemCaller(scope),
      warehouse: scope.warehouse.name,
      rewritten,
      signal: options.signal,
      decided: (strategy: AppliedStrategy, target: number) => progress.compactionSettings(strategy, target),
    };
    const startedMs = this.ctx.clock.now();
    const asked = { ...options.compaction, dryRun: options.dryRun };
    // A dry run is the catalog's plan, whichever executor would rewrite (engine-compaction.ts plans the same way first).
    const result = this.executor && !options.dryRun ? await compactWithEngine(this.executor, deps, record, asked) : await compactTable(deps, record, asked);
    if (result.outcome === 'committed') {
      const trigger = options.trigger ?? 'on-demand';
      this.ctx.outcomes.report({
        type: 'table.compacted',
        warehouse: scope.warehouse.name,
        namespace: record.namespace,
        name: record.name,
        trigger,
        rewrittenFiles: result['rewritten-data-files'],
        addedFiles: result['added-data-files'],
        rewrittenBytes: result['rewritten-bytes'],
        seconds: (this.ctx.clock.now() - startedMs) / 1000,
      });
    }
    return result;
  }

  /** rewrite-manifests (compaction/rewrite-manifests.ts): metadata only, committed as the catalog like compaction. */
  private async rewriteManifests(
    scope: RequestScope,
    record: CatalogObjectRecord,
    options: MaintenanceOptions,
    progress: JobProgress,
  ): Promise<ManifestRewriteResult> {
    const storage = await this.ctx.storageFor(scope.warehouse);
    const location = (parseJson(record.metadataJson) as TableMetadata).location;
    await progress.phase('rewriting-manifests');
    const deps = {
      ctx: this.ctx,
      storage,
      reader: new CountingManifestReader(storage, [location], progress),
      caller: systemCaller(scope),
      warehouse: scope.warehouse.name,
      signal: options.signal,
    };
    const startedMs = this.ctx.clock.now();
    const asked = { ...options.manifests, dryRun: options.dryRun, memoryBytes: this.ctx.settings.manifestRewriteMemoryBytes };
    const result =
      this.executor && !options.dryRun ? await rewriteManifestsWithEngine(this.executor, deps, record, asked) : await rewriteManifests(deps, record, asked);
    if (result.outcome === 'committed') {
      await progress.manifestsRewritten(result['rewritten-manifests']);
      this.ctx.outcomes.report({
        type: 'table.manifests-rewritten',
        warehouse: scope.warehouse.name,
        namespace: record.namespace,
        name: record.name,
        trigger: options.trigger ?? 'on-demand',
        rewrittenManifests: result['rewritten-manifests'],
        addedManifests: result['added-manifests'],
        entries: result['entries-processed'],
        seconds: (this.ctx.clock.now() - startedMs) / 1000,
      });
    }
    return result;
  }

  private async expire(scope: RequestScope, record: CatalogObjectRecord, options: MaintenanceOptions, progress: JobProgress): Promise<MaintenanceResult> {
    const storage = await this.ctx.storageFor(scope.warehouse);
    const system = systemCaller(scope);
    let current = record;
    await progress.phase('expiring-snapshots');
    for (let attempt = 1; ; attempt += 1) {
      const before = parseJson(current.metadataJson) as TableMetadata;
      const settings: ExpirySettings = {
        ...DEFAULT_EXPIRY,
        ...fromProperties(scope.warehouse.properties),
        ...fromProperties(before.properties),
        ...options.expiry,
      };
      const plan = planExpiry(before, this.ctx.clock.now(), settings);
      const reader = new CountingManifestReader(storage, [before.location], progress);
      const reachable = await ReachableFiles.compute(reader, before.location, before, new Set(plan.expired));
      const result: MaintenanceResult = {
        'dry-run': options.dryRun,
        'expired-snapshots': plan.expired,
        'removed-refs': plan.removedRefs,
        'deleted-files': 0,
        'deleted-bytes': 0,
        files: reachable.files,
        'failed-files': [],
        'missing-files': [],
        'metadata-location': current.metadataLocation,
      };
      if (options.dryRun || (plan.expired.length === 0 && plan.removedRefs.length === 0)) return result;
      const requirements: TableRequirement[] = [
        { type: 'assert-table-uuid', uuid: before['table-uuid'] },
        ...Object.entries(before.refs ?? {}).map(([ref, r]) => ({ type: 'assert-ref-snapshot-id' as const, ref, 'snapshot-id': r['snapshot-id'] })),
      ] as TableRequirement[];
      const updates = [
        ...plan.removedRefs.map((ref) => ({ action: 'remove-snapshot-ref', 'ref-name': ref })),
        ...(plan.expired.length > 0 ? [{ action: 'remove-snapshots', 'snapshot-ids': plan.expired.map((id) => BigInt(id)) }] : []),
      ] as TableUpdate[];
      // A job that lost its lease commits no expiry (another replica runs the table's job now).
      options.signal?.throwIfAborted();
      let committed;
      try {
        [committed] = await commitTables(this.ctx, { caller: system, warehouse: scope.warehouse.name }, [
          { identifier: { namespace: record.namespace, name: record.name }, requirements, updates },
        ]);
      } catch (e) {
        if (!(e instanceof CatalogError) || e.code !== 'ERR_COMMIT_CONFLICT' || attempt >= PLAN_ATTEMPTS) throw e;
        const fresh = await this.ctx.store.repository.getObject(scope.warehouse.name, record.namespace, record.name);
        if (!fresh || fresh.id !== record.id) throw new CatalogError('ERR_TABLE_NOT_FOUND', 'The table was dropped or replaced while its maintenance ran');
        current = fresh;
        continue;
      }
      const after = parseJson(committed!.metadataJson) as TableMetadata;
      // Snapshots committed by others meanwhile (not planned on) keep whatever they reach.
      await reachable.keepSnapshots((after.snapshots ?? []).filter((s) => !plan.retained.has(String(s['snapshot-id']))));
      const files = reachable.files.filter((f) => isPurgeable(scope.warehouse, f.path));
      await progress.phase('deleting-expired-files');
      const { deleted, missing, failed } = await deleteFiles(storage, files, progress, { location: after.location, signal: options.signal });
      result.files = deleted;
      result['failed-files'] = failed;
      result['missing-files'] = missing;
      result['deleted-files'] = deleted.length;
      result['deleted-bytes'] = deleted.reduce((n, f) => n + f.bytes, 0);
      result['metadata-location'] = committed!.metadataLocation;
      return result;
    }
  }
}

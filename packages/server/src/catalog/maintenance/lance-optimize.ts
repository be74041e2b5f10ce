/**
 * The `optimize` maintenance action of a Lance table (issue 59): the Lance library compacts the table's small
 * fragments and brings its indexes up to date (the LanceOptimizer port), and every version it makes is committed
 * through the table's managed versions, as the catalog (`system:maintenance`) on behalf of the caller, with the checks,
 * event and audit record a client's CreateTableVersion gets. Only tables whose versions the catalog manages: a table
 * whose dataset manages them is refused (the catalog would not be the commit point). The job holds the table's lease
 * (maintenance-service.ts), like every job of the table. While it runs, its commits have priority on the table: once
 * one loses a race to another writer, the table's other commits wait (bounded) for its rebased try
 * (lance-commit-queue.ts), so a writer committing back to back no longer starves it.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { RequestScope } from '../context.js';
import { lanceLibraryMissing } from '../lance/library.js';
import { LanceCommitQueue } from '../lance-commit-queue.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { LanceOptimizer, LanceOptimizeStats } from '../ports/lance-optimizer.js';
import { MAIN_BRANCH } from '../ports/lance-versions.js';
import type { TableContext } from '../kit/table-kit.js';
import { type MaintenanceResult, nothingDeleted } from './maintenance-options.js';
import { DEFAULT_ORPHAN_AGE_MS } from './orphan-files.js';
import { type DerivedCleanup, heldRoles, removeSupersededDerived } from './lance-policy-cleanup.js';
import type { JobProgress } from './progress.js';

export async function optimizeLanceTable(
  ctx: TableContext,
  optimizer: LanceOptimizer | undefined,
  scope: RequestScope,
  record: CatalogObjectRecord,
  committer: RequestScope['caller'],
  progress: JobProgress,
  signal: AbortSignal | undefined,
  trigger: 'on-demand' | 'scheduled' = 'on-demand',
  derivedGraceMs = DEFAULT_ORPHAN_AGE_MS,
): Promise<MaintenanceResult> {
  const target = { warehouse: scope.warehouse.name, namespace: record.namespace, name: record.name };
  const failed = (e: unknown) => {
    // The failure's outcome (and so its /metrics count); the error goes on to the caller or the scheduler as before.
    const unavailable = e instanceof CatalogError && e.code === 'ERR_NOT_IMPLEMENTED';
    ctx.outcomes.report({ type: 'lance-table.optimize-failed', ...target, trigger, unavailable, reason: e instanceof Error ? e.message : String(e) });
    return e;
  };
  if (optimizer === undefined) throw failed(new CatalogError('ERR_NOT_IMPLEMENTED', lanceLibraryMissing('optimize')));
  const head = await ctx.store.lanceVersions.head(record.id, MAIN_BRANCH);
  // Declared and never written: no dataset to open yet, so nothing to optimize (the library is not even loaded).
  if (head === undefined) return result(record, { fragmentsRemoved: 0, fragmentsAdded: 0, filesRemoved: 0, filesAdded: 0, attempts: 0 }, 0, 0);
  const versionBefore = head;
  await progress.phase('optimizing');
  const startedMs = ctx.clock.now();
  let stats: LanceOptimizeStats;
  // The job's commits have priority on the table while it runs: after one of them loses a race, other commits wait
  // for its rebased try (lance-commit-queue.ts). Released however the job ends, so no fence outlives it.
  const release = ctx.lanceCommits?.claim(LanceCommitQueue.key(record.id, MAIN_BRANCH), committer);
  try {
    stats = await optimizer.optimize({ ...target, committer, signal });
  } catch (e) {
    throw failed(e);
  } finally {
    release?.();
  }
  const versionAfter = (await ctx.store.lanceVersions.head(record.id, MAIN_BRANCH)) ?? versionBefore;
  ctx.outcomes.report({
    type: 'lance-table.optimized',
    ...target,
    trigger,
    fragmentsRemoved: stats.fragmentsRemoved,
    fragmentsAdded: stats.fragmentsAdded,
    versionBefore,
    versionAfter,
    seconds: (ctx.clock.now() - startedMs) / 1000,
  });
  // Superseded policy-derived datasets (lance-policy-cleanup.ts): marked, then removed after the grace period.
  const cleanup = await managedCleanup(ctx, scope, record, versionAfter, derivedGraceMs, progress, signal);
  return result(record, stats, versionBefore, versionAfter, cleanup);
}

/**
 * A table's superseded policy-derived datasets (lance-policy-cleanup.ts), judged by each branch's latest version in
 * `latest`. `unmanaged`: a table whose dataset manages its own versions (the catalog knows no branch of it, so any
 * branch's derived datasets are left alone).
 */
async function cleanDerived(
  ctx: Pick<TableContext, 'storageFor' | 'store' | 'clock' | 'roleHolders'>,
  scope: RequestScope,
  record: CatalogObjectRecord,
  latest: ReadonlyMap<string, number>,
  graceMs: number,
  progress: JobProgress,
  signal: AbortSignal | undefined,
  unmanaged: boolean,
): Promise<DerivedCleanup> {
  await progress.phase('deleting-orphans');
  const policies = await ctx.store.policies.listForObject(scope.warehouse.tenant, record.id);
  return removeSupersededDerived(
    await ctx.storageFor(scope.warehouse),
    record.location,
    latest,
    policies,
    ctx.clock.now(),
    graceMs,
    progress,
    signal,
    unmanaged,
    await heldRoles(ctx.roleHolders, scope.warehouse.tenant, policies),
  );
}

/**
 * The cleanup of a table whose versions the catalog manages, by each branch's latest version as the catalog recorded
 * it (main's `mainLatest`): a branch's derived datasets are superseded as main's are, and all of a deleted branch's.
 */
async function managedCleanup(
  ctx: Pick<TableContext, 'storageFor' | 'store' | 'clock' | 'roleHolders'>,
  scope: RequestScope,
  record: CatalogObjectRecord,
  mainLatest: number,
  graceMs: number,
  progress: JobProgress,
  signal: AbortSignal | undefined,
): Promise<DerivedCleanup> {
  const branches = (await ctx.store.lanceVersions.branches(record.id)).map((b) => [b.branch, b.head] as const);
  return cleanDerived(ctx, scope, record, new Map([[MAIN_BRANCH, mainLatest], ...branches]), graceMs, progress, signal, false);
}

/**
 * The cleanup-only job of a table whose versions the catalog manages and that its schedule does not optimize (its
 * fragments under `compaction.lance.min-fragments`, or its optimize off) or that a commit reached on a warehouse
 * without a schedule (scheduler.ts): its superseded policy-derived datasets (managedCleanup) with the orphan safety
 * age as grace; the table's own files and versions are left alone, and the Lance library is not needed. Undefined for
 * a table declared and never written (no derived dataset can exist yet).
 */
export async function cleanManagedDerived(
  ctx: Pick<TableContext, 'storageFor' | 'store' | 'clock' | 'roleHolders'>,
  scope: RequestScope,
  record: CatalogObjectRecord,
  progress: JobProgress,
  signal: AbortSignal | undefined,
): Promise<MaintenanceResult | undefined> {
  const head = await ctx.store.lanceVersions.head(record.id, MAIN_BRANCH);
  if (head === undefined) return undefined;
  return cleanupResult(record, await managedCleanup(ctx, scope, record, head, DEFAULT_ORPHAN_AGE_MS, progress, signal));
}

/**
 * The scheduled cleanup of a Lance table whose dataset manages its own versions (never optimized by the catalog): only
 * its superseded policy-derived datasets (lance-policy-cleanup.ts) by main's `latest` version (the Lance library's
 * answer), with the orphan safety age as grace; the table's own files and versions, and any branch's derived datasets
 * (the catalog knows no branch of such a table), are left alone.
 */
export async function cleanUnmanagedDerived(
  ctx: Pick<TableContext, 'storageFor' | 'store' | 'clock' | 'roleHolders'>,
  scope: RequestScope,
  record: CatalogObjectRecord,
  latest: number,
  progress: JobProgress,
  signal: AbortSignal | undefined,
): Promise<MaintenanceResult> {
  return cleanupResult(record, await cleanDerived(ctx, scope, record, new Map([[MAIN_BRANCH, latest]]), DEFAULT_ORPHAN_AGE_MS, progress, signal, true));
}

/** A cleanup-only job's result: the files its cleanup deleted, and no `optimize`. */
function cleanupResult(record: CatalogObjectRecord, cleanup?: DerivedCleanup): MaintenanceResult {
  const { deleted, missing, failed } = cleanup?.outcome ?? { deleted: [], missing: [], failed: [] };
  return {
    ...nothingDeleted(false, record.location),
    'deleted-files': deleted.length,
    'deleted-bytes': deleted.reduce((n, f) => n + f.bytes, 0),
    files: deleted,
    'failed-files': failed,
    'missing-files': missing,
    'policy-datasets': { superseded: cleanup?.superseded ?? 0, removed: cleanup?.removed ?? 0 },
  };
}

function result(
  record: CatalogObjectRecord,
  stats: LanceOptimizeStats,
  versionBefore: number,
  versionAfter: number,
  cleanup?: DerivedCleanup,
): MaintenanceResult {
  return {
    ...cleanupResult(record, cleanup),
    optimize: {
      'fragments-removed': stats.fragmentsRemoved,
      'fragments-added': stats.fragmentsAdded,
      'files-removed': stats.filesRemoved,
      'files-added': stats.filesAdded,
      attempts: stats.attempts,
      'version-before': versionBefore,
      'version-after': versionAfter,
    },
  };
}

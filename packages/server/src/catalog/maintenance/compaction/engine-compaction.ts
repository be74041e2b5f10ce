/**
 * rewrite-data-files and rewrite-manifests handed to a distributed engine (ports/compaction-executor.ts; issue 59,
 * "beyond one machine"). The catalog plans first, in-process and from metadata only (the same plan a dry run
 * answers: compact.ts, rewrite-manifests.ts), so a table with nothing to do, or below the schedule's threshold, never
 * starts the engine; then the engine rewrites and commits, every commit through the catalog's own commit path as
 * `system:maintenance` (the executor's invariant), and the catalog reads what was committed: the result names the
 * `replace` snapshot the engine added on `main` (none: nothing was committed, whatever the engine said).
 *
 * The counts are the engine's procedure's; `groups` is the catalog's plan (the engine reports no groups), the bytes
 * added the committed snapshot summary's `added-files-size`.
 */
import { CatalogError, validation } from '../../../errors/catalog-error.js';
import { parseJson } from '../../json.js';
import type { TableMetadata } from '../../metadata/index.js';
import type { Schema, StructField } from '../../metadata/types.js';
import type { CatalogObjectRecord } from '../../ports/index.js';
import type { CompactionExecutor, CompactionJobTarget, EngineSortKey } from '../../ports/compaction-executor.js';
import type { DataFileRewriter } from '../../planning/rewrite-ports.js';
import type { TableContext } from '../../kit/table-kit.js';
import { type CompactionDeps, type CompactionOptions, type CompactionResult, compactTable } from './compact.js';
import { type ManifestRewriteDeps, type ManifestRewriteOptions, type ManifestRewriteResult, rewriteManifests } from './rewrite-manifests.js';
import type { RequestedSortField } from './sort-strategy.js';
import { zorderOf } from './zorder-strategy.js';

/** The planner's rewriter where the engine rewrites: planning (a dry run) never calls it. */
export const PLAN_ONLY: DataFileRewriter = {
  rewrite: () => Promise.reject(new TypeError('a plan-only compaction does not rewrite')),
};

function targetOf(deps: { warehouse: string; caller: CompactionJobTarget['committer']; signal?: AbortSignal | undefined }, record: CatalogObjectRecord) {
  return { warehouse: deps.warehouse, namespace: record.namespace, name: record.name, committer: deps.caller, signal: deps.signal };
}

export async function compactWithEngine(
  executor: CompactionExecutor,
  deps: CompactionDeps,
  record: CatalogObjectRecord,
  options: CompactionOptions,
): Promise<CompactionResult> {
  // A requested order is the engine's to write (it may sort by transforms this server's rewriter does not, bucket[N]);
  // the groups are the same for either strategy, so the catalog plans them as bin-packing.
  const requested = options.sortOrder !== undefined || options.zorder !== undefined;
  if (requested && options.strategy === 'binpack') throw validation('sort-order is the order strategy sort writes: it does not go with strategy binpack');
  const metadata = parseJson(record.metadataJson) as TableMetadata;
  // A z-order's columns are checked as in-process (a 400 before Spark starts); Spark gets them by name.
  const zorder = options.zorder === undefined ? undefined : zorderOf(metadata, options.zorder);
  const planned = await compactTable({ ...deps, rewriter: PLAN_ONLY }, record, {
    ...options,
    ...(requested ? { strategy: 'binpack' as const, sortOrder: undefined, zorder: undefined } : {}),
    dryRun: true,
  });
  const plan: CompactionResult = { ...planned, strategy: zorder ? 'zorder' : requested ? 'sort' : planned.strategy };
  if (plan.outcome !== 'dry-run') return plan;
  deps.signal?.throwIfAborted();
  const stats = await executor.rewriteDataFiles(targetOf(deps, record), {
    targetFileSizeBytes: plan['target-file-size-bytes'],
    minInputFiles: options.minInputFiles ?? 2,
    strategy: plan.strategy === 'zorder' ? 'sort' : plan.strategy,
    sortOrder: options.sortOrder === undefined ? undefined : sortKeys(metadata, options.sortOrder),
    zorder: zorder && {
      columns: zorder.columns.map((c) => columnPath(schemaOf(metadata), c.fieldId)!),
      varLengthContribution: options.zorder?.['var-length-contribution'],
      maxOutputSize: options.zorder?.['max-output-size'],
    },
    partialProgress: options.partialProgress,
    maxFileGroupSizeBytes: options.maxFileGroupSizeBytes,
    minFileSizeBytes: options.minFileSizeBytes,
    maxFileSizeBytes: options.maxFileSizeBytes,
    deleteFileThreshold: options.deleteFileThreshold,
    deleteRatioThreshold: options.deleteRatioThreshold,
  });
  const added = await addedReplaces(deps.ctx, deps.warehouse, record, metadata);
  const last = added.at(-1);
  const result: CompactionResult = {
    ...plan,
    outcome: last === undefined ? 'nothing-to-do' : 'committed',
    'rewritten-data-files': stats.rewrittenDataFiles,
    'added-data-files': stats.addedDataFiles,
    'rewritten-bytes': stats.rewrittenBytes,
    'added-bytes': added.reduce((n, s) => n + Number(s.summary?.['added-files-size'] ?? 0), 0),
    'skipped-groups': 0,
    attempts: 1,
  };
  if (last === undefined) return { ...result, 'rewritten-data-files': 0, 'added-data-files': 0, 'rewritten-bytes': 0, groups: 0 };
  await deps.rewritten?.(stats.rewrittenDataFiles, stats.rewrittenBytes);
  return { ...result, 'snapshot-id': String(last['snapshot-id']) };
}

export async function rewriteManifestsWithEngine(
  executor: CompactionExecutor,
  deps: ManifestRewriteDeps,
  record: CatalogObjectRecord,
  options: ManifestRewriteOptions,
): Promise<ManifestRewriteResult> {
  // The engine's rewrite_manifests takes its target from the table (commit.manifest.target-size-bytes), not the request.
  if (options.targetManifestSizeBytes !== undefined)
    throw new CatalogError(
      'ERR_VALIDATION',
      `target-manifest-size-bytes is not taken by the ${executor.kind} executor (its rewrite_manifests reads the table's commit.manifest.target-size-bytes)`,
    );
  const plan = await rewriteManifests(deps, record, { ...options, dryRun: true });
  if (plan.outcome !== 'dry-run') return plan;
  const metadata = parseJson(record.metadataJson) as TableMetadata;
  deps.signal?.throwIfAborted();
  const stats = await executor.rewriteManifests(targetOf(deps, record));
  const last = (await addedReplaces(deps.ctx, deps.warehouse, record, metadata)).at(-1);
  if (last === undefined) return { ...plan, outcome: 'nothing-to-do', 'rewritten-manifests': 0, 'added-manifests': 0, 'deferred-manifests': 0 };
  const summary: Record<string, string | undefined> = last.summary ?? {};
  return {
    outcome: 'committed',
    'rewritten-manifests': stats.rewrittenManifests,
    'added-manifests': stats.addedManifests,
    'kept-manifests': Number(summary['manifests-kept'] ?? 0),
    'entries-processed': Number(summary['entries-processed'] ?? 0),
    'deferred-manifests': 0,
    attempts: 1,
    'snapshot-id': String(last['snapshot-id']),
  };
}

/** The `replace` snapshots on main's line that were not in the table before the engine ran, oldest first. */
async function addedReplaces(ctx: TableContext, warehouse: string, record: CatalogObjectRecord, before: TableMetadata) {
  const current = await ctx.store.repository.getObject(warehouse, record.namespace, record.name);
  if (!current || current.id !== record.id) throw new CatalogError('ERR_TABLE_NOT_FOUND', 'The table was dropped or replaced while its compaction ran');
  const after = parseJson(current.metadataJson) as TableMetadata;
  const known = new Set((before.snapshots ?? []).map((s) => String(s['snapshot-id'])));
  const byId = new Map((after.snapshots ?? []).map((s) => [String(s['snapshot-id']), s]));
  const line = [];
  let id: unknown = after.refs?.main?.['snapshot-id'] ?? after['current-snapshot-id'];
  while (id !== undefined && id !== null && !known.has(String(id))) {
    const s = byId.get(String(id));
    if (s === undefined) break;
    line.unshift(s);
    id = s['parent-snapshot-id'];
  }
  return line.filter((s) => s.summary?.operation === 'replace');
}

/** The request's sort-order with each field's column named by its path in the current schema (a 400 for an unknown id). */
function sortKeys(metadata: TableMetadata, fields: readonly RequestedSortField[]): EngineSortKey[] {
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  return fields.map((f, i) => {
    const column = schema === undefined ? undefined : columnPath(schema, f['source-id']);
    if (column === undefined)
      throw new CatalogError('ERR_VALIDATION', `sort-order.fields[${i}].source-id ${f['source-id']} is no column of the current schema`);
    return { column, transform: f.transform, direction: f.direction, nullOrder: f['null-order'] };
  });
}

const schemaOf = (metadata: TableMetadata): Schema => metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id'])!;

function columnPath(schema: Schema, id: number): string | undefined {
  const walk = (fields: StructField[], prefix: string[]): string | undefined => {
    for (const f of fields) {
      if (f.id === id) return [...prefix, f.name].join('.');
      const t = f.type as { type?: string; fields?: StructField[] };
      if (typeof t === 'object' && t.type === 'struct' && t.fields) {
        const found = walk(t.fields, [...prefix, f.name]);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return walk(schema.fields, []);
}

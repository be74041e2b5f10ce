/**
 * The `rewrite-data-files` maintenance action (issue 59, first slice): bin-pack compaction of a v1, v2 or v3 table's
 * small data files. Plans on the table's current snapshot (bin-pack.ts), rewrites
 * each group through the DataFileRewriter port (the Parquet adapter the row/column policies use: the group's files
 * with their delete files applied, no filter, no transforms) into new files near the target size under the table's
 * data location (each with its own counts and bounds: file-bounds.ts), then
 * commits one `replace` snapshot for every group (replace-commit.ts: built on the table's head at commit time,
 * concurrent changes kept unless they touch a rewritten file, in which case it gives up and removes the new files).
 * Non-Parquet files are left. The deletes are applied by the same code as a restricted plan's, deletion vectors
 * included. A v3 table's rows keep their lineage: each input is rewritten with its first_row_id and data sequence
 * number, so the new file holds every row's `_row_id` and `_last_updated_sequence_number` (which it could not
 * inherit), and the replace snapshot drops the rewritten files' deletion vectors and assigns row ids
 * (replace-commit.ts). A v1 table (no delete files, no sequence numbers) gets a v1 snapshot and
 * v1 manifests (replace-commit.ts).
 * The sort strategy (sort-strategy.ts) writes each group's rows in the table's sort order and marks the new file
 * with the order's id; a group is at most `max-file-group-size-bytes` of input (default the target size; twice it
 * for binpack, which streams), which bounds what a sorted rewrite holds.
 */
import { randomBytes } from 'node:crypto';
import { CatalogError, validation } from '../../../errors/catalog-error.js';
import { parseJson } from '../../json.js';
import { loopPacer, type Pace, yieldToRequests } from '../../loop-pacer.js';
import type { ManifestReader } from '../../manifests/manifest-reader.js';
import { writableSpec } from '../../manifests/manifest-writer.js';
import type { ContentFile } from '../../ports/manifests.js';
import type { TableMetadata } from '../../metadata/index.js';
import { propertyTargetSize } from '../../metadata/compaction-properties.js';
import type { Schema } from '../../metadata/types.js';
import { DeleteIndex, type DeleteEntry } from '../../planning/delete-index.js';
import { type DataFileRewriter, type RewriteRequest, type RewrittenFile, rewriteDeleteOf } from '../../planning/rewrite-ports.js';
import type { Caller, CatalogObjectRecord, ObjectStorage } from '../../ports/index.js';
import type { TableContext } from '../../kit/table-kit.js';
import { rewritableFormat } from './format-versions.js';
import { type CandidateFile, deletedShare, fileSizeRange, packPartitionPaced, partitionKey, candidatesByPartition } from './bin-pack.js';
import { fileBounds } from './file-bounds.js';
import { type Bounds, mergedBoundsPaced } from './merged-bounds.js';
import { commitReplace, maybeCommitted } from './replace-commit.js';
import { type AppliedStrategy, type CompactionStrategy, type RequestedSortField, sortPlanOf } from './sort-strategy.js';
import type { RequestedZOrder } from './zorder-strategy.js';

export interface CompactionOptions {
  /** Default: the table's write.target-file-size-bytes, else 128 MiB. */
  targetFileSizeBytes?: number | undefined;
  /** Default 2. */
  minInputFiles?: number | undefined;
  /**
   * Input bytes a group holds at most (Iceberg's `max-file-group-size-bytes`); default: the target for sort, twice it
   * for binpack. A group is rewritten as one: its output cut into files near the target, and a sort or z-order holds
   * its rows in memory.
   */
  maxFileGroupSizeBytes?: number | undefined;
  /** Iceberg's size range, bin-pack.ts (fileSizeRange): default 3/4 and 1.8 times the target. */
  minFileSizeBytes?: number | undefined;
  maxFileSizeBytes?: number | undefined;
  /** Iceberg's delete thresholds (bin-pack.ts): a file's delete files, its share of rows deleted (default 0.3). */
  deleteFileThreshold?: number | undefined;
  deleteRatioThreshold?: number | undefined;
  /**
   * A threshold (the schedule's `compaction.min-small-file-ratio`): nothing is rewritten unless at least this share
   * (0 to 1) of the snapshot's live data files are small (below 3/4 of the target). Default 0: no threshold.
   */
  minSmallFileRatio?: number | undefined;
  /** Plan only: the groups and their files are counted, nothing is written. */
  dryRun?: boolean | undefined;
  /** binpack or sort (sort-strategy.ts); default: sort for a table with a default sort order, else binpack. */
  strategy?: CompactionStrategy | undefined;
  /** The order sort writes instead of the table's default (the request's `sort-order`; implies sort). */
  sortOrder?: readonly RequestedSortField[] | undefined;
  /** Z-order by these columns instead (the request's `sort-order: {"zorder": ...}`; implies sort; zorder-strategy.ts). */
  zorder?: RequestedZOrder | undefined;
  /** Spark's partial progress (the request's `partial-progress`): an engine executor's only (engine-compaction.ts). */
  partialProgress?: { maxCommits?: number | undefined } | undefined;
}

export interface CompactionResult {
  outcome: 'committed' | 'nothing-to-do' | 'conflict' | 'dry-run';
  'rewritten-data-files': number;
  'added-data-files': number;
  'rewritten-bytes': number;
  'added-bytes': number;
  groups: number;
  /** Groups left as they were: their files could not be read as one (different schemas). */
  'skipped-groups': number;
  attempts: number;
  /** The strategy applied: the one asked for, else sort for a table with a default sort order, else binpack. */
  strategy: AppliedStrategy;
  /** The target file size applied: the one asked for, else the table's write.target-file-size-bytes, else the default. */
  'target-file-size-bytes': number;
  'snapshot-id'?: string;
  /** Why the job gave up (outcome conflict). */
  reason?: string;
}

interface Candidate extends CandidateFile {
  /** partitionKey(specId, partition), computed once in the paced plan. */
  key: string;
  file: ContentFile;
  deletes: ContentFile[];
  /** The file's data sequence number (v3: its rows' `_last_updated_sequence_number` where the file stores none). */
  seq: number;
}

export interface CompactionDeps {
  ctx: TableContext;
  storage: ObjectStorage;
  reader: ManifestReader;
  rewriter: DataFileRewriter;
  caller: Caller;
  warehouse: string;
  /** Called after each group is rewritten (the job's progress). */
  rewritten?: (files: number, bytes: number) => Promise<void>;
  /** Aborted when the job lost its lease (lease-keeper.ts): checked before each group and before the commit. */
  signal?: AbortSignal | undefined;
  /** Told the strategy and target size once decided, before anything is planned (the job's progress records them). */
  decided?: (strategy: AppliedStrategy, targetFileSizeBytes: number) => Promise<void>;
  /**
   * Milliseconds of planning or commit work between two turns of the event loop (loop-pacer.ts); default
   * LOOP_SLICE_MS, 0 a turn at every entry (tests).
   */
  sliceMs?: number | undefined;
}

/** A table's target size: the request's, else a valid write.target-file-size-bytes, else 128 MiB. */
export function targetSize(metadata: TableMetadata, requested: number | undefined): number {
  return requested ?? propertyTargetSize(metadata.properties);
}

export async function compactTable(deps: CompactionDeps, record: CatalogObjectRecord, options: CompactionOptions): Promise<CompactionResult> {
  const metadata = parseJson(record.metadataJson) as TableMetadata;
  const lineage = rewritableFormat('rewrite-data-files', metadata) >= 3;
  // Decided (and a 400 thrown) before anything is planned.
  const sort = sortPlanOf(metadata, options.strategy, options.sortOrder, options.zorder);
  if (options.partialProgress !== undefined && !options.dryRun)
    throw validation(
      "partial-progress is Spark's rewrite_data_files option: it applies with the spark executor (compactionExecutor spark); the in-process rewriter commits once",
    );
  const target = targetSize(metadata, options.targetFileSizeBytes);
  const { minFileBytes, maxFileBytes } = fileSizeRange(target, options.minFileSizeBytes, options.maxFileSizeBytes);
  const none: CompactionResult = {
    outcome: 'nothing-to-do',
    'rewritten-data-files': 0,
    'added-data-files': 0,
    'rewritten-bytes': 0,
    'added-bytes': 0,
    groups: 0,
    'skipped-groups': 0,
    attempts: 0,
    strategy: sort?.zorder ? 'zorder' : sort ? 'sort' : 'binpack',
    'target-file-size-bytes': target,
  };
  await deps.decided?.(none.strategy, target);
  // Planning and the commit read and write every manifest entry on the request thread: paced (loop-pacer.ts).
  const pace = loopPacer(deps.sliceMs);
  const headId = metadata.refs?.main?.['snapshot-id'] ?? metadata['current-snapshot-id'];
  const head = (metadata.snapshots ?? []).find((s) => String(s['snapshot-id']) === String(headId));
  if (!head?.['manifest-list']) return none;
  const { candidates, liveDataFiles } = await candidatesOf(deps.reader, metadata, head['manifest-list'], pace);
  const small = candidates.filter((c) => c.bytes < minFileBytes).length;
  if (options.minSmallFileRatio !== undefined && options.minSmallFileRatio > 0 && small < options.minSmallFileRatio * liveDataFiles) return none;
  const packing = {
    targetBytes: target,
    // Above the target by default, so that files between half and 3/4 of it still pair (Iceberg's group is the
    // partition); a sort holds its group's rows, so its default stays the target (the memory it holds).
    groupBytes: options.maxFileGroupSizeBytes ?? (sort ? target : 2 * target),
    minFileBytes,
    maxFileBytes,
    minInputFiles: options.minInputFiles ?? 2,
    deleteFileThreshold: options.deleteFileThreshold,
    deleteRatioThreshold: options.deleteRatioThreshold,
  };
  // binPack (bin-pack.ts), a turn of the event loop between partitions.
  const groups: Candidate[][] = [];
  await pace();
  for (const partition of candidatesByPartition(candidates, packing)) {
    await pace();
    groups.push(...(await packPartitionPaced(partition, packing, pace)));
  }
  if (groups.length === 0) return none;
  if (options.dryRun)
    return {
      ...none,
      outcome: 'dry-run',
      'rewritten-data-files': groups.flat().length,
      'rewritten-bytes': groups.flat().reduce((n, c) => n + c.bytes, 0),
      groups: groups.length,
    };
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id'])!;
  const dataDir = (metadata.properties?.['write.data.path'] ?? `${metadata.location.replace(/\/+$/, '')}/data`).replace(/\/+$/, '');
  const added: { specId: number; file: ContentFile }[] = [];
  const written: string[] = [];
  const skipped = new Set<Candidate>();
  const requestOf = (group: readonly Candidate[]): RewriteRequest => ({
    inputs: group.map((c) => ({
      uri: c.file.filePath,
      format: c.file.fileFormat,
      deletes: c.deletes.map(rewriteDeleteOf),
      ...(lineage ? { lineage: { firstRowId: c.file.firstRowId, dataSequenceNumber: c.seq } } : {}),
    })),
    transforms: [],
    sort: sort?.keys,
    zorder: sort?.zorder,
    output: `${dataDir}/${deps.ctx.newUuid()}-compacted.parquet`,
    targetFileSizeBytes: target,
    // Unused without transforms; the port asks for one.
    querySalt: randomBytes(32),
    signal: deps.signal,
  });
  try {
    // Up to the rewriter's parallelism (its threads) groups at once; their results are taken in the groups' order,
    // so the commit is the same whatever the parallelism.
    const parallel = Math.min(Math.max(Math.floor(deps.rewriter.parallelism ?? 1), 1), 16);
    const running: Promise<GroupOutcome>[] = [];
    let taken = 0;
    try {
      for (; taken < groups.length; taken++) {
        while (running.length < groups.length && running.length < taken + parallel) {
          // Between groups, requests that arrived meanwhile are answered: a request waits one group's rewrite at most.
          await yieldToRequests();
          deps.signal?.throwIfAborted();
          running.push(outcomeOf(deps.rewriter.rewrite(requestOf(groups[running.length]!))));
        }
        const group = groups[taken]!;
        const outcome = await running[taken]!;
        if ('error' in outcome) throw outcome.error;
        // A group the rewriter cannot read as one (files of different schemas after an evolution) is left as it is.
        if (!('out' in outcome)) {
          for (const c of group) skipped.add(c);
          continue;
        }
        const out = outcome.out;
        // Every row deleted: the group's files go, no file replaces them. A group cut into several files (the target
        // size) has each with its own counts and bounds. The inputs' bounds are merged once a group, paced (a group
        // can hold 10^4 small files).
        const inputs = group.map((c) => c.file);
        const merged = await mergedBoundsPaced(inputs, schema, pace);
        for (const file of [out, ...(out.more ?? [])]) {
          await pace();
          if (file.recordCount === 0) await deps.storage.delete(file.uri).catch(() => undefined);
          else {
            written.push(file.uri);
            added.push({ specId: group[0]!.specId, file: newFile(inputs, merged, file, schema, sort?.sortOrderId ?? null) });
          }
        }
        await deps.rewritten?.(
          group.length,
          group.reduce((n, c) => n + c.bytes, 0),
        );
      }
    } catch (e) {
      // Groups still running end (the same signal stops them on an abort); what they wrote is dropped with the rest.
      for (const pending of running.slice(taken)) {
        const o = await pending;
        if ('out' in o) written.push(...[o.out, ...(o.out.more ?? [])].map((f) => f.uri));
      }
      throw e;
    }
    // The files rewritten, their paths and partitions: 10^5 of each at most, paced too.
    const done: Candidate[] = [];
    const rewritten = new Set<string>();
    const partitions = new Set<string>();
    for (const c of groups.flat()) {
      if (skipped.has(c)) continue;
      await pace();
      done.push(c);
      rewritten.add(c.path);
      partitions.add(c.key);
    }
    if (done.length === 0) return { ...none, 'skipped-groups': groups.length };
    deps.signal?.throwIfAborted();
    const committed = await commitReplace(deps.ctx, deps.storage, deps.reader, {
      warehouse: deps.warehouse,
      namespace: record.namespace,
      name: record.name,
      tableId: record.id,
      caller: deps.caller,
      plannedSnapshotId: BigInt(headId!),
      rewritten,
      partitions,
      added,
      pace,
    });
    const counts = {
      'rewritten-data-files': rewritten.size,
      'added-data-files': added.length,
      'rewritten-bytes': done.reduce((n, c) => n + c.bytes, 0),
      'added-bytes': added.reduce((n, a) => n + a.file.fileSizeInBytes, 0),
      groups: groups.length - groups.filter((g) => skipped.has(g[0]!)).length,
      'skipped-groups': groups.filter((g) => skipped.has(g[0]!)).length,
      attempts: committed.attempts,
    };
    if (committed.outcome === 'committed') return { ...none, outcome: 'committed', ...counts, 'snapshot-id': committed.snapshotId };
    await dropAll(deps.storage, written);
    return { ...none, outcome: 'conflict', attempts: committed.attempts, reason: committed.reason };
  } catch (e) {
    // A commit of unknown outcome may have made the new files live: they stay (orphan removal decides later).
    if (!maybeCommitted(e)) await dropAll(deps.storage, written);
    throw e;
  }
}

/** A group's rewrite settled: its files, skipped (ERR_UNPROCESSABLE: files not readable as one), or its error. */
type GroupOutcome = { out: RewrittenFile } | { skipped: true } | { error: unknown };

const outcomeOf = (rewrite: Promise<RewrittenFile>): Promise<GroupOutcome> =>
  rewrite.then(
    (out) => ({ out }),
    (e: unknown) => (e instanceof CatalogError && e.code === 'ERR_UNPROCESSABLE' ? { skipped: true as const } : { error: e }),
  );

async function dropAll(storage: ObjectStorage, uris: readonly string[]): Promise<void> {
  await Promise.all(uris.map((u) => storage.delete(u).catch(() => undefined)));
}

/** The live Parquet data files of the snapshot, each with the delete files that apply to it (as a scan would). */
async function candidatesOf(
  reader: ManifestReader,
  metadata: TableMetadata,
  manifestList: string,
  pace: Pace,
): Promise<{ candidates: Candidate[]; liveDataFiles: number }> {
  const data: { file: ContentFile; specId: number; seq: number }[] = [];
  const deletes: DeleteEntry[] = [];
  for (const m of await reader.readManifestList(manifestList)) {
    for await (const e of reader.readManifest(m)) {
      await pace();
      if (m.content === 0) data.push({ file: e.file, specId: m.partitionSpecId, seq: e.sequenceNumber ?? 0 });
      else deletes.push({ file: e.file, specId: m.partitionSpecId, sequenceNumber: e.sequenceNumber ?? 0 });
    }
  }
  const specs = new Map(metadata['partition-specs'].map((s) => [s['spec-id'], s]));
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  const index = new DeleteIndex(deletes, specs, schema);
  // Files of a spec whose manifests cannot be written with the current schema (a partition on a dropped column) stay.
  const writable = new Map([...specs].map(([id, spec]) => [id, schema !== undefined && writableSpec(spec, schema)]));
  const out: Candidate[] = [];
  for (const d of data) {
    await pace();
    if (d.file.fileFormat !== 'parquet' || !writable.get(d.specId)) continue;
    // Deletion vectors included: the rewriter applies them as a restricted plan's derivation does (delete-sets.ts).
    const applied = index.forDataFile(d.seq, d.specId, d.file);
    out.push({
      path: d.file.filePath,
      specId: d.specId,
      partition: d.file.partition,
      key: partitionKey(d.specId, d.file.partition),
      bytes: d.file.fileSizeInBytes,
      deletedShare: deletedShare(d.file, applied),
      deleteFiles: applied.length,
      file: d.file,
      deletes: applied,
      seq: d.seq,
    });
  }
  return { candidates: out, liveDataFiles: data.length };
}

/**
 * The manifest entry of a rewritten file: the group's partition, the rewriter's counts, the file's own bounds where
 * the rewriter ranged the column, else the inputs' merged bounds (file-bounds.ts).
 */
function newFile(inputs: readonly ContentFile[], merged: Bounds, out: RewrittenFile, schema: Schema, sortOrderId: number | null): ContentFile {
  const { lower, upper } = fileBounds(out.ranges, inputs, schema, merged);
  return {
    content: 0,
    filePath: out.uri,
    fileFormat: 'parquet',
    partition: inputs[0]!.partition,
    recordCount: out.recordCount,
    fileSizeInBytes: out.fileSizeInBytes,
    columnSizes: new Map(out.columnSizes),
    valueCounts: new Map(out.valueCounts),
    nullValueCounts: new Map(out.nullValueCounts),
    nanValueCounts: null,
    lowerBounds: lower,
    upperBounds: upper,
    keyMetadata: null,
    splitOffsets: null,
    equalityIds: null,
    sortOrderId,
    firstRowId: null,
    referencedDataFile: null,
    contentOffset: null,
    contentSizeInBytes: null,
  };
}

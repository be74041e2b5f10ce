/**
 * Where a table's compaction runs (issue 59, "beyond one machine"). In-process is the default: no executor is attached
 * and the maintenance job rewrites and commits itself (maintenance/compaction/compact.ts, rewrite-manifests.ts). An
 * attached executor hands the same job to a distributed engine (the in-tree adapter: Spark's `rewrite_data_files` and
 * `rewrite_manifests` procedures, spark-executor/spark-executor.ts) while the catalog keeps what it owns: the
 * table's lease (renewed while the engine runs), the job's progress and outcome, its audit record and events.
 *
 * The invariant an adapter must keep: every commit the engine makes goes through the catalog's own Iceberg commit path
 * (its checks, compare-and-swap, event and audit record), as `committer`, with a credential minted for this one job
 * and accepted for its length only, never with a client's credential nor by writing metadata itself. Once `signal` is
 * aborted (the job lost its lease) the engine must be able to commit nothing further.
 */
import type { Caller } from './index.js';

/** One key of the order the engine sorts by, with its column named (the catalog resolved the request's field ids). */
export interface EngineSortKey {
  column: string;
  /** An Iceberg transform: identity, bucket[N], truncate[W], year, month, day, hour, void. */
  transform: string;
  direction: 'asc' | 'desc';
  nullOrder: 'nulls-first' | 'nulls-last';
}

export interface CompactionJobTarget {
  warehouse: string;
  namespace: string[];
  name: string;
  /** Who commits the engine's snapshots: the catalog, on behalf of the caller the job was authorized for. */
  committer: Caller;
  /** Aborted when the job lost its table lease: the engine is stopped and can commit nothing further. */
  signal?: AbortSignal | undefined;
}

export interface EngineDataFilesOptions {
  /** The target applied (the request's, else the table's write.target-file-size-bytes, else 128 MiB). */
  targetFileSizeBytes: number;
  minInputFiles: number;
  strategy: 'binpack' | 'sort';
  /** The request's sort-order (else the engine sorts by the table's default order). */
  sortOrder?: EngineSortKey[] | undefined;
  /** Z-order by these columns instead (Spark's `sort_order => 'zorder(a, b)'`), with Iceberg's z-order options when asked. */
  zorder?: { columns: string[]; varLengthContribution?: number | undefined; maxOutputSize?: number | undefined } | undefined;
  /** Commit file groups as they finish, in at most maxCommits commits (Spark's partial-progress.enabled, .max-commits). */
  partialProgress?: { maxCommits?: number | undefined } | undefined;
  /** How much input one file group rewrites (Iceberg's max-file-group-size-bytes), when the request says. */
  maxFileGroupSizeBytes?: number | undefined;
  /** Iceberg's size range and delete thresholds of the same names, when the request says. */
  minFileSizeBytes?: number | undefined;
  maxFileSizeBytes?: number | undefined;
  deleteFileThreshold?: number | undefined;
  deleteRatioThreshold?: number | undefined;
}

/** What the engine's procedure answered. */
export interface EngineDataFilesStats {
  rewrittenDataFiles: number;
  addedDataFiles: number;
  rewrittenBytes: number;
  failedDataFiles: number;
}

export interface EngineManifestStats {
  rewrittenManifests: number;
  addedManifests: number;
}

export interface CompactionExecutor {
  /** Its name, as the job's audit record and log say it ("spark"). */
  readonly kind: string;
  /** Throws a CatalogError naming what failed (ERR_EXECUTOR_FAILED: the engine's own reason, without secrets). */
  rewriteDataFiles(target: CompactionJobTarget, options: EngineDataFilesOptions): Promise<EngineDataFilesStats>;
  rewriteManifests(target: CompactionJobTarget): Promise<EngineManifestStats>;
}

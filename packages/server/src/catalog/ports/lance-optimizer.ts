/**
 * Lance table optimization run by the catalog (issue 59): compaction of small fragments and the indexes brought up to
 * date, done by the Lance library itself. The adapter must commit every version it makes through the table's managed
 * versions (CreateTableVersion's checks, compare-and-swap on the head, its event and audit record), never by writing
 * the dataset's `_versions/` itself: the catalog database is a managed table's commit point (ports/lance-versions.ts).
 * The in-tree adapter (lance-optimize/lancedb-optimizer.ts) drives LanceDB through a private loopback Lance namespace.
 */
import type { Caller } from './index.js';

export interface LanceOptimizeTarget {
  warehouse: string;
  namespace: string[];
  name: string;
  /** Who commits the versions optimize makes: the catalog, on behalf of the caller the job was authorized for. */
  committer: Caller;
  /** Aborted when the job lost its table lease: no further version is started. */
  signal?: AbortSignal | undefined;
}

/** What optimize did, as the Lance library counts it. */
export interface LanceOptimizeStats {
  fragmentsRemoved: number;
  fragmentsAdded: number;
  filesRemoved: number;
  filesAdded: number;
  /** Runs of optimize: more than one when a concurrent delete or update preempted a commit and it planned again. */
  attempts: number;
}

export interface LanceOptimizer {
  /**
   * Why optimize cannot run here (the Lance library does not load), or undefined when it can: asked by the schedule
   * before it takes a table's job, so a server without the library leaves its tables quietly instead of failing them.
   */
  unavailable(): Promise<string | undefined>;
  /** Throws ERR_COMMIT_CONFLICT when concurrent changes kept preempting its commits (they are kept; nothing of the job's last attempt is). */
  optimize(target: LanceOptimizeTarget): Promise<LanceOptimizeStats>;
}

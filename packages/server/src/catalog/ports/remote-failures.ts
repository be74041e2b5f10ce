/**
 * The history of a federated warehouse's remote failures (docs/federation.md, "The remote's failures"): what an
 * operator reads when clients fail, to tell since when, how often and with what error the remote fails. Kept in the
 * catalog database, not in a process's memory: every replica records into it and every replica's status answer reads
 * the same history, and it outlives a restart (the moment the remote started failing is often before one).
 *
 * Bounded by construction: the same (warehouse, operation, code, message) within one window is one row whose count
 * and last time grow, so an outage that fails every request adds one row per window and failure, never one per
 * request; and a warehouse keeps its newest rows only (REMOTE_FAILURES_KEPT).
 */

/** Where a failure happened: a call on the request path, or the status answer's connection test. */
export type RemoteOperation =
  'connect' | 'check' | 'list-namespaces' | 'create-namespace' | 'list-tables' | 'load-table' | 'create-table' | 'stage-table' | 'commit-table' | 'drop-table';

/** One failure as recorded: its words are those the server uses for it (never a secret, never a stack). */
export interface RemoteFailureInput {
  warehouse: string;
  operation: RemoteOperation;
  /** The CatalogError code (ERR_UNAVAILABLE, ERR_REMOTE_INVALID, …). */
  code: string;
  message: string;
  atMs: number;
}

/** Failures of one kind within one window: how many, the first and the last. */
export interface RemoteFailure {
  warehouse: string;
  operation: RemoteOperation;
  code: string;
  message: string;
  count: number;
  firstAtMs: number;
  lastAtMs: number;
}

/** Rows a warehouse keeps: older ones go when a new one is added. */
export const REMOTE_FAILURES_KEPT = 200;

export interface RemoteFailureStore {
  /** Counts the failure into its window's row (`windowMs` long, aligned to the epoch), adding the row if it is the first. */
  record(failure: RemoteFailureInput, windowMs: number): Promise<void>;
  /** The warehouse's newest rows, by their last failure, newest first. */
  recent(warehouse: string, limit: number): Promise<RemoteFailure[]>;
  /** The remote answered at `atMs` (kept only if later than what is stored). */
  answered(warehouse: string, atMs: number): Promise<void>;
  /** When the remote last answered, if it ever did since this was kept. */
  lastAnswered(warehouse: string): Promise<number | undefined>;
}

/** The in-memory RemoteFailureStore (tests; one process only). */
export class MemoryRemoteFailures implements RemoteFailureStore {
  private readonly rows = new Map<string, RemoteFailure>();
  private readonly answers = new Map<string, number>();

  async record(f: RemoteFailureInput, windowMs: number): Promise<void> {
    const key = JSON.stringify([f.warehouse, f.operation, f.code, f.message, Math.floor(f.atMs / windowMs)]);
    const row = this.rows.get(key);
    if (row) {
      row.count += 1;
      row.firstAtMs = Math.min(row.firstAtMs, f.atMs);
      row.lastAtMs = Math.max(row.lastAtMs, f.atMs);
      return;
    }
    this.rows.set(key, { warehouse: f.warehouse, operation: f.operation, code: f.code, message: f.message, count: 1, firstAtMs: f.atMs, lastAtMs: f.atMs });
    const mine = [...this.rows.entries()].filter(([, r]) => r.warehouse === f.warehouse).sort(([, a], [, b]) => b.lastAtMs - a.lastAtMs);
    const edge = mine[REMOTE_FAILURES_KEPT - 1]?.[1].lastAtMs;
    if (edge !== undefined) for (const [k, r] of mine) if (r.lastAtMs < edge) this.rows.delete(k);
  }

  async recent(warehouse: string, limit: number): Promise<RemoteFailure[]> {
    return [...this.rows.values()]
      .filter((r) => r.warehouse === warehouse)
      .sort((a, b) => b.lastAtMs - a.lastAtMs)
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  async answered(warehouse: string, atMs: number): Promise<void> {
    this.answers.set(warehouse, Math.max(this.answers.get(warehouse) ?? atMs, atMs));
  }

  async lastAnswered(warehouse: string): Promise<number | undefined> {
    return this.answers.get(warehouse);
  }
}

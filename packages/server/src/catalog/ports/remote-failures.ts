/**
 * The history of a federated warehouse's remote failures (docs/federation.md, "The remote's failures"): what an
 * operator reads when clients fail, to tell since when, how often and with what error the remote fails. Kept in the
 * catalog database, not in a process's memory: every replica records into it and every replica's status answer reads
 * the same history, and it outlives a restart (the moment the remote started failing is often before one).
 *
 * Bounded by construction: the same (warehouse, operation, code, message) within one window is one row whose count
 * and last time grow, so an outage that fails every request adds one row per window and failure, never one per
 * request; and a warehouse keeps its newest rows only (REMOTE_FAILURES_KEPT). A process also holds back the repeats
 * of a failure it just wrote, and writes them as one count (catalog/federation/remote-failure-buffer.ts).
 */
import { createHash } from 'node:crypto';

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
  /** The last of them (epoch milliseconds). */
  atMs: number;
  /** How many failures this records (default 1), the first at `firstAtMs` (default `atMs`): repeats held back and written as one. */
  count?: number;
  firstAtMs?: number;
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
  /** The start of its window (epoch milliseconds) and the identity of its error in it: with lastAtMs and operation, its place in a listing. */
  windowStartMs: number;
  fingerprint: string;
}

/** Where a page of the history resumes: after this row, in the listing's order (newest last failure first). */
export type RemoteFailureCursor = Pick<RemoteFailure, 'lastAtMs' | 'operation' | 'windowStartMs' | 'fingerprint'>;

/** The identity of an error within its window: sha-256 of its code and message (a message may be long). */
export const failureFingerprint = (code: string, message: string): string => createHash('sha256').update(`${code}\u0000${message}`).digest('hex');

/** The listing's order: last failure descending, then operation, window and fingerprint ascending (a total order). */
export function compareFailures(a: RemoteFailureCursor, b: RemoteFailureCursor): number {
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return b.lastAtMs - a.lastAtMs || text(a.operation, b.operation) || a.windowStartMs - b.windowStartMs || text(a.fingerprint, b.fingerprint);
}

/** Rows a warehouse keeps: older ones go when a new one is added. */
export const REMOTE_FAILURES_KEPT = 200;

export interface RemoteFailureStore {
  /** Counts the failure into its window's row (`windowMs` long, aligned to the epoch), adding the row if it is the first. */
  record(failure: RemoteFailureInput, windowMs: number): Promise<void>;
  /** The warehouse's newest rows, by their last failure, newest first. */
  recent(warehouse: string, limit: number): Promise<RemoteFailure[]>;
  /** The warehouse's rows in the listing's order (compareFailures), the first `limit` after `after`. */
  page(warehouse: string, limit: number, after?: RemoteFailureCursor): Promise<RemoteFailure[]>;
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
    const windowStartMs = Math.floor(f.atMs / windowMs) * windowMs;
    const key = JSON.stringify([f.warehouse, f.operation, f.code, f.message, windowStartMs]);
    const row = this.rows.get(key);
    const count = f.count ?? 1;
    const firstAtMs = f.firstAtMs ?? f.atMs;
    if (row) {
      row.count += count;
      row.firstAtMs = Math.min(row.firstAtMs, firstAtMs);
      row.lastAtMs = Math.max(row.lastAtMs, f.atMs);
      return;
    }
    const fingerprint = failureFingerprint(f.code, f.message);
    this.rows.set(key, {
      warehouse: f.warehouse,
      operation: f.operation,
      code: f.code,
      message: f.message,
      count,
      firstAtMs,
      lastAtMs: f.atMs,
      windowStartMs,
      fingerprint,
    });
    const mine = [...this.rows.entries()].filter(([, r]) => r.warehouse === f.warehouse).sort(([, a], [, b]) => b.lastAtMs - a.lastAtMs);
    const edge = mine[REMOTE_FAILURES_KEPT - 1]?.[1].lastAtMs;
    if (edge !== undefined) for (const [k, r] of mine) if (r.lastAtMs < edge) this.rows.delete(k);
  }

  async recent(warehouse: string, limit: number): Promise<RemoteFailure[]> {
    return this.page(warehouse, limit);
  }

  async page(warehouse: string, limit: number, after?: RemoteFailureCursor): Promise<RemoteFailure[]> {
    return [...this.rows.values()]
      .filter((r) => r.warehouse === warehouse && (after === undefined || compareFailures(after, r) < 0))
      .sort(compareFailures)
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

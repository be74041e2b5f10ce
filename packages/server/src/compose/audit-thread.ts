/**
 * The audit trail's batches written by a worker thread (node:worker_threads), main-thread side; SQLite only. Why:
 * better-sqlite3 is synchronous, so on the request thread every batch's INSERTs, its commit and the fsync that
 * `synchronous = FULL` waits for held the event loop: 5–10 ms a batch, hundreds of ms when the shared disk stalled,
 * with every request in flight waiting behind it (docs/benchmarks.md, stop 68). The thread opens its own connection
 * to the same WAL file (compose/audit-thread-entry.ts) and writes with the same code, `synchronous = FULL` kept.
 *
 * What the trail promises is unchanged (auth/audit.ts): a batch is stored whole or not at all, and insertAudit
 * resolves only after its batch is committed and synced (the thread acknowledges after the commit), so what flush()
 * awaits (the audit reader, shutdown, a request that fills a batch) is as durable as before. Group commit: batches
 * handed over while the thread writes are written together in its next transaction; one that fails there is written
 * again alone, so a bad batch never takes another down (a database outage fails them all, as it would have).
 *
 * A thread that dies fails the batches it had not acknowledged (the caller logs them, as a failed write always was)
 * and the next batch starts another. stop() lets the thread write what it was given, close its connection and
 * exit, waiting up to the shutdown grace before it terminates it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuditEvent, AuditWriter } from '../auth/ports.js';
import { CatalogError, type CatalogErrorCode } from '../errors/catalog-error.js';
import { stopThread } from './thread-stop.js';

/** What the thread gets at its start: the database file (migrated already). */
export interface AuditThreadData {
  file: string;
}

/** A batch's failure as it crosses the thread boundary (structured clone keeps neither class nor code). */
export interface ThreadError {
  message: string;
  name: string;
  /** A CatalogError's code, or the driver's (e.g. SQLITE_CONSTRAINT_PRIMARYKEY). */
  code?: string | undefined;
  /** Whether it was a CatalogError (an outage: ERR_UNAVAILABLE, a 503 at the edge). */
  catalog: boolean;
}

export type ToAuditThread = { type: 'write'; id: number; events: AuditEvent[] } | { type: 'stop' };
export type FromAuditThread =
  /** One transaction committed (and synced): the batches it held. */
  | { type: 'written'; ids: number[] }
  | { type: 'failed'; ids: number[]; error: ThreadError }
  /** The connection is open: its journal mode and `synchronous` level (2: FULL). */
  | { type: 'ready'; journalMode: string; synchronous: number }
  | { type: 'stopped' };

/** The thread's name (Node also names its OS thread after it, 15 characters kept). */
export const AUDIT_THREAD_NAME = 'lakegate-audit';

/** The built entry module (beside this one in dist/, or the package's dist/ from the sources); undefined when not built. */
export function auditThreadEntry(): URL | undefined {
  for (const candidate of ['./audit-thread-entry.js', '../../dist/compose/audit-thread-entry.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

export interface AuditThreadOptions {
  /** The SQLite database file. */
  file: string;
  /** How long stop() waits for the thread to finish (then it is terminated). */
  graceMs: number;
  warn: (message: string, detail: Record<string, unknown>) => void;
  /** The module the thread runs (default: auditThreadEntry()). */
  entry?: URL;
}

/** What the thread has written since this process started it: committed transactions, the batches and events in them. */
export interface AuditThreadCounts {
  transactions: number;
  batches: number;
  events: number;
}

interface InFlight {
  size: number;
  resolve(): void;
  reject(error: Error): void;
}

export class AuditThread implements AuditWriter {
  readonly ordered = true;
  readonly counts: AuditThreadCounts = { transactions: 0, batches: 0, events: 0 };
  /** The running thread's connection once open: journal mode and `synchronous` (2: FULL, every commit synced). */
  durability: { journalMode: string; synchronous: number } | undefined;
  private worker: Worker | undefined;
  private readonly inFlight = new Map<number, InFlight>();
  private nextId = 1;
  private stopped = false;
  private readonly entry: URL;

  constructor(private readonly o: AuditThreadOptions) {
    const entry = o.entry ?? auditThreadEntry();
    if (!entry) throw new TypeError('the audit thread module is not built (npm run build)');
    this.entry = entry;
  }

  /** The running thread's id (undefined before the first batch, after a death until the next one, and after stop()). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Resolves once the batch is committed and synced by the thread (batches are acknowledged in the order given). */
  insertAudit(events: AuditEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    if (this.stopped) return Promise.reject(new Error('the audit trail is closed'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.inFlight.set(id, { size: events.length, resolve, reject });
      // While a batch is unacknowledged the thread keeps the process alive (a write in progress is not dropped).
      if (this.inFlight.size === 1) worker.ref();
      worker.postMessage({ type: 'write', id, events } satisfies ToAuditThread);
    });
  }

  /** Writes what it was given, closes the thread's connection and ends it (terminated after the grace). */
  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    if (!worker) return;
    await stopThread(worker, { type: 'stop' } satisfies ToAuditThread, this.o.graceMs, () =>
      this.o.warn('the audit thread did not stop within the shutdown grace; terminated', { graceMs: this.o.graceMs }),
    );
  }

  private start(): Worker {
    const worker = new Worker(this.entry, { workerData: { file: this.o.file } satisfies AuditThreadData, name: AUDIT_THREAD_NAME });
    worker.unref();
    this.worker = worker;
    worker.on('message', (m: FromAuditThread) => this.received(m));
    worker.on('error', (err) => this.o.warn('the audit thread failed', { err: err instanceof Error ? err.message : String(err) }));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.durability = undefined;
      if (this.inFlight.size === 0) return;
      // Not acknowledged: perhaps committed, perhaps not; reported as failed (the events were logged when recorded).
      const lost = new Error(`the audit thread ended before acknowledging the batch (exit code ${code})`);
      const pending = [...this.inFlight.values()];
      this.inFlight.clear();
      for (const batch of pending) batch.reject(lost);
      if (!this.stopped) this.o.warn('the audit thread ended; the next batch starts another', { exitCode: code, batches: pending.length });
    });
    return worker;
  }

  private received(m: FromAuditThread): void {
    switch (m.type) {
      case 'written':
        this.counts.transactions++;
        for (const id of m.ids) {
          const batch = this.settle(id);
          if (!batch) continue;
          this.counts.batches++;
          this.counts.events += batch.size;
          batch.resolve();
        }
        return;
      case 'failed': {
        const error = rebuild(m.error);
        for (const id of m.ids) this.settle(id)?.reject(error);
        return;
      }
      case 'ready':
        this.durability = { journalMode: m.journalMode, synchronous: m.synchronous };
        return;
      case 'stopped':
        // Everything written and the connection closed: nothing is left to wait for.
        void this.worker?.terminate();
        return;
    }
  }

  private settle(id: number): InFlight | undefined {
    const batch = this.inFlight.get(id);
    this.inFlight.delete(id);
    if (batch && this.inFlight.size === 0) this.worker?.unref();
    return batch;
  }
}

/** The error as the thread's store raised it: a CatalogError keeps its class and code (an outage stays a 503), a driver's error its name and code. */
function rebuild(e: ThreadError): Error {
  if (e.catalog) return new CatalogError(e.code as CatalogErrorCode, e.message);
  return Object.assign(new Error(e.message), { name: e.name }, e.code === undefined ? {} : { code: e.code });
}

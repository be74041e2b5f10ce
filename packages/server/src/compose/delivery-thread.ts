/**
 * Change-event delivery in a worker thread (node:worker_threads), main-thread side. Why: a delivery round reads the
 * outbox synchronously (better-sqlite3), builds the CloudEvents and encodes the sinks' requests; on the server's one
 * event loop, commits that arrive meanwhile wait, and the commit p99 at saturation was 1.5-1.8x worse with a Kafka
 * sink on than off (docs/benchmarks-event-sinks.md). The thread runs the same EventDelivery (compose/delivery.ts) on
 * its own store connection (SQLite: its own two connections on the same WAL file; PostgreSQL: a pool of two), under
 * the same lease and holder name, so at most one deliverer of the cluster is active at a time.
 *
 * The thread posts small messages: the delivered/failed counts and the lag (applied here to the same /metrics
 * objects), and its warnings (written by the main logger). A thread that dies unexpectedly is logged and started
 * again after a backoff (1 s doubling, at most 30 s); what it had sent but not recorded is sent again (at least
 * once, as after a crash). stop() asks the thread to stop its delivery (the lease released, the sinks closed) and
 * close its store, waits up to the shutdown grace, then terminates it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DeliveryMetrics } from '../catalog/outbox/delivery.js';
import type { LakegateConfig } from '../config/config.js';
import type { ThreadPolicy } from '../runtime/thread-priority.js';
import { stopThread } from './thread-stop.js';

/** What the thread gets at its start (structured-cloned: plain data only). */
export interface ThreadData {
  config: LakegateConfig;
  /** The server's secret key: opens the sink secrets (SecretBox). Never logged. */
  secretKey: Uint8Array;
  holder: string;
  baseUrl: string;
}

export type ToThread = { type: 'base-url'; url: string } | { type: 'stop' };
export type FromThread =
  | { type: 'delivered'; kind: string; count: number; lagSeconds: number }
  | { type: 'failed'; kind: string }
  | { type: 'warn'; message: string; detail: Record<string, unknown> }
  | { type: 'stopped' }
  /** The thread's OS task id and scheduling once it lowered its own priority, and at each change (Linux; runtime/thread-priority.ts). */
  | { type: 'priority'; tid: number; niceness: number; policy: ThreadPolicy };

export interface DeliveryThreadOptions {
  config: LakegateConfig;
  secretKey: Uint8Array;
  holder: string;
  baseUrl: () => string;
  metrics: DeliveryMetrics;
  warn: (message: string, detail: Record<string, unknown>) => void;
  /** How long stop() waits for the thread to finish (then it is terminated). */
  graceMs: number;
  /** The module the thread runs (default: threadEntry()). */
  entry?: URL;
  /** First and longest wait before a thread that died is started again. */
  restart?: { firstMs: number; maxMs: number };
}

/**
 * The built entry module: beside this one when running from dist/; from the TypeScript sources (the tests), the
 * package's dist/ (a Worker runs JavaScript). Undefined when neither exists: the caller delivers in-process.
 */
export function threadEntry(): URL | undefined {
  for (const candidate of ['./delivery-thread-entry.js', '../../dist/compose/delivery-thread-entry.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/** The thread's name (Node 24 also names its OS thread after it, 15 characters kept). */
export const THREAD_NAME = 'lakegate-event-delivery';

export class DeliveryThread {
  private worker: Worker | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** Deaths in a row of threads that lived shorter than the longest backoff. */
  private deaths = 0;
  private sentUrl = '';
  private readonly entry: URL;
  private readonly restart: { firstMs: number; maxMs: number };

  constructor(private readonly o: DeliveryThreadOptions) {
    const entry = o.entry ?? threadEntry();
    if (!entry) throw new TypeError('the delivery thread module is not built (npm run build)');
    this.entry = entry;
    this.restart = o.restart ?? { firstMs: 1000, maxMs: 30_000 };
  }

  /** The running thread's OS task id, niceness and policy, once it has lowered its priority (Linux only). */
  osThread: { tid: number; niceness: number; policy: ThreadPolicy } | undefined;

  /** The running thread's id (undefined between a death and its replacement, and after stop()). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  start(): void {
    if (this.stopping || this.worker) return;
    this.sentUrl = this.o.baseUrl();
    // The thread needs no other secret of the config (the key comes opened; OpenFGA is not its business).
    const config: LakegateConfig = { ...this.o.config, secretKey: '', openfgaToken: '' };
    const data: ThreadData = { config, secretKey: this.o.secretKey, holder: this.o.holder, baseUrl: this.sentUrl };
    const worker = new Worker(this.entry, { workerData: data, name: THREAD_NAME });
    // Like the in-process delivery's timers: the thread alone does not keep the process alive.
    worker.unref();
    const startedAt = Date.now();
    this.worker = worker;
    worker.on('message', (m: FromThread) => this.received(m, worker));
    worker.on('error', (err) => this.o.warn('the event delivery thread failed', { err: err instanceof Error ? err.message : String(err) }));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (this.stopping) return;
      this.deaths = Date.now() - startedAt >= this.restart.maxMs ? 1 : this.deaths + 1;
      const delayMs = Math.min(this.restart.maxMs, this.restart.firstMs * 2 ** Math.min(this.deaths - 1, 30));
      this.o.warn('the event delivery thread ended; starting another', { exitCode: code, restartInMs: delayMs });
      this.restartTimer = setTimeout(() => this.start(), delayMs).unref();
    });
  }

  /** The server's public URL changed (set once it listens): the thread's events carry it as their source. */
  baseUrlChanged(): void {
    const url = this.o.baseUrl();
    if (url === this.sentUrl) return;
    this.sentUrl = url;
    this.worker?.postMessage({ type: 'base-url', url } satisfies ToThread);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    await stopThread(worker, { type: 'stop' } satisfies ToThread, this.o.graceMs, () =>
      this.o.warn('the event delivery thread did not stop within the shutdown grace; terminated', { graceMs: this.o.graceMs }),
    );
  }

  private received(m: FromThread, worker: Worker): void {
    switch (m.type) {
      case 'delivered':
        this.o.metrics.delivered(m.kind, m.count, m.lagSeconds);
        return;
      case 'failed':
        this.o.metrics.failed(m.kind);
        return;
      case 'warn':
        this.o.warn(m.message, m.detail);
        return;
      case 'priority':
        this.osThread = { tid: m.tid, niceness: m.niceness, policy: m.policy };
        return;
      case 'stopped':
        // Lease released, sinks and store closed: nothing is left to wait for (a lingering socket of a client
        // library would otherwise hold the thread until the grace ran out).
        void worker.terminate();
        return;
    }
  }
}

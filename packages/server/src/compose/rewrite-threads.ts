/**
 * Parquet rewrites (policy-enforced files, compaction) in worker threads, main-thread side: an adapter of the
 * DataFileRewriter port (catalog/planning/rewrite-ports.ts) that hands each rewrite to a small pool of threads
 * (compose/rewrite-thread-entry.ts), so a row group's decode and encode (parquet-wasm, WebAssembly) no longer holds
 * the event loop that answers requests. Why a thread and not yielding: the job already yields between groups, but one
 * group's rewrite ran uninterrupted on the request thread (docs/maintenance.md, "CPU").
 *
 * A job carries what the thread needs and nothing more: the request without its signal, a scratch directory made
 * here (removed here whatever becomes of the thread), and the warehouse storage's recipe (profile and opened
 * secret, storage/warehouse-storage.ts) so the thread opens the storage itself. A storage without a recipe (one an
 * embedding program or a test built) is rewritten in this thread, as before.
 *
 * Threads start at the first job (a server whose tables have no policies and never compact pays nothing) and each
 * runs one job at a time; jobs wait in order. A job ends with the thread's answer (the same CatalogError the
 * in-process rewriter throws), with its caller's signal (a waiting job leaves the queue; a running one's thread is
 * terminated and replaced, since WebAssembly cannot be interrupted), when the thread dies (ERR_UNAVAILABLE naming the
 * exit; the next job gets a new thread), or at close(). Priority as the event delivery thread's
 * (runtime/thread-priority.ts): niceness 10, then SCHED_IDLE where the system lets it; a job that has waited
 * RAISE_AT_S since it was asked for runs at niceness 10 until a job is answered within LOWER_BELOW_S again, so a
 * saturated CPU delays a rewrite but never starves it.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ObjectStorage } from '../catalog/ports/index.js';
import type { DataFileRewriter, RewriteRequest, RewrittenFile } from '../catalog/planning/rewrite-ports.js';
import { CatalogError } from '../errors/catalog-error.js';
import { LagGovernor, type ThreadPolicy, setThreadPolicy } from '../runtime/thread-priority.js';
import type { StorageRecipe } from '../storage/warehouse-storage.js';
import { type FromRewriteThread, type ToRewriteThread, fromWire, wireRequest } from './rewrite-thread-wire.js';

/** Seconds a job may have waited (queued and running) before its thread leaves SCHED_IDLE, and below which it goes back. */
const RAISE_AT_S = 2;
const LOWER_BELOW_S = 0.5;
const GOVERNOR_TICK_MS = 250;

/** The thread's name (Node names the OS thread after it, 15 characters kept: `lakegate-parque`). */
export const REWRITE_THREAD_NAME = 'lakegate-parquet-rewrite';

/** The built entry module (as compose/delivery-thread.ts threadEntry): beside this one in dist/, else the package's dist/. */
export function rewriteThreadEntry(): URL | undefined {
  for (const candidate of ['./rewrite-thread-entry.js', '../../dist/compose/rewrite-thread-entry.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

export interface RewriteThreadsOptions {
  /** How many threads (1 or more). */
  threads: number;
  /** The recipe of a storage WarehouseStorage built, else undefined (then the job runs in this thread). */
  recipeOf(storage: ObjectStorage): StorageRecipe | undefined;
  /** The rewriter of this thread, for storages without a recipe. */
  inProcess(storage: ObjectStorage): DataFileRewriter;
  warn(message: string, detail: Record<string, unknown>): void;
  /** The module the threads run (default: rewriteThreadEntry()). */
  entry?: URL;
  /** Changes an OS thread's policy (default: runtime/thread-priority.ts setThreadPolicy). */
  setPolicy?: (tid: number, policy: ThreadPolicy, niceness: number) => Promise<boolean>;
}

interface Job {
  id: number;
  request: RewriteRequest;
  recipe: StorageRecipe;
  askedAt: number;
  resolve(file: RewrittenFile): void;
  reject(e: unknown): void;
  dir?: string;
  abort?: () => void;
}

interface Slot {
  worker: Worker;
  job?: Job | undefined;
  governor?: LagGovernor;
  /** Why the thread failed (its 'error' event comes before its exit). */
  failure?: string;
}

export class RewriteThreads {
  private readonly slots: (Slot | undefined)[];
  private readonly queue: Job[] = [];
  private readonly entry: URL;
  private closed = false;
  private nextId = 1;
  private tick: NodeJS.Timeout | undefined;

  constructor(private readonly o: RewriteThreadsOptions) {
    if (!Number.isInteger(o.threads) || o.threads < 1) throw new TypeError('RewriteThreads needs 1 thread or more');
    const entry = o.entry ?? rewriteThreadEntry();
    if (!entry) throw new TypeError('the rewrite thread module is not built (npm run build)');
    this.entry = entry;
    this.slots = Array.from({ length: o.threads }, () => undefined);
  }

  /** The port for one storage (the composition root's `rewriter` factory). */
  rewriterFor(storage: ObjectStorage): DataFileRewriter {
    const recipe = this.o.recipeOf(storage);
    if (recipe === undefined) return this.o.inProcess(storage);
    return { rewrite: (request) => this.submit(request, recipe), parallelism: this.slots.length };
  }

  /** Running threads' ids (for tests and diagnostics). */
  get threadIds(): number[] {
    return this.slots.flatMap((s) => (s ? [s.worker.threadId] : []));
  }

  /** Jobs waiting for a thread and jobs running. */
  get load(): { queued: number; running: number } {
    return { queued: this.queue.length, running: this.slots.filter((s) => s?.job).length };
  }

  /** Fails every waiting and running job (ERR_UNAVAILABLE) and terminates the threads. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.tick);
    const shutdown = new CatalogError('ERR_UNAVAILABLE', 'the server is shutting down; the Parquet rewrite was stopped');
    for (const job of this.queue.splice(0)) this.settle(job, () => job.reject(shutdown));
    const ending: Promise<unknown>[] = [];
    this.slots.forEach((slot, i) => {
      if (!slot) return;
      this.slots[i] = undefined;
      const job = slot.job;
      slot.job = undefined;
      const terminated = slot.worker.terminate();
      if (job) this.settle(job, () => job.reject(shutdown), terminated);
      ending.push(terminated);
    });
    await Promise.all(ending);
  }

  private submit(request: RewriteRequest, recipe: StorageRecipe): Promise<RewrittenFile> {
    if (this.closed) return Promise.reject(new CatalogError('ERR_UNAVAILABLE', 'the server is shutting down'));
    const { signal } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<RewrittenFile>((resolve, reject) => {
      const job: Job = { id: this.nextId++, request, recipe, askedAt: Date.now(), resolve, reject };
      if (signal) {
        job.abort = () => this.aborted(job, signal.reason);
        signal.addEventListener('abort', job.abort, { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  /** Starts waiting jobs on free threads (a thread is started for a free slot that has none). */
  private pump(): void {
    for (let i = 0; i < this.slots.length && this.queue.length > 0; i++) {
      if (this.slots[i]?.job) continue;
      const slot = (this.slots[i] ??= this.spawn(i));
      const job = this.queue.shift()!;
      slot.job = job;
      try {
        job.dir = mkdtempSync(path.join(tmpdir(), 'lakegate-rewrite-'));
        const message: ToRewriteThread = { type: 'job', id: job.id, request: wireRequest(job.request), dir: job.dir, storage: job.recipe };
        slot.worker.postMessage(message);
      } catch (e) {
        slot.job = undefined;
        this.settle(job, () => job.reject(e));
      }
    }
    if (this.tick === undefined && this.slots.some((s) => s?.job)) {
      this.tick = setInterval(() => this.observeWaits(), GOVERNOR_TICK_MS).unref();
    }
  }

  private spawn(index: number): Slot {
    const worker = new Worker(this.entry, { name: REWRITE_THREAD_NAME });
    // Like the delivery thread: the threads alone do not keep the process alive (a job's caller does).
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (m: FromRewriteThread) => this.received(slot, m));
    worker.on('error', (err) => (slot.failure = err instanceof Error ? err.message : String(err)));
    worker.on('exit', (code) => {
      if (this.slots[index] !== slot) return;
      this.slots[index] = undefined;
      const job = slot.job;
      if (!job) return;
      const why = slot.failure ?? `exit code ${code}`;
      this.o.warn('a Parquet rewrite thread ended during a rewrite; the rewrite failed and the next one gets a new thread', { reason: why });
      this.settle(job, () => job.reject(new CatalogError('ERR_UNAVAILABLE', `the Parquet rewrite thread ended during the rewrite (${why}); try again`)));
      this.pump();
    });
    return slot;
  }

  private received(slot: Slot, m: FromRewriteThread): void {
    if (m.type === 'priority') {
      const setPolicy = this.o.setPolicy ?? setThreadPolicy;
      slot.governor = new LagGovernor({ set: (policy) => setPolicy(m.tid, policy, m.niceness), raiseAtSeconds: RAISE_AT_S, lowerBelowSeconds: LOWER_BELOW_S });
      void slot.governor.start();
      return;
    }
    const job = slot.job;
    if (job?.id !== m.id) return;
    slot.job = undefined;
    slot.governor?.observe((Date.now() - job.askedAt) / 1000);
    this.settle(job, () => (m.type === 'done' ? job.resolve(m.file) : job.reject(fromWire(m.error))));
    this.pump();
  }

  /** The caller gave up: a waiting job leaves the queue, a running one's thread is terminated (replaced at the next job). */
  private aborted(job: Job, reason: unknown): void {
    const waiting = this.queue.indexOf(job);
    if (waiting >= 0) this.queue.splice(waiting, 1);
    const index = this.slots.findIndex((s) => s?.job === job);
    let terminated: Promise<unknown> | undefined;
    if (index >= 0) {
      const slot = this.slots[index]!;
      this.slots[index] = undefined;
      slot.job = undefined;
      terminated = slot.worker.terminate();
    }
    if (waiting >= 0 || index >= 0) this.settle(job, () => job.reject(reason), terminated);
    this.pump();
  }

  /** Ends a job: its abort listener goes, its caller is answered, and its scratch directory is removed (once its thread has ended, when it is being terminated). */
  private settle(job: Job, answer: () => void, threadEnded: Promise<unknown> = Promise.resolve()): void {
    if (job.abort) job.request.signal?.removeEventListener('abort', job.abort);
    const dir = job.dir;
    job.dir = undefined;
    answer();
    if (dir !== undefined)
      void threadEnded
        .catch(() => undefined)
        .then(() => rm(dir, { recursive: true, force: true }))
        .catch((err: unknown) => this.o.warn('removing a Parquet rewrite scratch directory failed', { err: err instanceof Error ? err.message : String(err) }));
  }

  private observeWaits(): void {
    const now = Date.now();
    let busy = false;
    for (const slot of this.slots) {
      if (!slot?.job) continue;
      busy = true;
      slot.governor?.observe((now - slot.job.askedAt) / 1000);
    }
    if (!busy) {
      clearInterval(this.tick);
      this.tick = undefined;
    }
  }
}

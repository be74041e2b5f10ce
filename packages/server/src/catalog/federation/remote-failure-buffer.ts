/**
 * The remote failure history's write path during an outage (docs/federation.md, "The remote's failures"). Without it,
 * every failing request is one write to the catalog database (an upsert into its window's row): an outage that fails
 * every request doubles the database's load exactly when things are going wrong. With it, a process writes the first
 * failure of a kind (warehouse, operation, error, window) at once, so the history shows an outage from its first
 * failure, then holds back that kind's repeats and writes them as one count, at most once per REMOTE_FAILURE_FLUSH_MS:
 * one write per kind per 10 s per process, however many requests fail. Nothing is lost but what a crash takes (at most
 * the last 10 s of repeats, counted in the metric already); reading this process's history writes what it holds first,
 * so its status and listing count every failure it saw, and another replica's answer lags by at most the interval.
 *
 * Every failure is also counted, as it happens, in the remote-failure metric (warehouse, operation, code: never a
 * message, which may name the remote's address).
 */
import { BoundedMap } from '../bounded-map.js';
import type { Clock } from '../ports/index.js';
import type { RemoteFailure, RemoteFailureCursor, RemoteFailureInput, RemoteFailureStore, RemoteOperation } from '../ports/remote-failures.js';

/** A kind of failure is written at most this often per process; its repeats in between are one count. */
export const REMOTE_FAILURE_FLUSH_MS = 10_000;
/** Kinds held back at once, at most; past it a failure is written through (a bound on memory, never on the history). */
const MAX_HELD = 10_000;

/** Counts failures talking to federated warehouses' remotes (observability/federation-metrics.ts exposes it). */
export interface RemoteFailureMetrics {
  failed(warehouse: string, operation: RemoteOperation, code: string, count: number): void;
}

interface Held {
  failure: RemoteFailureInput & { count: number; firstAtMs: number };
  windowMs: number;
}

export class RemoteFailureBuffer implements RemoteFailureStore {
  /** When this process last wrote each kind. */
  private readonly written = new BoundedMap<string, number>({ maxEntries: MAX_HELD });
  private readonly held = new Map<string, Held>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: RemoteFailureStore,
    private readonly clock: Clock,
    private readonly metrics?: RemoteFailureMetrics,
    private readonly flushMs = REMOTE_FAILURE_FLUSH_MS,
  ) {}

  async record(f: RemoteFailureInput, windowMs: number): Promise<void> {
    const count = f.count ?? 1;
    this.metrics?.failed(f.warehouse, f.operation, f.code, count);
    const key = JSON.stringify([f.warehouse, f.operation, f.code, f.message, Math.floor(f.atMs / windowMs)]);
    const held = this.held.get(key);
    if (held) {
      held.failure.count += count;
      held.failure.firstAtMs = Math.min(held.failure.firstAtMs, f.firstAtMs ?? f.atMs);
      held.failure.atMs = Math.max(held.failure.atMs, f.atMs);
      return;
    }
    const now = this.clock.now();
    const last = this.written.get(key);
    if (last === undefined || now - last >= this.flushMs || this.held.size >= MAX_HELD) {
      this.written.set(key, now);
      return this.store.record(f, windowMs);
    }
    this.held.set(key, { failure: { ...f, count, firstAtMs: f.firstAtMs ?? f.atMs }, windowMs });
    this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), Math.max(0, last + this.flushMs - now));
    this.timer.unref?.();
  }

  /** Writes every count held back (at a read, at the interval, at close). A write that fails loses that count only. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.held.entries()];
    this.held.clear();
    const now = this.clock.now();
    const writes = batch.map(([key, { failure, windowMs }]) => {
      this.written.set(key, now);
      return this.store.record(failure, windowMs).catch(() => undefined);
    });
    this.flushing = this.flushing.then(() => Promise.all(writes)).then(() => undefined);
    await this.flushing;
  }

  async recent(warehouse: string, limit: number): Promise<RemoteFailure[]> {
    await this.flush();
    return this.store.recent(warehouse, limit);
  }

  async page(warehouse: string, limit: number, after?: RemoteFailureCursor): Promise<RemoteFailure[]> {
    await this.flush();
    return this.store.page(warehouse, limit, after);
  }

  answered(warehouse: string, atMs: number): Promise<void> {
    return this.store.answered(warehouse, atMs);
  }

  lastAnswered(warehouse: string): Promise<number | undefined> {
    return this.store.lastAnswered(warehouse);
  }
}

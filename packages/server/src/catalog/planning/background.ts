/**
 * Where async plans run: a per-process queue with bounded concurrency (background plans at once) and a bounded
 * backlog, so a burst of large scans cannot take every core or hold unbounded work. Each plan gets an
 * AbortSignal that cancelPlanning fires; the plan checks it between manifests. Node has no bounded job queue
 * that also cancels queued jobs by key, and this is a few lines, so it is written here.
 *
 * With a `lease`, every plan running or waiting here has its lease renewed in the shared plan store every
 * `everyMs` (one batched call); a plan the store no longer answers as submitted (cancelled on another replica,
 * settled failed because a lease lapsed, expired) is aborted here. Were this process to die, the renewals stop
 * and another process takes the plans over once their lease lapses (takeover.ts); stopping (server shutdown) hands
 * them over at once: their leases are released, never settled failed. An aborted plan settles nothing: whoever
 * aborted it (a cancel, the store, a stop) has decided its state. A lease is held with the takeover count the
 * process got it with (HeldLease): a process that stalled past its lease and was taken over meanwhile finds its
 * renewal refused at its next beat and aborts its run, so the plan is not planned twice at once.
 */
import type { HeldLease } from '../ports/planning.js';

export interface PlanLease {
  everyMs: number;
  /** Renews `leases`; answers the ids of those still held (submitted, and not taken over since). */
  renew(leases: readonly HeldLease[]): Promise<string[]>;
  /** Ends `leases` now (this process stops), so another process may take them over at once. */
  release(leases: readonly HeldLease[]): Promise<unknown>;
}

export type BackgroundWork = (signal: AbortSignal) => Promise<void>;

export class BackgroundPlans {
  private running = 0;
  private readonly queue: Array<{ id: string; work: BackgroundWork; controller: AbortController }> = [];
  /** Plans running or waiting here: their abort, and the takeover count their lease is held with. */
  private readonly active = new Map<string, { controller: AbortController; takeovers: number }>();
  private readonly drained: Array<() => void> = [];
  private renewing: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
    private readonly lease?: PlanLease,
  ) {
    if (!(concurrency >= 1) || !(maxQueued >= 0)) throw new TypeError('BackgroundPlans needs concurrency >= 1 and maxQueued >= 0');
  }

  /** One renewal of every lease held here; plans no longer submitted in the store are aborted. */
  async renew(): Promise<void> {
    if (!this.lease || this.active.size === 0) return;
    const held = this.held();
    let alive: Set<string>;
    try {
      alive = new Set(await this.lease.renew(held));
    } catch {
      // The database did not answer: keep planning; the lease lapses if it stays away.
      return;
    }
    for (const { id, takeovers } of held) {
      const entry = this.active.get(id);
      // (the same run: a plan resubmitted here meanwhile holds its own lease)
      if (!alive.has(id) && entry?.takeovers === takeovers) entry.controller.abort();
    }
  }

  /**
   * Queues the work of plan `id`, whose lease this process holds with `takeovers` (0 when it submitted the plan, n
   * when its claim was the n-th takeover); false (nothing queued) when the backlog is full.
   */
  submit(id: string, work: BackgroundWork, takeovers = 0): boolean {
    if (!this.hasRoom) return false;
    const controller = new AbortController();
    this.active.set(id, { controller, takeovers });
    this.queue.push({ id, work, controller });
    if (this.lease && this.renewing === undefined) {
      this.renewing = setInterval(() => void this.renew(), this.lease.everyMs);
      this.renewing.unref();
    }
    this.pump();
    return true;
  }

  /** Aborts plan `id`, running or queued (a queued one never starts). */
  cancel(id: string): void {
    this.active.get(id)?.controller.abort();
  }

  /** Aborts every plan, running or waiting, resolves once they have stopped, and releases their leases (server shutdown). */
  async stop(): Promise<void> {
    const held = this.held();
    for (const { controller } of this.active.values()) controller.abort();
    await this.idle();
    // Best effort: a plan whose release is lost is taken over once its lease lapses instead.
    if (this.lease && held.length > 0) await this.lease.release(held).catch(() => undefined);
  }

  /** Drops plan `id`'s entry if it is still this run's (not a later run of the same plan, taken over here again). */
  private forget(id: string, controller: AbortController): void {
    if (this.active.get(id)?.controller === controller) this.active.delete(id);
  }

  private held(): HeldLease[] {
    return [...this.active].map(([id, { takeovers }]) => ({ id, takeovers }));
  }

  /** Whether a plan submitted now would run or wait here (not refused for a full backlog). */
  get hasRoom(): boolean {
    return this.running < this.concurrency || this.queue.length < this.maxQueued;
  }

  /** Plans running or waiting. */
  get size(): number {
    return this.running + this.queue.length;
  }

  /** Resolves once nothing runs or waits (tests, shutdown). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (next.controller.signal.aborted) {
        this.forget(next.id, next.controller);
        continue;
      }
      this.running++;
      // The work settles its own plan (completed or failed); a throw here is a bug, not the caller's.
      void next
        .work(next.controller.signal)
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.forget(next.id, next.controller);
          this.pump();
        });
    }
    if (this.size === 0) {
      clearInterval(this.renewing);
      this.renewing = undefined;
      for (const resolve of this.drained.splice(0)) resolve();
    }
  }
}

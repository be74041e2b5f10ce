/**
 * Where async plans run: a per-process queue with bounded concurrency (background plans at once) and a bounded
 * backlog, so a burst of large scans cannot take every core or hold unbounded work. Each plan gets an
 * AbortSignal that cancelPlanning fires; the plan checks it between manifests. Node has no bounded job queue
 * that also cancels queued jobs by key, and this is a few lines, so it is written here.
 *
 * With a `lease`, every plan running or waiting here has its lease renewed in the shared plan store every
 * `everyMs` (one batched call); a plan the store no longer answers as submitted (cancelled on another replica,
 * settled failed because a lease lapsed, expired) is aborted here. Were this process to die, the renewals stop
 * and the plans are answered failed once their lease lapses (plan-keeping.ts).
 */
export interface PlanLease {
  everyMs: number;
  /** Renews the leases of `ids`; answers those still submitted. */
  renew(ids: readonly string[]): Promise<string[]>;
}

export type BackgroundWork = (signal: AbortSignal) => Promise<void>;

export class BackgroundPlans {
  private running = 0;
  private readonly queue: Array<{ id: string; work: BackgroundWork; controller: AbortController }> = [];
  private readonly active = new Map<string, AbortController>();
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
    const ids = [...this.active.keys()];
    let alive: Set<string>;
    try {
      alive = new Set(await this.lease.renew(ids));
    } catch {
      // The database did not answer: keep planning; the lease lapses if it stays away.
      return;
    }
    for (const id of ids) if (!alive.has(id)) this.active.get(id)?.abort();
  }

  /** Queues the work of plan `id`; false (nothing queued) when the backlog is full. */
  submit(id: string, work: BackgroundWork): boolean {
    if (this.running >= this.concurrency && this.queue.length >= this.maxQueued) return false;
    const controller = new AbortController();
    this.active.set(id, controller);
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
    this.active.get(id)?.abort();
  }

  /** Aborts every plan, running or waiting, and resolves once they have stopped (server shutdown). */
  async stop(): Promise<void> {
    for (const controller of this.active.values()) controller.abort();
    await this.idle();
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
        this.active.delete(next.id);
        continue;
      }
      this.running++;
      // The work settles its own plan (completed or failed); a throw here is a bug, not the caller's.
      void next
        .work(next.controller.signal)
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.active.delete(next.id);
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

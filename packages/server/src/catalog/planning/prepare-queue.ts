/**
 * Where background preparation runs (prepare-policy-files.ts): one job at a time per process, a bounded backlog, one
 * entry per key however often it is asked for (coalescing), and every job abortable. A job asked for again while it
 * runs is aborted (what it prepares is no longer current: a newer commit or policy change asked again) and queued
 * once more, so it starts over from the state that holds now (`follow` queues it behind the running one instead,
 * unaborted: a change that leaves what runs valid). A full backlog drops the request: the work is an
 * optimization, and the plan that needs it does it itself. Like BackgroundPlans (background.ts), a few lines written
 * here because no bounded queue in Node coalesces by key and aborts a running job.
 */
/** Resolves 'superseded' when it stopped because what it prepared was no longer current (found by the job itself). */
export type PrepareWork = (signal: AbortSignal) => Promise<'superseded' | void>;

export type PrepareOutcome = 'completed' | 'superseded' | 'dropped' | 'failed';

export class PrepareQueue {
  private readonly queue = new Map<string, PrepareWork>();
  private running: { key: string; controller: AbortController } | undefined;
  private readonly drained: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly maxQueued: number,
    private readonly outcome: (o: PrepareOutcome) => void = () => undefined,
    /** Told the number of jobs running or waiting whenever it may have changed (a gauge). */
    private readonly sized: (size: number) => void = () => undefined,
  ) {
    if (!(maxQueued >= 1)) throw new TypeError('PrepareQueue needs maxQueued >= 1');
  }

  /** Asks for `work` under `key` (see the opening comment); false when it was dropped. */
  schedule(key: string, work: PrepareWork): boolean {
    if (this.stopped) return false;
    if (this.running?.key === key) this.running.controller.abort();
    if (this.full(key)) return false;
    // Re-inserted: the latest request of a key waits its turn behind the others.
    this.queue.delete(key);
    this.queue.set(key, work);
    this.pump();
    return true;
  }

  /**
   * Asks for `work` under `key` unless that key already runs or waits (then that request stands, unaborted, and this
   * one merges into it): the startup catch-up, which must not restart a preparation a commit asked for. False when
   * it was dropped.
   */
  offer(key: string, work: PrepareWork): boolean {
    if (this.running?.key === key || this.queue.has(key)) return !this.stopped;
    return this.schedule(key, work);
  }

  /**
   * Asks for `work` under `key` without aborting a running job of that key: merged into a request of the key that
   * waits (it reads the state when it starts), else queued, behind the running job of the key too (which may have
   * read the state before the change that asks). A role membership change: what runs stays valid, only the role
   * holders it read may be older. False when it was dropped.
   */
  follow(key: string, work: PrepareWork): boolean {
    if (this.stopped) return false;
    if (this.queue.has(key)) return true;
    if (this.full(key)) return false;
    this.queue.set(key, work);
    this.pump();
    return true;
  }

  /** Jobs running or waiting. */
  get size(): number {
    return this.queue.size + (this.running === undefined ? 0 : 1);
  }

  /** Resolves once nothing runs or waits (tests, benchmarks, shutdown). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drained.push(resolve));
  }

  /** Drops what waits, aborts what runs and resolves once it stopped (server shutdown); nothing is taken after. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.clear();
    this.running?.controller.abort();
    await this.idle();
  }

  /** Whether a request of a key not waiting yet finds the backlog full (then it is dropped, and counted). */
  private full(key: string): boolean {
    if (this.queue.has(key) || this.queue.size < this.maxQueued) return false;
    this.outcome('dropped');
    this.sized(this.size);
    return true;
  }

  private pump(): void {
    this.next();
    this.sized(this.size);
  }

  private next(): void {
    if (this.running !== undefined) return;
    const next = this.queue.entries().next();
    if (next.done) {
      for (const resolve of this.drained.splice(0)) resolve();
      return;
    }
    const [key, work] = next.value;
    this.queue.delete(key);
    const controller = new AbortController();
    this.running = { key, controller };
    void work(controller.signal)
      .then(
        (ended) => this.outcome(controller.signal.aborted ? 'superseded' : (ended ?? 'completed')),
        () => this.outcome(controller.signal.aborted ? 'superseded' : 'failed'),
      )
      .finally(() => {
        this.running = undefined;
        this.pump();
      });
  }
}

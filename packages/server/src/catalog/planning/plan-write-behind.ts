/**
 * Plans answered `completed` at once are written behind their answer, a batch at a time (one transaction per
 * batch, within WINDOW_MS or once MAX_BATCH are waiting), instead of one write on each plan's path: a plan of a small
 * table answered from the plan cache (plan-cache.ts) otherwise spent most of its CPU on its own row (issue 55).
 *
 * What a completed plan's row is for comes later, and mostly from the same client: fetchPlanningResult, cancelPlanning,
 * loadCredentials?planId= (credentials refreshed minutes on), and a plan task's check that its plan was not
 * cancelled (a missing row is not a cancelled one). Every read and write through this store waits for the rows
 * still waiting here first, so in this process a plan is seen as soon as it is answered. Another process or replica
 * sees it within WINDOW_MS plus one write; a process that dies meanwhile loses the waiting rows, and those plan ids
 * answer 404 as expired ones do: the client plans again. Submitted (async) plans and every other change are written
 * before they are answered, as before: another replica polls them at once.
 */
import type { HeldLease, PlanStore, StoredPlan } from '../ports/planning.js';

const WINDOW_MS = 10;
const MAX_BATCH = 256;

export class WriteBehindPlans implements PlanStore {
  private waiting: StoredPlan[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: PlanStore,
    /** Told of a batch that could not be written (its plans are lost: their ids answer 404). */
    private readonly onError: (err: unknown, plans: number) => void = () => undefined,
  ) {}

  async put(plan: StoredPlan): Promise<void> {
    if (plan.status !== 'completed') {
      await this.flush();
      return this.store.put(plan);
    }
    this.waiting.push(structuredClone(plan));
    if (this.waiting.length >= MAX_BATCH) void this.flush().catch(() => undefined);
    else this.timer ??= setTimeout(() => void this.flush().catch(() => undefined), WINDOW_MS);
  }

  async putAll(plans: readonly StoredPlan[]): Promise<void> {
    await this.flush();
    return this.store.putAll(plans);
  }

  async get(id: string, nowMs: number): Promise<StoredPlan | undefined> {
    await this.flush();
    return this.store.get(id, nowMs);
  }

  async cancel(id: string, nowMs: number): Promise<boolean> {
    await this.flush();
    return this.store.cancel(id, nowMs);
  }

  async settle(id: string, nowMs: number, outcome: Pick<StoredPlan, 'status' | 'result' | 'error'>): Promise<boolean> {
    await this.flush();
    return this.store.settle(id, nowMs, outcome);
  }

  async heartbeat(leases: readonly HeldLease[], nowMs: number, leaseUntilMs: number): Promise<string[]> {
    await this.flush();
    return this.store.heartbeat(leases, nowMs, leaseUntilMs);
  }

  async claim(id: string, nowMs: number, leaseUntilMs: number, maxTakeovers: number): Promise<boolean> {
    await this.flush();
    return this.store.claim(id, nowMs, leaseUntilMs, maxTakeovers);
  }

  async sweep(nowMs: number, limit: number): Promise<number> {
    await this.flush();
    return this.store.sweep(nowMs, limit);
  }

  /** Writes every waiting plan; resolves once they are stored (or, failing that, reported to onError). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    // One batch after the other, so a later read never overtakes an earlier batch still being written.
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.store.putAll(batch);
      } catch (err) {
        this.onError(err, batch.length);
      }
    });
    return this.writing;
  }
}

/**
 * The in-memory PlanStore: the reference the database adapters (persistence/kysely-plan-store.ts) are held to by
 * one contract suite (test/persistence/plan-store-contract.ts), and the store of tests and of a single process
 * with no shared database. Plans are copied in and out, as a row would be. Bounded: past `maxPlans` the oldest
 * plans are forgotten first (their plan tasks keep working, being stateless; only fetchPlanningResult and
 * cancelPlanning of a forgotten id answer 404, as for an expired one).
 */
import type { HeldLease, PlanStore, StoredPlan } from '../ports/planning.js';
import { BoundedMap } from '../bounded-map.js';

export class MemoryPlanStore implements PlanStore {
  private readonly plans: BoundedMap<string, StoredPlan>;

  constructor(maxPlans = 10_000) {
    this.plans = new BoundedMap({ maxEntries: maxPlans, evict: 'oldest' });
  }

  async put(plan: StoredPlan): Promise<void> {
    this.plans.set(plan.id, structuredClone(plan));
  }

  async putAll(plans: readonly StoredPlan[]): Promise<void> {
    for (const plan of plans) await this.put(plan);
  }

  async get(id: string, nowMs: number): Promise<StoredPlan | undefined> {
    const plan = this.live(id, nowMs);
    return plan === undefined ? undefined : structuredClone(plan);
  }

  async cancel(id: string, nowMs: number): Promise<boolean> {
    const plan = this.live(id, nowMs);
    if (plan === undefined) return false;
    plan.status = 'cancelled';
    plan.result = {};
    delete plan.error;
    delete plan.leaseUntilMs;
    return true;
  }

  async settle(id: string, nowMs: number, outcome: Pick<StoredPlan, 'status' | 'result' | 'error'>): Promise<boolean> {
    const plan = this.live(id, nowMs);
    if (plan?.status !== 'submitted') return false;
    plan.status = outcome.status;
    plan.result = structuredClone(outcome.result);
    if (outcome.error) plan.error = { ...outcome.error };
    delete plan.leaseUntilMs;
    return true;
  }

  async heartbeat(leases: readonly HeldLease[], nowMs: number, leaseUntilMs: number): Promise<string[]> {
    const alive: string[] = [];
    for (const { id, takeovers } of leases) {
      const plan = this.live(id, nowMs);
      if (plan?.status !== 'submitted' || (plan.takeovers ?? 0) !== takeovers) continue;
      plan.leaseUntilMs = leaseUntilMs;
      alive.push(id);
    }
    return alive;
  }

  async claim(id: string, nowMs: number, leaseUntilMs: number, maxTakeovers: number): Promise<boolean> {
    const plan = this.live(id, nowMs);
    if (plan?.status !== 'submitted' || plan.leaseUntilMs === undefined || plan.leaseUntilMs > nowMs) return false;
    if ((plan.takeovers ?? 0) >= maxTakeovers) return false;
    plan.leaseUntilMs = leaseUntilMs;
    plan.takeovers = (plan.takeovers ?? 0) + 1;
    return true;
  }

  async sweep(nowMs: number, limit: number): Promise<number> {
    let swept = 0;
    for (const [id, plan] of this.plans) {
      if (swept >= limit) break;
      if (plan.expiresAtMs > nowMs) continue;
      this.plans.delete(id);
      swept++;
    }
    return swept;
  }

  private live(id: string, nowMs: number): StoredPlan | undefined {
    const plan = this.plans.get(id);
    if (plan !== undefined && plan.expiresAtMs <= nowMs) {
      this.plans.delete(id);
      return undefined;
    }
    return plan;
  }
}

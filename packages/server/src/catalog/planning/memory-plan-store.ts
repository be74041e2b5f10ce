/**
 * The in-memory PlanStore: plan ids of this process, each dropped when it expires. Bounded: past `maxPlans`
 * the oldest plans are forgotten first (their plan tasks keep working, being stateless; only fetchPlanningResult
 * and cancelPlanning of a forgotten id answer 404, as for an expired one).
 */
import type { PlanStore, StoredPlan } from './ports.js';

export class MemoryPlanStore implements PlanStore {
  private readonly plans = new Map<string, StoredPlan>();

  constructor(private readonly maxPlans = 10_000) {}

  async put(plan: StoredPlan): Promise<void> {
    this.plans.delete(plan.id);
    this.plans.set(plan.id, plan);
    while (this.plans.size > this.maxPlans) this.plans.delete(this.plans.keys().next().value!);
  }

  async get(id: string, nowMs: number): Promise<StoredPlan | undefined> {
    const plan = this.plans.get(id);
    if (plan !== undefined && plan.expiresAtMs <= nowMs) {
      this.plans.delete(id);
      return undefined;
    }
    return plan;
  }

  async cancel(id: string, nowMs: number): Promise<boolean> {
    const plan = await this.get(id, nowMs);
    if (plan === undefined) return false;
    plan.status = 'cancelled';
    plan.result = {};
    delete plan.error;
    return true;
  }

  async settle(id: string, nowMs: number, outcome: Pick<StoredPlan, 'status' | 'result' | 'error'>): Promise<boolean> {
    const plan = await this.get(id, nowMs);
    if (plan?.status !== 'submitted') return false;
    plan.status = outcome.status;
    plan.result = outcome.result;
    if (outcome.error) plan.error = outcome.error;
    return true;
  }
}

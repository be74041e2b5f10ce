/**
 * Takeover of a submitted plan whose planning process stopped (issue 51: replicas behind a load balancer). The plan's
 * row keeps its pinned scan; when its owner's fetch (on any replica) finds the lease lapsed, that replica claims the
 * plan (PlanStore.claim: one guarded write, so of replicas racing exactly one wins) and plans it again in its own
 * background queue, while the fetch answers `submitted`. Rules, each here once:
 * - only the owner's fetch takes a plan over: that call has just authorized the owner on the table (a revoked grant
 *   is 403 and nothing is taken over) and read the policies that hold for the owner now, so the plan is re-planned as
 *   the owner with what decides the answer today. The housekeeping sweep does not: it has no caller to authorize as,
 *   and a plan nobody fetches needs no answer (it expires as before).
 * - bounded: a plan is taken over at most `maxTakeovers` times (PlanningLimits.asyncTakeovers, default 2); a lapse
 *   past that, or of a row without a scan (written before migration 0031), settles it failed (ERR_UNAVAILABLE) as
 *   before: the client plans again.
 * - cancellation wins: a claim moves only a submitted plan, and a cancel made meanwhile aborts the new run at its next
 *   renewal, whose settle then changes nothing.
 * - the per-process queue bound holds: a replica whose queue is full does not claim; the lease stays lapsed for
 *   another replica or a later fetch, and the fetch answers `submitted`.
 * - settle-once: a stalled first process that wakes up late settles at most once, as before.
 */
import type { PlanningMetrics, PlanStore, ScanSpec, StoredPlan } from '../ports/planning.js';
import type { BackgroundPlans } from './background.js';
import { LAPSED } from './plan-keeping.js';

export const DEFAULT_MAX_TAKEOVERS = 2;

export interface TakeoverDeps {
  store: PlanStore;
  background: BackgroundPlans;
  now(): number;
  leaseMs: number;
  maxTakeovers: number;
  metrics?: Pick<PlanningMetrics, 'lapsed'>;
}

/** What a takeover runs: the plan's work again in this process, and its audit record. */
export interface TakeoverRun {
  work(plan: StoredPlan & { scan: ScanSpec }, signal: AbortSignal): Promise<void>;
  taken(plan: StoredPlan): Promise<void>;
}

/**
 * The owner's plan as it stands now: a submitted plan past its lease is taken over here (answered submitted, with
 * its new lease) or, past the bound, settled failed once, whoever sees it first.
 */
export async function takeOverLapsed(deps: TakeoverDeps, plan: StoredPlan, run: TakeoverRun): Promise<StoredPlan | undefined> {
  const now = deps.now();
  if (plan.status !== 'submitted' || plan.leaseUntilMs === undefined || plan.leaseUntilMs > now) return plan;
  const scan = plan.scan;
  if (scan === undefined || (plan.takeovers ?? 0) >= deps.maxTakeovers) {
    if (await deps.store.settle(plan.id, now, LAPSED)) deps.metrics?.lapsed?.('failed');
    return deps.store.get(plan.id, now);
  }
  // A full queue here: leave the lease to another replica (or a later fetch).
  if (!deps.background.hasRoom) return plan;
  const leaseUntilMs = now + deps.leaseMs;
  // Lost the race (another replica claimed it, or it was cancelled or settled meanwhile): the row says what it is.
  if (!(await deps.store.claim(plan.id, now, leaseUntilMs, deps.maxTakeovers))) return deps.store.get(plan.id, now);
  // The claim counted this takeover: the lease is held with the count read plus one. (A claim can only have counted
  // another in between if someone else claimed it and let that lease lapse within this call: then this process's
  // first renewal is refused and it stops, and the plan is taken over again once the lease lapses.)
  const takeovers = (plan.takeovers ?? 0) + 1;
  const taken: StoredPlan & { scan: ScanSpec } = { ...plan, scan, leaseUntilMs, takeovers };
  // The queue filled during the claim: hand the lease back at once rather than hold a plan nobody runs.
  if (!deps.background.submit(plan.id, (signal) => run.work(taken, signal), takeovers)) await deps.store.heartbeat([{ id: plan.id, takeovers }], now, now);
  else {
    deps.metrics?.lapsed?.('taken-over');
    await run.taken(taken);
  }
  return taken;
}

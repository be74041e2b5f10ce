/**
 * What a plan id keeps in the shared plan store (ports/planning.ts PlanStore), and for how long. Three rules, each here once:
 * - a kept answer is bounded: it is plan tasks (sealed ranges of manifests, never file lists), and when they pass
 *   `maxResultBytes` they are re-sealed over wider ranges until they fit (one task at least; a task's size is bounded
 *   by the request body limit, since it carries the request's filter). An answer given inline is kept as the plan
 *   tasks of the same manifests, which expand to the same files.
 * - a submitted plan whose lease has lapsed is nobody's work any more (its process died or stopped): another process
 *   takes it over (takeover.ts), a bounded number of times; past that the first call that sees it settles it failed
 *   (LAPSED: ERR_UNAVAILABLE, the client plans again). Settle-once makes a late result of a stalled process harmless.
 * - expired plans are swept, at most once a minute per process and a bounded number of rows at a time.
 */
import type { PlanTaskClaims, PlanTaskCodec, PlannedPage, PlanStore, StoredPlan } from '../ports/planning.js';

export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_MAX_RESULT_BYTES = 1 << 20;
const SWEEP_EVERY_MS = 60_000;
const SWEEP_ROWS = 1000;

/** Plan tasks over the given data-manifest indices (ascending), `per` matching manifests each, widened to fit `maxBytes`. */
export function keptTasks(
  codec: PlanTaskCodec,
  claims: Omit<PlanTaskClaims, 'from' | 'to'>,
  indices: readonly number[],
  per: number,
  maxBytes: number,
): PlannedPage {
  if (indices.length === 0) return { 'file-scan-tasks': [] };
  for (let width = Math.max(1, per); ; width *= 2) {
    const tokens: string[] = [];
    for (let k = 0; k < indices.length; k += width) {
      const chunk = indices.slice(k, k + width);
      tokens.push(codec.seal({ ...claims, from: chunk[0]!, to: chunk[chunk.length - 1]! + 1 }));
    }
    if (tokens.length === 1 || JSON.stringify(tokens).length <= maxBytes) return { 'plan-tasks': tokens };
  }
}

/** Every index of [0, n). */
export const allManifests = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The failed outcome of a submitted plan whose lease has lapsed once too often (takeover.ts). */
export const LAPSED: Pick<StoredPlan, 'status' | 'result' | 'error'> = {
  status: 'failed',
  result: {},
  error: { code: 'ERR_UNAVAILABLE', message: 'The server planning this scan stopped before it finished; plan the scan again' },
};

/** Sweeps expired plans now and then (never more than once a minute per process, a bounded batch each). */
export class PlanSweeper {
  private next = 0;

  constructor(private readonly store: PlanStore) {}

  maybe(nowMs: number): void {
    if (nowMs < this.next) return;
    this.next = nowMs + SWEEP_EVERY_MS;
    // Best effort off the request's path: a failed sweep is retried the next time round.
    void this.store.sweep(nowMs, SWEEP_ROWS).catch(() => undefined);
  }
}

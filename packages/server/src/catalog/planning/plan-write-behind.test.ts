import { describe, expect, it, vi } from 'vitest';
import { MemoryPlanStore } from './memory-plan-store.js';
import { WriteBehindPlans } from './plan-write-behind.js';
import type { StoredPlan } from '../ports/planning.js';

let n = 0;
const plan = (extra: Partial<StoredPlan> = {}): StoredPlan => ({
  id: `p${++n}`,
  owner: 'o',
  tenant: 't',
  warehouse: 'w',
  tableUuid: 'u',
  expiresAtMs: 10_000,
  status: 'completed',
  result: { 'plan-tasks': ['a'] },
  ...extra,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A store that counts its writes (and can be made to fail them). */
class CountingStore extends MemoryPlanStore {
  batches: number[] = [];
  puts = 0;
  failing = false;
  override async putAll(plans: readonly StoredPlan[]): Promise<void> {
    if (this.failing) throw new Error('database down');
    this.batches.push(plans.length);
    return super.putAll(plans);
  }
  override async put(plan: StoredPlan): Promise<void> {
    this.puts++;
    return super.put(plan);
  }
}

describe('completed plans written behind their answer', () => {
  it('are written a batch at a time, within the window, and every read here sees them at once', async () => {
    const inner = new CountingStore();
    const plans = new WriteBehindPlans(inner);
    const done = [plan(), plan(), plan()];
    for (const p of done) await plans.put(p);
    // Answered without a write of its own...
    expect(inner.batches).toEqual([]);
    expect(await inner.get(done[0]!.id, 0)).toBeUndefined();
    // ...yet read back through this store at once (the waiting rows are written first), all in one batch.
    expect(await plans.get(done[1]!.id, 0)).toEqual(done[1]);
    expect(inner.batches).toEqual([3]);
    // Left alone, a batch is written within the window.
    const later = plan();
    await plans.put(later);
    // (waited for rather than slept on: a loaded machine fires the window's timer late)
    await vi.waitFor(() => expect(inner.batches).toEqual([3, 1]), { timeout: 5_000, interval: 5 });
    expect(await inner.get(later.id, 0)).toEqual(later);
  });

  it('writes a submitted plan before answering, after the completed ones waiting; cancel and settle see waiting plans', async () => {
    const inner = new CountingStore();
    const plans = new WriteBehindPlans(inner);
    const done = plan();
    await plans.put(done);
    const submitted = plan({ status: 'submitted', result: {}, leaseUntilMs: 5000 });
    await plans.put(submitted);
    expect(inner.batches).toEqual([1]);
    expect(await inner.get(submitted.id, 0)).toEqual(submitted);
    const other = plan();
    await plans.put(other);
    expect(await plans.cancel(other.id, 0)).toBe(true);
    expect((await inner.get(other.id, 0))?.status).toBe('cancelled');
    expect(await plans.settle(submitted.id, 0, { status: 'completed', result: { 'plan-tasks': ['z'] } })).toBe(true);
    expect(await plans.heartbeat([{ id: submitted.id, takeovers: 0 }], 0, 9)).toEqual([]);
  });

  it('a plan kept is a copy: changing the answer afterwards changes nothing stored', async () => {
    const plans = new WriteBehindPlans(new MemoryPlanStore());
    const p = plan();
    await plans.put(p);
    p.result['plan-tasks']!.push('mutated');
    expect((await plans.get(p.id, 0))?.result).toEqual({ 'plan-tasks': ['a'] });
  });

  it('reports a batch it could not write, and goes on with the next', async () => {
    const inner = new CountingStore();
    const errors: Array<[string, number]> = [];
    const plans = new WriteBehindPlans(inner, (err, count) => errors.push([(err as Error).message, count]));
    inner.failing = true;
    const lost = plan();
    await plans.put(lost);
    await plans.put(plan());
    await plans.flush();
    expect(errors).toEqual([['database down', 2]]);
    inner.failing = false;
    const kept = plan();
    await plans.put(kept);
    expect(await plans.get(lost.id, 0)).toBeUndefined();
    expect(await plans.get(kept.id, 0)).toEqual(kept);
  });

  it('writes at once when a batch is full', async () => {
    const inner = new CountingStore();
    const plans = new WriteBehindPlans(inner);
    for (let i = 0; i < 256; i++) await plans.put(plan());
    await sleep(0);
    expect(inner.batches).toEqual([256]);
  });
});

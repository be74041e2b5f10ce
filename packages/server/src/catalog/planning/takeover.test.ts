import { describe, expect, it } from 'vitest';
import { BackgroundPlans } from './background.js';
import { MemoryPlanStore } from './memory-plan-store.js';
import { type TakeoverDeps, type TakeoverRun, takeOverLapsed } from './takeover.js';
import type { StoredPlan } from '../ports/planning.js';

const scan = { snapshotId: '7', caseSensitive: true, useSnapshotSchema: false };
const plan = (extra: Partial<StoredPlan> = {}): StoredPlan => ({
  id: 'p1',
  owner: 'o',
  tenant: 't',
  warehouse: 'w',
  tableUuid: 'u',
  expiresAtMs: 100_000,
  status: 'submitted',
  result: {},
  leaseUntilMs: 1000,
  scan,
  ...extra,
});

/** A replica: its store view, its background queue, and the runs it started. */
function replica(store: MemoryPlanStore, clock: { now: number }, background = new BackgroundPlans(1, 4)) {
  const lapses: string[] = [];
  const deps: TakeoverDeps = { store, background, now: () => clock.now, leaseMs: 30_000, maxTakeovers: 2, metrics: { lapsed: (o) => void lapses.push(o) } };
  const runs: string[] = [];
  const audited: number[] = [];
  const run: TakeoverRun = {
    work: async (taken) => {
      runs.push(taken.id);
      await store.settle(taken.id, clock.now, { status: 'completed', result: { 'plan-tasks': ['again'] } });
    },
    taken: async (taken) => void audited.push(taken.takeovers!),
  };
  return { deps, run, runs, audited, background, lapses };
}

describe('takeover of a plan whose process stopped', () => {
  it('leaves a leased plan alone; takes a lapsed one over (answered submitted) and plans it again', async () => {
    const store = new MemoryPlanStore();
    const clock = { now: 900 };
    await store.put(plan());
    const b = replica(store, clock);
    expect(await takeOverLapsed(b.deps, (await store.get('p1', 900))!, b.run)).toMatchObject({ status: 'submitted', leaseUntilMs: 1000 });
    clock.now = 1000;
    expect(await takeOverLapsed(b.deps, (await store.get('p1', 1000))!, b.run)).toMatchObject({ status: 'submitted', leaseUntilMs: 31_000, takeovers: 1 });
    await b.background.idle();
    expect(b.runs).toEqual(['p1']);
    expect(b.audited).toEqual([1]);
    expect(b.lapses).toEqual(['taken-over']);
    expect(await store.get('p1', 1000)).toMatchObject({ status: 'completed', result: { 'plan-tasks': ['again'] }, takeovers: 1 });
  });

  it('two replicas seeing the same lapse: exactly one runs it', async () => {
    const store = new MemoryPlanStore();
    const clock = { now: 2000 };
    await store.put(plan());
    const seen = (await store.get('p1', 2000))!;
    const b = replica(store, clock);
    const c = replica(store, clock);
    const [fromB, fromC] = await Promise.all([takeOverLapsed(b.deps, seen, b.run), takeOverLapsed(c.deps, seen, c.run)]);
    await Promise.all([b.background.idle(), c.background.idle()]);
    expect([...b.runs, ...c.runs]).toEqual(['p1']);
    expect([...b.lapses, ...c.lapses]).toEqual(['taken-over']);
    expect([fromB?.status, fromC?.status]).toContain('submitted');
  });

  it('past the bound, or without a kept scan, the lapse settles the plan failed (plan again)', async () => {
    const store = new MemoryPlanStore();
    const clock = { now: 2000 };
    const b = replica(store, clock);
    await store.put(plan({ takeovers: 2 }));
    expect(await takeOverLapsed(b.deps, (await store.get('p1', 2000))!, b.run)).toMatchObject({ status: 'failed', error: { code: 'ERR_UNAVAILABLE' } });
    await store.put(plan({ id: 'old', scan: undefined }));
    expect(await takeOverLapsed(b.deps, (await store.get('old', 2000))!, b.run)).toMatchObject({ status: 'failed', error: { code: 'ERR_UNAVAILABLE' } });
    expect(b.runs).toEqual([]);
    expect(b.lapses).toEqual(['failed', 'failed']);
  });

  it('a cancelled plan stays cancelled; a replica whose queue is full leaves the lease for another', async () => {
    const store = new MemoryPlanStore();
    const clock = { now: 2000 };
    await store.put(plan());
    const seen = (await store.get('p1', 2000))!;
    await store.cancel('p1', 2000);
    const b = replica(store, clock);
    expect(await takeOverLapsed(b.deps, seen, b.run)).toMatchObject({ status: 'cancelled' });

    await store.put(plan({ id: 'q' }));
    const full = new BackgroundPlans(1, 0);
    let release!: () => void;
    full.submit('busy', () => new Promise<void>((r) => (release = r)));
    const busy = replica(store, clock, full);
    expect(await takeOverLapsed(busy.deps, (await store.get('q', 2000))!, busy.run)).toMatchObject({ status: 'submitted', leaseUntilMs: 1000 });
    expect((await store.get('q', 2000))?.takeovers).toBeUndefined();
    release();
    await full.idle();
    expect(b.runs).toEqual([]);
    expect(busy.runs).toEqual([]);
  });
});

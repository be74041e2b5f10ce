import { describe, expect, it } from 'vitest';
import { BackgroundPlans } from './background.js';
import { MemoryPlanStore } from './memory-plan-store.js';
import { allManifests, keptTasks } from './plan-keeping.js';
import { SealedPlanTasks } from './plan-tasks.js';
import type { HeldLease, StoredPlan } from '../ports/planning.js';

const codec = new SealedPlanTasks(new Uint8Array(32).fill(7));
const claims = {
  planId: 'p',
  owner: 'o',
  tenant: 't',
  warehouse: 'w',
  tableUuid: 'u',
  snapshotId: '1',
  scan: { caseSensitive: true, useSnapshotSchema: false, filter: { type: 'eq', term: 'x', value: 'y'.repeat(500) } },
  expiresAtMs: 10_000,
};
const plan = (extra: Partial<StoredPlan>): StoredPlan => ({
  id: 'p1',
  owner: 'o',
  tenant: 't',
  warehouse: 'w',
  tableUuid: 'u',
  expiresAtMs: 10_000,
  status: 'submitted',
  result: {},
  ...extra,
});

describe('kept plan answers', () => {
  it('are plan tasks over the manifests, `per` each, when they fit', () => {
    const kept = keptTasks(codec, claims, allManifests(40), 16, 1 << 20);
    expect(kept['plan-tasks']!.map((t) => [codec.open(t)!.from, codec.open(t)!.to])).toEqual([
      [0, 16],
      [16, 32],
      [32, 40],
    ]);
    expect(keptTasks(codec, claims, [], 16, 1 << 20)).toEqual({ 'file-scan-tasks': [] });
  });

  it('are re-sealed over wider ranges until they fit the bound, covering the same manifests', () => {
    const indices = [0, 2, 3, 7, 8, 9, 15, 30, 31, 33];
    const tight = keptTasks(codec, claims, indices, 1, 4000);
    expect(JSON.stringify(tight['plan-tasks']).length).toBeLessThanOrEqual(4000);
    expect(tight['plan-tasks']!.length).toBeLessThan(indices.length);
    const ranges = tight['plan-tasks']!.map((t) => codec.open(t)!);
    for (const i of indices) expect(ranges.some((r) => r.from <= i && i < r.to)).toBe(true);
    // One task at least, whatever the bound.
    expect(keptTasks(codec, claims, indices, 1, 10)['plan-tasks']).toHaveLength(1);
  });
});

describe('plan leases', () => {
  it('the planning process renews its leases, and stops a plan the store no longer has submitted (cancelled elsewhere)', async () => {
    const store = new MemoryPlanStore();
    let now = 0;
    await store.put(plan({ id: 'a', leaseUntilMs: 30 }));
    await store.put(plan({ id: 'b', leaseUntilMs: 30 }));
    const background = new BackgroundPlans(2, 0, {
      everyMs: 3_600_000,
      renew: (leases) => store.heartbeat(leases, now, now + 30),
      release: (leases) => store.heartbeat(leases, now, now),
    });
    const aborted: string[] = [];
    const work = (id: string) => (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => (aborted.push(id), resolve())));
    background.submit('a', work('a'));
    background.submit('b', work('b'));
    now = 20;
    await store.cancel('b', now);
    await background.renew();
    expect(aborted).toEqual(['b']);
    expect((await store.get('a', now))?.leaseUntilMs).toBe(50);
    now = 25;
    await background.stop();
    expect(aborted).toEqual(['b', 'a']);
    // Stopping hands the plan over: its lease ends now (another process may claim it at once), it is not settled.
    expect(await store.get('a', now)).toMatchObject({ status: 'submitted', leaseUntilMs: 25 });
    expect(await store.claim('a', now, 60, 2)).toBe(true);
  });

  it('a process that stalled past its lease and was taken over stops its run at its next beat, and leaves the taker’s lease alone', async () => {
    const store = new MemoryPlanStore();
    let now = 0;
    await store.put(plan({ id: 'a', leaseUntilMs: 30 }));
    const lease = (on: () => number) => ({
      everyMs: 3_600_000,
      renew: (leases: readonly HeldLease[]) => store.heartbeat(leases, on(), on() + 30),
      release: (leases: readonly HeldLease[]) => store.heartbeat(leases, on(), on()),
    });
    const stalled = new BackgroundPlans(
      1,
      0,
      lease(() => now),
    );
    const taker = new BackgroundPlans(
      1,
      0,
      lease(() => now),
    );
    const aborted: string[] = [];
    const work = (who: string) => (signal: AbortSignal) =>
      new Promise<void>((resolve) => signal.addEventListener('abort', () => (aborted.push(who), resolve())));
    stalled.submit('a', work('stalled'));
    // Its process pauses past the lease; another claims the plan and runs it, holding the lease with count 1.
    now = 40;
    expect(await store.claim('a', now, now + 30, 2)).toBe(true);
    taker.submit('a', work('taker'), 1);
    // The stalled process wakes up: its beat is refused, so it stops (before, it planned on beside the taker).
    now = 45;
    await stalled.renew();
    expect(aborted).toEqual(['stalled']);
    expect((await store.get('a', now))?.leaseUntilMs).toBe(70);
    // Its stop releases nothing of the taker's; the taker's beat renews the lease.
    await stalled.stop();
    expect((await store.get('a', now))?.leaseUntilMs).toBe(70);
    now = 50;
    await taker.renew();
    expect(aborted).toEqual(['stalled']);
    expect((await store.get('a', now))?.leaseUntilMs).toBe(80);
    await taker.stop();
  });
});

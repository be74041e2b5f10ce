/**
 * The contract every scan plan store (catalog/ports/planning.ts PlanStore) passes: memory and SQLite
 * (plan-store.test.ts), PostgreSQL (test/interop/plan-store-postgres.test.ts). A put plan reads back whole; an
 * expired one is gone; cancel and settle change only a live plan, settle only a submitted one and only once; a
 * heartbeat renews the lease of submitted plans only and answers them (a cancel made elsewhere is seen by the
 * planning process); a claim takes over only a submitted plan whose lease lapsed, at most `maxTakeovers` times, and
 * of claimers racing exactly one wins; sweep deletes expired plans, bounded.
 */
import { describe, expect, it } from 'vitest';
import type { PlanStore, StoredPlan } from '../../packages/server/src/catalog/ports/planning.js';

export interface PlanStoreHandle {
  plans: PlanStore;
  close(): Promise<void>;
}

let n = 0;
export const storedPlan = (extra: Partial<StoredPlan> = {}): StoredPlan => ({
  id: `20000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  owner: 'acme|user:ann',
  tenant: 'acme',
  warehouse: 'lake',
  tableUuid: '30000000-0000-4000-8000-000000000001',
  expiresAtMs: 10_000,
  status: 'completed',
  result: { 'plan-tasks': ['t1', 't2'] },
  ...extra,
});

export function planStoreContract(name: string, open: () => Promise<PlanStoreHandle>): void {
  const withStore = (fn: (plans: PlanStore) => Promise<void>) => async () => {
    const h = await open();
    try {
      await fn(h.plans);
    } finally {
      await h.close();
    }
  };

  describe(`plan store contract: ${name}`, () => {
    it(
      'reads a put plan back whole, and forgets it once expired',
      withStore(async (plans) => {
        const p = storedPlan({ delegation: ['vended-credentials'], status: 'submitted', result: {}, leaseUntilMs: 500 });
        await plans.put(p);
        expect(await plans.get(p.id, 1000)).toEqual(p);
        const q = storedPlan({ status: 'failed', result: {}, error: { code: 'ERR_UNPROCESSABLE', message: 'bad manifest' } });
        await plans.put(q);
        expect(await plans.get(q.id, 1000)).toEqual(q);
        expect(await plans.get(p.id, 10_000)).toBeUndefined();
        expect(await plans.get('20000000-0000-4000-8000-ffffffffffff', 1000)).toBeUndefined();
      }),
    );

    it(
      'puts many plans at once, all of them, a plan given twice keeping its last',
      withStore(async (plans) => {
        const a = storedPlan();
        const b = storedPlan({ delegation: ['remote-signing'], result: { 'file-scan-tasks': [] } });
        const existing = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 500 });
        await plans.put(existing);
        await plans.putAll([]);
        await plans.putAll([
          a,
          b,
          { ...existing, status: 'completed', result: { 'plan-tasks': ['x'] }, leaseUntilMs: undefined } as StoredPlan,
          { ...a, result: { 'plan-tasks': ['again'] } },
        ]);
        expect(await plans.get(a.id, 1000)).toEqual({ ...a, result: { 'plan-tasks': ['again'] } });
        expect(await plans.get(b.id, 1000)).toEqual(b);
        const replaced = await plans.get(existing.id, 1000);
        expect(replaced).toMatchObject({ status: 'completed', result: { 'plan-tasks': ['x'] } });
        expect(replaced?.leaseUntilMs).toBeUndefined();
      }),
    );

    it(
      'settles a submitted plan once; a cancelled, settled or expired plan is left alone',
      withStore(async (plans) => {
        const p = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 2000 });
        await plans.put(p);
        expect(await plans.settle(p.id, 1000, { status: 'completed', result: { 'plan-tasks': ['a'] } })).toBe(true);
        expect(await plans.settle(p.id, 1000, { status: 'failed', result: {}, error: { code: 'ERR_UNAVAILABLE', message: 'late' } })).toBe(false);
        const settled = await plans.get(p.id, 1000);
        expect(settled).toMatchObject({ status: 'completed', result: { 'plan-tasks': ['a'] } });
        expect(settled?.leaseUntilMs).toBeUndefined();
        expect(settled?.error).toBeUndefined();

        const c = storedPlan({ status: 'submitted', result: {} });
        await plans.put(c);
        expect(await plans.cancel(c.id, 1000)).toBe(true);
        expect(await plans.settle(c.id, 1000, { status: 'completed', result: { 'plan-tasks': ['a'] } })).toBe(false);
        expect(await plans.get(c.id, 1000)).toMatchObject({ status: 'cancelled', result: {} });

        const e = storedPlan({ status: 'submitted', result: {} });
        await plans.put(e);
        expect(await plans.settle(e.id, 10_000, { status: 'completed', result: {} })).toBe(false);
        expect(await plans.cancel(e.id, 10_000)).toBe(false);
        expect(await plans.cancel('20000000-0000-4000-8000-ffffffffffff', 1000)).toBe(false);
      }),
    );

    it(
      'cancelling a completed plan drops its answer',
      withStore(async (plans) => {
        const p = storedPlan();
        await plans.put(p);
        expect(await plans.cancel(p.id, 1000)).toBe(true);
        expect(await plans.get(p.id, 1000)).toMatchObject({ status: 'cancelled', result: {} });
      }),
    );

    it(
      'a heartbeat renews and answers only the plans still submitted',
      withStore(async (plans) => {
        const a = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 1500 });
        const b = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 1500 });
        const done = storedPlan();
        const old = storedPlan({ status: 'submitted', result: {}, expiresAtMs: 1000 });
        for (const p of [a, b, done, old]) await plans.put(p);
        // b is cancelled by another replica: its planner learns it from the heartbeat.
        await plans.cancel(b.id, 1200);
        const held = [a.id, b.id, done.id, old.id, '20000000-0000-4000-8000-ffffffffffff'].map((id) => ({ id, takeovers: 0 }));
        const alive = await plans.heartbeat(held, 1200, 4000);
        expect(alive).toEqual([a.id]);
        expect((await plans.get(a.id, 1300))?.leaseUntilMs).toBe(4000);
        expect(await plans.heartbeat([], 1200, 4000)).toEqual([]);
      }),
    );

    it(
      'a lease taken over is no longer renewed for the process that held it before (it stalled past its lease): only the taker’s is',
      withStore(async (plans) => {
        const p = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 1500 });
        const q = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 1500 });
        for (const x of [p, q]) await plans.put(x);
        expect(await plans.claim(p.id, 1600, 5000, 2)).toBe(true);
        // The first holder wakes up: its beat renews q (still its own) and not p, whose lease stays the taker's.
        expect(
          await plans.heartbeat(
            [p, q].map(({ id }) => ({ id, takeovers: 0 })),
            1700,
            1900,
          ),
        ).toEqual([q.id]);
        expect((await plans.get(p.id, 1700))?.leaseUntilMs).toBe(5000);
        // Nor can it release the taker's lease when it stops.
        expect(await plans.heartbeat([{ id: p.id, takeovers: 0 }], 1700, 1700)).toEqual([]);
        expect((await plans.get(p.id, 1700))?.leaseUntilMs).toBe(5000);
        // The taker renews it, in one beat with a lease of another count.
        expect(
          (
            await plans.heartbeat(
              [
                { id: p.id, takeovers: 1 },
                { id: q.id, takeovers: 0 },
              ],
              1800,
              6000,
            )
          ).sort(),
        ).toEqual([p.id, q.id].sort());
        expect((await plans.get(p.id, 1800))?.leaseUntilMs).toBe(6000);
        expect((await plans.get(q.id, 1800))?.leaseUntilMs).toBe(6000);
      }),
    );

    it(
      'keeps a submitted plan’s pinned scan, and claims it (takeover) only once its lease lapsed, counting takeovers',
      withStore(async (plans) => {
        const scan = { snapshotId: '9007199254740993', filter: { type: 'eq', term: 'id', value: 5 }, caseSensitive: true, useSnapshotSchema: false };
        const p = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 1500, scan });
        await plans.put(p);
        expect(await plans.get(p.id, 1000)).toEqual(p);
        // Still leased: nobody takes it.
        expect(await plans.claim(p.id, 1400, 5000, 2)).toBe(false);
        expect(await plans.claim(p.id, 1500, 5000, 2)).toBe(true);
        expect(await plans.get(p.id, 1600)).toEqual({ ...p, leaseUntilMs: 5000, takeovers: 1 });
        // The new lease holds until it lapses in turn; then a second takeover, and no third past the bound.
        expect(await plans.claim(p.id, 4000, 8000, 2)).toBe(false);
        expect(await plans.claim(p.id, 5000, 8000, 2)).toBe(true);
        expect(await plans.claim(p.id, 8000, 9000, 2)).toBe(false);
        expect(await plans.get(p.id, 8000)).toMatchObject({ status: 'submitted', leaseUntilMs: 8000, takeovers: 2 });
        // A settle still settles a plan taken over (its new process's result), and a claim leaves it alone after.
        expect(await plans.settle(p.id, 8000, { status: 'completed', result: { 'plan-tasks': ['t'] } })).toBe(true);
        expect(await plans.claim(p.id, 9000, 9500, 5)).toBe(false);
        expect((await plans.get(p.id, 9000))?.takeovers).toBe(2);
      }),
    );

    it(
      'never claims a cancelled, settled, expired, unleased or unknown plan: cancellation wins over a takeover',
      withStore(async (plans) => {
        const cancelled = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 500 });
        const done = storedPlan({ leaseUntilMs: 500 });
        const old = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 500, expiresAtMs: 1000 });
        const unleased = storedPlan({ status: 'submitted', result: {} });
        for (const p of [cancelled, done, old, unleased]) await plans.put(p);
        expect(await plans.cancel(cancelled.id, 900)).toBe(true);
        for (const p of [cancelled, done, old, unleased]) expect(await plans.claim(p.id, 1000, 5000, 2)).toBe(false);
        expect(await plans.claim('20000000-0000-4000-8000-ffffffffffff', 1000, 5000, 2)).toBe(false);
        expect(await plans.get(cancelled.id, 1000)).toMatchObject({ status: 'cancelled' });
        expect((await plans.get(cancelled.id, 1000))?.takeovers).toBeUndefined();
      }),
    );

    it(
      'of claimers racing for one lapsed plan, exactly one wins',
      withStore(async (plans) => {
        const p = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 500 });
        await plans.put(p);
        const won = await Promise.all(Array.from({ length: 8 }, (_, i) => plans.claim(p.id, 1000, 5000 + i, 2)));
        expect(won.filter(Boolean)).toHaveLength(1);
        const after = await plans.get(p.id, 1000);
        expect(after?.takeovers).toBe(1);
        expect(after?.leaseUntilMs).toBe(5000 + won.indexOf(true));
      }),
    );

    it(
      'sweeps expired plans, at most `limit` at a time, and keeps live ones',
      withStore(async (plans) => {
        const live = storedPlan({ expiresAtMs: 50_000 });
        await plans.put(live);
        for (let i = 0; i < 5; i++) await plans.put(storedPlan({ expiresAtMs: 2000 + i }));
        expect(await plans.sweep(20_000, 3)).toBe(3);
        expect(await plans.sweep(20_000, 10)).toBe(2);
        expect(await plans.sweep(20_000, 10)).toBe(0);
        expect(await plans.get(live.id, 20_000)).toEqual(live);
      }),
    );

    it(
      'keeps exact answers of any size it is given (the bound is the service’s, plan-keeping.ts)',
      withStore(async (plans) => {
        const tokens = Array.from({ length: 2000 }, (_, i) => `token-${i}-${'x'.repeat(200)}`);
        const p = storedPlan({ result: { 'plan-tasks': tokens } });
        await plans.put(p);
        expect((await plans.get(p.id, 1000))?.result['plan-tasks']).toEqual(tokens);
      }),
    );
  });
}

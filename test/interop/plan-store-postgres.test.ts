/**
 * The scan plan store contract (test/persistence/plan-store-contract.ts) on PostgreSQL (Debian's package,
 * scripts/peers/postgres.sh), and what only concurrent transactions show: a settle racing a cancel of the same
 * submitted plan (the planning replica and another replica) ends cancelled, and a settle after the cancel changes
 * nothing; replicas racing to take over one lapsed plan (claim, each on its own pooled connection): exactly one wins,
 * and a claim racing a cancel leaves the plan cancelled.
 */
import { describe, expect, it } from 'vitest';
import { planStoreContract, storedPlan } from '../persistence/plan-store-contract.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';

const cluster = usePostgresCluster('lakegate-pg-plans-');

planStoreContract('PostgreSQL', async () => {
  const store = await cluster.migratedStore('plans');
  return { plans: store.plans, close: () => store.close() };
});

describe('scan plans on PostgreSQL', () => {
  it('a settle racing a cancel ends cancelled', async () => {
    const store = await cluster.migratedStore('plans_race');
    try {
      for (let i = 0; i < 20; i++) {
        const p = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 5000 });
        await store.plans.put(p);
        const [, cancelled] = await Promise.all([
          store.plans.settle(p.id, 1000, { status: 'completed', result: { 'plan-tasks': ['x'] } }),
          store.plans.cancel(p.id, 1000),
        ]);
        expect(cancelled).toBe(true);
        expect((await store.plans.get(p.id, 1000))?.status).toBe('cancelled');
      }
    } finally {
      await store.close();
    }
  });

  it('replicas racing to take over a lapsed plan: exactly one wins; a claim racing a cancel ends cancelled', async () => {
    const store = await cluster.migratedStore('plans_claim_race');
    try {
      for (let i = 0; i < 20; i++) {
        const p = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 500 });
        await store.plans.put(p);
        const won = await Promise.all(Array.from({ length: 6 }, () => store.plans.claim(p.id, 1000, 5000, 2)));
        expect(won.filter(Boolean)).toHaveLength(1);
        expect((await store.plans.get(p.id, 1000))?.takeovers).toBe(1);

        const q = storedPlan({ status: 'submitted', result: {}, leaseUntilMs: 500 });
        await store.plans.put(q);
        const [, cancelled] = await Promise.all([store.plans.claim(q.id, 1000, 5000, 2), store.plans.cancel(q.id, 1000)]);
        expect(cancelled).toBe(true);
        expect((await store.plans.get(q.id, 1000))?.status).toBe('cancelled');
        expect(await store.plans.claim(q.id, 6000, 9000, 2)).toBe(false);
      }
    } finally {
      await store.close();
    }
  });
});

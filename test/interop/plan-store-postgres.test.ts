/**
 * The scan plan store contract (test/persistence/plan-store-contract.ts) on PostgreSQL (Debian's package,
 * scripts/peers/postgres.sh), and what only concurrent transactions show: a settle racing a cancel of the same
 * submitted plan (the planning replica and another replica) ends cancelled, and a settle after the cancel changes
 * nothing.
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
});

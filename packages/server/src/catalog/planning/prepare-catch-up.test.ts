import { describe, expect, it } from 'vitest';
import type { TableContext } from '../kit/table-kit.js';
import { LocalCoherence } from '../ports/index.js';
import { MemoryPolicies, type Policy } from '../ports/policies.js';
import type { PlanningMetrics } from '../ports/planning.js';
import { PolicyFilePreparer } from './prepare-policy-files.js';
import type { TableScanner } from './scanner.js';

const policy = (objectId: string): Policy => ({
  id: `p-${objectId}`,
  tenant: 't',
  warehouse: 'w',
  objectId,
  kind: 'row-filter',
  roles: ['analysts'],
  filter: true,
  version: 1,
  createdAtMs: 1,
  updatedAtMs: 1,
});

/**
 * A preparer over `tables` tables with a policy and one more, `gone`, no longer in the catalog (or a list that cannot
 * be read: `failing`). Its preparations end at once (the warehouse is not found); what they were asked for is seen through the store reads and metrics.
 */
async function preparer(tables: number, { failing = false } = {}) {
  const policies = new MemoryPolicies();
  for (let i = 0; i < tables; i++) await policies.insert(policy(`tbl-${String(i).padStart(3, '0')}`));
  await policies.insert(policy('gone'));
  const pages: number[] = [];
  let pageRead!: () => void;
  const firstPage = new Promise<void>((r) => (pageRead = r));
  const looked: string[] = [];
  const store = {
    policies: {
      listTables: async (limit: number, after?: { tenant: string; objectId: string }) => {
        if (failing) throw new Error('database gone');
        const page = await policies.listTables(limit, after);
        pages.push(page.length);
        pageRead();
        return page;
      },
    },
    repository: {
      findByIds: async (ids: readonly string[]) =>
        ids.filter((id) => id !== 'gone').map((id) => ({ id, warehouse: 'w', namespace: ['ns'], name: id, kind: 'table' as const })),
      getObject: async (_w: string, namespace: string[], name: string) => {
        looked.push(name);
        return { id: name, kind: 'table', uuid: `uuid-${name}`, namespace, name };
      },
      getWarehouse: async () => undefined,
    },
  };
  const outcomes: string[] = [];
  let mostWaiting = 0;
  const metrics: PlanningMetrics = {
    planned: () => undefined,
    prepared: (o) => void outcomes.push(o),
    preparing: (n) => void (mostWaiting = Math.max(mostWaiting, n)),
  };
  const ctx = { store, clock: { now: () => 0 }, coherence: new LocalCoherence() } as unknown as TableContext;
  const p = new PolicyFilePreparer(ctx, {} as TableScanner, metrics);
  return { p, pages, firstPage, looked, outcomes, mostWaiting: () => mostWaiting };
}

describe('the startup catch-up of policy-enforced files', () => {
  it('offers every table with a policy, a page at a time, the next once the queue drained', async () => {
    const c = await preparer(70);
    const failures: unknown[] = [];
    c.p.catchUp((err) => failures.push(err));
    await c.p.idle();
    // 71 tables listed (70 and the one gone), 32 at a time; the one gone is not prepared.
    expect(c.pages).toEqual([32, 32, 7]);
    expect(c.outcomes).toEqual(Array(70).fill('completed'));
    expect(c.mostWaiting()).toBeLessThanOrEqual(32);
    expect(failures).toEqual([]);
    // Started once: a second call reads nothing again.
    c.p.catchUp((err) => failures.push(err));
    await c.p.idle();
    expect(c.pages).toHaveLength(3);
  });

  it('reads no further page and offers nothing once stopped', async () => {
    const c = await preparer(70);
    const failures: unknown[] = [];
    c.p.catchUp((err) => failures.push(err));
    await c.firstPage;
    await c.p.stop();
    const looked = c.looked.length;
    await c.p.idle();
    expect(c.pages).toEqual([32]);
    expect(c.looked).toHaveLength(looked);
    expect(c.outcomes.length).toBeLessThanOrEqual(1);
    expect(failures).toEqual([]);
  });

  it('tells a failed read of the list, and ends', async () => {
    const c = await preparer(1, { failing: true });
    const failures: unknown[] = [];
    c.p.catchUp((err) => failures.push(err));
    await c.p.idle();
    expect(failures.map((e) => (e as Error).message)).toEqual(['database gone']);
  });
});

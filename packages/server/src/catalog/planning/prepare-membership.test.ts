import { describe, expect, it } from 'vitest';
import type { TableContext } from '../kit/table-kit.js';
import { LocalCoherence } from '../ports/index.js';
import type { OutboxEventInput } from '../ports/outbox.js';
import { MemoryPolicies, type Policy } from '../ports/policies.js';
import type { PlanningMetrics } from '../ports/planning.js';
import { PolicyFilePreparer, type PreparerOptions } from './prepare-policy-files.js';
import type { TableScanner } from './scanner.js';

const policy = (tenant: string, objectId: string, roles: string[], n = 0): Policy => ({
  id: `p-${tenant}-${objectId}-${n}`,
  tenant,
  warehouse: 'w',
  objectId,
  kind: 'row-filter',
  roles,
  filter: true,
  version: 1,
  createdAtMs: n,
  updatedAtMs: n,
});

const member = (type: 'member-added' | 'member-removed', tenant: string, role: string): OutboxEventInput => ({
  id: `${type}-${tenant}-${role}`,
  warehouse: `tenant/${tenant}`,
  type: `io.lakegate.role.${type}`,
  subject: `role/${role}`,
  partitionKey: tenant,
  timeMs: 0,
  data: { tenant, caller: {}, role, member: { kind: 'principal', name: 'p' } },
});

/**
 * A preparer over tables with policies in two tenants. Its preparations end at once (the warehouse is not found);
 * which tables a membership change offered is seen through the tables looked up (getObject) and the outcomes.
 */
async function preparer(options: PreparerOptions = { holders: async () => [] }, { failing = false } = {}) {
  const policies = new MemoryPolicies();
  // Tenant t: 40 tables binding analysts and scorers (two pages of the list), in one policy or in two.
  for (let i = 0; i < 40; i++) {
    const id = `both-${String(i).padStart(2, '0')}`;
    if (i % 2 === 0) await policies.insert(policy('t', id, ['analysts', 'scorers']));
    else for (const [n, role] of ['analysts', 'scorers'].entries()) await policies.insert(policy('t', id, [role], n));
  }
  await policies.insert(policy('t', 'analysts-only', ['analysts']));
  await policies.insert(policy('t', 'others', ['scorers', 'auditors']));
  // Tenant u (after t in the list), the same roles by name.
  await policies.insert(policy('u', 'both-u', ['analysts', 'scorers']));
  const looked: string[] = [];
  const store = {
    policies: {
      listTables: async (limit: number, after?: { tenant: string; objectId: string }) => {
        if (failing) throw new Error('database gone');
        return policies.listTables(limit, after);
      },
      listForObject: (tenant: string, objectId: string) => policies.listForObject(tenant, objectId),
    },
    repository: {
      findByIds: async (ids: readonly string[]) => ids.map((id) => ({ id, warehouse: 'w', namespace: ['ns'], name: id, kind: 'table' as const })),
      getObject: async (_w: string, namespace: string[], name: string) => {
        looked.push(name);
        return { id: name, kind: 'table', uuid: `uuid-${name}`, namespace, name };
      },
      getWarehouse: async () => undefined,
    },
  };
  const outcomes: string[] = [];
  const metrics: PlanningMetrics = { planned: () => undefined, prepared: (o) => void outcomes.push(o) };
  const ctx = { store, clock: { now: () => 0 }, coherence: new LocalCoherence() } as unknown as TableContext;
  const p = new PolicyFilePreparer(ctx, {} as TableScanner, metrics, options);
  return { p, looked, outcomes };
}

const both = Array.from({ length: 40 }, (_, i) => `both-${String(i).padStart(2, '0')}`);

describe('policy-enforced files prepared after a role membership change', () => {
  it("offers the tenant's tables whose policies bind the role and one more, across pages, each once", async () => {
    const c = await preparer();
    // A burst of changes of one role: one scan.
    c.p.committed([member('member-added', 't', 'analysts'), member('member-removed', 't', 'analysts')]);
    c.p.committed([member('member-added', 't', 'analysts')]);
    await c.p.idle();
    // Not analysts-only (no combination can include it), not others (binds no analysts), not tenant u's.
    expect(c.looked).toEqual(both);
    expect(c.outcomes).toEqual(Array(40).fill('completed'));
  });

  it('offers the tables of another role and tenant too', async () => {
    const c = await preparer();
    c.p.committed([member('member-removed', 't', 'auditors'), member('member-added', 'u', 'scorers')]);
    await c.p.idle();
    expect(c.looked.sort()).toEqual(['both-u', 'others']);
  });

  it('offers nothing for other changes, without the stored assignments, or with combinations off', async () => {
    const other = await preparer();
    other.p.committed([{ ...member('member-added', 't', 'analysts'), type: 'io.lakegate.role.created' }]);
    await other.p.idle();
    expect(other.looked).toEqual([]);
    for (const options of [{}, { holders: async () => [], combinations: 0 }]) {
      const c = await preparer(options);
      c.p.committed([member('member-added', 't', 'analysts')]);
      await c.p.idle();
      expect(c.looked).toEqual([]);
      expect(c.outcomes).toEqual([]);
    }
  });

  it('counts a list that cannot be read as a failed preparation, and scans again at the next change', async () => {
    const c = await preparer(undefined, { failing: true });
    c.p.committed([member('member-added', 't', 'analysts')]);
    await c.p.idle();
    expect(c.outcomes).toEqual(['failed']);
    c.p.committed([member('member-added', 't', 'analysts')]);
    await c.p.idle();
    expect(c.outcomes).toEqual(['failed', 'failed']);
  });

  it('offers nothing once stopped', async () => {
    const c = await preparer();
    c.p.committed([member('member-added', 't', 'analysts')]);
    await c.p.stop();
    c.p.committed([member('member-added', 't', 'analysts')]);
    await c.p.idle();
    expect(c.looked).toEqual([]);
  });
});

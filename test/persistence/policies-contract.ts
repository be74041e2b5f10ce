/** The contract every PolicyStore passes (memory, SQLite, PostgreSQL): row-filter and column-mask policies, issue 53. */
import { describe, expect, it } from 'vitest';
import type { Policy, PolicyStore } from '../../packages/server/src/catalog/ports/policies.js';
import type { OutboxEventInput } from '../../packages/server/src/catalog/ports/outbox.js';

export interface PolicyHandle {
  policies: PolicyStore;
  /** The events committed so far in the warehouse (oldest first), by type. */
  eventTypes: (warehouse: string) => Promise<string[]>;
  close: () => Promise<void>;
}

const rowFilter = (id: string, objectId: string, at: number, tenant = 'acme'): Policy => ({
  id,
  tenant,
  warehouse: 'lake',
  objectId,
  kind: 'row-filter',
  roles: ['analysts'],
  filter: { type: 'and', left: { type: 'eq', term: 'region', value: 'eu' }, right: { type: 'gt', term: 'id', value: 9007199254740993n } },
  fieldIds: [1, 2],
  // Each term's field id (kept since 2026-11-29): the filter follows renames by them (catalog/policies/follow.ts).
  filterTerms: [
    { term: 'region', fieldId: 2 },
    { term: 'id', fieldId: 1 },
  ],
  version: 1,
  createdAtMs: at,
  updatedAtMs: at,
});
const ev = (type: string): OutboxEventInput => ({ id: `${type}-${Math.random()}`, warehouse: 'lake', type, partitionKey: 'lake', timeMs: 1, data: {} });

export function policyContract(name: string, open: () => Promise<PolicyHandle>): void {
  describe(`${name} policies`, () => {
    it('keeps policies per table and tenant, oldest first, with their expression and masks as written', async () => {
      const h = await open();
      try {
        expect(await h.policies.listForObject('acme', 'tbl-1')).toEqual([]);
        await h.policies.insert(rowFilter('p2', 'tbl-1', 2000));
        await h.policies.insert(rowFilter('p1', 'tbl-1', 1000));
        const mask: Policy = {
          id: 'p3',
          tenant: 'acme',
          warehouse: 'lake',
          objectId: 'tbl-1',
          kind: 'column-mask',
          roles: ['a', 'b'],
          masks: [
            { fieldId: 3, column: 'email', action: 'show-last-4' },
            { fieldId: 4, column: 'born', action: 'mask-to-fixed-value', value: '1970-01-01' },
          ],
          // A Lance table's: Lance's own field id of each column (kept since 2026-11-29, catalog/lance/native-fields.ts).
          lanceFields: [
            { column: 'email', id: 7 },
            { column: 'born', id: 0 },
          ],
          description: 'pii',
          version: 1,
          createdAtMs: 3000,
          updatedAtMs: 3000,
        };
        await h.policies.insert(mask);
        await h.policies.insert(rowFilter('p4', 'tbl-2', 1000));
        await h.policies.insert(rowFilter('p5', 'tbl-1', 1000, 'globex'));
        expect((await h.policies.listForObject('acme', 'tbl-1')).map((p) => p.id)).toEqual(['p1', 'p2', 'p3']);
        expect(await h.policies.get('acme', 'p3')).toEqual(mask);
        expect(await h.policies.get('acme', 'p1')).toEqual(rowFilter('p1', 'tbl-1', 1000));
        expect(await h.policies.get('globex', 'p1')).toBeUndefined();
        expect((await h.policies.listForObject('globex', 'tbl-1')).map((p) => p.id)).toEqual(['p5']);
      } finally {
        await h.close();
      }
    });

    it('lists every table with a policy once, across tenants and warehouses, in pages', async () => {
      const h = await open();
      try {
        expect(await h.policies.listTables(10)).toEqual([]);
        await h.policies.insert(rowFilter('p1', 'tbl-2', 1000));
        await h.policies.insert(rowFilter('p2', 'tbl-1', 2000));
        await h.policies.insert(rowFilter('p3', 'tbl-2', 3000));
        await h.policies.insert(rowFilter('p4', 'tbl-3', 1000));
        await h.policies.insert({ ...rowFilter('p5', 'tbl-1', 1000, 'globex'), warehouse: 'pond' });
        await h.policies.insert(rowFilter('p6', 'tbl-0', 1000, 'globex'));
        const first = await h.policies.listTables(2);
        expect(first).toEqual([
          { tenant: 'acme', warehouse: 'lake', objectId: 'tbl-1' },
          { tenant: 'acme', warehouse: 'lake', objectId: 'tbl-2' },
        ]);
        const second = await h.policies.listTables(2, first[1]);
        expect(second).toEqual([
          { tenant: 'acme', warehouse: 'lake', objectId: 'tbl-3' },
          { tenant: 'globex', warehouse: 'lake', objectId: 'tbl-0' },
        ]);
        expect(await h.policies.listTables(2, second[1])).toEqual([{ tenant: 'globex', warehouse: 'pond', objectId: 'tbl-1' }]);
        expect(await h.policies.listTables(2, { tenant: 'globex', objectId: 'tbl-1' })).toEqual([]);
        // A table whose last policy is deleted is no longer listed.
        expect(await h.policies.delete('acme', 'p4')).toBe(true);
        expect((await h.policies.listTables(10)).map((t) => t.objectId)).toEqual(['tbl-1', 'tbl-2', 'tbl-0', 'tbl-1']);
      } finally {
        await h.close();
      }
    });

    it("answers which of a tenant's objects carry a policy, in one call", async () => {
      const h = await open();
      try {
        expect(await h.policies.withPolicies('acme', [])).toEqual(new Set());
        await h.policies.insert(rowFilter('p1', 'tbl-1', 1000));
        await h.policies.insert(rowFilter('p2', 'tbl-1', 2000));
        await h.policies.insert(rowFilter('p3', 'tbl-3', 1000));
        await h.policies.insert(rowFilter('p4', 'tbl-2', 1000, 'globex'));
        expect(await h.policies.withPolicies('acme', ['tbl-1', 'tbl-2', 'tbl-3', 'tbl-4'])).toEqual(new Set(['tbl-1', 'tbl-3']));
        expect(await h.policies.withPolicies('globex', ['tbl-1', 'tbl-2'])).toEqual(new Set(['tbl-2']));
        expect(await h.policies.delete('acme', 'p3')).toBe(true);
        expect(await h.policies.withPolicies('acme', ['tbl-3'])).toEqual(new Set());
      } finally {
        await h.close();
      }
    });

    it('updates only from the version read (compare-and-swap), deletes once, and commits each change with its events', async () => {
      const h = await open();
      try {
        await h.policies.insert(rowFilter('p1', 'tbl-1', 1000), [ev('io.lakegate.policy.created')]);
        const next: Policy = { ...rowFilter('p1', 'tbl-1', 1000), roles: ['auditors'], filter: true, fieldIds: [], version: 2, updatedAtMs: 5000 };
        expect(await h.policies.update(next, 1, [ev('io.lakegate.policy.updated')])).toBe(true);
        expect(await h.policies.update({ ...next, version: 3 }, 1, [ev('io.lakegate.lost')])).toBe(false);
        expect(await h.policies.get('acme', 'p1')).toEqual(next);
        expect(await h.policies.update({ ...next, tenant: 'globex', version: 3 }, 2)).toBe(false);
        expect(await h.policies.delete('globex', 'p1')).toBe(false);
        expect(await h.policies.delete('acme', 'p1', [ev('io.lakegate.policy.deleted')])).toBe(true);
        expect(await h.policies.delete('acme', 'p1', [ev('io.lakegate.lost')])).toBe(false);
        expect(await h.policies.get('acme', 'p1')).toBeUndefined();
        expect(await h.eventTypes('lake')).toEqual(['io.lakegate.policy.created', 'io.lakegate.policy.updated', 'io.lakegate.policy.deleted']);
      } finally {
        await h.close();
      }
    });
  });
}

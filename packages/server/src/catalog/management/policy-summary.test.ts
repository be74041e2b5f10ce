/**
 * The sentences the effective policy and explain answer about a restricted Iceberg table say how the caller reads it:
 * through the catalog's server-side scan plan (policy-enforced files), never with storage access to the table's own
 * files. Before, both said policy-enforced reads did not exist yet, which they have since the scan plan enforced them.
 */
import { describe, expect, it } from 'vitest';
import { combine } from '../policies/effective.js';
import { withPolicies } from '../policies/explain.js';
import type { Policy } from '../ports/policies.js';
import { effectiveView } from './policy-admin.js';

const policy: Policy = {
  tenant: 'default',
  warehouse: 'w',
  objectId: 'o',
  id: 'p1',
  kind: 'row-filter',
  roles: ['analysts'],
  filter: { type: 'eq', term: 'region', value: 'eu' },
  version: 1,
  createdAtMs: 1,
  updatedAtMs: 1,
};

describe("a restricted table's summary sentences", () => {
  it('effective-policy says the table is read through the server-side scan plan', () => {
    const view = effectiveView(combine([policy]), ['analysts'], 'w/sales.orders');
    expect(view.restricted).toBe(true);
    expect(view.summary).toContain('row-filter policy p1 (v1) applies through role analysts');
    expect(view.summary).toContain('server-side scan plan');
    expect(view.summary).not.toMatch(/until policy-enforced reads exist/);
  });

  it('explain says the subject reads through the catalog, without storage access to the own files', async () => {
    const lookup = { policiesOn: async () => [policy], rolesOf: async () => ['analysts'] };
    const explained = await withPolicies({ summary: 'principal x can table:read-data' }, lookup, 'default', [], { kind: 'table', id: 'o' });
    expect(explained.policies).toEqual([{ id: 'p1', kind: 'row-filter', version: 1, roles: ['analysts'] }]);
    expect(explained.summary).toContain('server-side scan planning of policy-enforced files');
    expect(explained.summary).not.toMatch(/until policy-enforced reads exist/);
  });
});

import { describe, expect, it } from 'vitest';
import type { Policy } from '../ports/policies.js';
import { heldRoles, policiesStillApply } from './lance-policy-cleanup.js';

const policy = (id: string, roles: string[], version = 1): Policy => ({
  id,
  tenant: 't',
  warehouse: 'w',
  objectId: 'o',
  kind: 'row-filter',
  roles,
  version,
  createdAtMs: 0,
  updatedAtMs: 0,
});

describe('a policy-derived dataset superseded by its policies', () => {
  const side = { dataset: 'lance-v3-x', version: 3, policies: [{ id: 'a', version: 1 }] };

  it('stays while some combination of roles still gets exactly its policies', () => {
    expect(policiesStillApply(side, [policy('a', ['analysts'])])).toBe(true);
    // A policy for roles its readers need not hold.
    expect(policiesStillApply(side, [policy('a', ['analysts']), policy('b', ['interns'])])).toBe(true);
    // A policy added for one of its roles: the other role still gets `a` alone.
    expect(policiesStillApply(side, [policy('a', ['analysts', 'auditors']), policy('b', ['analysts'])])).toBe(true);
    // Recorded before policies were: current.
    expect(policiesStillApply({ dataset: 'lance-v3-x', version: 3 }, [])).toBe(true);
  });

  it('is superseded when a policy is added for all its roles, or one of its policies changed or went', () => {
    expect(policiesStillApply(side, [policy('a', ['analysts']), policy('b', ['analysts', 'interns'])])).toBe(false);
    expect(policiesStillApply(side, [policy('a', ['analysts'], 2)])).toBe(false);
    expect(policiesStillApply(side, [])).toBe(false);
    // A combination's dataset: both policies still reachable together, until a third binds both roles.
    const both = { ...side, policies: [side.policies[0]!, { id: 'b', version: 1 }] };
    expect(policiesStillApply(both, [policy('a', ['analysts']), policy('b', ['engineers'])])).toBe(true);
    expect(policiesStillApply(both, [policy('a', ['analysts']), policy('b', ['engineers']), policy('c', ['analysts'])])).toBe(false);
  });

  it('is superseded when no role that reaches its policies alone has a holder any more', () => {
    const both = { ...side, policies: [side.policies[0]!, { id: 'b', version: 1 }] };
    const onTable = [policy('a', ['analysts', 'auditors']), policy('b', ['engineers'])];
    expect(policiesStillApply(both, onTable, new Set(['auditors', 'engineers']))).toBe(true);
    // Nobody holds `engineers`: no reader's roles combine into exactly a and b.
    expect(policiesStillApply(both, onTable, new Set(['analysts', 'auditors']))).toBe(false);
    expect(policiesStillApply(side, onTable, new Set())).toBe(false);
    // Holders unknown: every role counts as held.
    expect(policiesStillApply(both, onTable, undefined)).toBe(true);
  });
});

describe('heldRoles', () => {
  it("names the policies' roles that have at least one holder, once each, or none known without holders", async () => {
    const asked: string[] = [];
    const holders = async (_tenant: string, role: string) => {
      asked.push(role);
      return role === 'analysts' ? [{ tenant: 't' }] : [];
    };
    expect(await heldRoles(holders, 't', [policy('a', ['analysts', 'auditors']), policy('b', ['analysts'])])).toEqual(new Set(['analysts']));
    expect(asked.sort()).toEqual(['analysts', 'auditors']);
    expect(await heldRoles(undefined, 't', [policy('a', ['analysts'])])).toBeUndefined();
  });
});

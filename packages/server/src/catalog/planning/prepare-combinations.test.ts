import { describe, expect, it } from 'vitest';
import type { Member, RoleAssignment } from '../ports/access.js';
import type { Policy } from '../ports/policies.js';
import { applyingTo, combine } from '../policies/effective.js';
import { SeenRoleSets, combinedPolicies, heldRoleSets, singleRolePolicies } from './prepare-combinations.js';

const base = { tenant: 't', warehouse: 'w', objectId: 'o', version: 1, createdAtMs: 1, updatedAtMs: 1 };
const filter = (id: string, roles: string[], value: string): Policy => ({
  ...base,
  id,
  kind: 'row-filter',
  roles,
  filter: { type: 'eq', term: 'region', value },
});
const mask = (id: string, roles: string[]): Policy => ({
  ...base,
  id,
  kind: 'column-mask',
  roles,
  masks: [{ fieldId: 3, column: 'email', action: 'mask-alphanum' }],
});
const onTable = [filter('eu', ['analysts'], 'eu'), mask('m', ['scorers']), filter('us', ['auditors'], 'us')];
const principal = (name: string): Member => ({ kind: 'principal', issuer: '', name });
const group = (name: string): Member => ({ kind: 'group', issuer: 'https://idp', name });

/** Stored assignments: role -> members. */
function holders(assignments: Record<string, Member[]>) {
  const asked: string[] = [];
  const lookup = async (tenant: string, role: string): Promise<RoleAssignment[]> => {
    asked.push(role);
    return (assignments[role] ?? []).map((member) => ({ tenant, role, member, createdAtMs: 1 }));
  };
  return { lookup, asked };
}

describe('role combinations prepared', () => {
  it('finds the sets of two or more bound roles one stored member holds, most held first', async () => {
    const h = holders({
      analysts: [principal('a'), principal('b'), principal('c'), group('g')],
      scorers: [principal('a'), principal('b'), group('g')],
      auditors: [principal('c'), principal('d')],
      unrelated: [principal('a')],
    });
    const sets = await heldRoleSets(onTable, 't', h.lookup);
    expect(sets).toEqual([
      ['analysts', 'scorers'],
      ['analysts', 'auditors'],
    ]);
    expect(h.asked.sort()).toEqual(['analysts', 'auditors', 'scorers']);
  });

  it("yields each set's effective policy as the plan computes it, leaving out single roles' and past the bound", () => {
    const singles = singleRolePolicies(onTable);
    expect(singles.size).toBe(3);
    const sets = [['analysts', 'scorers'], ['analysts', 'scorers', 'unrelated'], ['analysts', 'auditors'], ['scorers']];
    const all = combinedPolicies(onTable, sets, singles, Infinity);
    expect([...all.keys()]).toEqual([combine(applyingTo(onTable, sets[0]!)).policyVersion, combine(applyingTo(onTable, sets[2]!)).policyVersion]);
    const bounded = combinedPolicies(onTable, sets, singles, 1);
    expect([...bounded.keys()]).toEqual([combine(applyingTo(onTable, ['analysts', 'scorers'])).policyVersion]);
  });

  it('remembers recently planned role sets per table, bounded, most recent first', () => {
    const seen = new SeenRoleSets(2, 2);
    seen.note('t1', ['scorers', 'analysts']);
    seen.note('t1', ['analysts']);
    seen.note('t1', ['analysts', 'auditors']);
    seen.note('t1', ['analysts', 'scorers']);
    expect(seen.of('t1')).toEqual([
      ['analysts', 'scorers'],
      ['analysts', 'auditors'],
    ]);
    seen.note('t1', ['a', 'b']);
    expect(seen.of('t1')).toEqual([
      ['a', 'b'],
      ['analysts', 'scorers'],
    ]);
    seen.note('t2', ['a', 'b']);
    seen.note('t3', ['a', 'b']);
    expect(seen.of('t1')).toEqual([]);
    expect(seen.of('t3')).toEqual([['a', 'b']]);
    const off = new SeenRoleSets(0);
    off.note('t1', ['a', 'b']);
    expect(off.of('t1')).toEqual([]);
  });
});

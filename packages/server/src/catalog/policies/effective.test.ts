import { describe, expect, it } from 'vitest';
import { applyingTo, combine } from './effective.js';
import type { Policy } from '../ports/policies.js';

const base = { tenant: 't', warehouse: 'w', objectId: 'o', version: 1, createdAtMs: 1, updatedAtMs: 1 };
const filter = (id: string, roles: string[], value: string): Policy => ({
  ...base,
  id,
  kind: 'row-filter',
  roles,
  filter: { type: 'eq', term: 'region', value },
});
const mask = (id: string, roles: string[], masks: Policy['masks']): Policy => ({ ...base, id, kind: 'column-mask', roles, masks });

describe('effective policy', () => {
  it('applies a policy to holders of any of its roles only', () => {
    const p = [filter('a', ['eu', 'x'], 'eu'), filter('b', ['uk'], 'uk')];
    expect(applyingTo(p, ['x']).map((q) => q.id)).toEqual(['a']);
    expect(applyingTo(p, ['other'])).toEqual([]);
    expect(applyingTo(p, [])).toEqual([]);
  });

  it('ORs the row filters and keeps the least revealing mask per column', () => {
    const e = combine([
      filter('a', ['eu'], 'eu'),
      filter('b', ['uk'], 'uk'),
      mask(
        'c',
        ['eu'],
        [
          { fieldId: 3, column: 'email', action: 'show-first-4' },
          { fieldId: 4, column: 'born', action: 'truncate-to-month' },
        ],
      ),
      mask(
        'd',
        ['uk'],
        [
          { fieldId: 3, column: 'email', action: 'mask-alphanum' },
          { fieldId: 4, column: 'born', action: 'truncate-to-year' },
        ],
      ),
    ]);
    expect(e.rowFilter).toEqual({ type: 'or', left: { type: 'eq', term: 'region', value: 'eu' }, right: { type: 'eq', term: 'region', value: 'uk' } });
    expect(e.masks.map((m) => [m.fieldId, m.action])).toEqual([
      [3, 'mask-alphanum'],
      [4, 'truncate-to-year'],
    ]);
    expect(e.policies.map((p) => p.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('has no row filter when only masks apply, and a version that follows every applying policy', () => {
    const only = combine([mask('c', ['eu'], [{ fieldId: 3, column: 'email', action: 'replace-with-null' }])]);
    expect(only.rowFilter).toBeUndefined();
    const v1 = combine([filter('a', ['eu'], 'eu')]).policyVersion;
    expect(combine([{ ...filter('a', ['eu'], 'eu'), version: 2 }]).policyVersion).not.toBe(v1);
    expect(combine([filter('a', ['eu'], 'eu')]).policyVersion).toBe(v1);
    expect(combine([]).policyVersion).toBeUndefined();
  });
});

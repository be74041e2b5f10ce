/**
 * A Lance table's policies as GET and list show them (lanceShown) when the table holds a column the policy-derived
 * dataset cannot carry: every policy `unusable` with the words its restricted read is refused with (policy-reads.ts,
 * uncarriedAtRead), whatever column the policy names, as that read refuses the whole table. Before 2026-11-29 such a
 * policy showed `enforced` (a marked column), or the deriver's bare 400 (a version it refused to read).
 */
import { describe, expect, it } from 'vitest';
import { CatalogError, validation } from '../../errors/catalog-error.js';
import { uncarriedAtRead } from '../lance/policy-columns.js';
import type { Policy } from '../ports/policies.js';
import { lanceShown } from './policy-status.js';

const policy = (id: string): Policy => ({
  id,
  tenant: 't',
  warehouse: 'w',
  objectId: 'o',
  kind: 'row-filter',
  roles: ['r'],
  filter: { type: 'gt', term: 'id', value: 1 },
  version: 1,
  createdAtMs: 0,
  updatedAtMs: 0,
});
const fields = [
  { id: 0, parentId: -1, name: 'id', logicalType: 'int32' },
  { id: 1, parentId: -1, name: 'u', logicalType: 'struct' },
];
const id = { name: 'id', type: 'int', nullable: false };
const union = { name: 'u', type: 'nested', nullable: true, uncarried: 'a column of type Union (a union) cannot be copied row by row here' };

describe("a Lance table's column the policy-derived dataset cannot carry", () => {
  it('shows every policy unusable with the restricted read’s words, though the policy names another column', () => {
    const [p1, p2] = [policy('p1'), policy('p2')];
    expect(lanceShown([p1], { fields: fields.slice(0, 1), columns: [id] })[0]!.status).toEqual({ status: 'enforced' });
    const shown = lanceShown([p1, p2], { fields, columns: [id, union] });
    expect(shown.map((s) => s.status)).toEqual([
      { status: 'unusable', reason: uncarriedAtRead([p1], [id, union])!.message },
      { status: 'unusable', reason: uncarriedAtRead([p2], [id, union])!.message },
    ]);
    expect(shown[0]!.status).toMatchObject({
      reason: expect.stringMatching(/^The row\/column policy p1 on this Lance table cannot be enforced: its column u cannot be written .*union/),
    });
    expect(shown[0]!.policy).toBe(p1);
  });

  it('shows a version the deriver refused to read (its 400) as the read refuses it; any other failure as it is', () => {
    const refused = validation('The Lance table cannot be read for its policies: its column late holds a large list (64-bit offsets)');
    expect(lanceShown([policy('p1')], refused)[0]!.status).toEqual({
      status: 'unusable',
      reason: `The row/column policy p1 on this Lance table cannot be enforced: ${refused.message}; no data is handed out`,
    });
    const down = new CatalogError('ERR_UNAVAILABLE', 'The Lance table could not be read (for its policies): gone away');
    expect(lanceShown([policy('p1')], down)[0]!.status).toEqual({ status: 'unusable', reason: down.message });
  });
});

/**
 * A fixed-size list of structs of more than one element, which the Lance library writes but cannot read back beside
 * other columns (lance-unreadable.ts): the deriver's column list marks it uncarried, at any depth, so a policy on its
 * table is refused when written (checkCarried) and a stored one is shown `unusable` with the words of the restricted
 * read's refusal (lanceShown). Fails on the old code: the column was carried, the policy taken and shown `enforced`.
 */
import { Field, FixedSizeList, Float32, Int32, Int64, List, Map_, Struct, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { checkCarried, uncarriedAtRead } from '../catalog/lance/policy-columns.js';
import { lanceShown } from '../catalog/management/policy-status.js';
import type { Policy } from '../catalog/ports/policies.js';
import { columnOf } from './lancedb-policy-deriver.js';
import { unreadableByLance } from './lance-unreadable.js';

const row = new Struct([new Field('x', new Int32(), true)]);
const fsl = (size: number, item: Field['type'] = row) => new FixedSizeList(size, new Field('item', item, true));
const id = new Field('id', new Int64(), false);
const policy: Policy = {
  id: 'p1',
  tenant: 't',
  warehouse: 'w',
  objectId: 'o',
  kind: 'row-filter',
  roles: ['r'],
  filter: { type: 'gt', term: 'id', value: 1 },
  version: 1,
  createdAtMs: 0,
  updatedAtMs: 0,
};

describe('a fixed-size list of structs Lance cannot read back', () => {
  const refused = {
    'fixed_size_list<struct>[2]': fsl(2),
    'struct<fixed_size_list<struct>[3]>': new Struct([new Field('v', fsl(3), true)]),
    'list<fixed_size_list<struct>[2]>': new List(new Field('item', fsl(2), true)),
    'fixed_size_list<struct<fixed_size_list<float>[2]>>[2]': fsl(2, new Struct([new Field('v', fsl(2, new Float32()), true)])),
    'map<string, fixed_size_list<struct>[2]>': new Map_(
      new Field('entries', new Struct([new Field('key', new Utf8(), false), new Field('value', fsl(2), true)]), false) as never,
    ),
  };
  const carried = {
    'fixed_size_list<struct>[1]': fsl(1),
    'fixed_size_list<float>[2] (a vector)': fsl(2, new Float32()),
    'list<struct<fixed_size_list<float>[2]>>': new List(new Field('item', new Struct([new Field('v', fsl(2, new Float32()), true)]), true)),
    'list<struct>': new List(new Field('item', row, true)),
  };

  it.each(Object.entries(refused))('marks a column of %s uncarried, naming the shape', (_, type) => {
    const column = columnOf(new Field('c', type, true));
    expect(column.uncarried).toMatch(/^a fixed-size list of \d structs \(FixedSizeList\[\d\]<Struct<.*cannot read columns of differing lengths together/);
    expect(unreadableByLance(type)).toBe(column.uncarried);
  });

  it.each(Object.entries(carried))('carries a column of %s', (_, type) => {
    expect(columnOf(new Field('c', type, true)).uncarried).toBeUndefined();
  });

  it('refuses a policy on its table (400 naming the column) and shows a stored one unusable in the restricted read’s words', () => {
    const columns = [id, new Field('c', fsl(2), true)].map(columnOf);
    expect(() => checkCarried(columns)).toThrow(
      expect.objectContaining({
        code: 'ERR_VALIDATION',
        message: expect.stringMatching(/^The Lance table's column c cannot be written into the policy-derived dataset .*a fixed-size list of 2 structs/),
      }),
    );
    const fields = [
      { id: 0, parentId: -1, name: 'id', logicalType: 'int64' },
      { id: 1, parentId: -1, name: 'c', logicalType: 'fixed_size_list:struct:2' },
    ];
    const [shown] = lanceShown([policy], { fields, columns });
    expect(shown!.status).toEqual({ status: 'unusable', reason: uncarriedAtRead([policy], columns)!.message });
    expect(shown!.status).toMatchObject({ reason: expect.stringMatching(/^The row\/column policy p1 on this Lance table cannot be enforced: its column c /) });
    // A single-element one is carried: the policy is taken and enforced.
    const one = [id, new Field('c', fsl(1), true)].map(columnOf);
    expect(() => checkCarried(one)).not.toThrow();
    expect(lanceShown([policy], { fields, columns: one })[0]!.status).toEqual({ status: 'enforced' });
  });
});

import { describe, expect, it } from 'vitest';
import type { Schema } from '../metadata/types.js';
import { checkMasks, checkRowFilter } from './rules.js';

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'vector', type: { type: 'list', 'element-id': 4, element: 'float', 'element-required': false }, required: false },
    { id: 3, name: 'person', type: { type: 'struct', fields: [{ id: 5, name: 'email', type: 'string', required: false }] }, required: false },
  ],
};

describe('policy rules for lists and struct fields', () => {
  it('masks a list whole by replace-with-null only; a Lance table no other nested column, an Iceberg table a struct too', () => {
    const nulled = [{ column: 'vector', action: 'replace-with-null' }];
    expect(checkMasks(nulled, schema)).toEqual([{ fieldId: 2, column: 'vector', action: 'replace-with-null' }]);
    expect(checkMasks(nulled, schema, { wholeLists: true })).toEqual([{ fieldId: 2, column: 'vector', action: 'replace-with-null' }]);
    expect(checkMasks([{ column: 'person', action: 'replace-with-null' }], schema)).toEqual([{ fieldId: 3, column: 'person', action: 'replace-with-null' }]);
    expect(() => checkMasks([{ column: 'person', action: 'replace-with-null' }], schema, { wholeLists: true })).toThrow(/not of a primitive type/);
    expect(() => checkMasks([{ column: 'vector', action: 'sha-256-global' }], schema, { wholeLists: true })).toThrow(/by replace-with-null only/);
    expect(() => checkMasks([{ 'field-id': 2, action: 'mask-to-fixed-value', value: 'x' }], schema, { wholeLists: true })).toThrow(/by replace-with-null only/);
    expect(() => checkMasks([{ column: 'vector', action: 'sha-256-global' }], schema)).toThrow(/cannot mask the list column 'vector'.*replace-with-null only/);
  });

  it("names a struct's field by dotted path or field id, and refuses a filter on a list saying why", () => {
    expect(checkMasks([{ 'field-id': 5, action: 'mask-alphanum' }], schema)).toEqual([{ fieldId: 5, column: 'person.email', action: 'mask-alphanum' }]);
    expect(checkRowFilter({ type: 'eq', term: 'person.email', value: 'a' }, schema)).toEqual([5]);
    expect(() => checkRowFilter({ type: 'not-null', term: 'vector' }, schema)).toThrow(/is a list \(a vector\), and a row filter compares one value a row/);
  });
});

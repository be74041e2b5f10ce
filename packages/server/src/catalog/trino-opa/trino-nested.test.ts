import { describe, expect, it } from 'vitest';
import type { IcebergType } from '../metadata/types.js';
import { nullOf, trinoTypeOf } from './trino-nested.js';
import { UnsupportedPolicy } from './trino-sql.js';

const emails: IcebergType = { type: 'list', 'element-id': 7, element: 'string', 'element-required': false };
const attrs: IcebergType = { type: 'map', 'key-id': 8, key: 'string', 'value-id': 9, value: 'timestamptz', 'value-required': false };
const address: IcebergType = {
  type: 'struct',
  fields: [
    { id: 10, name: 'ci"ty', type: 'string', required: false },
    { id: 11, name: 'tags', type: emails, required: false },
    { id: 12, name: 'amount', type: 'decimal(10, 2)', required: false },
  ],
};

describe('Trino SQL of a whole nested column nulled', () => {
  it("is NULL cast to the Trino type the column's Iceberg type maps to (row field names quoted)", () => {
    expect(nullOf(emails)).toBe('CAST(NULL AS array(varchar))');
    expect(nullOf(attrs)).toBe('CAST(NULL AS map(varchar, timestamp(6) with time zone))');
    expect(nullOf(address)).toBe('CAST(NULL AS row("ci""ty" varchar, "tags" array(varchar), "amount" decimal(10, 2)))');
    expect(trinoTypeOf({ type: 'list', 'element-id': 1, element: 'fixed[16]', 'element-required': true })).toBe('array(varbinary)');
  });

  it('refuses (fail closed) a type it does not know', () => {
    expect(() => trinoTypeOf('constructor')).toThrow(UnsupportedPolicy);
    expect(() => trinoTypeOf('variant')).toThrow(UnsupportedPolicy);
  });
});

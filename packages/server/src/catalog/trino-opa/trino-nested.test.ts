import { describe, expect, it } from 'vitest';
import type { IcebergType } from '../metadata/types.js';
import type { ColumnMask } from '../ports/policies.js';
import { elementsMaskSql, nullOf, trinoTypeOf } from './trino-nested.js';
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

describe("Trino SQL of masks of a list's elements and a map's values", () => {
  const ctx = { querySalt: new Uint8Array([1, 2, 3]) };
  const masks = (...m: ColumnMask[]) => new Map(m.map((x) => [x.fieldId, x]));
  const nested: IcebergType = {
    type: 'list',
    'element-id': 20,
    element: { type: 'map', 'key-id': 21, key: 'string', 'value-id': 22, value: 'date', 'value-required': false },
    'element-required': false,
  };

  it('maps every element (transform) and every value (transform_values) through the primitive mask, keys untouched', () => {
    expect(elementsMaskSql('"emails"', emails, masks({ fieldId: 7, column: 'emails.element', action: 'show-first-4' }), ctx)).toBe(
      `transform("emails", e0 -> CAST(substr(e0, 1, 4) || rpad('', greatest(length(e0) - 4, 0), 'x') AS varchar))`,
    );
    expect(elementsMaskSql('"attrs"', attrs, masks({ fieldId: 9, column: 'attrs.value', action: 'replace-with-null' }), ctx)).toBe(
      'transform_values("attrs", (k0, v0) -> CAST(NULL AS timestamp(6) with time zone))',
    );
    expect(elementsMaskSql('"m"', nested, masks({ fieldId: 22, column: 'm.element.value', action: 'truncate-to-year' }), ctx)).toBe(
      `transform("m", e0 -> transform_values(e0, (k1, v1) -> CAST(date_trunc('year', v1) AS date)))`,
    );
    expect(elementsMaskSql('"m"', nested, masks({ fieldId: 22, column: 'm.element.value', action: 'mask-to-fixed-value', value: '2000-01-01' }), ctx)).toBe(
      `transform("m", e0 -> transform_values(e0, (k1, v1) -> CAST(DATE '2000-01-01' AS date)))`,
    );
    // A whole map inside a list nulled: each element NULL of the map's type.
    expect(elementsMaskSql('"m"', nested, masks({ fieldId: 20, column: 'm.element', action: 'replace-with-null' }), ctx)).toBe(
      'transform("m", e0 -> CAST(NULL AS map(varchar, date)))',
    );
    expect(elementsMaskSql('"emails"', emails, masks({ fieldId: 99, column: 'x', action: 'replace-with-null' }), ctx)).toBeUndefined();
  });

  it("refuses (fail closed) a mask of a struct's field, which it does not write yet", () => {
    const contacts: IcebergType = { type: 'list', 'element-id': 30, element: address, 'element-required': false };
    expect(() => elementsMaskSql('"c"', contacts, masks({ fieldId: 10, column: 'c.element.ci"ty', action: 'mask-alphanum' }), ctx)).toThrow(UnsupportedPolicy);
  });
});

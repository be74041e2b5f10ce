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
});

describe("Trino SQL of masks of a struct's fields", () => {
  const ctx = { querySalt: new Uint8Array([1, 2, 3]) };
  const masks = (...m: ColumnMask[]) => new Map(m.map((x) => [x.fieldId, x]));
  const ROW_TYPE = 'row("ci""ty" varchar, "tags" array(varchar), "amount" decimal(10, 2))';

  it('rebuilds the row with the masked field replaced, the others by position, a null struct null; refuses a row type it cannot write', () => {
    expect(elementsMaskSql('"addr"', address, masks({ fieldId: 10, column: 'addr.ci"ty', action: 'mask-alphanum' }), ctx)).toBe(
      `CASE WHEN "addr" IS NULL THEN NULL ELSE CAST(ROW(CAST(regexp_replace(regexp_replace(regexp_replace("addr"[1], '[A-Z]', 'X'), '[a-z]', 'x'), '[0-9]', 'n') AS varchar), "addr"[2], "addr"[3]) AS ${ROW_TYPE}) END`,
    );
    // A struct holding a field of a type with no Trino type here: refused (the caller answers the column NULL).
    const odd: IcebergType = {
      type: 'struct',
      fields: [
        { id: 50, name: 'v', type: 'variant', required: false },
        { id: 51, name: 'e', type: 'string', required: false },
      ],
    };
    expect(() => elementsMaskSql('"o"', odd, masks({ fieldId: 51, column: 'o.e', action: 'replace-with-null' }), ctx)).toThrow(UnsupportedPolicy);
  });

  it('masks several fields of one struct at once, a list inside it through a lambda', () => {
    expect(
      elementsMaskSql(
        '"addr"',
        address,
        masks({ fieldId: 7, column: 'addr.tags.element', action: 'sha-256-global' }, { fieldId: 10, column: 'addr.ci"ty', action: 'replace-with-null' }),
        ctx,
      ),
    ).toBe(
      `CASE WHEN "addr" IS NULL THEN NULL ELSE CAST(ROW(CAST(NULL AS varchar), transform("addr"[2], e1 -> CAST(lower(to_hex(sha256(to_utf8(e1)))) AS varchar)), "addr"[3]) AS ${ROW_TYPE}) END`,
    );
  });

  it("masks a field of a list's structs and of a map's struct values in the lambda, at any depth", () => {
    const contacts: IcebergType = { type: 'list', 'element-id': 30, element: address, 'element-required': false };
    expect(elementsMaskSql('"c"', contacts, masks({ fieldId: 10, column: 'c.element.ci"ty', action: 'replace-with-null' }), ctx)).toBe(
      `transform("c", e0 -> CASE WHEN e0 IS NULL THEN NULL ELSE CAST(ROW(CAST(NULL AS varchar), e0[2], e0[3]) AS ${ROW_TYPE}) END)`,
    );
    const byName: IcebergType = { type: 'map', 'key-id': 31, key: 'string', 'value-id': 32, value: address, 'value-required': false };
    expect(elementsMaskSql('"m"', byName, masks({ fieldId: 7, column: 'm.value.tags.element', action: 'show-last-4' }), ctx)).toBe(
      `transform_values("m", (k0, v0) -> CASE WHEN v0 IS NULL THEN NULL ELSE CAST(ROW(v0[1], transform(v0[2], e2 -> CAST(rpad('', greatest(length(e2) - 4, 0), 'x') || substr(e2, greatest(length(e2) - 3, 1)) AS varchar)), v0[3]) AS ${ROW_TYPE}) END)`,
    );
  });

  it('rebuilds each struct a masked field is in (structs in structs), and nulls a whole inner struct as its row type', () => {
    const outer: IcebergType = {
      type: 'struct',
      fields: [
        { id: 40, name: 'Home.Addr', type: address, required: false },
        { id: 41, name: 'id', type: 'long', required: true },
      ],
    };
    const OUTER = `row("Home.Addr" ${ROW_TYPE}, "id" bigint)`;
    expect(elementsMaskSql('"p"', outer, masks({ fieldId: 12, column: 'x', action: 'replace-with-null' }), ctx)).toBe(
      `CASE WHEN "p" IS NULL THEN NULL ELSE CAST(ROW(CASE WHEN "p"[1] IS NULL THEN NULL ELSE CAST(ROW("p"[1][1], "p"[1][2], CAST(NULL AS decimal(10, 2))) AS ${ROW_TYPE}) END, "p"[2]) AS ${OUTER}) END`,
    );
    expect(elementsMaskSql('"p"', outer, masks({ fieldId: 40, column: 'p.Home.Addr', action: 'replace-with-null' }), ctx)).toBe(
      `CASE WHEN "p" IS NULL THEN NULL ELSE CAST(ROW(CAST(NULL AS ${ROW_TYPE}), "p"[2]) AS ${OUTER}) END`,
    );
    expect(elementsMaskSql('"p"', outer, masks({ fieldId: 99, column: 'x', action: 'replace-with-null' }), ctx)).toBeUndefined();
  });
});

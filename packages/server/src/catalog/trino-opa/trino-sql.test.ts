import { describe, expect, it } from 'vitest';
import type { Schema } from '../metadata/types.js';
import { bindFilter } from '../kit/expression.js';
import { UnsupportedPolicy, literalSql, maskSql, quoteIdentifier, rowFilterSql, stringLiteral } from './trino-sql.js';

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'region', type: 'string', required: false },
    { id: 3, name: 'we"ird; DROP', type: 'string', required: false },
    { id: 4, name: 'born', type: 'date', required: false },
    { id: 5, name: 'score', type: 'double', required: false },
    { id: 6, name: 'addr', type: { type: 'struct', fields: [{ id: 7, name: 'city', type: 'string', required: false }] }, required: false },
    { id: 8, name: 'at', type: 'timestamp', required: false },
  ],
} as Schema;
const paths: Record<number, string[]> = { 1: ['id'], 2: ['region'], 3: ['we"ird; DROP'], 4: ['born'], 5: ['score'], 7: ['addr', 'city'], 8: ['at'] };
const sql = (filter: unknown) => rowFilterSql(bindFilter(filter, schema, true), (id) => paths[id]);

describe('Trino SQL of a row filter', () => {
  it('writes comparisons with Iceberg null semantics: negations admit nulls, NOT pushed to the leaves', () => {
    expect(sql({ type: 'eq', term: 'region', value: 'eu' })).toBe(`("region" = 'eu')`);
    expect(sql({ type: 'not-eq', term: 'region', value: 'eu' })).toBe(`("region" IS NULL OR "region" <> 'eu')`);
    expect(sql({ type: 'not', child: { type: 'eq', term: 'region', value: 'eu' } })).toBe(`("region" IS NULL OR "region" <> 'eu')`);
    expect(
      sql({ type: 'not', child: { type: 'and', left: { type: 'lt', term: 'id', value: 5 }, right: { type: 'in', term: 'region', values: ['a', 'b'] } } }),
    ).toBe(`(("id" >= BIGINT '5') OR ("region" IS NULL OR "region" NOT IN ('a', 'b')))`);
    expect(sql({ type: 'starts-with', term: 'region', value: 'e' })).toBe(`starts_with("region", 'e')`);
    expect(sql({ type: 'not-starts-with', term: 'region', value: 'e' })).toBe(`("region" IS NULL OR NOT starts_with("region", 'e'))`);
    expect(sql({ type: 'is-null', term: 'addr.city' })).toBe(`("addr"."city" IS NULL)`);
    expect(sql({ type: 'not-nan', term: 'score' })).toBe(`("score" IS NULL OR NOT is_nan("score"))`);
    expect(sql(true)).toBe('TRUE');
  });

  it('keeps 64-bit literals exact, dates as DATE literals, doubles as DOUBLE literals (NaN and infinities by function)', () => {
    expect(sql({ type: 'gt', term: 'id', value: 9007199254740993n })).toBe(`("id" > BIGINT '9007199254740993')`);
    expect(sql({ type: 'lt-eq', term: 'born', value: '1990-07-14' })).toBe(`("born" <= DATE '1990-07-14')`);
    expect(literalSql('double', Number.NaN)).toBe('CAST(nan() AS DOUBLE)');
    expect(literalSql('double', -Infinity)).toBe('CAST(-infinity() AS DOUBLE)');
    expect(literalSql('double', 1.5e300)).toBe(`DOUBLE '1.5e+300'`);
  });

  it('quotes hostile names and values so they stay one identifier and one literal', () => {
    expect(quoteIdentifier(['we"ird; DROP'])).toBe('"we""ird; DROP"');
    expect(sql({ type: 'eq', term: 'we"ird; DROP', value: "x') OR TRUE --" })).toBe(`("we""ird; DROP" = 'x'') OR TRUE --')`);
    expect(stringLiteral("a\nb\\c'd")).toBe("U&'a\\000ab\\\\c''d'");
    expect(stringLiteral('zürich 🚀')).toBe("U&'z\\00fcrich \\+01f680'");
    expect(() => stringLiteral('\ud800')).toThrow(UnsupportedPolicy);
  });

  it('refuses (fail closed) what it cannot write: a column type not handled yet, a column gone from the schema', () => {
    expect(() => sql({ type: 'eq', term: 'at', value: '2024-01-01T00:00:00' })).toThrow(UnsupportedPolicy);
    expect(() => rowFilterSql(bindFilter({ type: 'eq', term: 'region', value: 'eu' }, schema, true), () => undefined)).toThrow(
      /no longer in the table's schema/,
    );
  });
});

describe('Trino SQL of a column mask', () => {
  const ctx = { querySalt: new Uint8Array([1, 2, 3]) };
  const mask = (action: Parameters<typeof maskSql>[0]['action'], type = 'varchar', extra: object = {}) =>
    maskSql({ fieldId: 2, column: 'region', action, ...extra }, 'region', type, ctx);

  it('writes each action as an expression of the column type', () => {
    expect(mask('replace-with-null')).toBe('CAST(NULL AS varchar)');
    expect(mask('sha-256-global')).toBe('CAST(lower(to_hex(sha256(to_utf8("region")))) AS varchar)');
    expect(mask('sha-256-query-local')).toBe(`CAST(lower(to_hex(hmac_sha256(to_utf8("region"), from_hex('010203')))) AS varchar)`);
    expect(mask('mask-alphanum')).toContain(`regexp_replace("region", '[A-Z]', 'X')`);
    expect(mask('show-first-4')).toBe(`CAST(substr("region", 1, 4) || rpad('', greatest(length("region") - 4, 0), 'x') AS varchar)`);
    expect(mask('truncate-to-year', 'date')).toBe(`CAST(date_trunc('year', "region") AS date)`);
    expect(
      maskSql({ fieldId: 2, column: 'region', action: 'mask-to-fixed-value', value: "it's" }, 'region', 'varchar', { ...ctx, icebergType: 'string' }),
    ).toBe(`CAST('it''s' AS varchar)`);
    expect(maskSql({ fieldId: 4, column: 'born', action: 'mask-to-fixed-value', value: '2000-01-01' }, 'born', 'date', { ...ctx, icebergType: 'date' })).toBe(
      `CAST(DATE '2000-01-01' AS date)`,
    );
    expect(mask('replace-with-null', 'timestamp(6) with time zone')).toBe('CAST(NULL AS timestamp(6) with time zone)');
  });

  it('refuses a column type it cannot name safely', () => {
    expect(() => mask('replace-with-null', 'varchar) AS varchar), (SELECT 1')).toThrow(UnsupportedPolicy);
    expect(() => mask('replace-with-null', 'row("a" varchar)')).toThrow(UnsupportedPolicy);
  });

  it("quotes a column 'x.y' as one identifier and a struct's field 'a.b' as person.\"a.b\" (names holding a '.')", () => {
    const dotted = {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'x.y', type: 'string', required: false },
        { id: 2, name: 'person', type: { type: 'struct', fields: [{ id: 3, name: 'a.b', type: 'string', required: false }] }, required: false },
      ],
    } as Schema;
    const at: Record<number, string[]> = { 1: ['x.y'], 3: ['person', 'a.b'] };
    const write = (filter: unknown) => rowFilterSql(bindFilter(filter, dotted, false), (id) => at[id]);
    expect(write({ type: 'eq', term: 'x.y', value: 'eu' })).toBe(`("x.y" = 'eu')`);
    expect(write({ type: 'or', left: { type: 'eq', term: 'person.a.b', value: "o'k" }, right: { type: 'is-null', term: 'PERSON.A.B' } })).toBe(
      `(("person"."a.b" = 'o''k') OR ("person"."a.b" IS NULL))`,
    );
  });
});

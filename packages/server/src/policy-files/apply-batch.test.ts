import { Bool, DateDay, Field, Float64, Int64, RecordBatch, Schema, Struct, TimestampMicrosecond, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { bindFilter } from '../catalog/kit/expression.js';
import type { Schema as IcebergSchema } from '../catalog/metadata/types.js';
import { FIELD_ID_KEY, applyToBatch } from './apply-batch.js';

const iceberg: IcebergSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'region', type: 'string', required: false },
    { id: 3, name: 'email', type: 'string', required: false },
    { id: 4, name: 'born', type: 'date', required: false },
    { id: 5, name: 'score', type: 'double', required: false },
    { id: 6, name: 'vip', type: 'boolean', required: false },
  ],
};
const day = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
const field = (name: string, type: ConstructorParameters<typeof Field>[1], id: number) => new Field(name, type, true, new Map([[FIELD_ID_KEY, String(id)]]));

function batch(): RecordBatch {
  const schema = new Schema([
    field('id', new Int64(), 1),
    field('region', new Utf8(), 2),
    field('email', new Utf8(), 3),
    field('born', new DateDay(), 4),
    field('score', new Float64(), 5),
    field('vip', new Bool(), 6),
  ]);
  const children = [
    vectorFromArray([1n, 2n, 3n, 9007199254740993n], new Int64()),
    vectorFromArray(['eu', 'us', null, 'eu'], new Utf8()),
    vectorFromArray(['Ann.Lee@x1.com', 'bob@y.org', 'c@z', null], new Utf8()),
    vectorFromArray([day(1990, 7, 14), day(2001, 1, 31), null, day(1985, 12, 1)], new DateDay()),
    vectorFromArray([1.5, 2.5, NaN, 4], new Float64()),
    vectorFromArray([true, false, null, true], new Bool()),
  ].map((v) => v.data[0]!);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 4, nullCount: 0, children }));
}
const ctx = { querySalt: new Uint8Array(32).fill(7) };
const rows = (b: RecordBatch) => b.toArray().map((r) => r.toJSON());
const filter = (raw: unknown) => bindFilter(raw, iceberg, true);

describe('a policy applied to an Arrow record batch', () => {
  it('keeps the rows the filter admits, with Iceberg null semantics (not-eq admits nulls, eq does not)', () => {
    expect(rows(applyToBatch(batch(), { filter: filter({ type: 'eq', term: 'region', value: 'eu' }), masks: [] }, ctx)).map((r) => r.id)).toEqual([
      1n,
      9007199254740993n,
    ]);
    expect(
      rows(applyToBatch(batch(), { filter: filter({ type: 'not', child: { type: 'eq', term: 'region', value: 'eu' } }), masks: [] }, ctx)).map((r) => r.id),
    ).toEqual([2n, 3n]);
    const or = filter({ type: 'or', left: { type: 'gt', term: 'id', value: 9007199254740992n }, right: { type: 'in', term: 'born', values: ['2001-01-31'] } });
    expect(rows(applyToBatch(batch(), { filter: or, masks: [] }, ctx)).map((r) => r.id)).toEqual([2n, 9007199254740993n]);
    expect(
      applyToBatch(
        batch(),
        { filter: filter({ type: 'and', left: { type: 'not-nan', term: 'score' }, right: { type: 'eq', term: 'vip', value: true } }), masks: [] },
        ctx,
      ).numRows,
    ).toBe(2);
    expect(applyToBatch(batch(), { filter: filter(false), masks: [] }, ctx).numRows).toBe(0);
  });

  it('masks each masked column by field id and keeps the schema, field ids included', () => {
    const out = applyToBatch(
      batch(),
      {
        masks: [
          { fieldId: 3, action: 'mask-alphanum' },
          { fieldId: 4, action: 'truncate-to-year' },
          { fieldId: 2, action: 'mask-to-fixed-value', value: '--' },
        ],
      },
      ctx,
    );
    expect(out.schema.fields.map((f) => [f.name, f.metadata.get(FIELD_ID_KEY)])).toEqual([
      ['id', '1'],
      ['region', '2'],
      ['email', '3'],
      ['born', '4'],
      ['score', '5'],
      ['vip', '6'],
    ]);
    const r = rows(out);
    expect(r.map((x) => x.email)).toEqual(['Xxx.Xxx@xn.xxx', 'xxx@x.xxx', 'x@x', null]);
    expect(r.map((x) => x.born)).toEqual([Date.UTC(1990, 0, 1), Date.UTC(2001, 0, 1), null, Date.UTC(1985, 0, 1)]);
    expect(r.map((x) => x.region)).toEqual(['--', '--', '--', '--']);
    expect(r.map((x) => x.id)).toEqual([1n, 2n, 3n, 9007199254740993n]);
  });

  it('hashes globally or per query, shows the first or last 4, replaces with null', () => {
    const masked = (action: 'sha-256-global' | 'sha-256-query-local' | 'show-first-4' | 'show-last-4' | 'replace-with-null', salt = ctx) =>
      rows(applyToBatch(batch(), { masks: [{ fieldId: 3, action }] }, salt)).map((x) => x.email);
    expect(masked('sha-256-global')[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(masked('sha-256-global')[0]).toBe(masked('sha-256-global', { querySalt: new Uint8Array(32) })[0]);
    expect(masked('sha-256-query-local')[0]).not.toBe(masked('sha-256-query-local', { querySalt: new Uint8Array(32) })[0]);
    expect(masked('sha-256-query-local')[0]).not.toBe(masked('sha-256-global')[0]);
    expect(masked('show-first-4')).toEqual(['Ann.xxxxxxxxxx', 'bob@xxxxx', 'c@z', null]);
    expect(masked('show-last-4')).toEqual(['xxxxxxxxxx.com', 'xxxxx.org', 'c@z', null]);
    expect(masked('replace-with-null')).toEqual([null, null, null, null]);
  });

  it('refuses a policy naming a field id the batch lacks, and a filter it cannot evaluate, instead of skipping them', () => {
    expect(() => applyToBatch(batch(), { masks: [{ fieldId: 99, action: 'replace-with-null' }] }, ctx)).toThrow(/field id 99/);
    const ts = bindFilter(
      { type: 'gt', term: 't', value: '2024-01-01T00:00:00' },
      { ...iceberg, fields: [...iceberg.fields, { id: 7, name: 't', type: 'timestamp', required: false }] },
      true,
    );
    expect(() => applyToBatch(batch(), { filter: ts, masks: [] }, ctx)).toThrow(/not evaluated yet/);
  });

  it('keeps an unmasked timestamp to the microsecond when rows are dropped (values copied as stored)', () => {
    const micros = [2219372978004006n, 1700000000123457n, -1n];
    const schema = new Schema([field('t', new TimestampMicrosecond(), 7)]);
    const t = makeData({ type: new TimestampMicrosecond(), length: 3, nullCount: 0, data: new BigInt64Array(micros) });
    const b = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 3, nullCount: 0, children: [t] }));
    const out = applyToBatch(b, { masks: [], deleted: (row) => row === 1 }, ctx);
    expect([...(out.getChildAt(0)!.data[0]!.values as BigInt64Array)]).toEqual([micros[0], micros[2]]);
  });
});

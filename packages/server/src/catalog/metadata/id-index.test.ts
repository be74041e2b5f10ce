import { describe, expect, it } from 'vitest';
import { rng } from '../../../../../test/support/rng.js';
import { IdIndex, strictKey, structuralKey } from './id-index.js';
import { compatibleSpecs, specKey } from './partition-spec.js';
import { deepEqual, sameSchema, schemaKey } from './schema.js';
import { orderKey, sameOrder } from './sort-order.js';
import { applyTableUpdates, newTableMetadata } from './table-metadata-builder.js';
import type { Schema, SortField, ViewVersion } from './types.js';
import { sameViewVersion, viewVersionKey } from './view-version.js';

// A small domain, so that random pairs are often equal, and every kind deepEqual tells apart or not (but NaN:
// parsed JSON never holds it, and deepEqual is not even reflexive for it).
const LEAVES: unknown[] = [0, -0, 1, 1n, 2 ** 53, 2n ** 53n, 1.5, Infinity, '', '1', 'a', 'i1', true, false, null, undefined];

function value(r: () => number, depth = 0): unknown {
  const x = r();
  if (depth > 2 || x < 0.5) return LEAVES[Math.floor(r() * LEAVES.length)];
  if (x < 0.75) return Array.from({ length: Math.floor(r() * 3) }, () => value(r, depth + 1));
  const o: Record<string, unknown> = {};
  for (const k of ['a', 'b', 'c']) if (r() < 0.5) o[k] = value(r, depth + 1);
  // The same keys in another order sometimes: order must not count.
  return r() < 0.5 ? o : Object.fromEntries(Object.entries(o).reverse());
}

/** Checks over `pairs` random pairs that `key(a) === key(b)` exactly when `same(a, b)`, and that some pairs were the same. */
function keyMatches<T>(make: (r: () => number) => T, key: (t: T) => string, same: (a: T, b: T) => boolean, pairs = 20_000): void {
  const r = rng(7);
  let equal = 0;
  for (let i = 0; i < pairs; i++) {
    const a = make(r);
    const b = r() < 0.2 ? a : make(r);
    const expected = same(a, b);
    if (expected) equal++;
    if ((key(a) === key(b)) !== expected)
      throw new Error(`key disagrees for ${String(structuralKey(a))} and ${String(structuralKey(b))}: expected ${expected}`);
  }
  expect(equal).toBeGreaterThan(pairs / 10);
  expect(equal).toBeLessThan(pairs);
}

describe('keys agree with the equivalences they replace', () => {
  it('structuralKey: equal exactly when deepEqual', () => {
    keyMatches((r) => value(r), structuralKey, deepEqual);
    expect(structuralKey({ a: 1, b: undefined })).toBe(structuralKey({ a: 1n }));
  });

  it('schemaKey: equal exactly when sameSchema (fields, and identifier ids as a set)', () => {
    const field = (r: () => number) => ({
      id: 1 + Math.floor(r() * 2),
      name: r() < 0.5 ? 'a' : 'b',
      required: r() < 0.5,
      type: r() < 0.7 ? 'long' : { type: 'list', 'element-id': 3, element: 'int', 'element-required': r() < 0.5 },
    });
    const schema = (r: () => number): Schema =>
      ({
        type: 'struct',
        'schema-id': Math.floor(r() * 3),
        fields: Array.from({ length: 1 + Math.floor(r() * 2) }, () => field(r)),
        ...(r() < 0.5 ? { 'identifier-field-ids': r() < 0.5 ? [1, 2] : r() < 0.5 ? [2, 1, 1] : [] } : {}),
      }) as Schema;
    keyMatches(schema, schemaKey, sameSchema);
  });

  it('specKey and orderKey: equal exactly when compatibleSpecs and sameOrder (ids do not count)', () => {
    const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const spec = (r: () => number) => ({
      'spec-id': pick(r, [0, 1]),
      fields: Array.from({ length: pick(r, [0, 1, 2]) }, () => ({
        'source-id': pick(r, [1, 2]),
        'field-id': pick(r, [1000, 1001]),
        name: pick(r, ['p', 'q']),
        transform: pick(r, ['identity', 'day']),
      })),
    });
    keyMatches(spec, specKey, compatibleSpecs);
    const order = (r: () => number) => ({
      'order-id': pick(r, [1, 2]),
      fields: Array.from(
        { length: pick(r, [1, 2]) },
        () =>
          ({
            'source-id': pick(r, [1, 2]),
            transform: pick(r, ['identity', 'bucket[4]']),
            direction: pick(r, ['asc', 'desc']),
            'null-order': pick(r, ['nulls-first', 'nulls-last']),
          }) as SortField,
      ),
    });
    keyMatches(order, orderKey, sameOrder);
    // === on primitives: a bigint id is not the number id, nor a string "1" the number 1.
    expect(strictKey(1)).not.toBe(strictKey(1n));
    expect(strictKey(1)).not.toBe(strictKey('1'));
  });

  it('viewVersionKey: equal exactly when sameViewVersion (version id and timestamp do not count)', () => {
    const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const version = (r: () => number) =>
      ({
        'version-id': pick(r, [1, 2]),
        'timestamp-ms': pick(r, [1, 2]),
        'schema-id': pick(r, [0, 1]),
        summary: pick(r, [{}, { engine: 'spark' }, { engine: 'trino' }]),
        representations: [{ type: 'sql', sql: pick(r, ['select 1', 'select 2']), dialect: pick(r, ['spark', 'trino']) }],
        ...(r() < 0.5 ? { 'default-catalog': pick(r, ['c', 'd']) } : {}),
        'default-namespace': pick(r, [[], ['a'], ['a', 'b']]),
      }) as ViewVersion;
    keyMatches(version, viewVersionKey, sameViewVersion);
  });
});

describe('IdIndex', () => {
  it('answers the first entry of a key, the ids it holds and the next free id, following appends and replacements', () => {
    const index = new IdIndex<{ id: number; k: string }>(
      (e) => e.k,
      (e) => e.id,
    );
    let list = [
      { id: 3, k: 'a' },
      { id: 1, k: 'a' },
    ];
    expect(index.find(list, 'a')).toBe(3);
    expect(index.nextFree(list, 0, 'x')).toBe(4);
    expect(index.nextFree(list, 7, 'x')).toBe(7);
    const added = { id: 9, k: 'b' };
    list.push(added);
    index.added(list, added);
    expect(index.find(list, 'b')).toBe(9);
    expect(index.has(list, 9)).toBe(true);
    list = list.filter((e) => e.id !== 3);
    expect(index.find(list, 'a')).toBe(1);
    expect(index.has(list, 3)).toBe(false);
    expect(index.nextFree([], 5, 'x')).toBe(5);
    expect(() => index.nextFree([{ id: 2 ** 31 - 1, k: 'z' }], 0, 'schema')).toThrow(/Cannot assign a new schema id/);
  });
});

describe('many structures in one commit', () => {
  it('gives 5,000 added schemas, specs and orders the ids a scan would, reusing equivalent ones', () => {
    const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'a', required: false, type: 'long' }] };
    const base = newTableMetadata({
      schema,
      location: 's3://b/wh/t',
      uuid: '11111111-1111-4111-8111-111111111111',
      nowMs: 1,
      properties: { 'format-version': '2' },
    });
    const n = 5000;
    const updates: unknown[] = [];
    for (let i = 0; i < n; i++) {
      // Every other schema repeats the one before it (same fields, another requested id): reused, not added.
      const k = i - (i % 2);
      updates.push({
        action: 'add-schema',
        schema: {
          type: 'struct',
          'schema-id': 100 + i,
          fields: [
            { id: 1, name: 'a', required: false, type: 'long' },
            { id: 2 + k, name: `c${k}`, required: false, type: 'int' },
          ],
        },
      });
      updates.push({ action: 'add-spec', spec: { fields: [{ 'source-id': 1, 'field-id': 1000, name: `p${k}`, transform: 'identity' }] } });
      updates.push({
        action: 'add-sort-order',
        'sort-order': { 'order-id': 0, fields: [{ 'source-id': 1, transform: `bucket[${k + 2}]`, direction: 'asc', 'null-order': 'nulls-first' }] },
      });
    }
    updates.push(
      { action: 'set-current-schema', 'schema-id': -1 },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'set-default-sort-order', 'sort-order-id': -1 },
    );
    const out = applyTableUpdates(base, updates, { nowMs: 2, newUuid: () => 'u' } as never);
    expect(out.schemas.map((s) => s['schema-id'])).toEqual(Array.from({ length: n / 2 + 1 }, (_, i) => i));
    expect(out['current-schema-id']).toBe(n / 2);
    expect(out['partition-specs'].map((s) => s['spec-id'])).toEqual(Array.from({ length: n / 2 + 1 }, (_, i) => i));
    expect(out['default-spec-id']).toBe(n / 2);
    expect(out['sort-orders'].map((o) => o['order-id'])).toEqual(Array.from({ length: n / 2 + 1 }, (_, i) => i));
    expect(out['default-sort-order-id']).toBe(n / 2);
  });
});

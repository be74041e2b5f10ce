import { describe, it, expect } from 'vitest';
import { rng } from '../../../../../test/support/rng.js';
import { isCatalogError } from '../../errors/catalog-error.js';
import { checkTableRequirements } from './table-requirements.js';
import { applyTableUpdates, newTableMetadata, parseTableMetadata } from './table-metadata-builder.js';
import { applyViewUpdates, checkViewRequirements, newViewMetadata, parseViewMetadata } from './view-metadata-builder.js';

const ODD_VALUES: unknown[] = [
  null,
  undefined,
  0,
  -1,
  1.5,
  2 ** 60,
  9007199254740993n,
  -(2n ** 70n),
  '',
  'x',
  'main',
  '-1',
  true,
  false,
  [],
  [1],
  {},
  { a: 1 },
  '__proto__',
  NaN,
  Infinity,
];

/** Returns a copy of `v` with one random leaf/field replaced, removed or added. */
function mutate(v: unknown, r: () => number, depth = 0): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  if (Array.isArray(v)) {
    if (v.length === 0 || r() < 0.2) return r() < 0.5 ? [...v, pick(ODD_VALUES)] : pick(ODD_VALUES);
    const i = Math.floor(r() * v.length);
    const copy = [...v];
    copy[i] = mutate(v[i], r, depth + 1);
    return copy;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    const copy: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const roll = r();
    if (keys.length === 0 || roll < 0.15) {
      copy[pick(['action', 'type', 'snapshot-id', 'schema-id', 'fields', 'extra', '__proto__'])] = pick(ODD_VALUES);
    } else if (roll < 0.3) {
      delete copy[pick(keys)];
    } else {
      const k = pick(keys);
      copy[k] = mutate(copy[k], r, depth + 1);
    }
    return copy;
  }
  return r() < 0.8 ? pick(ODD_VALUES) : v;
}

const T0 = 1_700_000_000_000;
const ctx = { nowMs: T0 + 5000, newUuid: () => '44444444-4444-4444-8444-444444444444' };
const schema = {
  type: 'struct',
  'identifier-field-ids': [1],
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'tags', required: false, type: { type: 'list', 'element-id': 3, element: 'string', 'element-required': false } },
    { id: 4, name: 'm', required: false, type: { type: 'map', 'key-id': 5, key: 'string', 'value-id': 6, value: 'int', 'value-required': true } },
    { id: 7, name: 'ts', required: false, type: 'timestamp' },
  ],
};
const createInput = {
  schema,
  partitionSpec: {
    fields: [
      { 'source-id': 7, name: 'ts_day', transform: 'day' },
      { 'source-id': 1, name: 'b', transform: 'bucket[4]' },
    ],
  },
  sortOrder: { fields: [{ 'source-id': 1, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
  location: 's3://b/t',
  properties: { a: 'b' },
  nowMs: T0,
};
const updates = [
  { action: 'upgrade-format-version', 'format-version': 3 },
  { action: 'add-schema', schema: { ...schema, fields: [...schema.fields, { id: 8, name: 'n', required: false, type: 'int' }] } },
  { action: 'set-current-schema', 'schema-id': -1 },
  { action: 'add-spec', spec: { fields: [{ 'source-id': 8, name: 'n', transform: 'identity' }] } },
  { action: 'set-default-spec', 'spec-id': -1 },
  { action: 'add-sort-order', 'sort-order': { fields: [{ 'source-id': 8, transform: 'identity', direction: 'desc', 'null-order': 'nulls-last' }] } },
  { action: 'set-default-sort-order', 'sort-order-id': -1 },
  {
    action: 'add-snapshot',
    snapshot: {
      'snapshot-id': 9007199254740993n,
      'sequence-number': 1,
      'timestamp-ms': T0 + 1000,
      'manifest-list': 's3://b/t/m.avro',
      summary: { operation: 'append', 'added-records': '3' },
      'schema-id': 1,
      'first-row-id': 0,
      'added-rows': 3,
    },
  },
  { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 9007199254740993n },
  { action: 'set-snapshot-ref', 'ref-name': 'tag', type: 'tag', 'snapshot-id': 9007199254740993n, 'max-ref-age-ms': 10 },
  { action: 'set-properties', updates: { x: 'y' } },
  { action: 'remove-properties', removals: ['a'] },
  { action: 'set-location', location: 's3://b/t2' },
  {
    action: 'set-statistics',
    statistics: {
      'snapshot-id': 9007199254740993n,
      'statistics-path': 's3://s',
      'file-size-in-bytes': 1,
      'file-footer-size-in-bytes': 1,
      'blob-metadata': [{ type: 't', 'snapshot-id': 1, 'sequence-number': 1, fields: [1] }],
    },
  },
  { action: 'add-encryption-key', 'encryption-key': { 'key-id': 'k', 'encrypted-key-metadata': 'AA==' } },
  { action: 'remove-snapshot-ref', 'ref-name': 'tag' },
  { action: 'remove-schemas', 'schema-ids': [0] },
  { action: 'remove-partition-specs', 'spec-ids': [0] },
];
const requirements = [
  { type: 'assert-table-uuid', uuid: '44444444-4444-4444-8444-444444444444' },
  { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
  { type: 'assert-current-schema-id', 'current-schema-id': 0 },
];
const view = {
  schema,
  viewVersion: {
    'version-id': 1,
    'timestamp-ms': T0,
    'schema-id': 0,
    summary: {},
    'default-namespace': ['ns'],
    representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
  },
  location: 's3://b/v',
  properties: {},
  nowMs: T0,
};
const viewUpdates = [
  { action: 'add-schema', schema },
  {
    action: 'add-view-version',
    'view-version': { ...view.viewVersion, 'version-id': 2, 'schema-id': -1, representations: [{ type: 'sql', sql: 'select 2', dialect: 'spark' }] },
  },
  { action: 'set-current-view-version', 'view-version-id': -1 },
  { action: 'set-properties', updates: { 'version.history.num-entries': '1' } },
];

/** Runs fn; any throw other than a CatalogError fails the test with the input. */
function onlyCatalogErrors(label: string, input: unknown, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!isCatalogError(e)) {
      throw new Error(`${label} threw ${String(e)} for input ${JSON.stringify(input, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`, { cause: e });
    }
  }
}

describe('untrusted input never escapes as anything but a CatalogError', () => {
  it('accepts the unmutated inputs', () => {
    const base = newTableMetadata(createInput);
    const next = applyTableUpdates(base, updates, ctx);
    expect(next['format-version']).toBe(3);
    expect(parseTableMetadata(next)).toEqual(next);
    const v = newViewMetadata(view);
    expect(applyViewUpdates(v, viewUpdates, ctx).versions).toHaveLength(1);
  });

  it('survives mutated creates, commits, requirements and views', () => {
    const r = rng(Number(process.env.FUZZ_SEED ?? 12345));
    const base = newTableMetadata(createInput);
    const committed = applyTableUpdates(base, updates, ctx);
    const v = newViewMetadata(view);
    const iterations = Number(process.env.FUZZ_ITERS ?? 3000);
    for (let i = 0; i < iterations; i++) {
      const c = mutate(createInput, r) as typeof createInput;
      onlyCatalogErrors('newTableMetadata', c, () => newTableMetadata({ ...c, nowMs: T0 }));
      const u = mutate(updates, r) as unknown[];
      onlyCatalogErrors('applyTableUpdates', u, () => applyTableUpdates(base, u, ctx));
      onlyCatalogErrors('applyTableUpdates(null)', u, () => applyTableUpdates(null, u, ctx));
      const q = mutate(requirements, r) as unknown[];
      onlyCatalogErrors('checkTableRequirements', q, () => checkTableRequirements(committed, q));
      onlyCatalogErrors('checkTableRequirements(null)', q, () => checkTableRequirements(null, q));
      const mb = mutate(committed, r);
      onlyCatalogErrors('checkTableRequirements(mutated base)', mb, () => checkTableRequirements(mb as never, requirements));
      const m = mutate(committed, r);
      onlyCatalogErrors('parseTableMetadata', m, () => parseTableMetadata(m));
      onlyCatalogErrors('applyTableUpdates(mutated base)', m, () => applyTableUpdates(m as never, updates.slice(10, 12), ctx));
      const vc = mutate(view, r) as typeof view;
      onlyCatalogErrors('newViewMetadata', vc, () => newViewMetadata({ ...vc, nowMs: T0 }));
      const vu = mutate(viewUpdates, r) as unknown[];
      onlyCatalogErrors('applyViewUpdates', vu, () => applyViewUpdates(v, vu, ctx));
      const vm = mutate(v, r);
      onlyCatalogErrors('parseViewMetadata', vm, () => parseViewMetadata(vm));
      onlyCatalogErrors('checkViewRequirements', q, () => checkViewRequirements(v, q));
    }
  });
});

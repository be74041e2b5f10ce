/**
 * The gate of the DuckDB policy-file engine (duckdb-rewriter.ts): on the same generated Parquet file, DuckDB's file
 * and the Parquet rewriter's hold the same rows and values cell by cell, the same schema (names, Arrow types, field
 * ids, nullability, read back with the repository's reader) and the same counts and ranges, for every filter form
 * and mask action routed to DuckDB; every request it does not compute exactly goes to the Parquet rewriter.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  Bool,
  DataType,
  DateDay,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindFilter } from '../catalog/kit/expression.js';
import type { Schema as IcebergSchema } from '../catalog/metadata/types.js';
import type { DataFileRewriter, RewriteRequest, RewrittenFile } from '../catalog/planning/rewrite-ports.js';
import { LocalFileStorage } from '../storage/file/local-file-storage.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { DuckDbRewriter, duckDbEngine } from './duckdb-rewriter.js';
import { maskValue } from './masks.js';
import { localBlob, readRowGroups, writeParquet } from './parquet-io.js';
import { StorageRewriteFiles } from './storage-files.js';
import { parquetRewriter } from './index.js';

/** A column name with both quotes (the engine's SQL quotes names and its FIELD_IDS keys). */
const T = `t'"x`;
const COLUMNS: [string, string, DataType][] = [
  ['id', 'long', new Int64()],
  ['i', 'int', new Int32()],
  ['s', 'string', new Utf8()],
  ['b', 'boolean', new Bool()],
  ['d', 'date', new DateDay()],
  ['f', 'double', new Float64()],
  ['fl', 'float', new Float32()],
  ['ts', 'timestamp', new TimestampMicrosecond()],
  ['tz', 'timestamptz', new TimestampMicrosecond('UTC')],
  [T, 'string', new Utf8()],
];
const iceberg: IcebergSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: COLUMNS.map(([name, type], i) => ({ id: i + 1, name, type, required: false })),
};
const field = (name: string, type: DataType, id: number, nullable = true) => new Field(name, type, nullable, new Map([[FIELD_ID_KEY, String(id)]]));

const STRINGS = [
  null,
  '',
  'ABC',
  'abc123',
  'Az09',
  "o'Brien",
  'Ünïcödé straße',
  'ÀÉÎõü',
  'İıſK',
  'e\u0301e\u0301',
  '😀',
  '😀👍🏽x',
  'a😀b😀c😀d',
  '日本語テキスト',
  'ＡＢＣ１２３',
  'x',
  'abcd',
  'abcde',
  ' \t\n',
  'ZZZ-999',
  '\uE000\uFFFD',
  '👩‍👩‍👧‍👦 family',
];
const DAY = 86_400_000;
const DATES = [
  null,
  '0001-01-01',
  '0050-06-15',
  '0099-12-31',
  '0100-03-01',
  '1582-10-04',
  '1899-12-31',
  '1969-12-31',
  '1970-01-01',
  '2000-02-29',
  '2024-12-31',
  '9999-12-31',
];
const INTS = [null, -(2 ** 31), 2 ** 31 - 1, 0, -1, 1, 42, -42];
const LONGS = [null, -(2n ** 63n), 2n ** 63n - 1n, 0n, -1n, 9_007_199_254_740_993n];
const DOUBLES = [null, Number.NaN, -0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, -2.25, 1e300];
const MICROS = [null, -62_135_596_800_000_000n, -1n, 0n, 1n, 1_700_000_000_123_456n, 253_402_300_799_999_999n];

const ROWS = 3000;
const pick = <T>(list: readonly T[], r: number, k: number): T => list[(r * k + (r >> 3)) % list.length]!;

function micros(type: DataType, values: (bigint | null)[]): ReturnType<typeof makeData> {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v !== null) nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  const data = BigInt64Array.from(values, (v) => v ?? 0n);
  return makeData({ type: type as TimestampMicrosecond, length: values.length, nullCount: values.filter((v) => v === null).length, nullBitmap, data });
}

function generated(required = false): RecordBatch {
  const fields = COLUMNS.map(([name, , type], i) => field(name, type, i + 1, !(required && i === 0)));
  const rows = Array.from({ length: ROWS }, (_, r) => r);
  const children = [
    vectorFromArray(
      rows.map((r) => (required || r % 11 !== 0 ? BigInt(r) - 1500n : pick(LONGS, r, 7))),
      fields[0]!.type,
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => pick(INTS, r, 3)),
      fields[1]!.type,
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => pick(STRINGS, r, 5)),
      fields[2]!.type,
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => (r % 5 === 0 ? null : r % 3 === 0)),
      fields[3]!.type,
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => {
        const d = pick(DATES, r, 7);
        return d === null ? null : new Date(Date.parse(`${d}T00:00:00Z`));
      }),
      fields[4]!.type,
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => pick(DOUBLES, r, 2)),
      fields[5]!.type,
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => pick(DOUBLES, r, 4)),
      fields[6]!.type,
    ).data[0]!,
    micros(
      fields[7]!.type,
      rows.map((r) => pick(MICROS, r, 3)),
    ),
    micros(
      fields[8]!.type,
      rows.map((r) => pick(MICROS, r, 5)),
    ),
    vectorFromArray(
      rows.map((r) => pick(STRINGS, r, 9)),
      fields[9]!.type,
    ).data[0]!,
  ];
  const schema = new Schema(fields);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: ROWS, nullCount: 0, children }));
}

async function* each<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

/** Every cell as text (a timestamp from its buffer, -0 and NaN told apart), and the schema as read back. */
async function read(file: string): Promise<{ cells: string[][]; schema: string[][] }> {
  const cells: string[][] = [];
  let schema: string[][] = [];
  for await (const b of readRowGroups(await localBlob(file))) {
    schema = b.schema.fields.map((f) => [f.name, String(f.type), f.metadata.get(FIELD_ID_KEY) ?? '', String(f.nullable)]);
    for (let r = 0; r < b.numRows; r++) {
      cells.push(
        b.schema.fields.map((f, i) => {
          const col = b.getChildAt(i)!;
          if (!col.isValid(r)) return 'NULL';
          if (DataType.isTimestamp(f.type)) return String((col.data[0]!.values as BigInt64Array)[r]);
          const v: unknown = col.get(r);
          return Object.is(v, -0) ? '-0' : `${typeof v}:${String(v)}`;
        }),
      );
    }
  }
  return { cells, schema };
}

const stats = (f: RewrittenFile) => ({
  recordCount: f.recordCount,
  valueCounts: [...f.valueCounts].sort(),
  nullValueCounts: [...f.nullValueCounts].sort(),
  ranges: [...(f.ranges ?? new Map())].sort().map(([id, r]) => [id, String(r.lower), String(r.upper), r.unit]),
  columns: [...f.columnSizes.keys()].sort(),
});

type Mask = { fieldId: number; action: RewriteRequest['transforms'][number]['action']; value?: unknown };
const id = (name: string) => COLUMNS.findIndex(([n]) => n === name) + 1;
const m = (name: string, action: Mask['action'], value?: unknown): Mask => ({ fieldId: id(name), action, ...(value !== undefined ? { value } : {}) });

/** Filters of every form on every filtered type, each with masks of every action DuckDB writes. */
const FILTERS: unknown[] = [
  { type: 'eq', term: 'i', value: 42 },
  { type: 'not-eq', term: 'i', value: -1 },
  { type: 'lt', term: 'id', value: 0 },
  { type: 'lt-eq', term: 'i', value: 0 },
  { type: 'gt', term: 'id', value: -9_000_000_000 },
  { type: 'gt-eq', term: 'd', value: '1970-01-01' },
  { type: 'lt', term: 'd', value: '0100-01-01' },
  { type: 'eq', term: 'b', value: true },
  { type: 'not-eq', term: 'b', value: false },
  { type: 'lt', term: 's', value: 'abc' },
  { type: 'gt', term: 's', value: 'Ünï' },
  { type: 'gt-eq', term: 's', value: '😀' },
  { type: 'eq', term: 's', value: "o'Brien" },
  { type: 'in', term: 's', values: ['', 'ABC', '😀', '日本語テキスト'] },
  { type: 'not-in', term: 'i', values: [0, 42, -(2 ** 31)] },
  { type: 'in', term: 'id', values: [-1500, 0, 1499] },
  { type: 'is-null', term: 's' },
  { type: 'not-null', term: 'd' },
  { type: 'starts-with', term: 's', value: 'a' },
  { type: 'starts-with', term: T, value: '😀' },
  { type: 'not-starts-with', term: 's', value: 'Ü' },
  { type: 'not', child: { type: 'eq', term: 's', value: 'ABC' } },
  { type: 'not', child: { type: 'and', left: { type: 'gt', term: 'i', value: 0 }, right: { type: 'starts-with', term: T, value: 'a' } } },
  { type: 'or', left: { type: 'is-null', term: 'b' }, right: { type: 'lt', term: 'i', value: 1 } },
  { type: 'and', left: { type: 'not-null', term: T }, right: { type: 'not', child: { type: 'in', term: 'd', values: ['2000-02-29', '9999-12-31'] } } },
  true,
  false,
];
const MASK_SETS: Mask[][] = [
  [m('s', 'mask-alphanum'), m(T, 'show-first-4'), m('d', 'truncate-to-year')],
  [m('s', 'show-last-4'), m(T, 'sha-256-global'), m('d', 'truncate-to-month')],
  [m('s', 'mask-to-fixed-value', '***'), m('i', 'mask-to-fixed-value', -7), m('id', 'mask-to-fixed-value', 123), m('b', 'mask-to-fixed-value', false)],
  [m('d', 'mask-to-fixed-value', '2000-01-01'), m(T, 'mask-to-fixed-value', null), m('s', 'replace-with-null')],
  [m('f', 'replace-with-null'), m('ts', 'replace-with-null'), m('tz', 'replace-with-null'), m('fl', 'replace-with-null'), m('id', 'replace-with-null')],
  [m(T, 'mask-alphanum'), m('s', 'sha-256-global'), m('i', 'replace-with-null')],
  [],
];

describe('the DuckDB policy-file engine against the Parquet rewriter (oracle)', () => {
  let dir: string;
  const at = (name: string) => pathToFileURL(path.join(dir, name)).href;
  const storage = new LocalFileStorage();
  const parquet = parquetRewriter(storage);
  const engine = duckDbEngine();
  const fallbacks: RewriteRequest[] = [];
  const recording: DataFileRewriter = {
    rewrite: (r) => {
      fallbacks.push(r);
      return parquet.rewrite(r);
    },
  };
  const duck = new DuckDbRewriter({ engine, files: () => new StorageRewriteFiles(storage, 1 << 30), fallback: recording });
  const salt = new Uint8Array(32).fill(7);
  let n = 0;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'duckdb-oracle-'));
    await writeParquet(path.join(dir, 'in.parquet'), each([generated()]));
    await writeParquet(path.join(dir, 'required.parquet'), each([generated(true)]));
    // Without the float columns: counts and ranges counted by DuckDB (duckdb-stats.ts), not read back.
    const noFloats = COLUMNS.flatMap(([name], i) => (name === 'f' || name === 'fl' ? [] : [i]));
    const all = generated();
    const kept = noFloats.map((i) => all.schema.fields[i]!);
    const children = noFloats.map((i) => all.data.children[i]!);
    const batch = new RecordBatch(new Schema(kept), makeData({ type: new Struct(kept), length: ROWS, nullCount: 0, children }));
    await writeParquet(path.join(dir, 'nofloat.parquet'), each([batch]));
  });
  afterAll(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  const request = (filter: unknown, transforms: Mask[], extra: Partial<RewriteRequest> = {}, input = 'in.parquet'): ((out: string) => RewriteRequest) => {
    const bound = filter === undefined ? undefined : bindFilter(filter, iceberg, true);
    return (out) => ({ inputs: [{ uri: at(input), format: 'parquet', deletes: [] }], filter: bound, transforms, output: at(out), querySalt: salt, ...extra });
  };

  async function both(make: (out: string) => RewriteRequest) {
    n += 1;
    const [a, b] = [`p${n}.parquet`, `d${n}.parquet`];
    const before = fallbacks.length;
    const expected = await parquet.rewrite(make(a));
    const actual = await duck.rewrite(make(b));
    return { expected, actual, fellBack: fallbacks.length > before, files: [path.join(dir, a), path.join(dir, b)] as const };
  }

  it('writes every filter form and mask action as the Parquet rewriter does, cell by cell', async () => {
    let compared = 0;
    for (const [k, filter] of FILTERS.entries()) {
      const masks = MASK_SETS[k % MASK_SETS.length]!;
      const { expected, actual, fellBack, files } = await both(request(filter, masks));
      const label = JSON.stringify({ filter, masks });
      expect(fellBack, label).toBe(false);
      const [p, d] = await Promise.all([read(files[0]), read(files[1])]);
      expect(d.schema, label).toEqual(p.schema);
      expect(d.cells.length, label).toBe(p.cells.length);
      for (const [r, row] of p.cells.entries()) expect(d.cells[r], `${label} row ${r}`).toEqual(row);
      expect(stats(actual), label).toEqual(stats(expected));
      compared += p.cells.length;
    }
    // Every mask set with no filter too (every row, each action over every value of the pool).
    for (const masks of MASK_SETS.slice(0, -1)) {
      const { expected, actual, fellBack, files } = await both(request(undefined, masks));
      expect(fellBack).toBe(false);
      const [p, d] = await Promise.all([read(files[0]), read(files[1])]);
      expect(d).toEqual(p);
      expect(stats(actual)).toEqual(stats(expected));
      compared += p.cells.length;
    }
    expect(compared).toBeGreaterThan(10 * ROWS);
  });

  it('counts and ranges a file without float columns in DuckDB as the Parquet rewriter does', async () => {
    const floats = new Set([id('f'), id('fl')]);
    for (const [k, filter] of FILTERS.entries()) {
      const masks = MASK_SETS.filter((set) => set.every((mask) => !floats.has(mask.fieldId)))[k % 6]!;
      const { expected, actual, fellBack, files } = await both(request(filter, masks, {}, 'nofloat.parquet'));
      const label = JSON.stringify({ filter, masks });
      expect(fellBack, label).toBe(false);
      const [p, d] = await Promise.all([read(files[0]), read(files[1])]);
      expect(d, label).toEqual(p);
      expect(stats(actual), label).toEqual(stats(expected));
      expect(d.schema.length, label).toBe(8);
    }
  });

  it('hands every request it does not compute exactly to the Parquet rewriter, with the same result', async () => {
    const cases: [string, (out: string) => RewriteRequest][] = [
      ['sha-256-query-local', request(undefined, [m('s', 'sha-256-query-local')])],
      ['a timestamp truncated', request(undefined, [m('ts', 'truncate-to-year')])],
      ['a filter on a double', request({ type: 'gt', term: 'f', value: 0 }, [])],
      ['a required column', request({ type: 'eq', term: 'i', value: 42 }, [m('s', 'mask-alphanum')], {}, 'required.parquet')],
      [
        'sort keys',
        request({ type: 'eq', term: 'i', value: 42 }, [], {
          sort: [{ fieldId: 1, sourceType: 'long', transform: 'identity', descending: true, nullsFirst: true }],
        }),
      ],
    ];
    for (const [label, make] of cases) {
      const { expected, actual, fellBack, files } = await both(make);
      expect(fellBack, label).toBe(true);
      const [p, d] = await Promise.all([read(files[0]), read(files[1])]);
      expect(d, label).toEqual(p);
      expect(stats(actual), label).toEqual(stats(expected));
    }
  });

  it('refuses, through the Parquet rewriter, a mask of a column the file lacks', async () => {
    const before = fallbacks.length;
    await expect(duck.rewrite(request(undefined, [{ fieldId: 99, action: 'replace-with-null' }])('lacks.parquet'))).rejects.toThrow(
      /no column with field id 99/,
    );
    expect(fallbacks.length).toBe(before + 1);
  });

  it('truncates a date of the years 0 to 99 in its own year (Date.UTC read them as 19xx)', () => {
    const day = Date.parse('0050-06-15T00:00:00Z');
    expect(maskValue('truncate-to-year', day, { querySalt: salt })).toBe(Date.parse('0050-01-01T00:00:00Z'));
    expect(maskValue('truncate-to-month', day, { querySalt: salt })).toBe(Date.parse('0050-06-01T00:00:00Z'));
  });

  it('hands every request to the Parquet rewriter when @duckdb/node-api cannot be loaded', async () => {
    const absent = duckDbEngine(() => Promise.reject(new Error("Cannot find package '@duckdb/node-api'")));
    expect(await absent.available()).toBe(false);
    const fallback: string[] = [];
    const without = new DuckDbRewriter({
      engine: absent,
      files: () => new StorageRewriteFiles(storage, 1 << 30),
      fallback: { rewrite: (r) => (fallback.push(r.output), parquet.rewrite(r)) },
    });
    const make = request({ type: 'eq', term: 'i', value: 42 }, [m('s', 'mask-alphanum')]);
    const written = await without.rewrite(make('absent.parquet'));
    expect(fallback).toEqual([at('absent.parquet')]);
    expect(written.recordCount).toBeGreaterThan(0);
  });

  it('hands a request with a delete file or row lineage to the Parquet rewriter untouched', async () => {
    const withDeletes = (out: string): RewriteRequest => ({
      ...request(undefined, [m('s', 'mask-alphanum')])(out),
      inputs: [{ uri: at('in.parquet'), format: 'parquet', deletes: [{ uri: at('missing-deletes.parquet'), content: 1, format: 'parquet' }] }],
    });
    const fallback: RewriteRequest[] = [];
    const refusing = new DuckDbRewriter({
      engine,
      files: () => new StorageRewriteFiles(storage, 1 << 30),
      fallback: { rewrite: async (r) => (fallback.push(r), { uri: r.output } as RewrittenFile) },
    });
    await refusing.rewrite(withDeletes('x.parquet'));
    const lineage = request(undefined, [])('y.parquet');
    await refusing.rewrite({
      ...lineage,
      transforms: [m('s', 'replace-with-null')],
      inputs: [{ ...lineage.inputs[0]!, lineage: { firstRowId: 0, dataSequenceNumber: 1 } }],
    });
    expect(fallback.map((r) => r.output)).toEqual([at('x.parquet'), at('y.parquet')]);
  });
});

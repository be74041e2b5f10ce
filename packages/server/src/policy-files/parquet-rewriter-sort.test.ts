import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DateDay, Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RewriteSortKey } from '../catalog/planning/rewrite-ports.js';
import { LocalFileStorage } from '../storage/file/local-file-storage.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { parquetRewriter } from './index.js';
import { localBlob, readRowGroups, writeParquet } from './parquet-io.js';
import { BATCH_ROWS } from './sort-rows.js';

const field = (name: string, type: ConstructorParameters<typeof Field>[1], id: number, nullable = true) =>
  new Field(name, type, nullable, new Map([[FIELD_ID_KEY, String(id)]]));
const DAY = 86_400_000;
const fields = [field('id', new Int64(), 1, false), field('region', new Utf8(), 2), field('born', new DateDay(), 3)];

interface Row {
  id: number;
  region: string | null;
  born: number;
}

/** Region eu/us/null by id % 3; born 2000-01-01 plus (id * 37) % 1000 days (not in id order, many per month). */
function rowsOf(ids: number[]): Row[] {
  return ids.map((id) => ({ id, region: [null, 'eu', 'us'][id % 3]!, born: Date.UTC(2000, 0, 1) + ((id * 37) % 1000) * DAY }));
}
function batch(rows: Row[]): RecordBatch {
  const schema = new Schema(fields);
  const children = [
    vectorFromArray(
      rows.map((r) => BigInt(r.id)),
      new Int64(),
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => r.region),
      new Utf8(),
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => new Date(r.born)),
      new DateDay(),
    ).data[0]!,
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}
async function* each<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
async function read(file: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of readRowGroups(await localBlob(file)))
    out.push(...b.toArray().map((r) => ({ id: Number(r.id), region: r.region as string | null, born: r.born as number })));
  return out;
}
const key = (fieldId: number, sourceType: string, transform: string, descending: boolean, nullsFirst: boolean): RewriteSortKey => ({
  fieldId,
  sourceType,
  transform,
  descending,
  nullsFirst,
});
const month = (ms: number) => new Date(ms).getUTCFullYear() * 12 + new Date(ms).getUTCMonth();

describe('the Parquet rewriter with sort keys (compaction sort strategy)', () => {
  let dir: string;
  const at = (name: string) => pathToFileURL(path.join(dir, name)).href;
  const rewriter = parquetRewriter(new LocalFileStorage());
  // 70k rows over two files and several row groups, ids shuffled (a fixed permutation: i * 7919 mod n).
  const n = 70_000;
  const all = rowsOf(Array.from({ length: n }, (_, i) => (i * 7919) % n));
  const rewrite = async (sort: RewriteSortKey[], out: string) => {
    const written = await rewriter.rewrite({
      inputs: ['a.parquet', 'b.parquet'].map((f) => ({ uri: at(f), format: 'parquet', deletes: [] })),
      transforms: [],
      sort,
      output: at(out),
      querySalt: new Uint8Array(32),
    });
    return { written, rows: await read(path.join(dir, out)) };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rewriter-sort-test-'));
    await writeParquet(path.join(dir, 'a.parquet'), each([batch(all.slice(0, 40_000)), batch(all.slice(40_000, 60_000))]));
    await writeParquet(path.join(dir, 'b.parquet'), each([batch(all.slice(60_000))]));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes every row ordered by the keys: nulls first as asked, descending honoured', async () => {
    const { written, rows } = await rewrite([key(2, 'string', 'identity', false, true), key(1, 'long', 'identity', true, false)], 'out/a.parquet');
    expect(written.recordCount).toBe(n);
    expect(n).toBeGreaterThan(BATCH_ROWS);
    const rank = (r: Row) => (r.region === null ? 0 : r.region === 'eu' ? 1 : 2);
    expect(rows).toEqual([...all].sort((x, y) => rank(x) - rank(y) || y.id - x.id));
    expect(rows[0]).toMatchObject({ region: null, id: 69_999 });
    expect(written.nullValueCounts.get(2)).toBe(Math.ceil(n / 3));
  });

  it('puts nulls last under a descending key, and orders by a transform (month) before the next key', async () => {
    const { rows } = await rewrite(
      [key(2, 'string', 'identity', true, false), key(3, 'date', 'month', false, false), key(1, 'long', 'identity', false, false)],
      'out/b.parquet',
    );
    const rank = (r: Row) => (r.region === null ? 2 : r.region === 'us' ? 0 : 1);
    expect(rows).toEqual([...all].sort((x, y) => rank(x) - rank(y) || month(x.born) - month(y.born) || x.id - y.id));
    expect(rows.at(-1)!.region).toBeNull();
  });

  it('refuses a key it cannot compute (bucket) with a 422, writing nothing', async () => {
    await expect(rewrite([key(1, 'long', 'bucket[4]', false, false)], 'out/c.parquet')).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE' });
  });
});

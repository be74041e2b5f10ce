import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Bool, DateDay, Field, Float64, Int64, RecordBatch, Schema, Struct, TimeUnit, Timestamp, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RewrittenFile } from '../catalog/planning/rewrite-ports.js';
import { LocalFileStorage } from '../storage/file/local-file-storage.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { parquetRewriter } from './index.js';
import { ParquetRewriter } from './parquet-rewriter.js';
import { StorageRewriteFiles } from './storage-files.js';
import { localBlob, readRowGroups, writeParquet } from './parquet-io.js';

const field = (name: string, type: ConstructorParameters<typeof Field>[1], id: number) => new Field(name, type, true, new Map([[FIELD_ID_KEY, String(id)]]));
const schema = new Schema([
  field('id', new Int64(), 1),
  field('name', new Utf8(), 2),
  field('score', new Float64(), 3),
  field('born', new DateDay(), 4),
  field('at', new Timestamp(TimeUnit.MICROSECOND), 5),
  field('ok', new Bool(), 6),
]);
const DAY = 86_400_000;
interface Row {
  id: number;
  name: string | null;
  score: number;
  born: number;
  ok: boolean;
}
const rowOf = (id: number): Row => ({
  id,
  name: id % 5 === 0 ? null : `n${String(id).padStart(6, '0')}`,
  score: id % 7 === 0 ? NaN : id / 3,
  born: id % 1000,
  ok: id % 2 === 0,
});
function batch(rows: Row[]): RecordBatch {
  const children = [
    vectorFromArray(
      rows.map((r) => BigInt(r.id)),
      new Int64(),
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => r.name),
      new Utf8(),
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => r.score),
      new Float64(),
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => new Date(r.born * DAY)),
      new DateDay(),
    ).data[0]!,
    // Micros since the epoch: the id's seconds plus 1 µs (the unit's last digit kept).
    makeData({
      type: new Timestamp(TimeUnit.MICROSECOND),
      length: rows.length,
      nullCount: 0,
      data: BigInt64Array.from(rows, (r) => BigInt(r.id) * 1_000_000n + 1n),
    }),
    vectorFromArray(
      rows.map((r) => r.ok),
      new Bool(),
    ).data[0]!,
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}
async function* each<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
async function ids(file: string): Promise<number[]> {
  const out: number[] = [];
  for await (const b of readRowGroups(await localBlob(file))) out.push(...b.toArray().map((r) => Number(r.id)));
  return out;
}

describe('the Parquet rewriter with a target file size', () => {
  let dir: string;
  const at = (name: string) => pathToFileURL(path.join(dir, name)).href;
  const rewriter = parquetRewriter(new LocalFileStorage());
  const n = 120_000;
  // Shuffled ids (i * 7919 mod n) over two files.
  const all = Array.from({ length: n }, (_, i) => rowOf((i * 7919) % n));
  let inputBytes = 0;
  const sorted = (output: string, targetFileSizeBytes?: number) =>
    rewriter.rewrite({
      inputs: ['a.parquet', 'b.parquet'].map((f) => ({ uri: at(f), format: 'parquet', deletes: [] })),
      transforms: [],
      sort: [{ fieldId: 1, sourceType: 'long', transform: 'identity', descending: false, nullsFirst: true }],
      output: at(output),
      targetFileSizeBytes,
      querySalt: new Uint8Array(32),
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rewriter-target-test-'));
    await writeParquet(path.join(dir, 'a.parquet'), each([batch(all.slice(0, 70_000))]));
    await writeParquet(path.join(dir, 'b.parquet'), each([batch(all.slice(70_000))]));
    for (const f of ['a.parquet', 'b.parquet']) inputBytes += (await stat(path.join(dir, f))).size;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('cuts sorted output into files near the target, each a contiguous id range with its own counts and ranges', async () => {
    const target = Math.ceil(inputBytes / 4);
    const first = await sorted('out/sorted.parquet', target);
    const files: RewrittenFile[] = [first, ...(first.more ?? [])];
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(files.map((f) => f.uri)).toEqual(files.map((_, i) => at(i === 0 ? 'out/sorted.parquet' : `out/sorted-${i}.parquet`)));
    let next = 0;
    for (const f of files) {
      const local = fileURLToPath(f.uri);
      expect(f.fileSizeInBytes).toBe((await stat(local)).size);
      expect(f.fileSizeInBytes).toBeLessThan(1.5 * target);
      const rows = (await ids(local)).map(rowOf);
      // The next run of ids, in order.
      expect(rows.map((r) => r.id)).toEqual(Array.from({ length: rows.length }, (_, i) => next + i));
      next += rows.length;
      expect(f.recordCount).toBe(rows.length);
      expect(f.valueCounts.get(2)).toBe(rows.length);
      expect(f.nullValueCounts.get(2)).toBe(rows.filter((r) => r.name === null).length);
      const names = rows.flatMap((r) => (r.name === null ? [] : [r.name])).sort();
      const scores = rows.flatMap((r) => (Number.isNaN(r.score) ? [] : [r.score]));
      const born = rows.map((r) => r.born);
      expect(Object.fromEntries(f.ranges!)).toEqual({
        1: { lower: BigInt(rows[0]!.id), upper: BigInt(rows.at(-1)!.id) },
        2: { lower: names[0], upper: names.at(-1) },
        3: { lower: Math.min(...scores), upper: Math.max(...scores) },
        4: { lower: Math.min(...born), upper: Math.max(...born) },
        5: { lower: BigInt(rows[0]!.id) * 1_000_000n + 1n, upper: BigInt(rows.at(-1)!.id) * 1_000_000n + 1n, unit: 'us' },
        6: { lower: false, upper: true },
      });
    }
    expect(next).toBe(n);
  }, 60_000);

  it('writes one file without a target, or when the rows fit it', async () => {
    const one = await sorted('out/one.parquet');
    expect(one.more).toBeUndefined();
    expect(one.recordCount).toBe(n);
    const fits = await sorted('out/fits.parquet', inputBytes * 4);
    expect(fits.more).toBeUndefined();
    expect(fits.recordCount).toBe(n);
  }, 60_000);

  it('publishes none of the files when aborted after the first was written', async () => {
    const controller = new AbortController();
    const files = new StorageRewriteFiles(new LocalFileStorage(), 1024 ** 3);
    let scratches = 0;
    // The lease lost while the second file is being written.
    const scratch = files.scratch.bind(files);
    files.scratch = () => {
      if (++scratches === 2) controller.abort(new Error('lease lost'));
      return scratch();
    };
    const aborted = await new ParquetRewriter(files)
      .rewrite({
        inputs: ['a.parquet', 'b.parquet'].map((f) => ({ uri: at(f), format: 'parquet', deletes: [] })),
        transforms: [],
        sort: [{ fieldId: 1, sourceType: 'long', transform: 'identity', descending: false, nullsFirst: true }],
        output: at('aborted/out.parquet'),
        targetFileSizeBytes: Math.ceil(inputBytes / 4),
        querySalt: new Uint8Array(32),
        signal: controller.signal,
      })
      .catch((e: unknown) => e);
    expect(aborted).toMatchObject({ message: 'lease lost' });
    expect(scratches).toBeGreaterThanOrEqual(2);
    expect(await readdir(path.join(dir, 'aborted')).catch(() => [])).toEqual([]);
  }, 60_000);
});

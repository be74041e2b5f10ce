import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DateDay, Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindFilter } from '../catalog/kit/expression.js';
import type { Schema as IcebergSchema } from '../catalog/metadata/types.js';
import { LocalFileStorage } from '../storage/file/local-file-storage.js';
import { MemoryObjectStorage } from '../storage/memory/memory-object-storage.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { localBlob, readRowGroups, writeParquet } from './parquet-io.js';
import { parquetRewriter } from './index.js';

const iceberg: IcebergSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'region', type: 'string', required: false },
    { id: 3, name: 'email', type: 'string', required: false },
    { id: 4, name: 'born', type: 'date', required: false },
  ],
};
const field = (name: string, type: ConstructorParameters<typeof Field>[1], id: number, nullable = true) =>
  new Field(name, type, nullable, new Map([[FIELD_ID_KEY, String(id)]]));
const DAY = 86_400_000;

function batchOf(fields: Field[], columns: unknown[][]): RecordBatch {
  const schema = new Schema(fields);
  const children = columns.map((values, i) => vectorFromArray(values, fields[i]!.type).data[0]!);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: columns[0]!.length, nullCount: 0, children }));
}

/** `n` rows: id i, region eu/us alternating, email u<i>@x.com (null every 7th), born 1990-01-01 + i days. */
function people(from: number, n: number): RecordBatch {
  const ids = Array.from({ length: n }, (_, k) => from + k);
  return batchOf(
    [field('id', new Int64(), 1, false), field('region', new Utf8(), 2), field('email', new Utf8(), 3), field('born', new DateDay(), 4)],
    [
      ids.map(BigInt),
      ids.map((i) => (i % 2 === 0 ? 'eu' : 'us')),
      ids.map((i) => (i % 7 === 0 ? null : `u${i}@x.com`)),
      ids.map((i) => new Date(Date.UTC(1990, 0, 1) + i * DAY)),
    ],
  );
}

async function* each<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function rowsOf(file: string): Promise<{ rows: Record<string, unknown>[]; ids: string[][] }> {
  const rows: Record<string, unknown>[] = [];
  let ids: string[][] = [];
  for await (const b of readRowGroups(await localBlob(file))) {
    ids = b.schema.fields.map((f) => [f.name, f.metadata.get(FIELD_ID_KEY)!, String(f.type), String(f.nullable)]);
    rows.push(...b.toArray().map((r) => r.toJSON()));
  }
  return { rows, ids };
}

const dvBlob = Buffer.from(
  (JSON.parse(readFileSync(new URL('../../test-fixtures/deletion-vectors/java-1.11.0.json', import.meta.url), 'utf8')) as Record<string, string>).sparse!,
  'hex',
);

describe('the Parquet rewriter (policy-enforced files, compaction)', () => {
  let dir: string;
  const at = (name: string) => pathToFileURL(path.join(dir, name)).href;
  const storage = new LocalFileStorage();
  const rewriter = parquetRewriter(storage);
  const salt = new Uint8Array(32).fill(1);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rewriter-test-'));
    // Two data files of several row groups each (70k rows: two row groups of the writer's 64k bound).
    await writeParquet(path.join(dir, 'a.parquet'), each([people(0, 40_000), people(40_000, 30_000)]));
    await writeParquet(path.join(dir, 'b.parquet'), each([people(100_000, 10)]));
    // Position deletes: rows 0, 1 and 69_999 of a (across row groups), and 3 of b.
    const posFields = [field('file_path', new Utf8(), 2147483546, false), field('pos', new Int64(), 2147483545, false)];
    await writeParquet(
      path.join(dir, 'pos.parquet'),
      each([
        batchOf(posFields, [
          [at('a.parquet'), at('a.parquet'), at('a.parquet'), at('b.parquet')],
          [0n, 1n, 69_999n, 3n],
        ]),
      ]),
    );
    // Equality deletes on email: u4@x.com and u100008@x.com.
    await writeParquet(path.join(dir, 'eq.parquet'), each([batchOf([field('email', new Utf8(), 3)], [['u4@x.com', 'u100008@x.com']])]));
    // A Puffin file with two deletion vectors written by Iceberg Java (positions 0, 1, 2, 5, 1000, 65535, 65536), at
    // offsets 4 and 4 + its length; its footer does not matter here (the manifest entry gives each blob's range).
    await writeFile(path.join(dir, 'dv.puffin'), Buffer.concat([Buffer.from('PFA1'), dvBlob, dvBlob, Buffer.from('PFA1')]));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('applies the deletes, keeps the rows the filter admits, masks, and keeps the schema with its field ids', async () => {
    const out = await rewriter.rewrite({
      inputs: [
        {
          uri: at('a.parquet'),
          format: 'PARQUET',
          deletes: [
            { uri: at('pos.parquet'), content: 1, format: 'parquet' },
            { uri: at('eq.parquet'), content: 2, format: 'parquet', equalityIds: [3] },
          ],
        },
        {
          uri: at('b.parquet'),
          format: 'parquet',
          deletes: [
            { uri: at('pos.parquet'), content: 1, format: 'parquet' },
            { uri: at('eq.parquet'), content: 2, format: 'parquet', equalityIds: [3] },
          ],
        },
      ],
      filter: bindFilter({ type: 'eq', term: 'region', value: 'eu' }, iceberg, true),
      transforms: [
        { fieldId: 3, action: 'mask-alphanum' },
        { fieldId: 4, action: 'truncate-to-year' },
      ],
      output: at('out/derived.parquet'),
      querySalt: salt,
    });
    const { rows, ids } = await rowsOf(path.join(dir, 'out', 'derived.parquet'));
    expect(ids).toEqual([
      ['id', '1', 'Int64', 'false'],
      ['region', '2', 'Utf8', 'true'],
      ['email', '3', 'Utf8', 'true'],
      ['born', '4', 'Date32<DAY>', 'true'],
    ]);
    // The expected rows, computed here: even ids, minus positions deleted and emails deleted.
    const expected = [...Array.from({ length: 70_000 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 100_000 + i)].filter(
      (i) => i % 2 === 0 && i !== 0 && i !== 4 && i !== 100_008,
    );
    expect(rows.map((r) => Number(r.id))).toEqual(expected);
    expect(out.recordCount).toBe(expected.length);
    const sample = rows.find((r) => r.id === 100_004n)!;
    expect(sample).toEqual({
      id: 100_004n,
      region: 'eu',
      email: 'xnnnnnn@x.xxx',
      born: Date.UTC(new Date(Date.UTC(1990, 0, 1) + 100_004 * DAY).getUTCFullYear(), 0, 1),
    });
    expect(rows.find((r) => r.id === 14n)!.email).toBeNull();
    expect(rows.every((r) => new Date(r.born as number).getUTCMonth() === 0 && new Date(r.born as number).getUTCDate() === 1)).toBe(true);
    expect(out.nullValueCounts.get(3)).toBe(rows.filter((r) => r.email === null).length);
    expect(out.valueCounts.get(1)).toBe(expected.length);
    expect(out.fileSizeInBytes).toBe((await localBlob(path.join(dir, 'out', 'derived.parquet'))).size);
    expect([...out.columnSizes.keys()]).toEqual([1, 2, 3, 4]);
  });

  it('writes an empty file (schema kept) when nothing is admitted, and never overwrites an output', async () => {
    const request = {
      inputs: [{ uri: at('b.parquet'), format: 'parquet', deletes: [] }],
      filter: bindFilter(false, iceberg, true),
      transforms: [],
      output: at('out/none.parquet'),
      querySalt: salt,
    };
    expect((await rewriter.rewrite(request)).recordCount).toBe(0);
    expect((await rowsOf(path.join(dir, 'out', 'none.parquet'))).rows).toEqual([]);
    await expect(rewriter.rewrite(request)).rejects.toMatchObject({ code: 'ERR_STORAGE' });
  });

  it('applies deletion vectors (Puffin blobs written by Iceberg Java), each to the data file it references', async () => {
    const dv = (data: string, offset: number, recordCount = 7) => ({
      uri: at('dv.puffin'),
      content: 1 as const,
      format: 'PUFFIN',
      referencedDataFile: at(data),
      contentOffset: offset,
      contentSizeInBytes: dvBlob.length,
      recordCount,
    });
    const out = await rewriter.rewrite({
      inputs: [
        { uri: at('a.parquet'), format: 'parquet', deletes: [dv('a.parquet', 4)] },
        { uri: at('b.parquet'), format: 'parquet', deletes: [dv('b.parquet', 4 + dvBlob.length), { uri: at('pos.parquet'), content: 1, format: 'parquet' }] },
      ],
      transforms: [],
      output: at('out/dv.parquet'),
      querySalt: salt,
    });
    const deleted = new Set([0, 1, 2, 5, 1000, 65535, 65536, 100_000, 100_001, 100_002, 100_003, 100_005]);
    const expected = [...Array.from({ length: 70_000 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 100_000 + i)].filter((i) => !deleted.has(i));
    const { rows } = await rowsOf(path.join(dir, 'out', 'dv.parquet'));
    expect(rows.map((r) => Number(r.id))).toEqual(expected);
    expect(out.recordCount).toBe(expected.length);
  });

  it('refuses what it cannot honour instead of showing more: a bad deletion vector, other formats, a masked column the file lacks', async () => {
    const base = { filter: undefined, querySalt: salt, output: at('out/refused.parquet') };
    const dv = {
      uri: at('dv.puffin'),
      content: 1 as const,
      format: 'puffin',
      referencedDataFile: at('b.parquet'),
      contentOffset: 4,
      contentSizeInBytes: dvBlob.length,
    };
    for (const [bad, message] of [
      [{ ...dv, contentOffset: undefined }, /content offset/],
      [{ ...dv, recordCount: 8 }, /7 positions.*says 8/],
      [{ ...dv, contentOffset: 5 }, /not valid/],
      [{ ...dv, contentOffset: 4 + 2 * dvBlob.length }, /past the end/],
    ] as const) {
      await expect(rewriter.rewrite({ ...base, inputs: [{ uri: at('b.parquet'), format: 'parquet', deletes: [bad] }], transforms: [] })).rejects.toMatchObject({
        code: 'ERR_UNPROCESSABLE',
        message: expect.stringMatching(message),
      });
    }
    await expect(rewriter.rewrite({ ...base, inputs: [{ uri: at('b.orc'), format: 'orc', deletes: [] }], transforms: [] })).rejects.toMatchObject({
      code: 'ERR_UNPROCESSABLE',
    });
    await expect(
      rewriter.rewrite({
        ...base,
        inputs: [{ uri: at('b.parquet'), format: 'parquet', deletes: [] }],
        transforms: [{ fieldId: 9, action: 'replace-with-null' }],
      }),
    ).rejects.toMatchObject({ code: 'ERR_UNPROCESSABLE', message: expect.stringMatching(/field id 9/) });
    expect(await storage.exists(at('out/refused.parquet'))).toBe(false);
  });

  it('reads and writes objects of a store (the in-memory one here)', async () => {
    const memory = new MemoryObjectStorage();
    const { readFile } = await import('node:fs/promises');
    await memory.writeNew('mem://t/data/b.parquet', await readFile(path.join(dir, 'b.parquet')));
    const out = await parquetRewriter(memory).rewrite({
      inputs: [{ uri: 'mem://t/data/b.parquet', format: 'parquet', deletes: [] }],
      transforms: [{ fieldId: 3, action: 'replace-with-null' }],
      output: 'mem://t/_lakegate/policy/v/b.parquet',
      querySalt: salt,
    });
    expect(out.recordCount).toBe(10);
    expect(out.nullValueCounts.get(3)).toBe(10);
    expect((await memory.read('mem://t/_lakegate/policy/v/b.parquet', 1 << 20)).byteLength).toBe(out.fileSizeInBytes);
  });

  it('rewrites a file of no rows (no row group) into a file of no rows in its schema: policy-enforced, z-ordered or sorted (once the writer threw)', async () => {
    await writeParquet(path.join(dir, 'empty.parquet'), each([people(0, 0)]));
    const requests = [
      { filter: bindFilter({ type: 'eq', term: 'region', value: 'eu' }, iceberg, true), transforms: [{ fieldId: 3, action: 'mask-alphanum' as const }] },
      { transforms: [], zorder: { columns: [{ fieldId: 1, sourceType: 'long' }], varLengthContribution: 8, maxOutputSize: 8 } },
      { transforms: [], sort: [{ fieldId: 2, sourceType: 'string', transform: 'identity', descending: false, nullsFirst: true }] },
    ];
    for (const [i, request] of requests.entries()) {
      const out = await rewriter.rewrite({
        inputs: [{ uri: at('empty.parquet'), format: 'parquet', deletes: [] }],
        ...request,
        output: at(`out/empty-${i}.parquet`),
        querySalt: salt,
      } as Parameters<typeof rewriter.rewrite>[0]);
      expect(out.recordCount).toBe(0);
      const { rows, ids } = await rowsOf(path.join(dir, 'out', `empty-${i}.parquet`));
      expect(rows).toEqual([]);
      expect(ids.map(([name, id]) => [name, id])).toEqual([
        ['id', '1'],
        ['region', '2'],
        ['email', '3'],
        ['born', '4'],
      ]);
    }
  });
});

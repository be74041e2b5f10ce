/**
 * v3 row lineage through the Parquet rewriter (compaction of a format-version 3 table): every output row carries the
 * `_row_id` and `_last_updated_sequence_number` a reader saw on the input, whether the input stored them or they were
 * inherited (first_row_id + position, the file's data sequence number), deletion vectors applied on file positions.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LocalFileStorage } from '../storage/file/local-file-storage.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { localBlob, readRowGroups, writeParquet } from './parquet-io.js';
import { parquetRewriter } from './index.js';

const field = (name: string, type: ConstructorParameters<typeof Field>[1], id: number) => new Field(name, type, true, new Map([[FIELD_ID_KEY, String(id)]]));
function batchOf(fields: Field[], columns: unknown[][]): RecordBatch {
  const schema = new Schema(fields);
  const children = columns.map((values, i) => vectorFromArray(values, fields[i]!.type).data[0]!);
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: columns[0]!.length, nullCount: 0, children }));
}
async function* each<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}
// Deletion vector written by Iceberg Java: positions 0, 1, 2, 5, 1000, 65535, 65536.
const dvBlob = Buffer.from(
  (JSON.parse(readFileSync(new URL('../../test-fixtures/deletion-vectors/java-1.11.0.json', import.meta.url), 'utf8')) as Record<string, string>).sparse!,
  'hex',
);

let dir: string;
const at = (name: string) => pathToFileURL(path.join(dir, name)).href;
const id = field('id', new Int64(), 1);
const v = field('v', new Utf8(), 2);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'rewriter-lineage-'));
  // Written by an INSERT: no lineage columns (every row inherits).
  await writeParquet(path.join(dir, 'a.parquet'), each([batchOf([id, v], [Array.from({ length: 10 }, (_, i) => BigInt(i)), Array(10).fill('a')])]));
  // Written by an UPDATE or an earlier compaction: lineage columns, the row id of an updated row kept, its sequence
  // number null (the update's, inherited); one new row (null row id).
  await writeParquet(
    path.join(dir, 'b.parquet'),
    each([
      batchOf(
        [id, v, field('_row_id', new Int64(), 2147483540), field('_last_updated_sequence_number', new Int64(), 2147483539)],
        [
          [20n, 21n, 22n],
          ['b', 'b', 'b'],
          [7n, null, 9n],
          [2n, 5n, null],
        ],
      ),
    ]),
  );
  await writeFile(path.join(dir, 'dv.puffin'), Buffer.concat([Buffer.from('PFA1'), dvBlob, Buffer.from('PFA1')]));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

it('writes every row its _row_id and _last_updated_sequence_number, stored or inherited, after the deletion vector', async () => {
  const out = await parquetRewriter(new LocalFileStorage()).rewrite({
    inputs: [
      {
        uri: at('a.parquet'),
        format: 'parquet',
        deletes: [
          {
            uri: at('dv.puffin'),
            content: 1,
            format: 'puffin',
            referencedDataFile: at('a.parquet'),
            contentOffset: 4,
            contentSizeInBytes: dvBlob.length,
            recordCount: 7,
          },
        ],
        lineage: { firstRowId: 100, dataSequenceNumber: 3 },
      },
      { uri: at('b.parquet'), format: 'parquet', deletes: [], lineage: { firstRowId: 500, dataSequenceNumber: 6 } },
    ],
    transforms: [],
    output: at('out.parquet'),
    querySalt: new Uint8Array(32),
  });
  const rows: Record<string, unknown>[] = [];
  let fields: string[][] = [];
  for await (const b of readRowGroups(await localBlob(path.join(dir, 'out.parquet')))) {
    fields = b.schema.fields.map((f) => [f.name, f.metadata.get(FIELD_ID_KEY)!, String(f.type)]);
    rows.push(...b.toArray().map((r) => r.toJSON()));
  }
  expect(fields).toEqual([
    ['id', '1', 'Int64'],
    ['v', '2', 'Utf8'],
    ['_row_id', '2147483540', 'Int64'],
    ['_last_updated_sequence_number', '2147483539', 'Int64'],
  ]);
  const n = (x: unknown) => (x === null ? null : Number(x));
  expect(rows.map((r) => [n(r.id), n(r._row_id), n(r._last_updated_sequence_number)])).toEqual([
    // a: positions 0, 1, 2 and 5 deleted; row id = 100 + position, sequence number 3.
    [3, 103, 3],
    [4, 104, 3],
    [6, 106, 3],
    [7, 107, 3],
    [8, 108, 3],
    [9, 109, 3],
    // b: stored values kept, nulls inherited (500 + position, 6).
    [20, 7, 2],
    [21, 501, 5],
    [22, 9, 6],
  ]);
  expect(out.recordCount).toBe(9);
  expect(out.valueCounts.get(2147483540)).toBe(9);
});

it('keeps null row ids for a file not assigned a first_row_id (added before an upgrade to v3)', async () => {
  await parquetRewriter(new LocalFileStorage()).rewrite({
    inputs: [{ uri: at('a.parquet'), format: 'parquet', deletes: [], lineage: { firstRowId: null, dataSequenceNumber: 1 } }],
    transforms: [],
    output: at('out-null.parquet'),
    querySalt: new Uint8Array(32),
  });
  const rows: Record<string, unknown>[] = [];
  for await (const b of readRowGroups(await localBlob(path.join(dir, 'out-null.parquet')))) rows.push(...b.toArray().map((r) => r.toJSON()));
  expect(rows.map((r) => [r._row_id, Number(r._last_updated_sequence_number)])).toEqual(Array.from({ length: 10 }, () => [null, 1]));
});

/**
 * A table of random points for z-order tests: unpartitioned, v2, columns id (long, 1), x (long, 2) and y (long, 3),
 * whose small Parquet files (written with the server's own Parquet writer, field ids set) hold rows in random order,
 * added by one append. Each file's rows and each row group's ranges are read back from the files themselves.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Field, Int64, RecordBatch, Schema, Struct, makeData, vectorFromArray } from 'apache-arrow';
import { expect } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { FIELD_ID_KEY } from '../../packages/server/src/policy-files/apply-batch.js';
import { localBlob, readRowGroups, writeParquet } from '../../packages/server/src/policy-files/parquet-io.js';
import { appendUpdates, type Send } from './iceberg-http.js';
import { writeManifest, writeManifestList } from './manifest-writer.js';

export interface Point {
  id: number;
  x: number;
  y: number;
}

export const POINTS_SCHEMA = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: false },
    { id: 2, name: 'x', type: 'long', required: false },
    { id: 3, name: 'y', type: 'long', required: false },
  ],
};

/** A deterministic generator (mulberry32), so a failing run reproduces. */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function* one<T>(item: T): AsyncGenerator<T> {
  yield item;
}

/** The points as one record batch of the table's columns (field ids set). */
export function pointsBatch(rows: readonly Point[]): RecordBatch {
  const meta = (id: number) => new Map([[FIELD_ID_KEY, String(id)]]);
  const schema = new Schema([
    new Field('id', new Int64(), true, meta(1)),
    new Field('x', new Int64(), true, meta(2)),
    new Field('y', new Int64(), true, meta(3)),
  ]);
  const children = [
    vectorFromArray(
      rows.map((r) => BigInt(r.id)),
      new Int64(),
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => BigInt(r.x)),
      new Int64(),
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => BigInt(r.y)),
      new Int64(),
    ).data[0]!,
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}

/** Creates table `name` under `tablesPath` with `files` files of `rowsPerFile` random points (x in [-500000, 500000), y in [0, 1000000)); answers them. */
export async function tableOfRandomPoints(send: Send, tablesPath: string, name: string, files: number, rowsPerFile: number, seed = 59): Promise<Point[]> {
  const created = await send('POST', tablesPath, { name, schema: POINTS_SCHEMA, properties: { 'format-version': '2' } });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const metadata = created.body.metadata;
  const location: string = metadata.location;
  mkdirSync(fileURLToPath(`${location}/data`), { recursive: true });
  mkdirSync(fileURLToPath(`${location}/metadata`), { recursive: true });
  const next = seeded(seed);
  const all: Point[] = [];
  const entries = [];
  for (let f = 0; f < files; f++) {
    const rows = Array.from({ length: rowsPerFile }, (_, i) => ({ id: all.length + i, x: Math.floor(next() * 1e6) - 500_000, y: Math.floor(next() * 1e6) }));
    const uri = `${location}/data/points-${f}.parquet`;
    await writeParquet(fileURLToPath(uri), one(pointsBatch(rows)));
    all.push(...rows);
    entries.push({ status: 1 as const, snapshotId: 1n, sequenceNumber: 1, file: { path: uri, partition: [], records: rows.length, bytes: 1000 } });
  }
  const manifest = `${location}/metadata/points-m0.avro`;
  const length = await writeManifest(manifest, [], entries, 0, 2);
  const list = `${location}/metadata/points-snap-1.avro`;
  await writeManifestList(list, [{ path: manifest, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n }], 2);
  const c = appendUpdates(metadata, list);
  const committed = await send('POST', `${tablesPath}/${name}`, { requirements: c.requirements, updates: c.updates });
  expect(committed.status, stringifyJson(committed.body)).toBe(200);
  return all;
}

/** A row group's points and the share of the whole table's x and y range its values span (0 to 1). */
export interface RowGroupSpan {
  rows: Point[];
  xSpan: number;
  ySpan: number;
}

/** Each row group of each data file of the table's scan plan, with the spans of its x and y values over `full`. */
export async function rowGroupsOf(
  send: Send,
  table: string,
  full: { x: number; y: number },
): Promise<{ file: string; sortOrderId: unknown; groups: RowGroupSpan[] }[]> {
  const planned = await send('POST', `${table}/plan`, {});
  expect(planned.status).toBe(200);
  const out = [];
  for (const t of planned.body['file-scan-tasks'] as Array<{ 'data-file': { 'file-path': string; 'sort-order-id'?: number } }>) {
    const groups: RowGroupSpan[] = [];
    for await (const b of readRowGroups(await localBlob(fileURLToPath(t['data-file']['file-path'])))) {
      const rows = b.toArray().map((r) => {
        const o = r.toJSON();
        return { id: Number(o.id), x: Number(o.x), y: Number(o.y) };
      });
      const span = (vs: number[], whole: number) => (vs.reduce((m, v) => Math.max(m, v), -Infinity) - vs.reduce((m, v) => Math.min(m, v), Infinity)) / whole;
      groups.push({
        rows,
        xSpan: span(
          rows.map((r) => r.x),
          full.x,
        ),
        ySpan: span(
          rows.map((r) => r.y),
          full.y,
        ),
      });
    }
    out.push({ file: t['data-file']['file-path'], sortOrderId: t['data-file']['sort-order-id'], groups });
  }
  return out;
}

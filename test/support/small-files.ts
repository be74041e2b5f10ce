/**
 * Tables of many small Parquet data files, written in-process (for compaction tests without an engine): a v2 table
 * partitioned by identity(region) whose files (a few rows each, written with the server's own Parquet writer, field
 * ids set) are added by one append snapshot, with manifests from test/support/manifest-writer.ts. A file may record a
 * large size in its manifest entry (`bigFiles`), so a compaction plans it as a large file and leaves it. Rows are read
 * back through the catalog's scan plan, as an engine would read them.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { expect } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { FIELD_ID_KEY } from '../../packages/server/src/policy-files/apply-batch.js';
import { localBlob, readRowGroups, writeParquet } from '../../packages/server/src/policy-files/parquet-io.js';
import { appendUpdates, peopleSchema, type Send } from './iceberg-http.js';
import { writeManifest, writeManifestList } from './manifest-writer.js';

export interface SmallRow {
  id: bigint;
  region: string;
}

const schema = peopleSchema(['id', 'region']);
const ROWS_PER_FILE = 3;
let nextId = 0;

async function* one<T>(item: T): AsyncGenerator<T> {
  yield item;
}

async function writeRows(uri: string, rows: SmallRow[]): Promise<void> {
  const fields = [new Field('id', new Int64(), false, new Map([[FIELD_ID_KEY, '1']])), new Field('region', new Utf8(), true, new Map([[FIELD_ID_KEY, '2']]))];
  const children = [
    vectorFromArray(
      rows.map((r) => r.id),
      new Int64(),
    ).data[0]!,
    vectorFromArray(
      rows.map((r) => r.region),
      new Utf8(),
    ).data[0]!,
  ];
  const s = new Schema(fields);
  await writeParquet(fileURLToPath(uri), one(new RecordBatch(s, makeData({ type: new Struct(s.fields), length: rows.length, nullCount: 0, children }))));
}

/**
 * Creates `tablePath` (`/v1/{wh}/namespaces/{ns}/tables`, name) with `files[region]` small files per region (and
 * `bigFiles[region]` that record 2 MiB), all in one append, of format version 2 (or `formatVersion` 1: v1 manifest
 * and list; or 3: a v3 table whose append names v2 manifests without row lineage, as a table upgraded to v3 holds).
 * Returns every row written, in id order.
 */
export async function tableWithSmallFiles(
  send: Send,
  tablesPath: string,
  name: string,
  files: Record<string, number>,
  options: { properties?: Record<string, string>; bigFiles?: Record<string, number>; formatVersion?: 1 | 2 | 3 } = {},
): Promise<SmallRow[]> {
  const created = await send('POST', tablesPath, {
    name,
    schema,
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] },
    properties: { 'format-version': String(options.formatVersion ?? 2), ...options.properties },
  });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const metadata = created.body.metadata;
  const location: string = metadata.location;
  mkdirSync(fileURLToPath(`${location}/data`), { recursive: true });
  mkdirSync(fileURLToPath(`${location}/metadata`), { recursive: true });
  const all: SmallRow[] = [];
  const entries = [];
  const planned: Array<{ region: string; big: boolean }> = [];
  for (const [region, count] of Object.entries(files)) {
    for (let i = 0; i < count; i++) planned.push({ region, big: false });
    for (let i = 0; i < (options.bigFiles?.[region] ?? 0); i++) planned.push({ region, big: true });
  }
  for (const [n, { region, big }] of planned.entries()) {
    const rows = Array.from({ length: ROWS_PER_FILE }, () => ({ id: BigInt(nextId++), region }));
    const uri = `${location}/data/${region}-${n}.parquet`;
    await writeRows(uri, rows);
    all.push(...rows);
    entries.push({
      status: 1 as const,
      snapshotId: 1n,
      sequenceNumber: 1,
      file: {
        path: uri,
        partition: [region],
        records: rows.length,
        bytes: big ? 2 * 1024 * 1024 : 1000,
        longBounds: [[1, Number(rows[0]!.id), Number(rows.at(-1)!.id)] as [number, number, number]],
      },
    });
  }
  const manifest = `${location}/metadata/small-files-m0.avro`;
  const written = options.formatVersion === 1 ? 1 : 2;
  const length = await writeManifest(manifest, ['region'], entries, 0, written);
  const list = `${location}/metadata/small-files-snap-1.avro`;
  await writeManifestList(list, [{ path: manifest, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n }], written);
  const c = appendUpdates(metadata, list);
  const committed = await send('POST', `${tablesPath}/${name}`, { requirements: c.requirements, updates: c.updates });
  expect(committed.status, stringifyJson(committed.body)).toBe(200);
  return all.sort((a, b) => Number(a.id - b.id));
}

/** The table's rows and data files, as its scan plan names them (files read here, no delete applied: none are written). */
export async function scanTable(send: Send, tablePath: string): Promise<{ rows: SmallRow[]; files: string[] }> {
  const planned = await send('POST', `${tablePath}/plan`, {});
  expect(planned.status, stringifyJson(planned.body)).toBe(200);
  const files = ((planned.body['file-scan-tasks'] ?? []) as Array<{ 'data-file': { 'file-path': string } }>).map((t) => t['data-file']['file-path']);
  const rows: SmallRow[] = [];
  for (const f of files) {
    for await (const b of readRowGroups(await localBlob(fileURLToPath(f)))) rows.push(...(b.toArray().map((r) => r.toJSON()) as unknown as SmallRow[]));
  }
  return { rows: rows.map((r) => ({ id: BigInt(r.id), region: r.region })).sort((a, b) => Number(a.id - b.id)), files: files.sort() };
}

/** The compacted files on disk under a table's data directory (a job's outputs, committed or not). */
export function compactedOnDisk(location: string): string[] {
  return readdirSync(path.join(fileURLToPath(location), 'data')).filter((f) => f.endsWith('-compacted.parquet'));
}

/** Each data file of a `file:` table's scan plan (`table`: its Iceberg path): its rows' ids in file order and its sort-order-id. */
export async function planFilesOf(send: Send, table: string): Promise<{ ids: number[]; sortOrderId: unknown }[]> {
  const planned = await send('POST', `${table}/plan`, {});
  expect(planned.status).toBe(200);
  const out: Array<{ ids: number[]; sortOrderId: unknown }> = [];
  for (const t of planned.body['file-scan-tasks'] as Array<{ 'data-file': { 'file-path': string; 'sort-order-id'?: number } }>) {
    const ids: number[] = [];
    for await (const b of readRowGroups(await localBlob(fileURLToPath(t['data-file']['file-path']))))
      ids.push(...b.toArray().map((r) => Number(r.toJSON().id)));
    out.push({ ids, sortOrderId: t['data-file']['sort-order-id'] });
  }
  return out;
}

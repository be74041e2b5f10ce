/**
 * Compaction's size range and delete thresholds as Iceberg's rewrite_data_files names them (issue 59), in-process on
 * a file warehouse, by the server's own rewriter: a lone file above `max-file-size-bytes` (default 1.8 times the
 * target) is rewritten, split into files near the target with the same rows, and left with a larger
 * `max-file-size-bytes`; `delete-file-threshold` 0 rewrites files in the size range (each has at least 0 delete
 * files); out-of-range values of the four options, or the options without the action, are 400s.
 */
import { mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RecordBatch } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { writeParquet } from '../../packages/server/src/policy-files/parquet-io.js';
import { appendUpdates, type Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startFileCatalog } from '../support/lake-warehouse.js';
import { writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { type Point, POINTS_SCHEMA, pointsBatch, rowGroupsOf, seeded } from '../support/random-points.js';

let cat: TestCatalog;
let send: Send;
const WH = 'oversized';
const TABLES = `/v1/${WH}/namespaces/db/tables`;
const maintenance = (name: string) => `/management/v1/warehouses/${WH}/namespaces/db/tables/${name}/maintenance`;
const MiB = 1024 * 1024;
const FULL = { x: 1_000_000, y: 1_000_000 };
const key = (p: Point) => `${p.id}:${p.x}:${p.y}`;

beforeAll(async () => {
  ({ cat, send } = await startFileCatalog(WH, ['db']));
});
afterAll(async () => {
  await cat?.close();
});

async function* one(batch: RecordBatch): AsyncGenerator<RecordBatch> {
  yield batch;
}

/** Table `name` of one data file per entry of `rowsPerFile` (random points), each manifest entry with its real size. */
async function tableOf(name: string, rowsPerFile: number[], seed: number): Promise<{ rows: Point[]; sizes: number[] }> {
  const created = await send('POST', TABLES, { name, schema: POINTS_SCHEMA, properties: { 'format-version': '2' } });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const metadata = created.body.metadata;
  const location: string = metadata.location;
  mkdirSync(fileURLToPath(`${location}/data`), { recursive: true });
  mkdirSync(fileURLToPath(`${location}/metadata`), { recursive: true });
  const next = seeded(seed);
  const rows: Point[] = [];
  const sizes: number[] = [];
  const entries = [];
  for (const [f, count] of rowsPerFile.entries()) {
    const some = Array.from({ length: count }, (_, i) => ({ id: rows.length + i, x: Math.floor(next() * 1e6) - 500_000, y: Math.floor(next() * 1e6) }));
    const uri = `${location}/data/points-${f}.parquet`;
    await writeParquet(fileURLToPath(uri), one(pointsBatch(some)));
    for (const r of some) rows.push(r);
    const bytes = statSync(fileURLToPath(uri)).size;
    sizes.push(bytes);
    entries.push({ status: 1 as const, snapshotId: 1n, sequenceNumber: 1, file: { path: uri, partition: [], records: count, bytes } });
  }
  const manifest = `${location}/metadata/points-m0.avro`;
  const length = await writeManifest(manifest, [], entries, 0, 2);
  const list = `${location}/metadata/points-snap-1.avro`;
  await writeManifestList(list, [{ path: manifest, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n }], 2);
  const c = appendUpdates(metadata, list);
  const committed = await send('POST', `${TABLES}/${name}`, { requirements: c.requirements, updates: c.updates });
  expect(committed.status, stringifyJson(committed.body)).toBe(200);
  return { rows, sizes };
}

async function compact(name: string, extra: Record<string, unknown>) {
  const done = await send('POST', maintenance(name), { actions: ['rewrite-data-files'], 'target-file-size-bytes': MiB, ...extra });
  expect(done.status, stringifyJson(done.body)).toBe(200);
  return done.body.compaction;
}

async function filesOf(name: string) {
  const planned = await send('POST', `${TABLES}/${name}/plan`, {});
  const sizes = (planned.body['file-scan-tasks'] as { 'data-file': { 'file-size-in-bytes': number } }[]).map((t) => t['data-file']['file-size-in-bytes']);
  const rows = (await rowGroupsOf(send, `${TABLES}/${name}`, FULL)).flatMap((f) => f.groups.flatMap((g) => g.rows));
  return { sizes, rows };
}

it('splits a lone file above max-file-size-bytes into files near the target, with the same rows', async () => {
  const { rows, sizes } = await tableOf('big', [131_072], 71);
  expect(sizes[0]).toBeGreaterThan(2 * MiB);
  // Above a larger max-file-size-bytes it is left as it is.
  expect(await compact('big', { 'max-file-size-bytes': 8 * MiB })).toMatchObject({ outcome: 'nothing-to-do' });
  const result = await compact('big', {});
  expect(result).toMatchObject({ outcome: 'committed', groups: 1, 'rewritten-data-files': 1 });
  const after = await filesOf('big');
  expect(after.sizes.length).toBeGreaterThanOrEqual(2);
  expect(result['added-data-files']).toBe(after.sizes.length);
  for (const size of after.sizes) expect(size).toBeLessThan(1.5 * MiB);
  expect(after.rows.map(key).sort()).toEqual(rows.map(key).sort());
}, 240_000);

it('rewrites files in the size range with delete-file-threshold 0, and leaves them without it', async () => {
  const { rows, sizes } = await tableOf('inrange', [45_000, 45_000], 72);
  for (const size of sizes) expect(size).toBeGreaterThan(0.75 * MiB);
  for (const size of sizes) expect(size).toBeLessThan(1.8 * MiB);
  expect(await compact('inrange', {})).toMatchObject({ outcome: 'nothing-to-do' });
  expect(await compact('inrange', { 'delete-file-threshold': 0, 'delete-ratio-threshold': 0.5 })).toMatchObject({
    outcome: 'committed',
    'rewritten-data-files': 2,
  });
  expect((await filesOf('inrange')).rows.map(key).sort()).toEqual(rows.map(key).sort());
}, 240_000);

it('refuses the size range and delete thresholds out of range, against the target, or without rewrite-data-files', async () => {
  await tableOf('refused', [10], 73);
  const compactWith = (extra: Record<string, unknown>) => ({ actions: ['rewrite-data-files'], 'target-file-size-bytes': MiB, ...extra });
  for (const [body, pattern] of [
    [compactWith({ 'max-file-size-bytes': MiB }), /max-file-size-bytes \(1048576\) must be above the target/],
    [compactWith({ 'min-file-size-bytes': MiB }), /min-file-size-bytes \(1048576\) must be below the target/],
    [compactWith({ 'min-file-size-bytes': 4 * MiB, 'max-file-size-bytes': 2 * MiB }), /min-file-size-bytes must be below max-file-size-bytes/],
    [compactWith({ 'max-file-size-bytes': 1000 }), /max-file-size-bytes/],
    [compactWith({ 'min-file-size-bytes': -1 }), /min-file-size-bytes/],
    [compactWith({ 'delete-file-threshold': -1 }), /delete-file-threshold/],
    [compactWith({ 'delete-file-threshold': 1.5 }), /delete-file-threshold/],
    [compactWith({ 'delete-ratio-threshold': 0 }), /delete-ratio-threshold/],
    [compactWith({ 'delete-ratio-threshold': 1.5 }), /delete-ratio-threshold/],
    [compactWith({ 'delete-ratio-threshold': '0.5' }), /delete-ratio-threshold/],
    [{ actions: ['expire-snapshots'], 'delete-ratio-threshold': 0.5 }, /delete-ratio-threshold applies to rewrite-data-files/],
    [{ actions: ['expire-snapshots'], 'max-file-size-bytes': 4 * MiB }, /max-file-size-bytes applies to rewrite-data-files/],
  ] as const) {
    const res = await send('POST', maintenance('refused'), body);
    expect(res.status, stringifyJson(body)).toBe(400);
    expect(stringifyJson(res.body)).toMatch(pattern);
  }
});

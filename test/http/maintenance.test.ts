/**
 * Table maintenance on demand (POST /management/v1/warehouses/{wh}/namespaces/{ns}/tables/{t}/maintenance), in-process:
 * bad input is a 400 in the Iceberg envelope, a missing table a 404, and a table whose manifest lists cannot be read
 * fails the job with the reason, the table's snapshots and files untouched; orphan files on a file warehouse. The
 * expiry itself is proven on MinIO with PyIceberg (test/interop/maintenance-pyiceberg.test.ts).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendUpdates, type Send, simpleSchema } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
let send: Send;
const T = '/v1/default/namespaces/db/tables';
const URL_OF = (t: string) => `/management/v1/warehouses/default/namespaces/db/tables/${t}/maintenance`;

beforeAll(async () => {
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
});
afterAll(async () => cat?.close());

it('refuses negative, fractional, absurd or unknown settings with a 400, and a missing table with a 404', async () => {
  expect((await send('POST', T, { name: 'bad', schema: simpleSchema })).status).toBe(200);
  const cases: unknown[] = [
    { 'max-snapshot-age-ms': -1 },
    { 'max-snapshot-age-ms': 1.5 },
    { 'max-snapshot-age-ms': 1e17 },
    { 'max-ref-age-ms': -5 },
    { 'min-snapshots-to-keep': 0 },
    { 'min-snapshots-to-keep': 'three' },
    { actions: [] },
    { actions: ['vacuum'] },
    { 'dry-run': 1 },
    { surprise: true },
  ];
  for (const body of cases) {
    const res = await send('POST', URL_OF('bad'), body);
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(res.body.error.type).toBe('BadRequestException');
  }
  expect((await send('POST', URL_OF('nope'), {})).status).toBe(404);
  // Nothing to expire on a table without snapshots.
  expect((await send('POST', URL_OF('bad'), {})).body).toMatchObject({ 'expired-snapshots': [], 'deleted-files': 0 });
});

it('fails with the reason and changes nothing when a manifest list cannot be read', async () => {
  const created = await send('POST', T, { name: 'broken', schema: simpleSchema });
  let metadata = created.body.metadata;
  // Snapshots whose manifest lists were never written.
  for (let i = 0; i < 3; i++) {
    const c = appendUpdates(metadata);
    const res = await send('POST', `${T}/broken`, { requirements: c.requirements, updates: c.updates });
    expect(res.status).toBe(200);
    metadata = res.body.metadata;
  }
  const dir = fileURLToPath(metadata.location);
  const filesBefore = readdirSync(dir, { recursive: true }).sort();
  const res = await send('POST', URL_OF('broken'), { 'min-snapshots-to-keep': 1, 'max-snapshot-age-ms': 0 });
  expect(res.status).toBe(400);
  expect(res.body.error.message).toMatch(/Cannot read manifest file .*snap-/);
  const after = (await send('GET', `${T}/broken`)).body.metadata;
  expect(after.snapshots.length).toBe(3);
  expect(readdirSync(dir, { recursive: true }).sort()).toEqual(filesBefore);
});

it('removes orphan files on a file warehouse: dry run first, the safety age respected, the metadata file kept', async () => {
  const created = await send('POST', T, { name: 'orphans', schema: simpleSchema });
  const location = created.body.metadata.location as string;
  const dir = fileURLToPath(location);
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  writeFileSync(path.join(dir, 'data', 'stray.parquet'), 'failed write');
  const url = URL_OF('orphans');
  // The default safety age (3 days) keeps a new file.
  expect((await send('POST', url, { actions: ['remove-orphan-files'] })).body.files).toEqual([]);
  const dry = await send('POST', url, { actions: ['remove-orphan-files'], 'orphan-older-than-ms': 0, 'dry-run': true });
  expect(dry.body.files).toEqual([{ path: `${location}/data/stray.parquet`, kind: 'orphan', bytes: 12 }]);
  expect(existsSync(path.join(dir, 'data', 'stray.parquet'))).toBe(true);
  const done = await send('POST', url, { actions: ['remove-orphan-files'], 'orphan-older-than-ms': 0 });
  expect(done.body).toMatchObject({ 'deleted-files': 1, 'deleted-bytes': 12 });
  expect(existsSync(path.join(dir, 'data', 'stray.parquet'))).toBe(false);
  expect(existsSync(fileURLToPath(created.body['metadata-location']))).toBe(true);
  expect((await send('GET', `${T}/orphans`)).status).toBe(200);
});

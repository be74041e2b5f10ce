/**
 * Table maintenance on demand (POST /management/v1/warehouses/{wh}/namespaces/{ns}/tables/{t}/maintenance), in-process:
 * bad input is a 400 in the Iceberg envelope, a missing table a 404, and a table whose manifest lists cannot be read
 * fails the job with the reason, the table's snapshots and files untouched. The expiry itself is proven on MinIO
 * with PyIceberg (test/interop/maintenance-pyiceberg.test.ts).
 */
import { readdirSync } from 'node:fs';
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

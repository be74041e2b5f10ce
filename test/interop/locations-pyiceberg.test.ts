/**
 * Where a table's files lie (issue 52), with PyIceberg 0.12 as the writer and reader
 * (peers/python/pyiceberg_locations.py), on a `file:` warehouse and on MinIO. The namespace and table names hold
 * spaces, non-ASCII letters, ":", "?", "#", "%" and "/", and so do the partition values (PyIceberg percent-encodes
 * them into literal directory names, `region=%C3%A9`). Checked by listing the storage itself:
 * - the location the catalog chose has no escape, every file of the table lies in its one directory tree, and the
 *   metadata location the catalog advertises exists;
 * - snapshot expiry and orphan removal delete exactly the files they report (nothing reported missing or failed),
 *   and a second run reports nothing;
 * - a purge leaves nothing under the location.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { ESCAPED_NAMES as NAMES, expectOneTree, fileStore as makeFileStore, s3Store as makeS3Store, type Store } from '../support/location-stores.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { pyicebergPython } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const BUCKET = 'lakegate-locations';
let server: ServerProcess;
let send: Send;
let python: string;
let minio: Minio;

beforeAll(async () => {
  python = pyicebergPython();
  server = await startServer();
  send = httpSender(server.url, await server.token());
}, 600_000);

/** MinIO and its warehouse, started by the test that needs them (the file: one does not wait for a MinIO build). */
async function withMinio(): Promise<void> {
  if (minio) return;
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 's3wh', BUCKET));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
}
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

async function py(warehouse: string, phase: string, extraEnv: Record<string, string> = {}): Promise<any> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CATALOG_URI: server.url,
    CATALOG_WAREHOUSE: warehouse,
    CATALOG_CREDENTIAL: server.credential,
    LOC_NAMES: JSON.stringify(NAMES),
    ...extraEnv,
  };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_locations.py'), phase], { env, timeoutMs: 10 * 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

const fileStore = async (): Promise<Store> => makeFileStore(server.warehouseRoot);
const s3Store = async (): Promise<Store> => (await withMinio(), makeS3Store(minio.root, BUCKET));

describe.each([
  ['a file: warehouse', fileStore],
  ['MinIO', s3Store],
])('PyIceberg on %s, names and partition values with spaces, é, ":", "?", "#", "%" and "/"', (_, makeStore) => {
  it(
    'keeps every file in the table location, expiry and orphan removal delete exactly what they report, a purge leaves nothing',
    async () => {
      const store = await makeStore();
      const written = await py(store.warehouse, 'write');
      // The location needs no escaping and holds every object of the warehouse, the metadata location among them.
      const all = await expectOneTree(store, written.location as string, written.metadata_location);
      // PyIceberg wrote the partition values percent-encoded, into literal directory names.
      expect(all.some((u) => u.includes('/region=%C3%A9/'))).toBe(true);
      expect(all.some((u) => u.includes('/region=q%3Fr%23s/'))).toBe(true);

      const url = `/management/v1/warehouses/${store.warehouse}/namespaces/${encodeURIComponent(NAMES.namespace.join('\u001f'))}/tables/${encodeURIComponent(NAMES.table)}/maintenance`;
      const kept = (written.snapshots as string[]).slice(-2);
      const expiry = await send('POST', url, { actions: ['expire-snapshots'], 'min-snapshots-to-keep': 2, 'max-snapshot-age-ms': 0 });
      expect(expiry.status, JSON.stringify(expiry.body)).toBe(200);
      expect(expiry.body['expired-snapshots'].length).toBe(written.snapshots.length - 2);
      expect(expiry.body['failed-files']).toEqual([]);
      expect(expiry.body['missing-files']).toEqual([]);
      const afterExpiry = await store.list();
      const gone = all.filter((u) => !afterExpiry.includes(u));
      const reported = (expiry.body.files as Array<{ path: string }>).map((f) => f.path).sort();
      expect(expiry.body['deleted-files']).toBe(reported.length);
      expect(reported.length).toBeGreaterThan(0);
      expect(gone).toEqual(reported);

      const verified = await py(store.warehouse, 'verify');
      expect(verified.rows).toEqual(written.rows);
      expect(Object.keys(verified.per_snapshot).sort()).toEqual([...kept].sort());
      for (const f of verified.reachable as string[]) expect(afterExpiry, f).toContain(f);
      expect(afterExpiry).toContain(verified.metadata_location);

      // Strays where a failed write would leave them: in PyIceberg's literal partition directories.
      const dirs = [...new Set(afterExpiry.filter((u) => /\/region=(%C3%A9|a%3Ab|q%3Fr%23s)\//.test(u)).map((u) => u.slice(0, u.lastIndexOf('/'))))];
      expect(dirs.length).toBe(3);
      const strays = dirs.map((d, i) => `${d}/stray-${i}.parquet`).sort();
      for (const s of strays) await store.put(s, 'PAR1 half a file');
      const orphans = await send('POST', url, { actions: ['remove-orphan-files'], 'orphan-older-than-ms': 0 });
      expect(orphans.status, JSON.stringify(orphans.body)).toBe(200);
      expect(orphans.body).toMatchObject({ 'deleted-files': 3, 'failed-files': [], 'missing-files': [] });
      expect((orphans.body.files as Array<{ path: string }>).map((f) => f.path).sort()).toEqual(strays);
      expect(await store.list()).toEqual(afterExpiry);
      const again = await send('POST', url, { actions: ['remove-orphan-files'], 'orphan-older-than-ms': 0 });
      expect(again.body).toMatchObject({ 'deleted-files': 0, files: [], 'missing-files': [] });

      expect((await py(store.warehouse, 'purge')).exists).toBe(false);
      expect(await store.list()).toEqual([]);
    },
    30 * 60_000,
  );
});

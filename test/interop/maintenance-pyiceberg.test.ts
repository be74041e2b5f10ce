/**
 * Table maintenance run by the catalog (issue 39) on MinIO, with PyIceberg 0.12 as the writer and reader
 * (peers/python/pyiceberg_maintenance.py): many small appends and two overwrites and a failed write's stray data
 * file, then a snapshot expiry with min-snapshots-to-keep=3 through POST …/maintenance (a dry run first, which changes
 * nothing). PyIceberg reads every kept snapshot with the rows it read before, time travel to an expired snapshot
 * fails, and the bucket holds exactly the files the kept snapshots reach (as PyIceberg itself finds them) plus the
 * metadata.json files; orphan removal (safety age 0 by the request) then deletes the stray file and nothing else.
 * Then a drop and an undrop return the table with its data to PyIceberg; so do a cascading (Lance) drop of its
 * namespace and the namespace's undrop, with the namespace's properties.
 */
import path from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import type { Minio } from '../support/minio.js';
import { startMinioServer } from '../support/minio-server.js';
import { pyicebergPython } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const BUCKET = 'lakegate-maintenance';
const NS = 'maint';
const TABLE = 'events';
const M = `/management/v1/warehouses/lake`;
let minio: Minio;
let server: ServerProcess;
let send: Send;
let python: string;

beforeAll(async () => {
  python = pyicebergPython();
  ({ minio, server, admin: send } = await startMinioServer(BUCKET, {}, { env: { LAKEGATE_LOG_LEVEL: 'info' } }));
}, 600_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

async function py(phase: string, extraEnv: Record<string, string> = {}): Promise<any> {
  const env: NodeJS.ProcessEnv = { ...process.env, CATALOG_URI: server.url, CATALOG_WAREHOUSE: 'lake', CATALOG_CREDENTIAL: server.credential, ...extraEnv };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_maintenance.py'), phase, NS, TABLE], { env, timeoutMs: 10 * 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

async function objectsUnder(location: string): Promise<string[]> {
  const prefix = `${location.replace(`s3://${BUCKET}/`, '')}/`;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => `s3://${BUCKET}/${o.Key!}`));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

it(
  'expires all but the last 3 snapshots: PyIceberg reads the kept ones identically, not the expired, and the bucket holds exactly what they reach',
  async () => {
    const written = await py('write');
    const snapshots = written.snapshots as string[];
    // 8 appends, 2 overwrites (a delete and an append snapshot each in PyIceberg 0.12), 4 appends.
    expect(snapshots.length).toBe(16);
    const url = `${M}/namespaces/${NS}/tables/${TABLE}/maintenance`;

    // Bad input: 400, nothing changes.
    for (const body of [
      { 'min-snapshots-to-keep': 0 },
      { 'max-snapshot-age-ms': -1 },
      { 'max-snapshot-age-ms': 1e20 },
      { actions: ['defragment'] },
      { 'dry-run': 'yes' },
    ]) {
      expect((await send('POST', url, body)).status, JSON.stringify(body)).toBe(400);
    }
    // A failed write left a data file no snapshot names (and MinIO's clock says it is new).
    const stray = `${written.location}/data/00000-0-failed-write.parquet`;
    await minio.root.send(new PutObjectCommand({ Bucket: BUCKET, Key: stray.replace(`s3://${BUCKET}/`, ''), Body: 'PAR1 half a file' }));
    const before = await objectsUnder(written.location);
    const expiry = { actions: ['expire-snapshots'], 'min-snapshots-to-keep': 3, 'max-snapshot-age-ms': 0 };
    const dry = await send('POST', url, { ...expiry, 'dry-run': true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    const kept = snapshots.slice(-3);
    const expired = snapshots.slice(0, -3);
    expect([...dry.body['expired-snapshots']].sort()).toEqual([...expired].sort());
    expect(dry.body.files.length).toBeGreaterThan(0);
    expect(await objectsUnder(written.location)).toEqual(before);

    const done = await send('POST', url, expiry);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect([...done.body['expired-snapshots']].sort()).toEqual([...expired].sort());
    expect(done.body['deleted-files']).toBe(dry.body.files.length);
    expect(done.body['deleted-bytes']).toBeGreaterThan(0);

    const verified = await py('verify', { MAINT_EXPECTED: JSON.stringify({ kept, expired, rows: written.rows }) });
    expect(verified.snapshots.sort()).toEqual([...kept].sort());
    for (const id of kept) expect(verified.kept_identical[id], id).toBe(true);
    for (const id of expired) expect(verified.expired_errors[id], id).toMatch(/snapshot/i);

    // The files the kept snapshots reach, the stray file (expiry does not look for orphans), and the table's
    // metadata.json files (expiry deletes none of those).
    const after = await objectsUnder(written.location);
    expect(after.filter((k) => !k.endsWith('.metadata.json'))).toEqual([...verified.reachable, stray].sort());
    expect(after.filter((k) => k.endsWith('.metadata.json')).length).toBe(before.filter((k) => k.endsWith('.metadata.json')).length + 1);
    // Every deleted file was one the kept snapshots do not reach, and is gone.
    for (const f of done.body.files as Array<{ path: string }>) {
      expect(verified.reachable).not.toContain(f.path);
      expect(after).not.toContain(f.path);
    }
    // Nothing left to expire: a second run removes nothing.
    const again = await send('POST', url, expiry);
    expect(again.body).toMatchObject({ 'expired-snapshots': [], 'deleted-files': 0 });

    // Orphan files: with the default safety age (3 days) the new stray file is kept; a dry run with age 0 lists it
    // and deletes nothing; then it is deleted, and only it: the bucket holds exactly what the kept snapshots reach
    // plus the metadata files of the table's metadata log.
    const orphans = { actions: ['remove-orphan-files'] };
    expect((await send('POST', url, orphans)).body).toMatchObject({ 'deleted-files': 0, files: [] });
    const dryOrphans = await send('POST', url, { ...orphans, 'orphan-older-than-ms': 0, 'dry-run': true });
    expect(dryOrphans.body.files).toEqual([{ path: stray, kind: 'orphan', bytes: 16 }]);
    expect(await objectsUnder(written.location)).toEqual(after);
    const removed = await send('POST', url, { ...orphans, 'orphan-older-than-ms': 0 });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body).toMatchObject({ 'deleted-files': 1, 'deleted-bytes': 16 });
    const cleaned = await objectsUnder(written.location);
    const metadataFiles = (await send('GET', `/v1/lake/namespaces/${NS}/tables/${TABLE}`)).body;
    const logged = [metadataFiles['metadata-location'], ...metadataFiles.metadata['metadata-log'].map((e: { 'metadata-file': string }) => e['metadata-file'])];
    expect(cleaned).toEqual([...verified.reachable, ...logged].sort());
    // /metrics counts what maintenance deleted (both workers' counts summed).
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const counted = Number(/lakegate_maintenance_files_deleted_total\{job="table-maintenance"\} (\d+)/.exec(metrics)?.[1]);
    expect(counted).toBe(done.body['deleted-files'] + 1);
  },
  15 * 60_000,
);

it(
  'a dropped table comes back to PyIceberg with its data after undrop',
  async () => {
    const current = await py('read');
    expect(current.rows.length).toBeGreaterThan(0);
    // The admin holds table:purge-immediately (warehouse:manage implies it): a plain drop, which is soft for everyone.
    expect((await send('DELETE', `/v1/lake/namespaces/${NS}/tables/${TABLE}`)).status).toBe(204);
    expect((await py('read')).error).toMatch(/NoSuchTable/);
    const dropped = (await send('GET', `${M}/dropped`)).body.dropped as Array<{ id: string; name: string; purge: boolean }>;
    const entry = dropped.find((d) => d.name === TABLE)!;
    expect(entry.purge).toBe(false);
    expect((await send('POST', `${M}/dropped/${entry.id}/undrop`, {})).status).toBe(200);
    expect((await py('read')).rows).toEqual(current.rows);
  },
  10 * 60_000,
);

it(
  'a namespace dropped with its table (Lance cascade) comes back to PyIceberg with its properties and the data after undrop',
  async () => {
    expect((await send('POST', `/v1/lake/namespaces/${NS}/properties`, { updates: { owner: 'ana' } })).status).toBe(200);
    const current = await py('read');
    expect(current.rows.length).toBeGreaterThan(0);
    expect(current.properties).toMatchObject({ owner: 'ana' });
    const dropped = await send('POST', `/lance/lake/v1/namespace/${NS}/drop`, { id: [NS], behavior: 'Cascade' });
    expect(dropped.status, JSON.stringify(dropped.body)).toBe(200);
    const gone = await py('read');
    expect(gone.namespaces).not.toContain(NS);
    expect(gone.namespace_error).toMatch(/NoSuchNamespace/);
    expect(gone.error).toMatch(/NoSuch/);
    const listed = (await send('GET', `${M}/dropped`)).body.dropped as Array<{ id: string; kind: string; name: string; 'dropped-with'?: string }>;
    const ns = listed.find((d) => d.kind === 'namespace' && d.name === NS)!;
    expect(listed.find((d) => d.kind === 'table' && d.name === TABLE)?.['dropped-with']).toBe(ns.id);
    expect((await send('POST', `${M}/dropped/${ns.id}/undrop`, {})).status).toBe(200);
    const back = await py('read');
    expect(back.namespaces).toContain(NS);
    expect(back.properties).toMatchObject({ owner: 'ana' });
    expect(back.rows).toEqual(current.rows);
  },
  10 * 60_000,
);

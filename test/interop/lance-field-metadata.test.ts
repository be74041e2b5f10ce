/**
 * UpdateFieldMetadata (lance-namespace 0.13, `POST /table/{id}/update_field_metadata`) against a real server process:
 * LanceDB Node 0.39 creates a table through Lakegate's namespace, the update (top-level and nested fields, a quoted
 * segment, a deleted key, a replaced map) is one new version the catalog commits through LanceDB on its private
 * loopback namespace (a managed version: listed by ListTableVersions, audited `lance.version.created` as the caller),
 * and LanceDB, reopening the table through the namespace, reads the metadata and appends on top. On a branch the
 * version is the branch's and main is left as it was. A path naming no field is a 400 and commits nothing; a caller
 * with read access only is refused (403) and commits nothing. The same call from lance-namespace's own Python REST
 * client: lancedb-python.test.ts ('UpdateFieldMetadata'). On MinIO, the catalog's LanceDB reads and commits with the
 * credentials it vends to itself through its private namespace, and LanceDB with its own vended keys reads the result.
 * A lost commit race (409): test/http/lance-commit-races.test.ts.
 */
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import * as lancedb from '@lancedb/lancedb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { connectLance, minioLanceWarehouse, startLanceWriters } from '../support/lance-writers.js';
import type { Minio } from '../support/minio.js';
import type { ServerProcess } from '../support/server-process.js';

let server: ServerProcess;
let send: Send;
let writerToken: string;
let writerName: string;
let readerToken: string;

beforeAll(async () => {
  ({ server, send, writerToken, writerName, readerToken } = await startLanceWriters('field'));
}, 180_000);
afterAll(async () => server?.stop());

const connect = (warehouse = 'default') => connectLance(server, writerToken, warehouse);

const update = async (table: string, body: unknown, token = writerToken, warehouse = 'default') => {
  const res = await fetch(`${server.url}/lance/${warehouse}/v1/table/fm%24${table}/update_field_metadata`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const versions = async (table: string, branch?: string, warehouse = 'default') =>
  ((await send('POST', `/lance/${warehouse}/v1/table/fm%24${table}/version/list`, branch ? { branch } : {})).body.versions as { version: number }[])
    .map((v) => v.version)
    .sort((a, b) => a - b);

/** Each field's metadata as LanceDB reads it, by path (nested fields under their struct's). */
async function metadataOf(table: lancedb.Table): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  const walk = (fields: readonly { name: string; metadata: Map<string, string>; type: { children?: unknown } }[], prefix: string) => {
    for (const f of fields) {
      const path = prefix ? `${prefix}.${f.name}` : f.name;
      out[path] = Object.fromEntries(f.metadata);
      walk((f.type.children ?? []) as typeof fields, path);
    }
  };
  walk((await table.schema()).fields, '');
  return out;
}

it('commits field metadata as one new version through the catalog, which LanceDB reads and appends on top of', async () => {
  const db = await connect();
  await db.createNamespace(['fm']);
  const created = await db.createTable('people', [{ id: 1, name: 'ada', s: { inner: 1, other: 2 } }], ['fm']);
  expect(await created.version()).toBe(1);
  created.close();

  const first = await update('people', {
    updates: [
      { path: 'name', metadata: { 'lancedb:description': 'who', owner: 'dev' } },
      { path: 's.inner', metadata: { unit: 'cm' } },
      { path: '`id`', metadata: { 'lancedb:status': 'production' } },
    ],
  });
  expect(first.status, JSON.stringify(first.body)).toBe(200);
  expect(first.body).toEqual({
    version: 2,
    fields: { name: { 'lancedb:description': 'who', owner: 'dev' }, 's.inner': { unit: 'cm' }, id: { 'lancedb:status': 'production' } },
  });
  // A deleted key (null), then a replaced map: each a version of its own.
  const second = await update('people', { updates: [{ path: 'name', metadata: { owner: null } }] });
  expect(second.body).toEqual({ version: 3, fields: { name: { 'lancedb:description': 'who' } } });
  const third = await update('people', { updates: [{ path: 's.inner', metadata: { scale: '2' }, replace: true }] });
  expect(third.body).toEqual({ version: 4, fields: { 's.inner': { scale: '2' } } });

  // Managed versions, committed through CreateTableVersion and audited as the caller.
  expect(await versions('people')).toEqual([1, 2, 3, 4]);
  const audit = (await send('GET', '/management/v1/audit?type=lance.version.created&limit=200')).body.events as Array<{
    actor: string;
    object?: string;
    detail?: Record<string, unknown>;
  }>;
  const mine = audit.filter((e) => e.object?.endsWith('fm.people'));
  expect(mine.map((e) => Number(e.detail!.version)).sort()).toEqual([1, 2, 3, 4]);
  expect(mine.every((e) => e.actor.includes(writerName))).toBe(true);

  // LanceDB, through the namespace, reads the metadata at the latest version and goes on from there.
  const reopened = await (await connect()).openTable('people', ['fm']);
  expect(await reopened.version()).toBe(4);
  expect(await metadataOf(reopened)).toMatchObject({
    id: { 'lancedb:status': 'production' },
    name: { 'lancedb:description': 'who' },
    's.inner': { scale: '2' },
    's.other': {},
  });
  await reopened.add([{ id: 2, name: 'grace', s: { inner: 3, other: 4 } }]);
  expect(await reopened.countRows()).toBe(2);
  expect(await versions('people')).toEqual([1, 2, 3, 4, 5]);
  expect((await metadataOf(reopened)).name).toEqual({ 'lancedb:description': 'who' });
  reopened.close();
  db.close();
});

it('commits on a branch as that branch’s version, main left as it was', async () => {
  const db = await connect();
  const table = await db.createTable('branched', [{ id: 1, name: 'ada' }], ['fm']);
  const dev = await (await table.branches()).create('dev');
  const before = await versions('branched', 'dev');
  const res = await update('branched', { branch: 'dev', updates: [{ path: 'name', metadata: { on: 'dev' } }] });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.fields).toEqual({ name: { on: 'dev' } });
  expect(await versions('branched', 'dev')).toEqual([...before, res.body.version]);
  expect(await versions('branched')).toEqual([1]);
  const onDev = await (await (await (await connect()).openTable('branched', ['fm'])).branches()).checkout('dev');
  expect((await metadataOf(onDev)).name).toEqual({ on: 'dev' });
  const onMain = await (await connect()).openTable('branched', ['fm']);
  expect((await metadataOf(onMain)).name).toEqual({});
  for (const t of [dev, table, onDev, onMain]) t.close();
  // A branch the catalog holds no version of: 404 code 22.
  expect(await update('branched', { branch: 'nowhere', updates: [{ path: 'name', metadata: { k: 'v' } }] })).toMatchObject({
    status: 404,
    body: { code: 22 },
  });
  db.close();
});

it('refuses a path naming no field (400, listing the fields) and a reader (403), committing nothing', async () => {
  const unknown = await update('people', {
    updates: [
      { path: 'name', metadata: { k: 'v' } },
      { path: 's.missing', metadata: { k: 'v' } },
    ],
  });
  expect(unknown).toMatchObject({ status: 400, body: { code: 13 } });
  expect(unknown.body.error).toMatch(/no field "s\.missing".*its fields: id, name, s, s\.inner, s\.other/);
  expect(await update('people', { updates: [{ path: 's.', metadata: { k: 'v' } }] })).toMatchObject({ status: 400, body: { code: 13 } });
  expect(await update('people', { updates: [] })).toMatchObject({ status: 400, body: { code: 13 } });
  expect(await update('people', { updates: [{ path: 'name', metadata: { k: 'v' } }] }, readerToken)).toMatchObject({ status: 403, body: { code: 15 } });
  expect(await update('absent', { updates: [{ path: 'name', metadata: { k: 'v' } }] })).toMatchObject({ status: 404, body: { code: 4 } });
  expect(await versions('people')).toEqual([1, 2, 3, 4, 5]);
  const reopened = await (await connect()).openTable('people', ['fm']);
  expect((await metadataOf(reopened)).name).toEqual({ 'lancedb:description': 'who' });
  reopened.close();
});

describe('on object storage (MinIO): the catalog reads and commits with the credentials it vends to itself', () => {
  const BUCKET = 'lakegate-lance-field-metadata';
  const WAREHOUSE = 'lancefm';
  let minio: Minio;
  beforeAll(async () => {
    minio = await minioLanceWarehouse({ server, send, writerToken, writerName, readerToken }, BUCKET, WAREHOUSE);
  }, 120_000);
  afterAll(async () => minio?.stop());

  it('commits the change as a managed version in the bucket, which LanceDB with its vended keys reads and appends on top of', async () => {
    const db = await connect(WAREHOUSE);
    await db.createNamespace(['fm']);
    const table = await db.createTable('s3people', [{ id: 1, name: 'ada', s: { inner: 1 } }], ['fm']);
    table.close();
    const res = await update(
      's3people',
      {
        updates: [
          { path: 'name', metadata: { owner: 'dev' } },
          { path: 's.inner', metadata: { unit: 'cm' } },
        ],
      },
      writerToken,
      WAREHOUSE,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ version: 2, fields: { name: { owner: 'dev' }, 's.inner': { unit: 'cm' } } });
    const listed = (await send('POST', `/lance/${WAREHOUSE}/v1/table/fm%24s3people/version/list`, {})).body.versions as {
      version: number;
      manifest_path: string;
    }[];
    expect(listed.map((v) => v.version).sort()).toEqual([1, 2]);
    // The version's manifest is an object of the bucket, at the table's location (the root's keys, to check only).
    const manifest = listed.find((v) => v.version === 2)!.manifest_path;
    expect(manifest).toMatch(/^wh\/fm\/s3people-[0-9a-f]+\/_versions\//);
    expect((await minio.root.send(new HeadObjectCommand({ Bucket: BUCKET, Key: manifest }))).ContentLength).toBeGreaterThan(0);

    const reopened = await (await connect(WAREHOUSE)).openTable('s3people', ['fm']);
    expect(await reopened.version()).toBe(2);
    expect(await metadataOf(reopened)).toMatchObject({ name: { owner: 'dev' }, 's.inner': { unit: 'cm' }, id: {} });
    await reopened.add([{ id: 2, name: 'grace', s: { inner: 2 } }]);
    expect(await reopened.countRows()).toBe(2);
    expect((await metadataOf(reopened)).name).toEqual({ owner: 'dev' });
    reopened.close();
    expect(await versions('s3people', undefined, WAREHOUSE)).toEqual([1, 2, 3]);
    // A path naming no field: 400, nothing committed in the bucket either.
    expect(await update('s3people', { updates: [{ path: 'nope', metadata: { k: 'v' } }] }, writerToken, WAREHOUSE)).toMatchObject({
      status: 400,
      body: { code: 13 },
    });
    expect(await versions('s3people', undefined, WAREHOUSE)).toEqual([1, 2, 3]);
    db.close();
  }, 120_000);
});

/**
 * Issue 58: Lance CreateTable with data against a real server process. A plain HTTP POST of an Arrow IPC stream
 * (built by apache-arrow) to `/table/{id}/create` makes the catalog write the table's first version with LanceDB
 * through its private loopback namespace, acting for the caller: the answer carries version 1 and the location,
 * LanceDB Node 0.39 reads the same rows back through Lakegate's namespace, ListTableVersions lists version 1 (a
 * managed version, committed through CreateTableVersion and audited as the caller), and LanceDB appends version 2 on
 * top. A second create of the name is a 409 that leaves the table as it was. With `x-lance-table-location` and
 * `x-lance-table-properties` the table is declared there with them (LanceDB writes its files at that location), and a
 * location outside the warehouse is a 400 that stores nothing.
 *
 * On MinIO (STS vending), the answer's storage_options are those the creator's DescribeTable answers right after the
 * create: pylance 14, holding nothing but them, reads the created dataset by its location, and is refused (403) on
 * another table created beside it, whose own options read it; the keys write nowhere outside the table's prefix, and
 * neither they nor the secret are in the server's output. A `file:` warehouse vends nothing: `{}`.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as lancedb from '@lancedb/lancedb';
import { Float64, Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { pythonVenv } from '../support/peers.js';
import { clientToken, createGrantedPrincipal, grantTo, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

let server: ServerProcess;
let send: Send;
let writerToken: string;
let writerName: string;

beforeAll(async () => {
  server = await startServer();
  send = httpSender(server.url, await server.token());
  const writer = await createGrantedPrincipal(server, 'lance-creator', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'default' });
  writerName = writer.id;
  writerToken = await clientToken(server.url, writer.credential);
}, 60_000);
afterAll(async () => server?.stop());

const stream = () =>
  tableToIPC(
    new Table({
      id: makeVector(BigInt64Array.from([1n, 2n, 3n])),
      name: vectorFromArray(['ada', 'grace', 'edsger'], new Utf8()),
      score: vectorFromArray([0.5, 1.5, 2.5], new Float64()),
    }),
    'stream',
  );

const post = (url: string, body: Uint8Array | string, type = 'application/vnd.apache.arrow.stream') =>
  fetch(`${server.url}/lance/default/v1${url}`, { method: 'POST', body, headers: { 'content-type': type, authorization: `Bearer ${writerToken}` } });

it('creates a table from an Arrow IPC stream: version 1 written by the catalog, read back by LanceDB through the namespace', async () => {
  const db = await lancedb.connectNamespace('rest', { uri: `${server.url}/lance/default`, headers: { Authorization: `Bearer ${writerToken}` } });
  await db.createNamespace(['made']);

  const res = await post('/table/made%24people/create', stream());
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(200);
  // A file: warehouse vends nothing (DescribeTable answers {} too); the MinIO case below vends.
  expect(body).toMatchObject({ version: 1, managed_versioning: true, storage_options: {} });
  expect(body.location).toMatch(/^file:\/\/.*people/);

  // The same rows, read by LanceDB through Lakegate's namespace.
  const table = await db.openTable('people', ['made']);
  const rows = (await table.query().toArray()) as Array<{ id: bigint | number; name: string; score: number }>;
  expect(rows.map((r) => [Number(r.id), r.name, r.score]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
    [1, 'ada', 0.5],
    [2, 'grace', 1.5],
    [3, 'edsger', 2.5],
  ]);
  expect(await table.version()).toBe(1);
  const schema = await table.schema();
  expect(schema.fields.map((f) => `${f.name}: ${String(f.type)}`)).toEqual(['id: Int64', 'name: Utf8', 'score: Float64']);

  // Version 1 is a managed version, recorded by the catalog and audited as the caller who created the table.
  const listed = await send('POST', '/lance/default/v1/table/made%24people/version/list', {});
  expect(listed.status).toBe(200);
  expect((listed.body.versions as { version: number }[]).map((v) => v.version)).toEqual([1]);
  const audit = (await send('GET', '/management/v1/audit?type=lance.version.created&limit=100')).body.events as Array<{
    actor: string;
    object?: string;
    detail?: Record<string, unknown>;
  }>;
  const created = audit.filter((e) => e.object?.endsWith('made.people'));
  expect(created.map((e) => Number(e.detail!.version))).toEqual([1]);
  expect(created[0]!.actor).toContain(writerName);

  // LanceDB goes on from there: its append is version 2, through the same namespace.
  await table.add([{ id: 4n, name: 'barbara', score: 3.5 }]);
  expect(await table.countRows()).toBe(4);
  const after = await send('POST', '/lance/default/v1/table/made%24people/version/list', {});
  expect((after.body.versions as { version: number }[]).map((v) => v.version).sort()).toEqual([1, 2]);
  table.close();

  // A second create of the name is refused and changes nothing.
  const again = await post('/table/made%24people/create', stream());
  expect(again.status).toBe(409);
  expect(await again.json()).toMatchObject({ code: 5 });
  const reopened = await db.openTable('people', ['made']);
  expect(await reopened.countRows()).toBe(4);
  reopened.close();
  db.close();
});

it('creates the table at the x-lance-table-location asked for, with the x-lance-table-properties given, in the one DeclareTable LanceDB sends', async () => {
  const listed = (await send('GET', '/management/v1/warehouses')).body.warehouses as Array<{ name: string; 'storage-root': string }>;
  const root = listed.find((w) => w.name === 'default')!['storage-root'].replace(/\/+$/, '');
  const location = `${root}/chosen/placed-by-caller`;
  const res = await fetch(`${server.url}/lance/default/v1/table/made%24placed/create`, {
    method: 'POST',
    body: stream(),
    headers: {
      'content-type': 'application/vnd.apache.arrow.stream',
      authorization: `Bearer ${writerToken}`,
      'x-lance-table-location': location,
      'x-lance-table-properties': JSON.stringify({ owner: 'dev', 'compaction.enabled': 'true' }),
    },
  });
  const body = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(body)).toBe(200);
  expect(body).toMatchObject({ version: 1, location, properties: { owner: 'dev', 'compaction.enabled': 'true' } });
  // Recorded with them, and the dataset's files are there: LanceDB wrote where the declared table lives.
  const described = await send('POST', '/lance/default/v1/table/made%24placed/describe', {});
  expect(described.body).toMatchObject({ location, properties: { owner: 'dev', 'compaction.enabled': 'true' } });
  const files = readdirSync(fileURLToPath(location), { recursive: true }).map(String);
  expect(
    files.some((f) => f.endsWith('.lance')),
    files.join(', '),
  ).toBe(true);
  // Only one table was declared for the name (the caller's create), and LanceDB reads the rows there.
  const db = await lancedb.connectNamespace('rest', { uri: `${server.url}/lance/default`, headers: { Authorization: `Bearer ${writerToken}` } });
  const table = await db.openTable('placed', ['made']);
  expect(await table.countRows()).toBe(3);
  table.close();
  db.close();
  // A location outside the warehouse is refused before anything is stored.
  const outside = await fetch(`${server.url}/lance/default/v1/table/made%24astray/create`, {
    method: 'POST',
    body: stream(),
    headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${writerToken}`, 'x-lance-table-location': 'file:///tmp/astray' },
  });
  expect(outside.status).toBe(400);
  expect((await send('POST', '/lance/default/v1/table/made%24astray/exists', {})).status).toBe(404);
});

describe('on MinIO: the storage_options CreateTable answers are what DescribeTable vends the creator, and read that table only', () => {
  const BUCKET = 'lakegate-lance-create';
  const WAREHOUSE = 'lancecreate';
  let minio: Minio;
  let python: string;

  beforeAll(async () => {
    python = await pythonVenv('lance', 'peers/lance/requirements.txt', 'import lancedb, lance');
    minio = await startMinio();
    await minio.createBucket(BUCKET);
    const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, WAREHOUSE, BUCKET));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await grantTo(server, writerName, READ_WRITE_ALL, { type: 'warehouse', warehouse: WAREHOUSE });
    expect((await send('POST', `/lance/${WAREHOUSE}/v1/namespace/made/create`, {})).status).toBe(200);
  }, 15 * 60_000);
  afterAll(async () => minio?.stop());

  const createOn = async (table: string) => {
    const res = await fetch(`${server.url}/lance/${WAREHOUSE}/v1/table/made%24${table}/create`, {
      method: 'POST',
      body: stream(),
      headers: { 'content-type': 'application/vnd.apache.arrow.stream', authorization: `Bearer ${writerToken}` },
    });
    const body = (await res.json()) as { location: string; version: number; storage_options: Record<string, string> };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };
  /** pylance opening each location with `options` only (peers/lance/read_dataset.py). */
  const readWith = async (options: Record<string, string>, ...locations: string[]) => {
    const res = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'lance', 'read_dataset.py'), ...locations], {
      env: { ...process.env, LANCE_STORAGE_OPTIONS: JSON.stringify(options) },
      timeoutMs: 2 * 60_000,
    });
    expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
    return (JSON.parse(res.stdout.trim().split('\n').at(-1)!) as { datasets: Array<{ rows?: number; ids?: number[]; version?: number; error?: string }> })
      .datasets;
  };

  it("answers prefix-scoped keys with the refresh keys, equal to DescribeTable's; pylance reads the created dataset with them alone and is refused beside it", async () => {
    const people = await createOn('people');
    const options = people.storage_options;
    expect(people.version).toBe(1);
    expect(people.location).toMatch(new RegExp(`^s3://${BUCKET}/wh/made/people-`));
    for (const key of ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token', 'aws_endpoint', 'aws_region', 'expires_at_millis'])
      expect(options[key], key).toBeTruthy();
    expect(options.aws_access_key_id).not.toBe(MINIO_ROOT.accessKeyId);
    expect(Number(options.expires_at_millis)).toBeGreaterThan(Date.now());
    expect(options.refresh_offset_millis).toBe('60000');
    // What the creator's DescribeTable answers right after (its refresh gives the same, from the vending cache).
    const described = await fetch(`${server.url}/lance/${WAREHOUSE}/v1/table/made%24people/describe`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${writerToken}` },
    });
    expect(described.status).toBe(200);
    expect(((await described.json()) as { storage_options: unknown }).storage_options).toEqual(options);

    // A second table beside it, with its own options.
    const other = await createOn('other');
    expect(other.storage_options.aws_access_key_id).toBeTruthy();

    // With nothing but the answer's options, pylance reads the rows CreateTable wrote (version 1); the same options on
    // the other table's dataset are refused by MinIO, whose own options read it.
    const [mine, beside] = await readWith(options, people.location, other.location);
    expect(mine).toEqual({ rows: 3, ids: [1, 2, 3], version: 1 });
    expect(beside!.error).toMatch(/403|Forbidden|AccessDenied/);
    const [theirs] = await readWith(other.storage_options, other.location);
    expect(theirs).toMatchObject({ rows: 3, version: 1 });

    // The keys write nowhere outside the table's prefix (another table's, or beside both).
    const scoped = new S3Client({
      endpoint: options.aws_endpoint,
      region: options.aws_region,
      forcePathStyle: true,
      credentials: { accessKeyId: options.aws_access_key_id!, secretAccessKey: options.aws_secret_access_key!, sessionToken: options.aws_session_token! },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    const otherKey = other.location.replace(`s3://${BUCKET}/`, '');
    for (const key of [`${otherKey}/data/planted.lance`, 'wh/made/elsewhere/x'])
      await expect(scoped.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' })), key).rejects.toMatchObject({ name: 'AccessDenied' });
    scoped.destroy();

    const logged = await server.settledOutput();
    for (const secret of [options.aws_secret_access_key!, options.aws_session_token!, other.storage_options.aws_secret_access_key!])
      expect(logged).not.toContain(secret);
  });
});

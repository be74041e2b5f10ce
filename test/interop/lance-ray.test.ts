/**
 * lance-ray 0.5.0 (Ray 2.60, pylance 14.0.2, lance-namespace 0.13; pinned in peers/lance-ray/requirements.txt) against
 * a real Lakegate process on MinIO, holding only what the namespace vends: `lance_ray.write_lance`/`read_lance`/
 * `add_columns` with `namespace_impl="rest"` declare the table (DeclareTable), describe it for every later write and
 * read, and read back the rows written (create, append, a column added by the distributed add_columns). lance-ray
 * 0.5.0 ignores `managed_versioning` (it commits `_versions/` itself), so it runs on a warehouse whose
 * `lance.managed-versioning` is "false", as docs/compatibility.md says. Lakegate's authorization applies: a reader
 * (no table:write-data, no table:create) reads the table with read-only vended credentials, its append is refused by
 * the store (nothing committed) and its create beside the table is refused by the catalog (DeclareTable 403). On a
 * warehouse of catalog-managed versions, lance-ray's append fails at the store: the vended credentials may not write
 * the table's published manifests, so it cannot commit beside the catalog. Ray runs
 * lean: a private local instance, 1 CPU, the smallest object store (peers/lance-ray/lance_ray_namespace.py).
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { pythonVenv } from '../support/peers.js';
import { connectLance } from '../support/lance-writers.js';
import { clientToken, createGrantedPrincipal, grantTo, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const SCRIPT = path.join(REPO_ROOT, 'peers', 'lance-ray', 'lance_ray_namespace.py');
const BUCKET = 'lakegate-lance-ray';
const NS = 'ray';
const MANAGED = 'raymanaged';

let server: ServerProcess;
let send: Send;
let minio: Minio;
let python = '';
let writer = '';
let reader = '';

beforeAll(async () => {
  python = await pythonVenv('lance-ray', 'peers/lance-ray/requirements.txt', 'import ray, lance_ray, lance, lance_namespace');
  [server, minio] = await Promise.all([startServer(), startMinio()]);
  await minio.createBucket(BUCKET);
  send = httpSender(server.url, await server.token());
  const warehouse = { ...minioWarehouse(minio, 'raylake', BUCKET), properties: { 'lance.managed-versioning': 'false' } };
  const created = await send('POST', '/management/v1/warehouses', warehouse);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const scope = { type: 'warehouse', warehouse: 'raylake' } as const;
  const w = await createGrantedPrincipal(server, 'ray-writer', [...READ_WRITE_ALL, 'table:read-metadata', 'table:read-data'], scope);
  const r = await createGrantedPrincipal(server, 'ray-reader', ['namespace:list', 'table:list', 'table:read-metadata', 'table:read-data'], scope);
  writer = await clientToken(server.url, w.credential);
  reader = await clientToken(server.url, r.credential);
  expect((await send('POST', `/lance/raylake/v1/namespace/${NS}/create`, {})).status).toBe(200);
  // A warehouse of catalog-managed versions (the default), where lance-ray's direct commits must fail at the store.
  const managed = await send('POST', '/management/v1/warehouses', { ...minioWarehouse(minio, MANAGED, BUCKET), 'storage-root': `s3://${BUCKET}/managed` });
  expect(managed.status, JSON.stringify(managed.body)).toBe(201);
  await grantTo(server, w.id, [...READ_WRITE_ALL, 'table:read-metadata', 'table:read-data'], { type: 'warehouse', warehouse: MANAGED });
  expect((await send('POST', `/lance/${MANAGED}/v1/namespace/${NS}/create`, {})).status).toBe(200);
}, 15 * 60_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

const manifests = async (prefix: string): Promise<string[]> => {
  const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/_versions/` }));
  return (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.manifest'));
};

describe('lance-ray 0.5.0 through the Lance namespace on MinIO (vended credentials only)', () => {
  it('creates, reads, appends and adds a column; a reader reads, and its append and create are refused', async () => {
    const res = await runAsync(python, [SCRIPT, `${server.url}/lance/raylake`, writer, reader, NS, 'points'], { timeoutMs: 8 * 60_000 });
    expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
    const result = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    expect(result.managed_versioning).toBe(false);
    expect(result.location).toMatch(new RegExp(`^s3://${BUCKET}/wh/${NS}/points`));
    expect(result.vended).toEqual(expect.arrayContaining(['aws_access_key_id', 'aws_session_token', 'aws_endpoint']));
    expect(result.first).toEqual({ id: [1, 2, 3], name: ['item-1', 'item-2', 'item-3'] });
    expect(result.appended).toEqual({ id: [1, 2, 3, 4, 5], name: [1, 2, 3, 4, 5].map((i) => `item-${i}`) });
    expect(result.widened).toEqual({ id: [1, 2, 3, 4, 5], name: [1, 2, 3, 4, 5].map((i) => `item-${i}`), twice: [2, 4, 6, 8, 10] });

    // The reader: read-only credentials read the rows; the store refuses the data file of its append (lance-ray's own
    // fragment writer, which each write task of write_lance runs: lance-ray 0.5.0's write_lance itself returns without an
    // error then, and nothing is written), the catalog its create.
    expect(result.reader_vended).toEqual(expect.arrayContaining(['aws_access_key_id', 'aws_session_token']));
    expect(result.reader_ids).toEqual([1, 2, 3, 4, 5]);
    expect(result.reader_append_refused, result.reader_append_error).toBe(true);
    expect(result.reader_append_error).toMatch(/403|AccessDenied|Forbidden|denied/i);
    expect(result.reader_create_refused, result.reader_create_error).toBe(true);
    expect(result.reader_create_error).toMatch(/403|forbidden|permission|not allowed|denied/i);
    expect(result.after_ids).toEqual([1, 2, 3, 4, 5]);

    // Three versions on the store (create, append, add_columns' Merge), none from the reader; nothing declared beside.
    const prefix = (result.location as string).replace(`s3://${BUCKET}/`, '');
    expect(await manifests(prefix)).toHaveLength(3);
    const beside = await send('POST', `/lance/raylake/v1/table/${NS}%24points_beside/describe`, {});
    expect(beside.status).toBe(404);
    const log = (await server.settledOutput()).split('\n');
    const declares = log.filter((l) => l.includes(`${NS}%24points_beside/declare`));
    expect(declares.length, declares.join('\n')).toBeGreaterThan(0);
    expect(
      declares.filter((l) => !l.includes('"statusCode":403')),
      declares.join('\n'),
    ).toEqual([]);
  });

  it('an append to a table of catalog-managed versions fails at the store instead of committing beside the catalog', async () => {
    // LanceDB commits version 1 through the namespace; lance-ray 0.5.0 then writes its data and the next manifest into
    // `_versions/` itself with the writer's vended credentials, which may not write published manifests of a managed
    // table (before: the append landed as a version the catalog never listed, its rows unseen through the namespace).
    const db = await connectLance(server, writer, MANAGED);
    await db.createTable(
      'guarded',
      [1, 2, 3].map((id) => ({ id, name: `item-${id}` })),
      [NS],
    );
    const described = await send('POST', `/lance/${MANAGED}/v1/table/${NS}%24guarded/describe`, {});
    const prefix = (described.body.location as string).replace(`s3://${BUCKET}/`, '');
    const versions = async () =>
      ((await send('POST', `/lance/${MANAGED}/v1/table/${NS}%24guarded/version/list`, {})).body.versions as { version: number }[]).map((v) => v.version);
    expect(await manifests(prefix)).toHaveLength(1);

    const res = await runAsync(python, [SCRIPT, 'managed-append', `${server.url}/lance/${MANAGED}`, writer, NS, 'guarded'], { timeoutMs: 8 * 60_000 });
    expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
    const result = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    expect(result.raised, JSON.stringify(result)).toBe(true);
    expect(result.error).toMatch(/403|AccessDenied|Forbidden|denied/i);
    expect(result.after_ids).toEqual([1, 2, 3]);
    expect(await manifests(prefix)).toHaveLength(1);
    expect(await versions()).toEqual([1]);
    // LanceDB still appends through the namespace.
    await (await db.openTable('guarded', [NS])).add([{ id: 4, name: 'item-4' }]);
    expect(await versions()).toEqual([1, 2]);
  });
});

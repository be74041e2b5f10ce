/**
 * Daft 0.7.26 with daft-lance 0.6.0 (its `daft[lance]` extra; pylance 14.0.2, lance-namespace 0.13; pinned in
 * peers/daft/requirements.txt) against a real Lakegate process on MinIO with catalog-managed versions, holding only
 * what the namespace vends: `daft_lance.write_lance`/`read_lance` with `namespace_impl="rest"` create the table
 * (DeclareTable), append twice in a row (each a CreateTableVersion) and read it back; then the vended credentials, as
 * Daft's own S3Config, read the table by location and are refused beside its prefix. Daft 0.7.26 itself has no
 * `rest://` URIs any more (see peers/daft/daft_namespace.py and docs/compatibility.md).
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { pythonVenv } from '../support/peers.js';
import { clientToken, createGrantedPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const SCRIPT = path.join(REPO_ROOT, 'peers', 'daft', 'daft_namespace.py');
const BUCKET = 'lakegate-daft';
const NS = 'dft';

let server: ServerProcess;
let send: Send;
let minio: Minio;
let python = '';
let writer = '';

beforeAll(async () => {
  python = await pythonVenv('daft', 'peers/daft/requirements.txt', 'import daft, daft_lance, lance, lance_namespace');
  [server, minio] = await Promise.all([startServer(), startMinio()]);
  await minio.createBucket(BUCKET);
  send = httpSender(server.url, await server.token());
  const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'daftlake', BUCKET));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const w = await createGrantedPrincipal(server, 'daft-writer', [...READ_WRITE_ALL, 'table:read-metadata', 'table:read-data'], {
    type: 'warehouse',
    warehouse: 'daftlake',
  });
  writer = await clientToken(server.url, w.credential);
  expect((await send('POST', `/lance/daftlake/v1/namespace/${NS}/create`, {})).status).toBe(200);
}, 15 * 60_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

describe('Daft 0.7.26 through the Lance namespace on MinIO (vended credentials only)', () => {
  it('writes, reads, appends and reads a declared table; the credentials reach nothing beside it', async () => {
    const res = await runAsync(python, [SCRIPT, `${server.url}/lance/daftlake`, writer, NS, 'points'], { timeoutMs: 5 * 60_000 });
    expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
    const result = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    expect(result.managed_versioning).toBe(true);
    expect(result.vended).toEqual(expect.arrayContaining(['aws_access_key_id', 'aws_session_token', 'aws_endpoint']));
    expect(result.expires).toBe(true);
    expect(result.versions).toEqual([1, 2, 3]);
    expect(result.first_ids).toEqual([1, 2, 3]);
    expect(result.ids).toEqual([1, 2, 3, 4, 5]);
    expect(result.names).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(result.by_location).toBe(5);
    expect(result.is_only_declared).toBe(false);
    expect(result.outside_refused, result.outside_error).toBe(true);
    expect(result.outside_error).toMatch(/403|AccessDenied|Forbidden|denied/i);

    // Every commit went through the catalog: its versions are the bucket's _versions/ manifests, and nothing is beside the table.
    const listed = await send('POST', `/lance/daftlake/v1/table/${NS}%24points/version/list`, {});
    expect((listed.body.versions as { version: number }[]).map((v) => v.version)).toEqual([1, 2, 3]);
    const prefix = (result.location as string).replace(`s3://${BUCKET}/`, '');
    const versions = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/_versions/` }));
    expect((versions.Contents ?? []).filter((o) => o.Key!.endsWith('.manifest'))).toHaveLength(3);
    const beside = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix.split('/').slice(0, -1).join('/')}/not-this-table` }));
    expect(beside.Contents ?? []).toEqual([]);
  });
});

/**
 * The storage access Lakegate vends for a Lance table of catalog-managed versions may not publish a version: on MinIO
 * (which evaluates STS session policies), the writer's credentials from DescribeTable are refused (AccessDenied) a
 * PutObject, a multipart upload, a copy onto and a delete of a published manifest (`_versions/<n>.manifest`, V1 or
 * V2, a branch's `tree/<b>/_versions/<n>.manifest`), while staged manifests (`<n>.manifest-<uuid>`, what Lance writes
 * for CreateTableVersion) and data files stay writable; so LanceDB Node, committing through the namespace with those
 * credentials, keeps creating and appending. A table that manages its own versions (`lance.managed-versioning`
 * "false") keeps full write access to `_versions/`. docs/security.md, docs/compatibility.md.
 */
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { connectLance, type LanceWriters, minioLanceWarehouse, startLanceWriters } from '../support/lance-writers.js';
import { type Minio, minioWarehouse } from '../support/minio.js';
import { grantTo } from '../support/server-process.js';
import { httpSender } from '../support/iceberg-http.js';

const BUCKET = 'lakegate-lance-sealed';
const MANAGED = 'sealedlake';
const UNMANAGED = 'freelake';
const NS = 'sealed';

let w: LanceWriters;
let minio: Minio;

beforeAll(async () => {
  w = await startLanceWriters('sealed');
  minio = await minioLanceWarehouse(w, BUCKET, MANAGED);
  const free = { ...minioWarehouse(minio, UNMANAGED, BUCKET), 'storage-root': `s3://${BUCKET}/free`, properties: { 'lance.managed-versioning': 'false' } };
  const created = await w.send('POST', '/management/v1/warehouses', free);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await grantTo(w.server, w.writerName, READ_WRITE_ALL, { type: 'warehouse', warehouse: UNMANAGED });
  for (const warehouse of [MANAGED, UNMANAGED]) expect((await w.send('POST', `/lance/${warehouse}/v1/namespace/${NS}/create`, {})).status).toBe(200);
}, 10 * 60_000);
afterAll(async () => {
  await w?.server.stop();
  await minio?.stop();
});

const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `item-${from + i}` }));

/** The writer's DescribeTable: the table's key prefix and an S3 client holding only the vended credentials. */
async function vendedToWriter(warehouse: string, table: string): Promise<{ prefix: string; s3: S3Client }> {
  const described = await httpSender(w.server.url, w.writerToken)('POST', `/lance/${warehouse}/v1/table/${NS}%24${table}/describe`, {});
  expect(described.status, JSON.stringify(described.body)).toBe(200);
  const o = described.body.storage_options as Record<string, string>;
  const s3 = new S3Client({
    endpoint: o.aws_endpoint,
    region: o.aws_region,
    forcePathStyle: true,
    credentials: { accessKeyId: o.aws_access_key_id!, secretAccessKey: o.aws_secret_access_key!, sessionToken: o.aws_session_token! },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  return { prefix: (described.body.location as string).replace(`s3://${BUCKET}/`, ''), s3 };
}

const versions = async (table: string): Promise<number[]> => {
  const listed = await w.send('POST', `/lance/${MANAGED}/v1/table/${NS}%24${table}/version/list`, {});
  expect(listed.status, JSON.stringify(listed.body)).toBe(200);
  return (listed.body.versions as { version: number }[]).map((v) => v.version).sort((a, b) => a - b);
};

const manifestKeys = async (prefix: string): Promise<string[]> => {
  const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/_versions/` }));
  return (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.manifest'));
};

const denied = { name: 'AccessDenied' };

describe('vended credentials of a Lance table of catalog-managed versions (MinIO)', () => {
  it('refuse publishing, overwriting or deleting a version manifest; LanceDB still commits through the namespace', async () => {
    const db = await connectLance(w.server, w.writerToken, MANAGED);
    const table = await db.createTable('points', rows(1, 3), [NS]);
    await table.add(rows(4, 2));
    expect(await versions('points')).toEqual([1, 2]);

    const { prefix, s3 } = await vendedToWriter(MANAGED, 'points');
    const published = await manifestKeys(prefix);
    expect(published).toHaveLength(2);
    const v2Next = `${prefix}/_versions/${(2n ** 64n - 1n - 3n).toString().padStart(20, '0')}.manifest`;
    const put = (Key: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'forged manifest' }));

    // Publishing the next version directly, in either naming scheme, on main or a branch: refused by the store.
    await expect(put(v2Next)).rejects.toMatchObject(denied);
    await expect(put(`${prefix}/_versions/3.manifest`)).rejects.toMatchObject(denied);
    await expect(put(`${prefix}/tree/dev/_versions/1.manifest`)).rejects.toMatchObject(denied);
    await expect(put(`${prefix}/_latest.manifest`)).rejects.toMatchObject(denied);
    await expect(s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: v2Next }))).rejects.toMatchObject(denied);
    await expect(s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: v2Next, CopySource: `${BUCKET}/${published[0]}` }))).rejects.toMatchObject(denied);
    // Overwriting or deleting a published one: refused, and it is still there.
    await expect(put(published[0]!)).rejects.toMatchObject(denied);
    await expect(s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: published[0]! }))).rejects.toMatchObject(denied);
    expect(await manifestKeys(prefix)).toEqual(published);
    const kept = await minio.root.send(new HeadObjectCommand({ Bucket: BUCKET, Key: published[0]! }));
    expect(kept.ContentLength).toBeGreaterThan('forged manifest'.length);

    // What writers need stays writable: a staged manifest (as Lance names it for CreateTableVersion), a data file.
    const staged = `${v2Next}-0b1c6f3e-5d0a-4c56-9f7e-1a2b3c4d5e6f`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: staged, Body: 'staged' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: staged }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/data/sealed-probe.lance`, Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}/data/sealed-probe.lance` }));
    s3.destroy();

    // LanceDB (managed versioning: staged manifest, CreateTableVersion) appends with the same kind of credentials.
    const reopened = await (await connectLance(w.server, w.writerToken, MANAGED)).openTable('points', [NS]);
    await reopened.add(rows(6, 1));
    expect(await versions('points')).toEqual([1, 2, 3]);
    const ids = ((await reopened.query().toArray()) as { id: number | bigint }[]).map((r) => Number(r.id)).sort((a, b) => a - b);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await manifestKeys(prefix)).toHaveLength(3);
  });

  it('a table that manages its own versions keeps write access to its manifests', async () => {
    const db = await connectLance(w.server, w.writerToken, UNMANAGED);
    await db.createTable('points', rows(1, 2), [NS]);
    const { prefix, s3 } = await vendedToWriter(UNMANAGED, 'points');
    const key = `${prefix}/_versions/probe.manifest`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    s3.destroy();
  });
});

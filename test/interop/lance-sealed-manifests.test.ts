/**
 * The storage access Lakegate vends for a Lance table of catalog-managed versions may not publish a version: on MinIO
 * (which evaluates STS session policies), the writer's credentials from DescribeTable are refused (AccessDenied) a
 * PutObject, a multipart upload, a copy onto and a delete of a published manifest (`_versions/<n>.manifest`, V1 or
 * V2, a branch's `tree/<b>/_versions/<n>.manifest`), while staged manifests (`<n>.manifest-<uuid>`, what Lance writes
 * for CreateTableVersion) and new data files stay writable; so LanceDB Node, committing through the namespace with
 * those credentials, keeps creating and appending. Nothing of the table but tags (`_refs/`) and staged manifests can be
 * deleted with them, so pylance's own version cleanup cannot remove the data of versions the catalog lists. A table that manages its own versions (`lance.managed-versioning`
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
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { connectLance, type LanceWriters, minioLanceWarehouse, startLanceWriters } from '../support/lance-writers.js';
import { type Minio, minioWarehouse } from '../support/minio.js';
import { pythonVenv } from '../support/peers.js';
import { grantTo, REPO_ROOT } from '../support/server-process.js';
import { httpSender } from '../support/iceberg-http.js';
import { runAsync } from '../support/temp.js';

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

/** The writer's DescribeTable: the table's location, key prefix, storage options and an S3 client holding only them. */
async function vendedToWriter(warehouse: string, table: string): Promise<{ location: string; prefix: string; options: Record<string, string>; s3: S3Client }> {
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
  const location = described.body.location as string;
  return { location, prefix: location.replace(`s3://${BUCKET}/`, ''), options: o, s3 };
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

    // What writers need stays writable: a staged manifest (as Lance names it for CreateTableVersion), a new data file.
    const staged = `${v2Next}-0b1c6f3e-5d0a-4c56-9f7e-1a2b3c4d5e6f`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: staged, Body: 'staged' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: staged }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/data/sealed-probe.lance`, Body: 'x' }));
    // A tag (Lance clients keep them on storage) can be written and deleted; no other file of the table can be deleted.
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/_refs/tags/probe.json`, Body: '{}' }));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}/_refs/tags/probe.json` }));
    await expect(s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}/data/sealed-probe.lance` }))).rejects.toMatchObject(denied);
    await minio.root.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}/data/sealed-probe.lance` }));
    s3.destroy();

    // LanceDB (managed versioning: staged manifest, CreateTableVersion) appends with the same kind of credentials.
    const reopened = await (await connectLance(w.server, w.writerToken, MANAGED)).openTable('points', [NS]);
    await reopened.add(rows(6, 1));
    expect(await versions('points')).toEqual([1, 2, 3]);
    const ids = ((await reopened.query().toArray()) as { id: number | bigint }[]).map((r) => Number(r.id)).sort((a, b) => a - b);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await manifestKeys(prefix)).toHaveLength(3);
  });

  // pylance's own cleanup deletes old manifests, and the data files only they reference, on storage, never through
  // the catalog's BatchDeleteTableVersions. With the manifests sealed but deletes still granted, it deleted version
  // 1's data file and left its manifest, so a version the catalog lists could no longer be read. Vended credentials
  // of a managed table now delete nothing but tags and staged manifests: every version the catalog lists stays whole.
  it("pylance's cleanup_old_versions with the vended credentials deletes nothing, and every listed version still reads", async () => {
    const python = await pythonVenv('lance', 'peers/lance/requirements.txt', 'import lancedb, lance');
    const db = await connectLance(w.server, w.writerToken, MANAGED);
    const table = await db.createTable('history', rows(1, 3), [NS]);
    await table.add(rows(4, 3));
    await table.delete('id <= 3'); // the first fragment goes: version 1's data file is referenced by old versions only
    expect(await versions('history')).toEqual([1, 2, 3]);
    const { location, prefix, options, s3 } = await vendedToWriter(MANAGED, 'history');
    s3.destroy();
    const before = await manifestKeys(prefix);
    const dataBefore = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/data/` }));

    const cleaned = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'lance', 'cleanup_versions.py'), location], {
      env: { ...process.env, LANCE_STORAGE_OPTIONS: JSON.stringify(options) },
      timeoutMs: 120_000,
    });
    expect(cleaned.status, cleaned.stderr).toBe(0);
    const outcome = JSON.parse(cleaned.stdout.trim().split('\n').at(-1)!) as { error?: string; removed?: unknown };
    console.log('pylance cleanup_old_versions with vended credentials:', JSON.stringify(outcome));
    // pylance 14.0.2 reports success either way (it counts what it removed); what matters is what is left.
    expect(outcome.error ?? outcome.removed).toBeDefined();

    expect(await manifestKeys(prefix)).toEqual(before);
    const dataAfter = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/data/` }));
    expect((dataAfter.Contents ?? []).map((o) => o.Key).sort()).toEqual((dataBefore.Contents ?? []).map((o) => o.Key).sort());
    expect(await versions('history')).toEqual([1, 2, 3]);
    const reopened = await (await connectLance(w.server, w.writerToken, MANAGED)).openTable('history', [NS]);
    await reopened.checkout(1);
    const first = ((await reopened.query().toArray()) as { id: number | bigint }[]).map((r) => Number(r.id)).sort((a, b) => a - b);
    expect(first).toEqual([1, 2, 3]);
  });

  // What LanceDB users run themselves: tags (kept on storage) and the library's own optimize, whose cleanup step
  // (cleanupOlderThan) would delete old versions' files. Tags work; optimize compacts through the namespace, and its
  // cleanup is refused at its first delete (an AccessDenied error from LanceDB), so the catalog's versions stay
  // readable. The catalog's own optimize (maintenance API) is how a managed table is compacted and cleaned.
  it("LanceDB's tags and its own optimize with the vended credentials: tags work, and no listed version loses its files", async () => {
    const db = await connectLance(w.server, w.writerToken, MANAGED);
    const table = await db.createTable('tended', rows(1, 2), [NS]);
    for (let i = 3; i <= 6; i++) await table.add(rows(i, 1));
    const tags = await table.tags();
    await tags.create('first', 1);
    await tags.update('first', 2);
    expect(Object.keys(await tags.list())).toEqual(['first']);
    await tags.delete('first');
    expect(Object.keys(await tags.list())).toEqual([]);

    const listed = await versions('tended');
    // The compaction commits; the cleanup's first delete is refused, and LanceDB says so.
    await expect(table.optimize({ cleanupOlderThan: new Date() })).rejects.toThrow(/AccessDenied|Access Denied/);
    const after = await versions('tended');
    expect(after.slice(0, listed.length)).toEqual(listed);
    expect(after.length).toBeGreaterThan(listed.length); // the compaction, a version through CreateTableVersion
    const ids = ((await table.query().toArray()) as { id: number | bigint }[]).map((r) => Number(r.id)).sort((a, b) => a - b);
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
    // Every version the catalog lists is still readable, the first one too.
    const reopened = await (await connectLance(w.server, w.writerToken, MANAGED)).openTable('tended', [NS]);
    await reopened.checkout(1);
    expect(((await reopened.query().toArray()) as unknown[]).length).toBe(2);
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

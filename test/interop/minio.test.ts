/**
 * MinIO (built from source by scripts/peers/minio.sh, started by this suite on
 * 127.0.0.1): what a vended credential may do is decided by MinIO itself, not
 * by us. Read credentials can get and list under the table prefix only;
 * read-write credentials can also put, delete and upload in parts there, and
 * nowhere else, not even in a sibling prefix that shares the string prefix
 * (t1 vs t10). Then S3ObjectStorage against the same server.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3CredentialVendor, type S3CredentialVendorOptions } from '../../packages/server/src/storage/s3/s3-credential-vendor.js';
import { buildSessionPolicy, MAX_SESSION_POLICY_BYTES, sessionPolicyFor } from '../../packages/server/src/storage/s3/s3-session-policy.js';
import { S3ObjectStorage } from '../../packages/server/src/storage/s3/s3-object-storage.js';
import type { VendedCredential } from '../../packages/server/src/storage/vending.js';
import { peerScript } from '../support/peers.js';
import { freePort, runAsync, tempDir } from '../support/temp.js';
import { expectBoundedRead, expectBulkDelete, expectRangedRead } from '../support/object-storage-contract.js';

const ROOT = { accessKeyId: 'lakegate-root', secretAccessKey: 'lakegate-root-interop-secret' };
const REGION = 'us-east-1';
const BUCKET = 'lakegate-interop';
const OTHER_BUCKET = 'lakegate-interop-other';
const T1 = 'wh/ns/t1';
const T10 = 'wh/ns/t10';

const minioDir = tempDir('lakegate-minio-');
const serverDir = path.join(minioDir.dir, 'server');
let endpoint: string;
let root: S3Client;
const clients: S3Client[] = [];

async function minio(...args: string[]): Promise<string> {
  const env = { ...process.env, MINIO_ROOT_USER: ROOT.accessKeyId, MINIO_ROOT_PASSWORD: ROOT.secretAccessKey };
  const result = await runAsync('bash', [peerScript('minio.sh'), ...args], { env });
  if (result.status !== 0) throw new Error(`minio.sh ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

function s3(credentials: typeof ROOT): S3Client {
  const client = new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
  clients.push(client);
  return client;
}

/** An S3 client configured only from a vended credential's properties, as an Iceberg client would be. */
function clientFor(vended: VendedCredential): S3Client {
  const c = vended.config;
  const client = new S3Client({
    endpoint: c['s3.endpoint'],
    region: c['client.region'],
    forcePathStyle: c['s3.path-style-access'] === 'true',
    credentials: { accessKeyId: c['s3.access-key-id']!, secretAccessKey: c['s3.secret-access-key']!, sessionToken: c['s3.session-token']! },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  clients.push(client);
  return client;
}

function vendor(extra: Partial<S3CredentialVendorOptions> = {}): S3CredentialVendor {
  return new S3CredentialVendor({
    bucket: BUCKET,
    stsEndpoint: endpoint,
    s3Endpoint: endpoint,
    region: REGION,
    pathStyle: true,
    maxLifetimeSeconds: 3600,
    credentials: ROOT,
    ...extra,
  });
}

const put = (client: S3Client, key: string, body = `body of ${key}`) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
const get = async (client: S3Client, key: string) => (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
const list = async (client: S3Client, prefix?: string) =>
  ((await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }))).Contents ?? []).map((o) => o.Key).sort();
const del = (client: S3Client, key: string) => client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
const rootHas = (key: string) =>
  root.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
    () => true,
    () => false,
  );

/** Asserts MinIO refused the call with 403 AccessDenied. */
async function denied(call: Promise<unknown>): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as { name?: string; $metadata?: { httpStatusCode?: number } },
  );
  expect(error, 'expected MinIO to refuse the call').toBeDefined();
  expect({ status: error!.$metadata?.httpStatusCode, name: error!.name }).toEqual({ status: 403, name: 'AccessDenied' });
}

beforeAll(async () => {
  endpoint = await minio('start', serverDir, String(await freePort()), String(await freePort()));
  expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  root = s3(ROOT);
  await root.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await root.send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }));
  await root.send(new PutObjectCommand({ Bucket: OTHER_BUCKET, Key: `${T1}/data/a.parquet`, Body: 'other bucket' }));
  for (const key of [`${T1}/metadata/v1.metadata.json`, `${T1}/data/a.parquet`, `${T10}/data/b.parquet`, 'wh/other/x.parquet']) await put(root, key);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  if (endpoint) await minio('stop', serverDir);
  minioDir.cleanup();
});

describe('vended read credentials', () => {
  let client: S3Client;
  beforeAll(async () => {
    client = clientFor(await vendor().vend({ location: `s3://${BUCKET}/${T1}`, mode: 'read', principal: 'reader@example', lifetimeSeconds: 900 }));
  });

  it('get and list under the table prefix', async () => {
    expect(await get(client, `${T1}/data/a.parquet`)).toBe(`body of ${T1}/data/a.parquet`);
    expect(await list(client, `${T1}/`)).toEqual([`${T1}/data/a.parquet`, `${T1}/metadata/v1.metadata.json`]);
    expect(await list(client, `${T1}/data/`)).toEqual([`${T1}/data/a.parquet`]);
  });

  it('cannot put, delete or start an upload, even under the prefix', async () => {
    await denied(put(client, `${T1}/data/new.parquet`));
    await denied(del(client, `${T1}/data/a.parquet`));
    await denied(client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `${T1}/data/mp.parquet` })));
    expect(await rootHas(`${T1}/data/a.parquet`)).toBe(true);
    expect(await rootHas(`${T1}/data/new.parquet`)).toBe(false);
  });

  it('cannot get or list another prefix, including the sibling t10', async () => {
    await denied(get(client, `${T10}/data/b.parquet`));
    await denied(get(client, 'wh/other/x.parquet'));
    await denied(list(client, `${T10}/`));
    await denied(list(client, 'wh/other/'));
    await denied(list(client, 'wh/'));
    await denied(list(client));
  });

  it('sees only the bucket it has a grant in', async () => {
    // MinIO answers ListBuckets with the buckets the policy grants anything in, rather than 403.
    const buckets = (await client.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name);
    expect(buckets).toEqual([BUCKET]);
    await denied(client.send(new ListObjectsV2Command({ Bucket: OTHER_BUCKET })));
    await denied(client.send(new ListObjectsV2Command({ Bucket: OTHER_BUCKET, Prefix: `${T1}/` })));
  });

  it('cannot list with the bare prefix (no slash), which would show sibling names such as t10', async () => {
    await denied(list(client, T1));
    expect(await list(client, `${T1}/`)).toContain(`${T1}/data/a.parquet`);
  });
});

describe('vended read-write credentials', () => {
  let client: S3Client;
  beforeAll(async () => {
    client = clientFor(await vendor().vend({ location: `s3://${BUCKET}/${T1}`, mode: 'read-write', principal: 'writer@example', lifetimeSeconds: 900 }));
  });

  it('put, get, list and delete under the table prefix', async () => {
    await put(client, `${T1}/data/w.parquet`, 'written');
    expect(await get(client, `${T1}/data/w.parquet`)).toBe('written');
    expect(await list(client, `${T1}/data/`)).toContain(`${T1}/data/w.parquet`);
    await del(client, `${T1}/data/w.parquet`);
    expect(await rootHas(`${T1}/data/w.parquet`)).toBe(false);
  });

  it('uploads in parts and aborts uploads under the prefix', async () => {
    const key = `${T1}/data/multipart.parquet`;
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
    const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: 1, Body: 'one part' }));
    const parts = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId }));
    expect(parts.Parts?.map((p) => p.PartNumber)).toEqual([1]);
    // Listing the bucket's uploads in progress is not granted, even under its own prefix: S3 has no prefix condition
    // for it, so it would show every table's. (MinIO lists the uploads of one exact key, the prefix being its name.)
    await denied(client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key })));
    await denied(client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET })));
    const uploads = await root.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
    expect(uploads.Uploads?.map((u) => u.UploadId)).toContain(UploadId);
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
    );
    expect(await get(client, key)).toBe('one part');

    const aborted = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `${T1}/data/aborted.parquet` }));
    await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: `${T1}/data/aborted.parquet`, UploadId: aborted.UploadId }));
  });

  it('cannot touch any other prefix, including the sibling t10', async () => {
    for (const key of [`${T10}/data/b.parquet`, 'wh/other/x.parquet', `${T1}.parquet`, 'outside.parquet']) {
      await denied(put(client, key, 'overwritten'));
      await denied(get(client, key));
      await denied(del(client, key));
      await denied(client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key })));
    }
    await denied(list(client, `${T10}/`));
    await denied(client.send(new GetObjectCommand({ Bucket: OTHER_BUCKET, Key: `${T1}/data/a.parquet` })));
    await denied(client.send(new PutObjectCommand({ Bucket: OTHER_BUCKET, Key: `${T1}/data/a.parquet`, Body: 'overwritten' })));
    expect(await get(root, `${T10}/data/b.parquet`)).toBe(`body of ${T10}/data/b.parquet`);
    expect(await rootHas('outside.parquet')).toBe(false);
  });
});

describe('credential lifetime and failures', () => {
  it('expires at the reported time: the requested lifetime, capped at the maximum', async () => {
    for (const [requested, expected] of [
      [900, 900],
      [1800, 1800],
      [86_400, 3600],
    ] as const) {
      const before = Date.now();
      const vended = await vendor().vend({ location: `s3://${BUCKET}/${T1}`, mode: 'read', principal: 'p', lifetimeSeconds: requested });
      const after = Date.now();
      expect(vended.config['s3.session-token-expires-at-ms']).toBe(String(vended.expiresAtMs));
      // MinIO reports whole seconds: allow one second either side.
      expect(vended.expiresAtMs).toBeGreaterThanOrEqual(before + expected * 1000 - 1000);
      expect(vended.expiresAtMs).toBeLessThanOrEqual(after + expected * 1000 + 1000);
    }
  });

  it('accepts the longest location our 2048-byte check lets through (MinIO measures its own re-encoding)', async () => {
    const size = (key: string) => Buffer.byteLength(JSON.stringify(buildSessionPolicy({ bucket: BUCKET, key }, 'read-write')));
    // Segments of 100 characters: MinIO refuses key segments longer than 255.
    const long = `${T1}${`/${'x'.repeat(99)}`.repeat(10)}`;
    let key = T1;
    for (let n = T1.length + 1; n <= long.length && size(long.slice(0, n)) <= MAX_SESSION_POLICY_BYTES; n++)
      if (!long.slice(0, n).endsWith('/')) key = long.slice(0, n);
    expect(sessionPolicyFor({ bucket: BUCKET, key }, 'read-write').length).toBeGreaterThan(MAX_SESSION_POLICY_BYTES - 3);
    const client = clientFor(await vendor().vend({ location: `s3://${BUCKET}/${key}`, mode: 'read-write', principal: 'p', lifetimeSeconds: 900 }));
    await put(client, `${key}/data/long.parquet`, 'long');
    await denied(put(client, `${key}x/data/long.parquet`, 'long'));
    await expect(vendor().vend({ location: `s3://${BUCKET}/${key}x`, mode: 'read-write', principal: 'p', lifetimeSeconds: 900 })).rejects.toMatchObject({
      code: 'ERR_VALIDATION',
    });
  });

  it('turns an STS refusal into ERR_UNAVAILABLE without the secret', async () => {
    const wrong = { accessKeyId: ROOT.accessKeyId, secretAccessKey: 'wrong-secret-that-must-not-leak' };
    const error = (await vendor({ credentials: wrong })
      .vend({ location: `s3://${BUCKET}/${T1}`, mode: 'read', principal: 'p', lifetimeSeconds: 900 })
      .catch((e: unknown) => e)) as Error & { code?: string; cause?: Error };
    expect(error.code).toBe('ERR_UNAVAILABLE');
    const text = `${error.message}\n${error.stack}\n${error.cause?.message}\n${error.cause?.stack}`;
    expect(text).not.toContain(wrong.secretAccessKey);
    expect(error.cause?.message).toMatch(/HTTP 403/);
  });

  it('turns an unreachable STS into ERR_UNAVAILABLE', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await expect(
      vendor({ stsEndpoint: closed }).vend({ location: `s3://${BUCKET}/${T1}`, mode: 'read', principal: 'p', lifetimeSeconds: 900 }),
    ).rejects.toMatchObject({
      code: 'ERR_UNAVAILABLE',
    });
  });
});

describe('S3ObjectStorage on MinIO', () => {
  let storage: S3ObjectStorage;
  beforeAll(() => {
    storage = new S3ObjectStorage({ bucket: BUCKET, endpoint, region: REGION, pathStyle: true, credentials: ROOT });
  });
  afterAll(() => storage.close());

  it('writes a new object once: the second write fails and leaves the first', async () => {
    const uri = `s3://${BUCKET}/st/once/metadata/v1.metadata.json`;
    expect(await storage.exists(uri)).toBe(false);
    await storage.writeNew(uri, Buffer.from('first'));
    await expect(storage.writeNew(uri, Buffer.from('second'))).rejects.toMatchObject({
      code: 'ERR_STORAGE',
      message: expect.stringContaining('already exists'),
    });
    expect(Buffer.from(await storage.read(uri, 1024)).toString()).toBe('first');
    expect(await storage.exists(uri)).toBe(true);
    await expectBoundedRead(storage, uri, Buffer.from('first'));
  });

  it('reads a byte range alone with one ranged GetObject, and refuses one past the end (the object-store contract)', async () => {
    const uri = `s3://${BUCKET}/st/range/data/dv.puffin`;
    await storage.writeNew(uri, Buffer.from('PFA1 blobs PFA1'));
    await expectRangedRead(storage, uri, Buffer.from('PFA1 blobs PFA1'), `s3://${BUCKET}/st/range/data/none.puffin`);
  });

  it('lets exactly one of concurrent writers of the same object win', async () => {
    const uri = `s3a://${BUCKET}/st/race/metadata/v2.metadata.json`;
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => storage.writeNew(uri, Buffer.from(`writer ${i}`))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'ERR_STORAGE' });
  });

  it('reads, deletes, and reports missing objects as ERR_STORAGE', async () => {
    const uri = `s3://${BUCKET}/st/del/x.json`;
    await storage.writeNew(uri, new Uint8Array([1, 2, 3]));
    expect([...(await storage.read(uri, 3))]).toEqual([1, 2, 3]);
    await storage.delete(uri);
    await storage.delete(uri);
    expect(await storage.exists(uri)).toBe(false);
    await expect(storage.read(uri, 3)).rejects.toMatchObject({ code: 'ERR_STORAGE' });
  });

  it('deletePrefix deletes every object under its prefix (across list pages) and nothing else', async () => {
    const keys = Array.from({ length: 1010 }, (_, i) => `st/purge/t1/data/${String(i).padStart(4, '0')}.parquet`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => put(root, k, 'x')));
    await put(root, 'st/purge/t10/data/keep.parquet');
    await put(root, 'st/purge/t1.keep');
    expect(await storage.deletePrefix(`s3://${BUCKET}/st/purge/t1`)).toBe(1010);
    expect(await list(root, 'st/purge/')).toEqual(['st/purge/t1.keep', 'st/purge/t10/data/keep.parquet']);
    expect(await storage.deletePrefix(`s3://${BUCKET}/st/purge/t1/`)).toBe(0);
    await expect(storage.deletePrefix(`s3://${BUCKET}`)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });

  it('deleteMany: DeleteObjects, 1000 keys a request, each with a body checksum MinIO accepts (the object-store contract)', async () => {
    // A client recording every request the storage sends, with its headers as they go on the wire.
    const sent: { command: string; headers: Record<string, string> }[] = [];
    const client = s3(ROOT);
    client.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push({ command: String(context.commandName), headers: { ...((args.request as { headers?: Record<string, string> }).headers ?? {}) } });
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordRequests' },
    );
    const recorded = new S3ObjectStorage({ bucket: BUCKET, region: REGION, pathStyle: true, client });
    await expectBulkDelete(recorded, `s3://${BUCKET}/st/bulk/t1`, `s3://${OTHER_BUCKET}/st/bulk/t1/x.parquet`, 1005, false);
    const deletes = sent.filter((r) => r.command === 'DeleteObjectsCommand');
    // 1005 written + 1 missing (the repeated one sent once): two requests, none for the refused URIs.
    expect(deletes).toHaveLength(2);
    for (const d of deletes) expect(Object.keys(d.headers).some((h) => /^(content-md5|x-amz-checksum-[a-z0-9]+)$/i.test(h))).toBe(true);
    expect(sent.filter((r) => r.command === 'DeleteObjectCommand')).toEqual([expect.objectContaining({ command: 'DeleteObjectCommand' })]);
  });

  it('deleteMany reports the keys MinIO refuses as failed (AccessDenied) and deletes the others', async () => {
    // A vended credential whose session policy covers t1 only: MinIO answers DeleteObjects per key.
    const vended = await vendor().vend({ location: `s3://${BUCKET}/st/deny/t1`, mode: 'read-write', principal: 'p', lifetimeSeconds: 900 });
    const c = vended.config;
    const limited = new S3ObjectStorage({
      bucket: BUCKET,
      endpoint,
      region: REGION,
      pathStyle: true,
      credentials: { accessKeyId: c['s3.access-key-id']!, secretAccessKey: c['s3.secret-access-key']!, sessionToken: c['s3.session-token']! },
    });
    try {
      const inside = Array.from({ length: 3 }, (_, i) => `s3://${BUCKET}/st/deny/t1/data/${i}.parquet`);
      const outside = Array.from({ length: 2 }, (_, i) => `s3://${BUCKET}/st/deny/t2/data/${i}.parquet`);
      for (const u of [...inside, ...outside]) await storage.writeNew(u, Buffer.from('x'));
      const result = await limited.deleteMany([...outside, ...inside]);
      expect([...result.deleted].sort()).toEqual(inside);
      expect(result.failed.map((f) => [f.uri, f.code]).sort()).toEqual(outside.map((u) => [u, 'AccessDenied']));
      for (const u of inside) expect(await storage.exists(u)).toBe(false);
      for (const u of outside) expect(await storage.exists(u)).toBe(true);
      const text = JSON.stringify(result);
      expect(text).not.toContain(c['s3.secret-access-key']!);
      expect(text).not.toContain(c['s3.session-token']!);
    } finally {
      limited.close();
    }
  });

  it('keeps credentials out of its errors', async () => {
    const wrong = new S3ObjectStorage({
      bucket: BUCKET,
      endpoint,
      region: REGION,
      pathStyle: true,
      credentials: { accessKeyId: 'not-a-user-key', secretAccessKey: 'not-a-user-secret-value' },
    });
    try {
      const error = (await wrong.read(`s3://${BUCKET}/st/once/metadata/v1.metadata.json`, 1024).catch((e: unknown) => e)) as Error & {
        code?: string;
        cause?: Error;
      };
      expect(error.code).toBe('ERR_STORAGE');
      const text = `${error.message}\n${error.cause?.message}\n${JSON.stringify(error.cause)}`;
      expect(text).not.toContain('not-a-user-secret-value');
      expect(text).not.toContain('not-a-user-key');
    } finally {
      wrong.close();
    }
  });
});

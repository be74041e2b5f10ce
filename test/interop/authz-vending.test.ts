/**
 * Privileges decide the storage credentials, proven on MinIO (which
 * enforces the STS session policy of every vended credential): a reader's
 * credentials can read and cannot write, a writer's can write; after
 * `table:write-data` is revoked, the next refresh through the storage
 * refresh token returns a read-only credential, and after `table:read-data`
 * is revoked too, the refresh is refused (403). Metadata-only access vends
 * nothing.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grant, revoke } from '../support/access.js';
import { httpSender, simpleSchema, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { clientToken, type CreatedPrincipal, createPrincipal, grantTo, type ServerProcess, startServer } from '../support/server-process.js';

const BUCKET = 'lakegate-authz';
const NS = { type: 'namespace' as const, warehouse: 'authz', namespace: ['data'] };
const TABLE = '/v1/authz/namespaces/data/tables/facts';
const VENDED = { 'x-iceberg-access-delegation': 'vended-credentials' };

let minio: Minio;
let server: ServerProcess;
let admin: Send;
let location: string;

beforeAll(async () => {
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer();
  admin = httpSender(server.url, await server.token());
  expect((await admin('POST', '/management/v1/warehouses', minioWarehouse(minio, 'authz', BUCKET))).status).toBe(201);
  expect((await admin('POST', '/v1/authz/namespaces', { namespace: ['data'] })).status).toBe(200);
  const created = await admin('POST', '/v1/authz/namespaces/data/tables', { name: 'facts', schema: simpleSchema });
  expect(created.status).toBe(200);
  location = created.body.metadata.location;
  // Something to read, written with the root keys.
  await minio.root.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${keyOf(location)}/data/seed.parquet`, Body: 'seed' }));
});
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

const keyOf = (s3Uri: string) => s3Uri.replace(`s3://${BUCKET}/`, '');

function s3With(config: Record<string, string>): S3Client {
  return new S3Client({
    endpoint: minio.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    credentials: { accessKeyId: config['s3.access-key-id']!, secretAccessKey: config['s3.secret-access-key']!, sessionToken: config['s3.session-token']! },
  });
}

async function canRead(s3: S3Client): Promise<boolean> {
  return s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${keyOf(location)}/data/seed.parquet` })).then(
    () => true,
    (e: { name?: string }) => (e.name === 'AccessDenied' ? false : Promise.reject(e)),
  );
}
async function canWrite(s3: S3Client, name: string): Promise<boolean> {
  return s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${keyOf(location)}/data/${name}`, Body: 'x' })).then(
    () => true,
    (e: { name?: string }) => (e.name === 'AccessDenied' ? false : Promise.reject(e)),
  );
}

async function principalWith(name: string, privileges: string[]): Promise<{ p: CreatedPrincipal; send: Send }> {
  const p = await createPrincipal(server, name);
  if (privileges.length > 0) await grantTo(server, p.id, privileges, NS);
  return { p, send: httpSender(server.url, await clientToken(server.url, p.credential)) };
}

describe('vended credentials follow the caller privileges', () => {
  it('gives a reader read-only credentials (MinIO refuses its writes) and a writer read-write ones', async () => {
    const reader = await principalWith('reader', ['table:read-data']);
    const loaded = await reader.send('GET', TABLE, undefined, VENDED);
    expect(loaded.status).toBe(200);
    const readerS3 = s3With(loaded.body['storage-credentials'][0].config);
    expect(await canRead(readerS3)).toBe(true);
    expect(await canWrite(readerS3, 'by-reader')).toBe(false);

    const writer = await principalWith('writer', ['table:write-data']);
    const writerS3 = s3With((await writer.send('GET', TABLE, undefined, VENDED)).body['storage-credentials'][0].config);
    expect(await canRead(writerS3)).toBe(true);
    expect(await canWrite(writerS3, 'by-writer')).toBe(true);
  });

  it('vends nothing for metadata-only access, and refuses loadCredentials then', async () => {
    const viewer = await principalWith('viewer', ['table:read-metadata']);
    const loaded = await viewer.send('GET', TABLE, undefined, VENDED);
    expect(loaded.status).toBe(200);
    expect(loaded.body['storage-credentials']).toBeUndefined();
    expect(Object.keys(loaded.body.config).filter((k) => k.startsWith('s3.access-key-id'))).toEqual([]);
    expect((await viewer.send('GET', `${TABLE}/credentials`)).status).toBe(403);
  });

  it('narrows the next refresh after write-data is revoked, and refuses it after read-data is revoked too', async () => {
    const job = await principalWith('long-job', []);
    await grant(admin, 'long-job-role', ['table:write-data'], NS);
    await admin('POST', '/management/v1/roles/long-job-role/members', { kind: 'principal', name: job.p.id });
    const first = (await job.send('GET', TABLE, undefined, VENDED)).body['storage-credentials'][0];
    expect(await canWrite(s3With(first.config), 'before-revoke')).toBe(true);
    const refresh = `${TABLE}/credentials?storageRefreshToken=${encodeURIComponent(first['storage-refresh-token'])}`;

    // Revoke write, keep read: the refresh through the same token now returns a read-only credential.
    await grant(admin, 'long-job-role', ['table:read-data'], NS);
    await revoke(admin, 'long-job-role', ['table:write-data'], NS);
    const narrowed = await job.send('GET', refresh);
    expect(narrowed.status).toBe(200);
    const readOnly = s3With(narrowed.body['storage-credentials'][0].config);
    expect(narrowed.body['storage-credentials'][0].config['s3.access-key-id']).not.toBe(first.config['s3.access-key-id']);
    expect(await canRead(readOnly)).toBe(true);
    expect(await canWrite(readOnly, 'after-revoke')).toBe(false);

    // Revoke read as well: the refresh is refused, and the refusal is audited.
    await revoke(admin, 'long-job-role', ['table:read-data'], NS);
    const refused = await job.send('GET', refresh);
    expect(refused.status).toBe(403);
    expect(refused.body.error.type).toBe('ForbiddenException');
    const events = (await admin('GET', `/management/v1/audit?actor=${job.p.id}&limit=50`)).body.events as Array<{
      type: string;
      decision?: string;
      detail: Record<string, unknown>;
    }>;
    expect(events.filter((e) => e.type === 'credentials.vended' || e.type === 'credentials.refreshed').map((e) => [e.type, e.detail.mode])).toEqual([
      ['credentials.refreshed', 'read'],
      ['credentials.vended', 'read-write'],
    ]);
    expect(events.some((e) => e.type === 'access.denied' && e.detail.refresh === true)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(first.config['s3.secret-access-key']);
  });
});

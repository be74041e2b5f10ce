/**
 * The SDK's AWS credential provider against real S3 semantics: a Lakegate server process whose warehouse lives on
 * MinIO (with STS), and the AWS SDK v3 S3Client holding no keys but the provider. The server reports credentials as
 * expiring 8 s ahead (LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS) and reuses none (CACHE_MAX_SECONDS=0), so each
 * refresh mints a new STS key and a provider with the default 5-minute window refreshes within seconds. The S3Client
 * writes and reads under the table prefix across a refresh, is refused outside it, and a stage-created table refreshes
 * through its storage-refresh-token before it is committed.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearerAuth,
  type CredentialLoader,
  IcebergRestCatalog,
  LanceNamespace,
  lanceStorageOptionsProvider,
  type LoadTableResult,
  type Schema,
  s3ClientConfig,
  type TableIdentifier,
  vendedAwsCredentials,
  type VendedAwsCredentialIdentity,
} from '@lakegate/client';
import { httpSender } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, startMinio, minioWarehouse } from '../support/minio.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const BUCKET = 'lakegate-client-creds';
const REPORTED_LIFETIME_S = 8;
let minio: Minio;
let server: ServerProcess;
let catalog: IcebergRestCatalog;

const schema: Schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer({
    env: { LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS: String(REPORTED_LIFETIME_S), LAKEGATE_CREDENTIAL_CACHE_MAX_SECONDS: '0' },
  });
  const token = await server.token();
  const created = await httpSender(server.url, token)('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', BUCKET));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  catalog = new IcebergRestCatalog({ uri: server.url, warehouse: 'lake', auth: bearerAuth(token) });
  await catalog.createNamespace(['db']);
});
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

/** The real catalog, with a record of which loadCredentials calls used a storage refresh token. */
function recording(): CredentialLoader & { calls: Array<'token' | 'plain'> } {
  const calls: Array<'token' | 'plain'> = [];
  return {
    calls,
    loadCredentials(identifier, options) {
      calls.push(options?.storageRefreshToken ? 'token' : 'plain');
      return catalog.loadCredentials(identifier, options);
    },
  };
}

/** An S3Client that has nothing but the provider, and a record of every identity the SDK asked it for. */
function s3Through(loaded: LoadTableResult, table: TableIdentifier, loader: CredentialLoader) {
  const provider = vendedAwsCredentials({ catalog: loader, table, loaded });
  const seen: VendedAwsCredentialIdentity[] = [];
  const credential = loaded['storage-credentials']![0]!;
  const s3 = new S3Client({
    ...s3ClientConfig(credential.config),
    credentials: async () => {
      const identity = await provider();
      seen.push(identity);
      return identity;
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  return { s3, seen, provider };
}

const keyOf = (location: string, name: string) => `${location.replace(`s3://${BUCKET}/`, '')}/data/${name}`;
const read = async (s3: S3Client, key: string) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
const statusOf = (p: Promise<unknown>) =>
  p.then(
    () => 200,
    (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
  );

describe('vendedAwsCredentials with the AWS SDK on MinIO', () => {
  it('writes and reads under the table prefix across a refresh, and is refused outside it', async () => {
    const table = { namespace: ['db'], name: 'events' };
    await catalog.createTable(['db'], { name: 'events', schema });
    const loaded = await catalog.loadTable(table, { accessDelegation: 'vended-credentials' });
    const location = loaded.metadata.location;
    expect(loaded['storage-credentials']?.[0]?.prefix).toBe(location);
    const expiresAt = Number(loaded['storage-credentials']![0]!.config['s3.session-token-expires-at-ms']);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(REPORTED_LIFETIME_S * 1000);

    const loader = recording();
    const { s3, seen } = s3Through(loaded, table, loader);
    try {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(location, 'before.txt'), Body: 'written before the refresh' }));
      const firstKey = seen.at(-1)!.accessKeyId;
      expect(seen.at(-1)!.expiration!.getTime()).toBe(expiresAt);
      expect(loader.calls).toEqual([]); // the credential from loadTable was used as it was

      // Half of the reported 8-second life (the default 5-minute window is capped at half the life) has passed.
      await sleep(Math.max(0, expiresAt - REPORTED_LIFETIME_S * 500 - Date.now()) + 500);
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(location, 'after.txt'), Body: 'written after the refresh' }));
      const secondKey = seen.at(-1)!.accessKeyId;
      expect(secondKey).not.toBe(firstKey);
      expect(loader.calls).toEqual(['token']);
      expect(await read(s3, keyOf(location, 'before.txt'))).toBe('written before the refresh');
      expect(await read(s3, keyOf(location, 'after.txt'))).toBe('written after the refresh');
      // What the SDK wrote really is in the bucket, under the table's own prefix.
      expect(await (await minio.root.send(new GetObjectCommand({ Bucket: BUCKET, Key: keyOf(location, 'after.txt') }))).Body!.transformToString()).toBe(
        'written after the refresh',
      );

      // The vended credential is scoped to the table: a sibling prefix and the warehouse root are refused.
      expect(await statusOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wh/db/elsewhere/x.txt', Body: 'x' })))).toBe(403);
      expect(
        await statusOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${location.replace(`s3://${BUCKET}/`, '')}-sibling/x.txt`, Body: 'x' }))),
      ).toBe(403);
      expect(await statusOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'wh/db/elsewhere/x.txt' })))).toBe(403);
    } finally {
      s3.destroy();
    }
    // The refresh went through the credentials endpoint, and the refresh token never reached the log in clear.
    const log = await server.settledOutput();
    expect(log).toMatch(/\/namespaces\/db\/tables\/events\/credentials\?storageRefreshToken=(\*|%2A){3}/);
    expect(log).not.toContain(MINIO_ROOT.secretAccessKey);
  });

  it('refreshes a stage-created table through its storage-refresh-token before the commit', async () => {
    const table = { namespace: ['db'], name: 'ctas' };
    const staged = await catalog.stageCreateTable(['db'], { name: 'ctas', schema }, { accessDelegation: 'vended-credentials' });
    const location = staged.result.metadata.location;
    expect(await catalog.tableExists(table)).toBe(false);
    const loader = recording();
    const { s3, seen } = s3Through(staged.result, table, loader);
    try {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(location, 'part-0.txt'), Body: 'part 0' }));
      const firstKey = seen.at(-1)!.accessKeyId;
      await sleep(REPORTED_LIFETIME_S * 500 + 500);
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(location, 'part-1.txt'), Body: 'part 1' }));
      expect(seen.at(-1)!.accessKeyId).not.toBe(firstKey);
      expect(loader.calls).toEqual(['token']);
      expect(await read(s3, keyOf(location, 'part-0.txt'))).toBe('part 0');
    } finally {
      s3.destroy();
    }
    await staged.commit();
    const committed = await catalog.loadTable(table);
    expect(committed.metadata.location).toBe(location);
  });
});

describe('lanceStorageOptionsProvider with a Lance namespace on MinIO', () => {
  it('refreshes vended storage options through DescribeTable ahead of expires_at_millis, and they work on S3', async () => {
    const lance = new LanceNamespace({ uri: `${server.url}/lance/lake`, auth: bearerAuth(await server.token()) });
    const declared = await lance.declareTable(['db', 'vectors'], { vendCredentials: true });
    const location = new URL(declared.location!);
    let describes = 0;
    const provider = lanceStorageOptionsProvider({
      namespace: { describeTable: (id, o) => (describes++, lance.describeTable(id, o)) },
      id: ['db', 'vectors'],
    });
    const first = await provider.storageOptions();
    expect(Number(first['expires_at_millis'])).toBeGreaterThan(Date.now());
    expect(first['aws_access_key_id']).toBeTruthy();
    expect(await provider.storageOptions()).toEqual(first); // still fresh: no second DescribeTable
    expect(describes).toBe(1);

    const s3With = (o: Record<string, string>) =>
      new S3Client({
        endpoint: o['aws_endpoint']!,
        region: o['aws_region'] ?? 'us-east-1',
        forcePathStyle: o['aws_virtual_hosted_style_request'] !== 'true',
        credentials: { accessKeyId: o['aws_access_key_id']!, secretAccessKey: o['aws_secret_access_key']!, sessionToken: o['aws_session_token']! },
      });
    const key = `${location.pathname.replace(/^\//, '')}/data/0.lance`;
    await s3With(first).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'v1' }));

    // The server reports an 8 s lifetime, so within a few seconds the provider describes again and gets new keys.
    await sleep(REPORTED_LIFETIME_S * 1000 * 0.6);
    const second = await provider.storageOptions();
    expect(describes).toBe(2);
    expect(second['aws_access_key_id']).not.toBe(first['aws_access_key_id']);
    const read = await s3With(second).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await read.Body!.transformToString()).toBe('v1');
    const outside = await s3With(second)
      .send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wh/db/other/x', Body: 'no' }))
      .catch((e: { $metadata?: { httpStatusCode?: number } }) => e);
    expect((outside as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(403);
  });
});

/**
 * A warehouse's storage profile replaced on a running server, against real S3 semantics (issue 52): a warehouse on one
 * MinIO, its bucket copied to a second MinIO with other root keys (a store that moved: another endpoint, another key),
 * then `updateWarehouseStorageProfile` through the SDK. From the next request on, loadTable vends credentials minted by
 * the second MinIO's STS (which enforces the table-scoped session policy), an S3Client holding only those reads what was
 * written before the move and writes beside it, the catalog writes new metadata there, PyIceberg 0.12 reads the rows
 * it appended before the move and appends more on the new store, and neither secret is answered or logged.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearerAuth,
  type CreateWarehouseRequest,
  IcebergRestCatalog,
  LakegateManagement,
  type LoadTableResult,
  type Schema,
  s3ClientConfig,
} from '@lakegate/client';
import { MINIO_ROOT, type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { pyicebergPython } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const BUCKET = 'lakegate-moved';
const MOVED_KEYS = { accessKeyId: 'lakegate-moved', secretAccessKey: 'lakegate-moved-interop-secret' };
const schema: Schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
let first: Minio;
let second: Minio;
let server: ServerProcess;
let catalog: IcebergRestCatalog;
let management: LakegateManagement;
let python: string;

beforeAll(async () => {
  python = pyicebergPython();
  first = await startMinio();
  second = await startMinio(MOVED_KEYS);
  await first.createBucket(BUCKET);
  await second.createBucket(BUCKET);
  server = await startServer();
  const token = await server.token();
  management = new LakegateManagement({ uri: server.url, auth: bearerAuth(token) });
  await management.createWarehouse(minioWarehouse(first, 'lake', BUCKET) as CreateWarehouseRequest);
  catalog = new IcebergRestCatalog({ uri: server.url, warehouse: 'lake', auth: bearerAuth(token) });
  await catalog.createNamespace(['db']);
}, 300_000);
afterAll(async () => {
  await server?.stop();
  await first?.stop();
  await second?.stop();
});

/** An S3Client holding nothing but the credential vended with the loaded table. */
function vendedClient(loaded: LoadTableResult): S3Client {
  const config = loaded['storage-credentials']![0]!.config;
  const credentials = { accessKeyId: config['s3.access-key-id']!, secretAccessKey: config['s3.secret-access-key']!, sessionToken: config['s3.session-token']! };
  return new S3Client({ ...s3ClientConfig(config), credentials, requestChecksumCalculation: 'WHEN_REQUIRED' });
}
const keyOf = (location: string, name: string) => `${location.replace(`s3://${BUCKET}/`, '')}/data/${name}`;
const read = async (s3: S3Client, key: string) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
/** PyIceberg appends a row with `id` to db.py (created when missing) through the catalog, then reads the table whole. */
async function pyiceberg(id: number): Promise<{ ids: number[]; endpoint: string; files: string[] }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CATALOG_URI: server.url, CATALOG_WAREHOUSE: 'lake', CATALOG_CREDENTIAL: server.credential };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_moved_store.py'), String(id)], { env, timeoutMs: 5 * 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}
const keysIn = async (s3: S3Client) => ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key!);

describe('replacing the storage profile of a warehouse on MinIO', () => {
  it('moves vending, engines and the catalog’s own writes to the new endpoint and key at once', async () => {
    const table = { namespace: ['db'], name: 'events' };
    await catalog.createTable(['db'], { name: 'events', schema });
    const before = await catalog.loadTable(table, { accessDelegation: 'vended-credentials' });
    const location = before.metadata.location;
    expect(before['storage-credentials']![0]!.config['s3.endpoint']).toBe(first.endpoint);
    const engine = vendedClient(before);
    await engine.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(location, 'before.txt'), Body: 'written before the move' }));
    engine.destroy();
    const written = await pyiceberg(1);
    expect(written).toMatchObject({ ids: [1], endpoint: first.endpoint });

    // The operator copies the bucket to the new store (Parquet, Avro and JSON alike: bytes).
    for (const key of await keysIn(first.root)) {
      const body = await (await first.root.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray();
      await second.root.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    }

    const changed = await management.updateWarehouseStorageProfile('lake', {
      'storage-profile': {
        type: 's3',
        bucket: BUCKET,
        region: 'us-east-1',
        endpoint: second.endpoint,
        'path-style-access': true,
        'credential-lifetime-seconds': 900,
      },
      'storage-secret': { 'access-key-id': MOVED_KEYS.accessKeyId, 'secret-access-key': MOVED_KEYS.secretAccessKey },
    });
    expect(changed['storage-profile'].endpoint).toBe(second.endpoint);
    expect(changed['has-storage-secret']).toBe(true);
    const listed = JSON.stringify(await management.listWarehouses());
    expect(listed).not.toContain(MOVED_KEYS.secretAccessKey);
    expect(listed).not.toContain(MINIO_ROOT.secretAccessKey);

    const after = await catalog.loadTable(table, { accessDelegation: 'vended-credentials' });
    const config = after['storage-credentials']![0]!.config;
    expect(config['s3.endpoint']).toBe(second.endpoint);
    const moved = vendedClient(after);
    try {
      expect(await read(moved, keyOf(location, 'before.txt'))).toBe('written before the move');
      await moved.send(new PutObjectCommand({ Bucket: BUCKET, Key: keyOf(location, 'after.txt'), Body: 'written after the move' }));
      // Minted by the second MinIO's STS with the new key, and scoped to the table there.
      const outside = await moved.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wh/db/elsewhere/x.txt', Body: 'x' })).then(
        () => 200,
        (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
      );
      expect(outside).toBe(403);
    } finally {
      moved.destroy();
    }
    expect(await read(second.root, keyOf(location, 'after.txt'))).toBe('written after the move');
    expect(await keysIn(first.root)).not.toContain(keyOf(location, 'after.txt'));
    // The old store's credentials are no longer what the catalog vends: its STS minted nothing for this load.
    const oldStore = new S3Client({
      endpoint: first.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: config['s3.access-key-id']!, secretAccessKey: config['s3.secret-access-key']!, sessionToken: config['s3.session-token']! },
    });
    const refused = await oldStore.send(new GetObjectCommand({ Bucket: BUCKET, Key: keyOf(location, 'before.txt') })).then(
      () => 200,
      (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode,
    );
    oldStore.destroy();
    expect(refused).toBe(403);

    // The catalog's own writes (a new table's metadata) go to the new store.
    const created = await catalog.createTable(['db'], { name: 'after_move', schema });
    const metadataKey = created['metadata-location']!.replace(`s3://${BUCKET}/`, '');
    expect(await keysIn(second.root)).toContain(metadataKey);
    expect(await keysIn(first.root)).not.toContain(metadataKey);

    // PyIceberg, given the new endpoint and credentials by the catalog, reads the row written before the move and appends.
    const appended = await pyiceberg(2);
    expect(appended).toMatchObject({ ids: [1, 2], endpoint: second.endpoint });
    const newFiles = appended.files.filter((f) => !written.files.includes(f)).map((f) => f.replace(`s3://${BUCKET}/`, ''));
    expect(newFiles).toHaveLength(1);
    expect(await keysIn(second.root)).toContain(newFiles[0]);
    expect(await keysIn(first.root)).not.toContain(newFiles[0]);

    const log = await server.settledOutput();
    expect(log).not.toContain(MOVED_KEYS.secretAccessKey);
    expect(log).not.toContain(MINIO_ROOT.secretAccessKey);
  }, 600_000);
});

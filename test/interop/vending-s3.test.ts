/**
 * Credential vending end to end on real S3 semantics (MinIO with STS):
 * a Lakegate warehouse on a MinIO bucket writes its metadata with the
 * warehouse's own keys, and clients get only vended, prefix-scoped
 * credentials. PyIceberg, holding no storage keys of its own, creates,
 * appends to (including a create-table transaction) and reads tables.
 */
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransactionCommit, type Send, simpleSchema } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio } from '../support/minio.js';
import { startMinioServer } from '../support/minio-server.js';
import { pyicebergPython } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess } from '../support/server-process.js';
import { freePort, runAsync } from '../support/temp.js';

const BUCKET = 'lakegate-vending';
let minio: Minio;
let server: ServerProcess;
let send: Send;

beforeAll(async () => {
  const started = await startMinioServer(BUCKET, {}, { env: { LAKEGATE_LOG_LEVEL: 'info' } });
  ({ minio, server, admin: send } = started);
  expect(JSON.stringify(started.created)).not.toContain(MINIO_ROOT.secretAccessKey);
});
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

const delegated = { 'x-iceberg-access-delegation': 'vended-credentials' };

const clientFrom = (config: Record<string, string>) =>
  new S3Client({
    endpoint: config['s3.endpoint'],
    region: config['client.region'],
    forcePathStyle: config['s3.path-style-access'] === 'true',
    credentials: { accessKeyId: config['s3.access-key-id']!, secretAccessKey: config['s3.secret-access-key']!, sessionToken: config['s3.session-token']! },
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

describe('vended S3 credentials', () => {
  it('are returned only on request, scoped to the table, and refreshable by token', async () => {
    expect((await send('POST', '/v1/lake/namespaces', { namespace: ['v'] })).status).toBe(200);
    const plain = await send('POST', '/v1/lake/namespaces/v/tables', { name: 't', schema: simpleSchema });
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    expect(plain.body['storage-credentials']).toBeUndefined();
    expect(plain.body['metadata-location']).toMatch(new RegExp(`^s3://${BUCKET}/wh/v/t-`));

    const loaded = await send('GET', '/v1/lake/namespaces/v/tables/t', undefined, delegated);
    const creds = loaded.body['storage-credentials'];
    expect(creds).toHaveLength(1);
    expect(creds[0].prefix).toBe(loaded.body.metadata.location);
    for (const key of [
      's3.access-key-id',
      's3.secret-access-key',
      's3.session-token',
      's3.session-token-expires-at-ms',
      's3.endpoint',
      'client.region',
      'client.refresh-credentials-endpoint',
    ]) {
      expect(creds[0].config[key], key).toBeTruthy();
    }
    expect(loaded.body.config['s3.access-key-id']).toBe(creds[0].config['s3.access-key-id']);

    const key = `${loaded.body.metadata.location.replace(`s3://${BUCKET}/`, '')}/data/x.parquet`;
    const client = clientFrom(creds[0].config);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'x' }));
    await expect(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wh/v/elsewhere/x', Body: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    client.destroy();

    const refreshed = await send(
      'GET',
      `/v1/lake/namespaces/v/tables/t/credentials?storageRefreshToken=${encodeURIComponent(creds[0]['storage-refresh-token'])}`,
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.body['storage-credentials'][0].prefix).toBe(creds[0].prefix);
    const bad = await send(
      'GET',
      `/v1/lake/namespaces/v/tables/t/credentials?storageRefreshToken=${encodeURIComponent(`${creds[0]['storage-refresh-token']}x`)}`,
    );
    expect(bad.status).toBe(400);
    expect((await send('GET', `/v1/lake/namespaces/v/tables/t/credentials?planId=1&storageRefreshToken=a`)).status).toBe(400);
    expect((await send('GET', '/v1/lake/namespaces/v/tables/nope/credentials')).status).toBe(404);
  });

  it('gives a table dropped and created again at the same location a refresh token of its own, whose refreshed credential writes there', async () => {
    expect((await send('POST', '/v1/lake/namespaces', { namespace: ['again'] })).status).toBe(200);
    const location = `s3://${BUCKET}/wh/again/t-fixed`;
    const first = await send('POST', '/v1/lake/namespaces/again/tables', { name: 't', schema: simpleSchema, location }, delegated);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect((await send('DELETE', '/v1/lake/namespaces/again/tables/t')).status).toBe(204);
    const second = await send('POST', '/v1/lake/namespaces/again/tables', { name: 't', schema: simpleSchema, location }, delegated);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    const loaded = await send('GET', '/v1/lake/namespaces/again/tables/t', undefined, delegated);
    const token = loaded.body['storage-credentials'][0]['storage-refresh-token'] as string;
    const refreshed = await send('GET', `/v1/lake/namespaces/again/tables/t/credentials?storageRefreshToken=${encodeURIComponent(token)}`);
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    const client = clientFrom(refreshed.body['storage-credentials'][0].config);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wh/again/t-fixed/data/after-refresh.parquet', Body: 'x' }));
    client.destroy();
    // The dropped table's token refreshes nothing of its successor.
    const stale = first.body['storage-credentials'][0]['storage-refresh-token'] as string;
    expect((await send('GET', `/v1/lake/namespaces/again/tables/t/credentials?storageRefreshToken=${encodeURIComponent(stale)}`)).status).toBe(404);
  });

  it('refuses a write.data.path outside the table’s location; one inside it is covered by the location’s one credential', async () => {
    const elsewhere = await send(
      'POST',
      '/v1/lake/namespaces/v/tables',
      { name: 'split', schema: simpleSchema, properties: { 'write.data.path': `s3://${BUCKET}/wh/shared-data/events` } },
      delegated,
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error.message).toMatch(/outside the location of the table/);
    const created = await send('POST', '/v1/lake/namespaces/v/tables', { name: 'split', schema: simpleSchema }, delegated);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const dataPath = `${created.body.metadata.location}/data-elsewhere`;
    expect(
      (
        await send('POST', '/v1/lake/namespaces/v/tables/split', {
          requirements: [],
          updates: [{ action: 'set-properties', updates: { 'write.data.path': dataPath } }],
        })
      ).status,
    ).toBe(200);
    const loaded = await send('GET', '/v1/lake/namespaces/v/tables/split', undefined, delegated);
    const creds = loaded.body['storage-credentials'] as Array<{ prefix: string; config: Record<string, string>; 'storage-refresh-token': string }>;
    expect(creds.map((c) => c.prefix)).toEqual([loaded.body.metadata.location]);
    const client = clientFrom(creds[0]!.config);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${dataPath.replace(`s3://${BUCKET}/`, '')}/00000-x.parquet`, Body: 'x' }));
    await expect(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wh/shared-data/events/00000-x.parquet', Body: 'x' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    client.destroy();
  });

  it('lets a stage-created (CTAS) table refresh its credentials before commit', async () => {
    const staged = await send('POST', '/v1/lake/namespaces/v/tables', { name: 'ctas', schema: simpleSchema, 'stage-create': true }, delegated);
    const token = staged.body['storage-credentials'][0]['storage-refresh-token'];
    const refreshed = await send('GET', `/v1/lake/namespaces/v/tables/ctas/credentials?storageRefreshToken=${encodeURIComponent(token)}`);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body['storage-credentials'][0].prefix).toBe(staged.body.metadata.location);
  });

  it('keeps each of two stage-creates of one name (a retried CTAS) refreshable by its own token; the committed one wins', async () => {
    const refresh = (token: string) => send('GET', `/v1/lake/namespaces/v/tables/retried/credentials?storageRefreshToken=${encodeURIComponent(token)}`);
    const first = await send('POST', '/v1/lake/namespaces/v/tables', { name: 'retried', schema: simpleSchema, 'stage-create': true }, delegated);
    const second = await send('POST', '/v1/lake/namespaces/v/tables', { name: 'retried', schema: simpleSchema, 'stage-create': true }, delegated);
    expect(first.body.metadata.location).not.toBe(second.body.metadata.location);
    const [firstToken, secondToken] = [first, second].map((r) => r.body['storage-credentials'][0]['storage-refresh-token'] as string);
    // The first job's token still answers for the first staged table (not 404, not the second's prefix).
    const a = await refresh(firstToken!);
    expect(a.status).toBe(200);
    expect(a.body['storage-credentials'][0].prefix).toBe(first.body.metadata.location);
    const b = await refresh(secondToken!);
    expect(b.body['storage-credentials'][0].prefix).toBe(second.body.metadata.location);
    // The second job commits (assert-create); the first's commit then finds the name taken.
    const commit = (staged: typeof first) => {
      const m = staged.body.metadata;
      return send('POST', '/v1/lake/namespaces/v/tables/retried', createTransactionCommit(m));
    };
    expect((await commit(second)).status).toBe(200);
    expect((await commit(first)).status).toBe(409);
    const loaded = await send('GET', '/v1/lake/namespaces/v/tables/retried');
    expect(loaded.body.metadata['table-uuid']).toBe(second.body.metadata['table-uuid']);
  });

  it('answers 503 with Retry-After, and no secret, when the token service fails', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const created = await send('POST', '/management/v1/warehouses', {
      name: 'broken',
      'storage-root': `s3://${BUCKET}/broken`,
      'storage-profile': { type: 's3', bucket: BUCKET, region: 'us-east-1', endpoint: minio.endpoint, 'sts-endpoint': closed, 'path-style-access': true },
      'storage-secret': { 'access-key-id': MINIO_ROOT.accessKeyId, 'secret-access-key': MINIO_ROOT.secretAccessKey },
    });
    expect(created.status).toBe(201);
    await send('POST', '/v1/broken/namespaces', { namespace: ['b'] });
    expect((await send('POST', '/v1/broken/namespaces/b/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
    const res = await send('GET', '/v1/broken/namespaces/b/tables/t', undefined, delegated);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeTruthy();
    expect(res.body.error.type).toBe('ServiceUnavailableException');
    expect(JSON.stringify(res.body)).not.toContain(MINIO_ROOT.secretAccessKey);
    // Without delegation the same table loads fine.
    expect((await send('GET', '/v1/broken/namespaces/b/tables/t')).status).toBe(200);
  });

  it('never writes a vended secret or the warehouse secret to the log', async () => {
    const log = await server.settledOutput();
    expect(log).not.toContain(MINIO_ROOT.secretAccessKey);
    expect(log).not.toMatch(/"s3\.secret-access-key":"[^*]/);
  });

  it('never stores a vended secret for an Idempotency-Key replay (issue 40): the database holds the answer sealed, and the replay hands back the same working credentials', async () => {
    expect((await send('POST', '/v1/lake/namespaces', { namespace: ['idem'] })).status).toBe(200);
    const key = { 'idempotency-key': '01936b2e-7c4d-7a10-9f3e-5b2c8d1e4f70', ...delegated };
    const created = await send('POST', '/v1/lake/namespaces/idem/tables', { name: 't', schema: simpleSchema }, key);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const config = created.body['storage-credentials'][0].config as Record<string, string>;
    const secrets = [config['s3.secret-access-key']!, config['s3.session-token']!];
    for (const secret of secrets) expect(secret.length).toBeGreaterThan(8);
    // The database file and its write-ahead log, as a backup would copy them.
    const stored = ['catalog.sqlite', 'catalog.sqlite-wal']
      .map((f) => path.join(server.dataDir, f))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('');
    expect(stored).toContain('01936b2e-7c4d-7a10-9f3e-5b2c8d1e4f70'); // the key's record is there...
    for (const secret of secrets) expect(stored).not.toContain(secret); // ...without the secrets in it
    expect(stored).not.toContain('s3.secret-access-key');
    const replay = await send('POST', '/v1/lake/namespaces/idem/tables', { name: 't', schema: simpleSchema }, key);
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body['storage-credentials'][0].config['s3.secret-access-key']).toBe(config['s3.secret-access-key']);
    const client = clientFrom(replay.body['storage-credentials'][0].config);
    const object = `${replay.body.metadata.location.replace(`s3://${BUCKET}/`, '')}/data/replayed.parquet`;
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: object, Body: 'x' }));
    client.destroy();
  });

  it('lets PyIceberg with no storage keys of its own create, append to and read tables', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, CATALOG_URI: server.url, CATALOG_WAREHOUSE: 'lake', CATALOG_CREDENTIAL: server.credential };
    for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
    const run = await runAsync(pyicebergPython(), [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_scenario.py')], { env, timeoutMs: 10 * 60_000 });
    const lines = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.find((l) => l.summary);
    expect(summary, run.stderr).toMatchObject({ ok: true, failed: 0 });
    for (const step of ['create_table', 'append_and_read', 'create_table_transaction', 'purge_table']) {
      expect(lines.find((l) => l.step === step)?.status, step).toBe('ok');
    }
    // Purge removed every object under the purged table's own location (done by the server with the warehouse's keys).
    const purged = lines.find((l) => l.step === 'purge_table')!.location as string;
    expect(purged).toMatch(new RegExp(`^s3://${BUCKET}/wh/`));
    const left = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${purged.replace(`s3://${BUCKET}/`, '')}/` }));
    expect(left.KeyCount ?? 0).toBe(0);
    // The data really is in MinIO, written with vended credentials under the table prefixes.
    const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'wh/' }));
    expect((listed.Contents ?? []).some((o) => o.Key!.endsWith('.parquet'))).toBe(true);
  });
});

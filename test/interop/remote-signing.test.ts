/**
 * Remote signing with real clients on a real S3 (MinIO): the warehouse's profile says it has no STS, so
 * engines get no credential at all, only the signer's settings; MinIO's only key is the warehouse's, held by
 * Lakegate. PyIceberg 0.12 (FsspecFileIO with its S3V4RestSigner, peers/python/pyiceberg_signing.py) creates,
 * appends (also in a create-table transaction) and reads back, every S3 request signed by the catalog; a reader
 * principal reads but its writes are refused by the signer. Signatures for another table's keys are refused,
 * and what the catalog signs MinIO accepts (and what it did not sign, MinIO refuses). With the profile's
 * `remote-signing-endpoint: default`, PyIceberg signs through its default v1/aws/s3/sign (catalog/signing/sign-default.ts).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY, READ_WRITE_ALL } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, minioWarehouse } from '../support/minio.js';
import { startMinioServer } from '../support/minio-server.js';
import { peerScript } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess, clientToken, createGrantedPrincipal } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';
import { runSparkJob } from '../support/spark-session.js';

const BUCKET = 'lakegate-signing';
let minio: Minio;
let server: ServerProcess;
let admin: Send;
let python: string;

beforeAll(async () => {
  const venv = runAsync('bash', [
    peerScript('python-venv.sh'),
    'pyiceberg-signing',
    'peers/python/requirements-signing.txt',
    'import pyiceberg, pyarrow, s3fs',
  ]);
  ({ minio, server, admin } = await startMinioServer(BUCKET, { 'sts-enabled': false }, { env: { LAKEGATE_LOG_LEVEL: 'info' } }));
  const installed = await venv;
  expect(installed.status, installed.stderr).toBe(0);
  python = installed.stdout.trim().split('\n').at(-1)!.trim();
});
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

const warehouse = { type: 'warehouse' as const, warehouse: 'lake' };

/**
 * Runs peers/python/pyiceberg_signing.py on warehouse `wh` as `<prefix>-writer` (READ_WRITE_ALL) and `<prefix>-reader`
 * (READ_ONLY), table `<namespace>.events`, with no AWS key anywhere in the client's environment; every step must pass.
 * Its step lines.
 */
async function pyicebergSigning(wh: string, prefix: string, namespace: string): Promise<Array<Record<string, unknown>>> {
  const scope = { type: 'warehouse' as const, warehouse: wh };
  const writer = await createGrantedPrincipal(server, `${prefix}-writer`, READ_WRITE_ALL, scope);
  const reader = await createGrantedPrincipal(server, `${prefix}-reader`, READ_ONLY, scope);
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_signing.py')], {
    env: {
      ...process.env,
      CATALOG_URI: server.url,
      CATALOG_WAREHOUSE: wh,
      CATALOG_TOKEN: await clientToken(server.url, writer.credential),
      READER_TOKEN: await clientToken(server.url, reader.credential),
      NAMESPACE: namespace,
      TABLE: 'events',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
    },
  });
  const steps = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(steps.map((s) => `${s.step}:${s.status}`)).toEqual(['create:ok', 'append:ok', 'read:ok', 'create-transaction:ok', 'reader:ok']);
  return steps;
}

/** An audit line of a sign refused for lacking table:write-data (a reader's PutObject). */
const signerRefusedWrite = (log: string) =>
  log.split('\n').some((l) => l.includes('"msg":"access.denied"') && l.includes('"lacking":["table:write-data"]') && l.includes('"operation":"PutObject"'));

describe('remote signing on MinIO', () => {
  it('lets PyIceberg 0.12 create, append and read with no storage key, and refuses a reader’s writes', async () => {
    const steps = await pyicebergSigning('lake', 'signing', 'py');
    expect(steps[0]).toMatchObject({ signer: 'S3V4RestSigner', endpoint: 'v1/lake/namespaces/py/tables/events/sign', io: 'FsspecFileIO' });
    expect(steps[2]).toMatchObject({ rows: 4 });
    expect(steps[3]).toMatchObject({ rows: 3 });
    expect(String(steps[4]!.write_refused)).toMatch(/403|Forbidden|SignError|sign/i);
    // The data went through MinIO, signed by the catalog: the files exist under the table's location.
    const loaded = await admin('GET', '/v1/lake/namespaces/py/tables/events');
    const location = String(loaded.body.metadata.location);
    expect(location.startsWith(`s3://${BUCKET}/`)).toBe(true);
    // Nothing else can read the bucket: anonymous requests are refused.
    const anonymous = await fetch(`${minio.endpoint}/${BUCKET}/${location.slice(`s3://${BUCKET}/`.length)}/metadata/`);
    expect(anonymous.status).toBe(403);
    const log = await server.settledOutput();
    expect(log).not.toContain(MINIO_ROOT.secretAccessKey);
    expect(signerRefusedWrite(log), "the reader's PutObject refused by the signer and audited").toBe(true);
  });

  it('lets PyIceberg 0.12 sign through its default v1/aws/s3/sign when the profile says remote-signing-endpoint: default', async () => {
    await minio.createBucket(`${BUCKET}-default`);
    const created = await admin(
      'POST',
      '/management/v1/warehouses',
      minioWarehouse(minio, 'lake-default', `${BUCKET}-default`, { 'sts-enabled': false, 'remote-signing-endpoint': 'default' }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const steps = await pyicebergSigning('lake-default', 'default-signing', 'pyd');
    // The table config named no endpoint: PyIceberg fell back to its default.
    expect(steps[0]).toMatchObject({ signer: 'S3V4RestSigner', endpoint: null, io: 'FsspecFileIO' });
    expect(steps[2]).toMatchObject({ rows: 4 });
    expect(String(steps[4]!.write_refused)).toMatch(/403|Forbidden|SignError|sign/i);
    const log = await server.settledOutput();
    const completed = log.split('\n').filter((l) => l.includes('"request completed"'));
    const byDefault = completed.filter((l) => l.includes('/v1/aws/s3/sign'));
    expect(byDefault.filter((l) => l.includes('"statusCode":200')).length).toBeGreaterThan(5);
    expect(completed.some((l) => l.includes('/v1/lake-default/namespaces/pyd/tables/events/sign'))).toBe(false);
    // The reader's write was refused there, and audited.
    expect(byDefault.some((l) => l.includes('"statusCode":403'))).toBe(true);
    expect(signerRefusedWrite(log) || log.includes('"sign.refused"')).toBe(true);
    expect(log).not.toContain(MINIO_ROOT.secretAccessKey);
  });

  it('lets Spark 4.1 + Iceberg 1.11 S3FileIO create, insert, CTAS, MERGE and read with no storage key; a reader’s writes are refused', async () => {
    const install = await runAsync('bash', [peerScript('spark.sh')]);
    expect(install.status, install.stderr).toBe(0);
    const writer = await createGrantedPrincipal(server, 'spark-signing-writer', READ_WRITE_ALL, warehouse);
    const reader = await createGrantedPrincipal(server, 'spark-signing-reader', READ_ONLY, warehouse);
    const env = {
      CATALOG_URI: server.url,
      CATALOG_WAREHOUSE: 'lake',
      CATALOG_CREDENTIAL: writer.credential,
      READER_CREDENTIAL: reader.credential,
      SPARK_NAMESPACE: 'signed',
    };
    const run = await runSparkJob('remote_signing', env, { timeoutMs: 10 * 60_000 });
    const lines = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
    const summary = lines.find((l) => l.summary);
    const context = `spark job (exit ${run.status}):\n${run.stdout}\n${run.stderr.slice(-20_000)}`;
    expect(summary, context).toMatchObject({ ok: true, failed: 0 });
    expect(summary!.steps.read).toEqual({
      rows: [
        [1, 'a'],
        [2, 'B'],
        [3, 'c'],
        [4, 'd'],
      ],
      ctas: 3,
    });
    expect(summary!.steps.reader_read).toBe(4);
    expect(String(summary!.steps.reader_write), context).toMatch(/^refused: /);
    expect(summary!.after_reader).toEqual([
      [1, 'a'],
      [2, 'B'],
      [3, 'c'],
      [4, 'd'],
    ]);
    // Every storage request went through the sign operation: signatures were asked for and given.
    const log = await server.settledOutput();
    const signs = log.split('\n').filter((l) => l.includes('"request completed"') && l.includes('/tables/events/sign'));
    expect(signs.length).toBeGreaterThan(5);
    // The reader's write was stopped by the signer (a 403 on a sign call, audited), before any commit was tried.
    expect(
      signs.some((l) => l.includes('"statusCode":403')),
      String(summary!.steps.reader_write),
    ).toBe(true);
    expect(signerRefusedWrite(log), "the reader's PutObject refused by the signer and audited").toBe(true);
    console.info(`spark remote signing: ${signs.length} sign calls; reader's insert ${String(summary!.steps.reader_write).slice(0, 300)}`);
    expect(log).not.toContain(MINIO_ROOT.secretAccessKey);
  });

  it('signs what MinIO accepts, and nothing for another table', async () => {
    expect((await admin('POST', '/v1/lake/namespaces', { namespace: ['raw'] })).status).toBe(200);
    const a = await admin(
      'POST',
      '/v1/lake/namespaces/raw/tables',
      { name: 'a', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'x', type: 'long', required: false }] } },
      { 'x-iceberg-access-delegation': 'remote-signing' },
    );
    const b = await admin('POST', '/v1/lake/namespaces/raw/tables', {
      name: 'b',
      schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'x', type: 'long', required: false }] },
    });
    expect(a.body.config['s3.signer.endpoint']).toBe('v1/lake/namespaces/raw/tables/a/sign');
    const keyOf = (t: { body: { metadata: { location: string } } }) => t.body.metadata.location.slice(`s3://${BUCKET}/`.length);
    const put = async (table: string, key: string, body: string) => {
      const uri = `${minio.endpoint}/${BUCKET}/${key}`;
      const signed = await admin('POST', `/v1/lake/namespaces/raw/tables/${table}/sign`, {
        region: 'us-east-1',
        uri,
        method: 'PUT',
        headers: { 'content-type': ['text/plain'] },
      });
      if (signed.status !== 200) return signed.status;
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      for (const [k, v] of Object.entries(signed.body.headers as Record<string, string[]>)) headers[k] = v.join(',');
      return (await fetch(signed.body.uri, { method: 'PUT', headers, body })).status;
    };
    expect(await put('a', `${keyOf(a)}/data/one.txt`, 'one')).toBe(200);
    // Table a's signer never signs table b's keys.
    expect(await put('a', `${keyOf(b)}/data/evil.txt`, 'evil')).toBe(403);
    const get = await admin('POST', '/v1/lake/namespaces/raw/tables/a/sign', {
      region: 'us-east-1',
      uri: `${minio.endpoint}/${BUCKET}/${keyOf(a)}/data/one.txt?X-Amz-Expires=60`,
      method: 'GET',
      headers: {},
    });
    expect(get.status).toBe(200);
    const fetched = await fetch(get.body.uri);
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toBe('one');
    // A signature is for that request only: another key under it is refused by MinIO.
    expect((await fetch(get.body.uri.replace('one.txt', 'two.txt'))).status).toBe(403);
  });
});

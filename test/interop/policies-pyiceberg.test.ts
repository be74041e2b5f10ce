/**
 * Row-filter and column-mask policies enforced by the catalog with a real client on a real S3 (issue 53): PyIceberg
 * 0.12 (peers/python/pyiceberg_policies.py) writes a table partitioned by region with an email and a birth date on
 * MinIO, then reads it in server planning mode as three principals: unrestricted, restricted to one region with the
 * email and birth date masked, and restricted by a non-partition filter. Each reads exactly what its policy allows
 * (compared here with the unrestricted rows, filtered and masked by the test). A hostile client holding the
 * restricted token gets nothing else: the signer refuses originals, manifests, another policy's derived files and
 * listings, MinIO refuses what the plan's vended credentials do not cover, and a policy change takes effect on
 * the next plan while the old version's files are refused.
 */
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY, READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import type { Minio } from '../support/minio.js';
import { startMinioServer } from '../support/minio-server.js';
import { peerScript } from '../support/peers.js';
import { REPO_ROOT, type CreatedPrincipal, type ServerProcess, clientToken, createGrantedPrincipal } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const BUCKET = 'lakegate-policies';
const TABLE = '/v1/lake/namespaces/crm/tables/people';
const POLICIES = '/management/v1/warehouses/lake/namespaces/crm/tables/people/policies';
let minio: Minio;
let server: ServerProcess;
let admin: Send;
let python: string;
let writer: CreatedPrincipal;
let analyst: CreatedPrincipal;
let scorer: CreatedPrincipal;
const tokens: Record<string, string> = {};

type Row = [number, string, string | null, string | null];
interface Read {
  files: string[];
  rows: Row[];
}

async function runPython(env: Record<string, string>): Promise<Array<Record<string, unknown>>> {
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_policies.py')], {
    env: {
      ...process.env,
      CATALOG_URI: server.url,
      CATALOG_WAREHOUSE: 'lake',
      S3_ENDPOINT: minio.endpoint,
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      ...env,
    },
    timeoutMs: 5 * 60_000,
  });
  const steps = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  return steps;
}
async function readAs(...names: string[]): Promise<Record<string, Read>> {
  const steps = await runPython({ MODE: 'read', READER_TOKENS: JSON.stringify(Object.fromEntries(names.map((n) => [n, tokens[n]]))) });
  return Object.fromEntries(steps.map((s) => [String(s.step).slice('read:'.length), s as unknown as Read]));
}

const maskAlphanum = (s: string | null) => (s === null ? null : s.replace(/[A-Z]/g, 'X').replace(/[a-z]/g, 'x').replace(/[0-9]/g, 'n'));
const toYear = (iso: string | null) => (iso === null ? null : `${iso.slice(0, 4)}-01-01`);
const keyOf = (uri: string) => uri.slice(`s3://${BUCKET}/`.length);
const as = (token: string) => httpSender(server.url, token);
const signGet = (send: Send, key: string, method = 'GET', query = '') =>
  send('POST', `${TABLE}/sign`, { region: 'us-east-1', uri: `${minio.endpoint}/${BUCKET}/${key}${query}`, method, headers: {} });

beforeAll(async () => {
  const venv = runAsync('bash', [
    peerScript('python-venv.sh'),
    'pyiceberg-signing',
    'peers/python/requirements-signing.txt',
    'import pyiceberg, pyarrow, s3fs',
  ]);
  ({ minio, server, admin } = await startMinioServer(BUCKET, {}, { env: { LAKEGATE_LOG_LEVEL: 'info' } }));
  const scope = { type: 'warehouse' as const, warehouse: 'lake' };
  writer = await createGrantedPrincipal(server, 'policy-writer', [...READ_WRITE_ALL, 'table:read-data'], scope);
  analyst = await createGrantedPrincipal(server, 'policy-analyst', READ_ONLY, scope);
  scorer = await createGrantedPrincipal(server, 'policy-scorer', READ_ONLY, scope);
  for (const [name, p] of Object.entries({ writer, analyst, scorer })) tokens[name] = await clientToken(server.url, p.credential);
  const installed = await venv;
  expect(installed.status, installed.stderr).toBe(0);
  python = installed.stdout.trim().split('\n').at(-1)!.trim();
  await runPython({ MODE: 'write', WRITER_TOKEN: tokens.writer! });
}, 10 * 60_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

describe('policies enforced through the scan plan, PyIceberg 0.12 on MinIO', () => {
  let all: Read;
  let analystPolicy: { id: string; version: number };
  let analystRead: Read;
  let scorerRead: Read;

  it(
    'gives each principal exactly the rows and values its policy allows',
    async () => {
      const region = await admin('POST', POLICIES, { kind: 'row-filter', roles: [`${analyst.id}-role`], filter: { type: 'eq', term: 'region', value: 'eu' } });
      expect(region.status, JSON.stringify(region.body)).toBe(201);
      analystPolicy = region.body;
      const masks = await admin('POST', POLICIES, {
        kind: 'column-mask',
        roles: [`${analyst.id}-role`],
        masks: [
          { column: 'email', action: 'mask-alphanum' },
          { column: 'born', action: 'truncate-to-year' },
        ],
      });
      expect(masks.status, JSON.stringify(masks.body)).toBe(201);
      const ids = await admin('POST', POLICIES, { kind: 'row-filter', roles: [`${scorer.id}-role`], filter: { type: 'gt-eq', term: 'id', value: 15 } });
      expect(ids.status, JSON.stringify(ids.body)).toBe(201);

      const read = await readAs('writer', 'analyst', 'scorer');
      all = read.writer!;
      analystRead = read.analyst!;
      scorerRead = read.scorer!;
      expect(all.rows).toHaveLength(21);
      expect(all.files.every((f) => f.includes('/data/'))).toBe(true);
      expect(analystRead.rows).toEqual(
        all.rows.filter((r) => r[1] === 'eu').map(([id, region, email, born]) => [id, region, maskAlphanum(email), toYear(born)]),
      );
      expect(analystRead.rows.length).toBeGreaterThan(5);
      expect(scorerRead.rows).toEqual(all.rows.filter((r) => r[0] >= 15));
      // Only derived files were planned for the restricted (the us partition's files were pruned for the analyst).
      for (const f of [...analystRead.files, ...scorerRead.files])
        expect(f).toMatch(/\/_lakegate\/policy\/[A-Za-z0-9_-]{22}\/[A-Za-z0-9_-]{32}\.[0-9a-f-]{36}\.parquet$/);
      expect(analystRead.files.length).toBeLessThan(all.files.length);
    },
    10 * 60_000,
  );

  it('refuses a hostile client holding the restricted token: originals, manifests, another policy’s files, listings', async () => {
    const hostile = as(tokens.analyst!);
    // Client-side planning gets no storage access.
    const loaded = await hostile('GET', TABLE, undefined, { 'x-iceberg-access-delegation': 'vended-credentials,remote-signing' });
    expect(loaded.status).toBe(200);
    expect(loaded.body['storage-credentials']).toBeUndefined();
    expect(loaded.body.config['s3.remote-signing-enabled']).toBeUndefined();
    expect(loaded.body.config['scan-planning-mode']).toBe('server');
    const manifestList = keyOf(loaded.body.metadata.snapshots.at(-1)['manifest-list']);
    // What the signer refuses.
    for (const key of [keyOf(all.files[0]!), manifestList, keyOf(scorerRead.files[0]!), keyOf(loaded.body['metadata-location'])]) {
      const r = await signGet(hostile, key);
      expect(r.status, `${key}: ${JSON.stringify(r.body)}`).toBe(403);
    }
    expect((await signGet(hostile, '', 'GET', `?list-type=2&prefix=${encodeURIComponent(keyOf(analystRead.files[0]!).replace(/[^/]+$/, ''))}`)).status).toBe(
      403,
    );
    // What it signs, MinIO serves: the analyst's own derived file.
    const own = await signGet(hostile, keyOf(analystRead.files[0]!));
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    const got = await fetch(own.body.uri, {
      headers: Object.fromEntries(Object.entries(own.body.headers as Record<string, string[]>).map(([k, v]) => [k, v.join(', ')])),
    });
    expect(got.status).toBe(200);
    // The plan's vended credentials open the policy version's prefix only (MinIO enforces the session policy).
    const planned = await hostile('POST', `${TABLE}/plan`, {}, { 'x-iceberg-access-delegation': 'vended-credentials' });
    expect(planned.status, JSON.stringify(planned.body)).toBe(200);
    const [credential] = planned.body['storage-credentials'] as Array<{ prefix: string; config: Record<string, string> }>;
    expect(credential!.prefix).toMatch(/\/_lakegate\/policy\/[A-Za-z0-9_-]{22}\/?$/);
    const s3 = new S3Client({
      endpoint: minio.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: {
        accessKeyId: credential!.config['s3.access-key-id']!,
        secretAccessKey: credential!.config['s3.secret-access-key']!,
        sessionToken: credential!.config['s3.session-token']!,
      },
    });
    try {
      const body = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keyOf(analystRead.files[0]!) }));
      expect((await body.Body!.transformToByteArray()).byteLength).toBeGreaterThan(0);
      for (const key of [keyOf(all.files[0]!), manifestList, keyOf(scorerRead.files[0]!)]) {
        await expect(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })), key).rejects.toMatchObject({ name: 'AccessDenied' });
      }
      await expect(s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).rejects.toMatchObject({ name: 'AccessDenied' });
    } finally {
      s3.destroy();
    }
  });

  it(
    'follows a policy change on the next plan, and refuses the old version’s files',
    async () => {
      const changed = await admin('PUT', `${POLICIES}/${analystPolicy.id}`, {
        roles: [`${analyst.id}-role`],
        filter: { type: 'eq', term: 'region', value: 'us' },
        version: analystPolicy.version,
      });
      expect(changed.status, JSON.stringify(changed.body)).toBeLessThan(300);
      const { analyst: after } = await readAs('analyst');
      expect(after!.rows).toEqual(all.rows.filter((r) => r[1] === 'us').map(([id, region, email, born]) => [id, region, maskAlphanum(email), toYear(born)]));
      for (const f of analystRead.files) expect(after!.files).not.toContain(f);
      expect((await signGet(as(tokens.analyst!), keyOf(analystRead.files[0]!))).status).toBe(403);
    },
    5 * 60_000,
  );
});

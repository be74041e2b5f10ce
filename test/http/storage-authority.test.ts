/**
 * Storage authority (issue 40, findings 1 and 5): the platform owns the server's filesystem, its ambient cloud
 * credentials, endpoints, roles and extra roots; a tenant administrator's warehouse runs on the tenant's own secret.
 * The reproductions of the review: a tenant admin deleting a host directory through a Lance register + drop and an
 * Iceberg create + purge, spending the server's credentials at an endpoint of its choosing, and probing other
 * tenants' warehouse names. Each must fail on the code before the fix.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStorage } from '../../packages/server/src/storage/s3/s3-object-storage.js';
import { simpleSchema } from '../support/iceberg-http.js';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { startFakeS3, type FakeS3 } from '../support/fake-s3.js';
import { freePort, tempDir } from '../support/temp.js';
import type { Send } from '../support/iceberg-http.js';
import { tokenOf as signIn } from '../support/principals.js';

let cat: TestCatalog;
let fake: FakeS3;
let platform: Send;
let acme: Send;
/** A listener standing for a tenant-chosen endpoint: it counts every request it gets (none may come). */
let trap: Server;
let trapHits: Array<{ url: string; authorization: string }> = [];
let trapUrl: string;
/** Stands for "any directory on the server host". */
let hostDir: { dir: string; cleanup: () => void };

const S3_SECRET = { 'access-key-id': 'acme-key', 'secret-access-key': 'acme-secret-value' };

const tokenOf = (clientId: string, clientSecret: string) => signIn(cat.lakegate.app, clientId, clientSecret);

/** Iceberg's error model: {error:{message,type,code}} with the HTTP status as code. */
function icebergError(res: { status: number; body: any }, status: number) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toMatchObject({ code: status, type: expect.any(String), message: expect.any(String) });
  return res.body.error.message as string;
}

beforeAll(async () => {
  hostDir = tempDir('lakegate-host-dir-');
  writeFileSync(`${hostDir.dir}/precious.txt`, "not the catalog's");
  mkdirSync(`${hostDir.dir}/x`);
  fake = await startFakeS3();
  const port = await freePort();
  trap = createServer((req, res) => {
    trapHits.push({ url: req.url ?? '', authorization: String(req.headers.authorization ?? '') });
    res.statusCode = 500;
    res.end();
  });
  await new Promise<void>((resolve) => trap.listen(port, '127.0.0.1', resolve));
  trapUrl = `http://127.0.0.1:${port}`;
  cat = await startInProcess({}, { auth: true });
  const admin = cat.admin();
  platform = bearerSender(cat.lakegate.app, await tokenOf(admin.client_id, admin.client_secret));
  const created = await platform('POST', '/management/v1/principals', { name: 'acme-admin', tenant: 'acme', roles: ['admin'] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  acme = bearerSender(cat.lakegate.app, await tokenOf(created.body['client-id'], created.body['client-secret']));
  // The storage the platform grants acme's administrators.
  expect((await platform('PUT', '/management/v1/tenants/acme/storage-grant', { roots: ['s3://acme-bucket', 'gs://acme-gcs'] })).status).toBe(200);
  // Another tenant's warehouse, made by the platform.
  const globex = await platform('POST', '/management/v1/warehouses', {
    name: 'globex-wh',
    tenant: 'globex',
    'storage-root': 's3://globex-bucket/lake',
    'storage-profile': { type: 's3', bucket: 'globex-bucket' },
    'storage-secret': S3_SECRET,
  });
  expect(globex.status, JSON.stringify(globex.body)).toBe(201);
});

afterAll(async () => {
  await cat?.close();
  await fake?.close();
  await new Promise((resolve) => trap?.close(resolve));
  hostDir?.cleanup();
});

describe('a tenant administrator', () => {
  it('cannot delete a host directory through extra-location-roots and a Lance register + drop', async () => {
    const wh = await acme('POST', '/management/v1/warehouses', {
      name: 'acme-s3',
      'storage-root': 's3://acme-bucket/wh',
      'storage-profile': { type: 's3', bucket: 'acme-bucket' },
      'storage-secret': S3_SECRET,
      properties: { 'extra-location-roots': `file://${hostDir.dir}` },
    });
    expect(icebergError(wh, 403)).toMatch(/only a platform administrator .*extra-location-roots/);
    // Whatever the answer above, the rest of the chain must not reach the host directory.
    const L = '/lance/acme-s3/v1';
    await acme('POST', `${L}/namespace/ns/create`, { id: ['ns'] });
    const reg = await acme('POST', `${L}/table/ns%24t/register`, { id: ['ns', 't'], location: `file://${hostDir.dir}/x`, mode: 'create' });
    expect(reg.status).toBeGreaterThanOrEqual(400);
    expect(reg.body).toMatchObject({ error: expect.any(String), code: expect.any(Number) });
    const drop = await acme('POST', `${L}/table/ns%24t/drop`, { id: ['ns', 't'] });
    expect(drop.status).toBeGreaterThanOrEqual(400);
    expect(existsSync(`${hostDir.dir}/x`)).toBe(true);
    expect(existsSync(`${hostDir.dir}/precious.txt`)).toBe(true);
  });

  it('cannot delete a host directory through extra-location-roots and an Iceberg create + purge', async () => {
    const wh = await acme('POST', '/management/v1/warehouses', {
      name: 'acme-s3b',
      'storage-root': 's3://acme-bucket/whb',
      'storage-profile': { type: 's3', bucket: 'acme-bucket' },
      properties: { 'extra-location-roots': `file://${hostDir.dir}` },
    });
    icebergError(wh, 403);
    await acme('POST', '/v1/acme-s3b/namespaces', { namespace: ['ns'] });
    const create = await acme('POST', '/v1/acme-s3b/namespaces/ns/tables', { name: 't', schema: simpleSchema, location: `file://${hostDir.dir}/x` });
    expect(create.status).toBeGreaterThanOrEqual(400);
    expect(create.body.error).toMatchObject({ code: create.status });
    await acme('DELETE', '/v1/acme-s3b/namespaces/ns/tables/t?purgeRequested=true');
    expect(existsSync(`${hostDir.dir}/x`)).toBe(true);
    expect(existsSync(`${hostDir.dir}/precious.txt`)).toBe(true);
  });

  it.each([
    [
      'without a secret (the server ambient credentials)',
      { type: 's3', bucket: 'acme-bucket', endpoint: undefined },
      undefined,
      /server's own cloud credentials/,
    ],
    ['with its own endpoint', { type: 's3', bucket: 'acme-bucket', 'path-style-access': true, endpoint: 'TRAP' }, S3_SECRET, /storage-profile\.endpoint/],
    ['with an sts-endpoint', { type: 's3', bucket: 'acme-bucket', 'sts-endpoint': 'TRAP' }, S3_SECRET, /storage-profile\.sts-endpoint/],
    ['with a role-arn', { type: 's3', bucket: 'acme-bucket', 'role-arn': 'arn:aws:iam::123456789012:role/platform' }, S3_SECRET, /storage-profile\.role-arn/],
    [
      'gcs without a key (Application Default Credentials), at its endpoint',
      { type: 'gcs', bucket: 'acme-gcs', endpoint: 'TRAP', 'sts-endpoint': 'TRAP' },
      undefined,
      /server's own cloud credentials.*endpoint/,
    ],
    ['on the local filesystem', { type: 'file' }, undefined, /local filesystem/],
  ])('is refused a warehouse %s (403 with the reason), and no request reaches the endpoint', async (_what, profile, secret, reason) => {
    const withTrap = JSON.parse(JSON.stringify(profile).replaceAll('"TRAP"', JSON.stringify(trapUrl)));
    const root = profile.type === 'file' ? `file://${hostDir.dir}/wh` : profile.type === 'gcs' ? 'gs://acme-gcs/wh' : 's3://acme-bucket/amb';
    const name = `acme-amb-${profile.type}`;
    const wh = await acme('POST', '/management/v1/warehouses', {
      name,
      'storage-root': root,
      'storage-profile': withTrap,
      ...(secret ? { 'storage-secret': secret } : {}),
    });
    expect(icebergError(wh, 403)).toMatch(reason);
    // What the old code then did: table writes (and vended credentials) through the profile.
    await acme('POST', `/v1/${name}/namespaces`, { namespace: ['ns'] });
    await acme('POST', `/v1/${name}/namespaces/ns/tables`, { name: 't', schema: simpleSchema }, { 'x-iceberg-access-delegation': 'vended-credentials' });
    expect(trapHits).toEqual([]);
    expect(existsSync(`${hostDir.dir}/wh`)).toBe(false);
  });

  it('is audited when refused', async () => {
    const audit = await platform('GET', '/management/v1/audit?limit=1000');
    expect(audit.status).toBe(200);
    const denied = (audit.body.events as Array<{ type: string; tenant?: string; detail: Record<string, unknown> }>).filter(
      (e) => e.type === 'warehouse.storage.denied',
    );
    expect(denied.map((e) => e.detail.warehouse)).toEqual(expect.arrayContaining(['acme-s3', 'acme-s3b', 'acme-amb-s3', 'acme-amb-gcs', 'acme-amb-file']));
    expect(JSON.stringify(denied)).not.toContain(S3_SECRET['secret-access-key']);
  });

  it('may still create a warehouse with its own secret on the cloud endpoints, named in its own space', async () => {
    const wh = await acme('POST', '/management/v1/warehouses', {
      name: 'acme-own',
      'storage-root': 's3://acme-bucket/own',
      'storage-profile': { type: 's3', bucket: 'acme-bucket' },
      'storage-secret': S3_SECRET,
    });
    expect(wh.status, JSON.stringify(wh.body)).toBe(201);
    expect(wh.body).toMatchObject({ tenant: 'acme', 'has-storage-secret': true });
  });

  it("cannot tell another tenant's warehouse names from free ones", async () => {
    const body = (name: string) => ({
      name,
      'storage-root': `s3://acme-bucket/${name}`,
      'storage-profile': { type: 's3', bucket: 'acme-bucket' },
      'storage-secret': S3_SECRET,
    });
    const taken = await acme('POST', '/management/v1/warehouses', body('globex-wh'));
    const free = await acme('POST', '/management/v1/warehouses', body('globex-free'));
    expect(taken.status).toBe(403);
    expect({ status: free.status, body: JSON.stringify(free.body).replaceAll('globex-free', 'globex-wh') }).toEqual({
      status: taken.status,
      body: JSON.stringify(taken.body),
    });
  });

  it("cannot probe other tenants' roots: outside its grant every root is refused alike, and an overlap names no tenant", async () => {
    const body = (bucket: string) => ({
      name: 'acme-probe',
      'storage-root': `s3://${bucket}/lake/inner`,
      'storage-profile': { type: 's3', bucket },
      'storage-secret': S3_SECRET,
    });
    const taken = await acme('POST', '/management/v1/warehouses', body('globex-bucket'));
    const free = await acme('POST', '/management/v1/warehouses', body('free-bucket'));
    expect(icebergError(taken, 403)).toMatch(/outside the storage the platform granted/);
    expect(JSON.stringify(free.body).replaceAll('free-bucket', 'globex-bucket')).toBe(JSON.stringify(taken.body));
    // Inside its grant, an overlap (here with its own warehouse) is refused without naming a warehouse or tenant.
    const nested = await acme('POST', '/management/v1/warehouses', { ...body('acme-bucket'), 'storage-root': 's3://acme-bucket/own/inner' });
    expect(icebergError(nested, 400)).toMatch(/overlap those of an existing warehouse/);
    expect(nested.body.error.message).not.toMatch(/tenant|acme-own/);
  });

  it("may set no storage grant, its own or another tenant's", async () => {
    for (const t of ['acme', 'globex']) {
      const res = await acme('PUT', `/management/v1/tenants/${t}/storage-grant`, { roots: ['s3://platform-backups'] });
      expect(icebergError(res, 403)).toBeTruthy();
    }
    expect((await acme('GET', '/management/v1/tenants/acme/storage-grant')).body).toEqual({ tenant: 'acme', roots: ['s3://acme-bucket', 'gs://acme-gcs'] });
  });
});

describe('a platform administrator', () => {
  it('still sets endpoints, roles, ambient credentials and extra roots', async () => {
    const ambient = await platform('POST', '/management/v1/warehouses', {
      name: 'plat-ambient',
      tenant: 'acme',
      'storage-root': 's3://plat-ambient/wh',
      'storage-profile': { type: 's3', bucket: 'plat-ambient' },
    });
    expect(ambient.status, JSON.stringify(ambient.body)).toBe(201);
    const wh = await platform('POST', '/management/v1/warehouses', {
      name: 'plat-s3',
      tenant: 'acme',
      'storage-root': 's3://plat-bucket/wh',
      'storage-profile': {
        type: 's3',
        bucket: 'plat-bucket',
        endpoint: fake.endpoint,
        'path-style-access': true,
        'role-arn': 'arn:aws:iam::123456789012:role/lake',
      },
      'storage-secret': S3_SECRET,
      properties: { 'extra-location-roots': `s3://plat-bucket/legacy,file://${hostDir.dir},s3://platform-backups/db-dumps` },
    });
    expect(wh.status, JSON.stringify(wh.body)).toBe(201);
    const again = await platform('POST', '/management/v1/warehouses', {
      name: 'globex-wh',
      'storage-root': 's3://other-bucket/x',
      'storage-profile': { type: 's3', bucket: 'other-bucket' },
    });
    expect(icebergError(again, 409)).toMatch(/taken/);
    expect(JSON.stringify(again.body)).not.toMatch(/globex'|tenant/);
  });

  it('cannot make an S3 warehouse reach a file: root or another bucket, even through its own extra roots', async () => {
    // plat-s3 (above) lists a host directory and another bucket as extra roots: neither is in its profile's bucket.
    const L = '/lance/plat-s3/v1';
    // The platform admin reads no tenant catalog; an acme admin does (its tenant's warehouse).
    expect((await acme('POST', `${L}/namespace/ns/create`, { id: ['ns'] })).status).toBe(200);
    for (const location of [`file://${hostDir.dir}/x`, 's3://platform-backups/db-dumps/t']) {
      const reg = await acme('POST', `${L}/table/ns%24t/register`, { id: ['ns', 't'], location, mode: 'create' });
      expect(reg.status, JSON.stringify(reg.body)).toBe(400);
      expect(reg.body).toMatchObject({ error: expect.stringMatching(/outside the storage locations/), code: expect.any(Number) });
      const create = await acme('POST', '/v1/plat-s3/namespaces/ns/tables', { name: 't', schema: simpleSchema, location });
      expect(icebergError(create, 400)).toMatch(/outside the storage locations/);
    }
    // The extra root inside its own bucket still works.
    const inside = await acme('POST', '/v1/plat-s3/namespaces/ns/tables', { name: 'legacy', schema: simpleSchema, location: 's3://plat-bucket/legacy/t' });
    expect(inside.status, JSON.stringify(inside.body)).toBe(200);
    expect(existsSync(`${hostDir.dir}/x`)).toBe(true);
  });
});

describe('a purge', () => {
  it("deletes nothing under an extra root: the warehouse owns only its storage root's prefix", async () => {
    const legacy = `${hostDir.dir}/legacy`;
    mkdirSync(`${legacy}/ds`, { recursive: true });
    writeFileSync(`${legacy}/ds/data.lance`, 'legacy rows');
    const wh = await platform('POST', '/management/v1/warehouses', {
      name: 'plat-file',
      'storage-root': `file://${cat.dataDir}/plat-file`,
      'storage-profile': { type: 'file' },
      properties: { 'extra-location-roots': `file://${legacy}` },
    });
    expect(wh.status, JSON.stringify(wh.body)).toBe(201);
    // Iceberg: create at a location under the extra root, then drop with purge.
    expect((await platform('POST', '/v1/plat-file/namespaces', { namespace: ['ns'] })).status).toBe(200);
    const created = await platform('POST', '/v1/plat-file/namespaces/ns/tables', { name: 't', schema: simpleSchema, location: `file://${legacy}/t` });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect((await platform('DELETE', '/v1/plat-file/namespaces/ns/tables/t?purgeRequested=true')).status).toBe(204);
    expect(existsSync(`${legacy}/t/metadata`)).toBe(true);
    // Lance: register the legacy dataset, then drop it: deregistered, files kept.
    const L = '/lance/plat-file/v1';
    expect((await platform('POST', `${L}/table/ns%24ds/register`, { id: ['ns', 'ds'], location: `file://${legacy}/ds` })).status).toBe(200);
    expect((await platform('POST', `${L}/table/ns%24ds/drop`, { id: ['ns', 'ds'] })).status).toBe(200);
    expect(existsSync(`${legacy}/ds/data.lance`)).toBe(true);
    // Under its own root, a purge still deletes the table's files.
    const own = await platform('POST', '/v1/plat-file/namespaces/ns/tables', { name: 'own', schema: simpleSchema });
    expect(own.status).toBe(200);
    expect((await platform('DELETE', '/v1/plat-file/namespaces/ns/tables/own?purgeRequested=true')).status).toBe(204);
    expect(existsSync(new URL(own.body.metadata.location).pathname)).toBe(false);
  });
});

describe('a purge of a registered table', () => {
  it('deregisters and keeps the files, also inside the warehouse root: the catalog did not create that location', async () => {
    const W = '/v1/plat-file/namespaces/ns';
    // Files the catalog did not create for the table it will register: a table dropped without purge left them.
    const src = await platform('POST', `${W}/tables`, { name: 'src', schema: simpleSchema });
    expect(src.status, JSON.stringify(src.body)).toBe(200);
    expect((await platform('DELETE', `${W}/tables/src`)).status).toBe(204);
    const reg = await platform('POST', `${W}/register`, { name: 'reg', 'metadata-location': src.body['metadata-location'] });
    expect(reg.status, JSON.stringify(reg.body)).toBe(200);
    expect((await platform('DELETE', `${W}/tables/reg?purgeRequested=true`)).status).toBe(204);
    expect(existsSync(new URL(src.body['metadata-location']).pathname)).toBe(true);
    // Lance: a dataset registered inside the root is deregistered by a drop, its files kept; a declared one is purged.
    const L = '/lance/plat-file/v1';
    const dir = `${cat.dataDir}/plat-file/ns/imported.lance`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/data.lance`, 'rows');
    expect((await platform('POST', `${L}/table/ns%24imp/register`, { id: ['ns', 'imp'], location: `file://${dir}` })).status).toBe(200);
    expect((await platform('POST', `${L}/table/ns%24imp/drop`, { id: ['ns', 'imp'] })).status).toBe(200);
    expect(existsSync(`${dir}/data.lance`)).toBe(true);
  });
});

describe('S3 object storage', () => {
  it("refuses any location outside the profile's bucket before sending a request", async () => {
    const before = fake.keys().length;
    const storage = new S3ObjectStorage({
      bucket: 'plat-bucket',
      endpoint: fake.endpoint,
      region: 'us-east-1',
      pathStyle: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    try {
      fake.put('platform-backups', 'db-dumps/x', 'secret rows');
      await expect(storage.read('s3://platform-backups/db-dumps/x', 1024)).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
      await expect(storage.deletePrefix('s3://platform-backups/db-dumps')).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
      await expect(storage.writeNew('s3://other/x', new Uint8Array([1]))).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
      expect(fake.keys()).toContain('platform-backups/db-dumps/x');
      expect(fake.keys().length).toBe(before + 1);
    } finally {
      storage.close();
    }
  });
});

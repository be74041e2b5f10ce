/**
 * A warehouse's storage profile can be replaced (issue 52): PUT /management/v1/warehouses/{warehouse}/storage-profile,
 * checked as at creation (unknown fields named, null refused, the root must lie in the storage the profile reaches,
 * storage authority for a tenant administrator), its type and bucket kept (its tables live there). After the change,
 * the loaded table's config, vended credentials (STS at the new endpoint), the signer (the new key) and the catalog's
 * own writes use the new profile at once; the secret is never answered nor audited. Two in-process fake S3s stand for
 * a store before and after it moved (test/support/fake-s3.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeS3, type FakeS3 } from '../support/fake-s3.js';
import { simpleSchema, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { tokenOf } from '../support/principals.js';

const KEY1 = { 'access-key-id': 'wh-key-1', 'secret-access-key': 'first-secret-never-shown' };
const KEY2 = { 'access-key-id': 'wh-key-2', 'secret-access-key': 'second-secret-never-shown' };
const ROLE = 'arn:aws:iam::123456789012:role/lake';
let cat: TestCatalog;
let before: FakeS3;
let after: FakeS3;
let platform: Send;
let acme: Send;
let reader: Send;

const put = (send: Send, warehouse: string, body: unknown) => send('PUT', `/management/v1/warehouses/${warehouse}/storage-profile`, body);
const profileAt = (endpoint: string, extra: Record<string, unknown> = {}) => ({
  type: 's3',
  bucket: 'bucket',
  endpoint,
  'path-style-access': true,
  'role-arn': ROLE,
  ...extra,
});
const load = (table: string, delegation: string) =>
  platform('GET', `/v1/lake/namespaces/sales/tables/${table}`, undefined, { 'x-iceberg-access-delegation': delegation });
const stored = async (name: string) =>
  ((await platform('GET', '/management/v1/warehouses')).body.warehouses as Array<{ name: string; 'storage-profile': Record<string, unknown> }>).find(
    (w) => w.name === name,
  )!;

beforeAll(async () => {
  before = await startFakeS3();
  after = await startFakeS3();
  cat = await startInProcess({}, { auth: true });
  const admin = cat.admin();
  platform = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, admin.client_id, admin.client_secret));
  const created = await platform('POST', '/management/v1/principals', { name: 'acme-admin', tenant: 'acme', roles: ['admin'] });
  acme = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, created.body['client-id'], created.body['client-secret']));
  const plain = await cat.lakegate.principals.create('plain-reader');
  reader = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, plain.clientId, plain.clientSecret));
  expect((await platform('PUT', '/management/v1/tenants/acme/storage-grant', { roots: ['s3://acme-bucket'] })).status).toBe(200);
  const wh = await platform('POST', '/management/v1/warehouses', {
    name: 'lake',
    'storage-root': 's3://bucket/wh',
    'storage-profile': profileAt(before.endpoint),
    'storage-secret': KEY1,
  });
  expect(wh.status, JSON.stringify(wh.body)).toBe(201);
  expect((await platform('POST', '/v1/lake/namespaces', { namespace: ['sales'] })).status).toBe(200);
  const orders = await platform('POST', '/v1/lake/namespaces/sales/tables', { name: 'orders', schema: simpleSchema });
  expect(orders.status, JSON.stringify(orders.body)).toBe(200);
  const acmeWh = await acme('POST', '/management/v1/warehouses', {
    name: 'acme-lake',
    'storage-root': 's3://acme-bucket/lake',
    'storage-profile': { type: 's3', bucket: 'acme-bucket' },
    'storage-secret': KEY1,
  });
  expect(acmeWh.status, JSON.stringify(acmeWh.body)).toBe(201);
});
afterAll(async () => {
  await cat?.close();
  await before?.close();
  await after?.close();
});

describe("replacing a warehouse's storage profile", () => {
  it('takes effect at once: config, vended credentials, the signer and the catalog’s writes; the secret is never answered', async () => {
    const first = await load('orders', 'vended-credentials');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.config['s3.endpoint']).toBe(before.endpoint);
    const assumedBefore = before.policies.length;
    expect(assumedBefore).toBeGreaterThan(0);
    // The store moved: its objects are at the new endpoint now.
    for (const k of before.keys()) after.put('bucket', k.slice('bucket/'.length), await (await fetch(`${before.endpoint}/${k}`)).text());

    const changed = await put(platform, 'lake', {
      'storage-profile': profileAt(after.endpoint, { region: 'eu-west-1', 'credential-lifetime-seconds': 1800 }),
      'storage-secret': KEY2,
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body['storage-profile']).toMatchObject({
      type: 's3',
      bucket: 'bucket',
      endpoint: after.endpoint,
      region: 'eu-west-1',
      'credential-lifetime-seconds': 1800,
    });
    expect(changed.body['has-storage-secret']).toBe(true);
    const listed = await platform('GET', '/management/v1/warehouses');
    for (const text of [JSON.stringify(changed.body), JSON.stringify(listed.body)]) {
      expect(text).not.toContain(KEY2['secret-access-key']);
      expect(text).not.toContain(KEY1['secret-access-key']);
    }

    const vended = await load('orders', 'vended-credentials');
    expect(vended.status, JSON.stringify(vended.body)).toBe(200);
    expect(vended.body.config).toMatchObject({ 's3.endpoint': after.endpoint, 'client.region': 'eu-west-1' });
    expect(after.policies.length).toBe(1);
    expect(before.policies.length).toBe(assumedBefore);

    const signing = await load('orders', 'remote-signing');
    expect(signing.body.config['s3.endpoint']).toBe(after.endpoint);
    const key = `${(vended.body.metadata.location as string).replace('s3://bucket/', '')}/data/f.parquet`;
    const signed = await platform('POST', '/v1/lake/namespaces/sales/tables/orders/sign', {
      region: 'eu-west-1',
      uri: `${after.endpoint}/bucket/${key}`,
      method: 'GET',
      headers: {},
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    expect(signed.body.headers.Authorization[0]).toContain(`Credential=${KEY2['access-key-id']}/`);
    expect(signed.body.headers.Authorization[0]).toContain('/eu-west-1/s3/');

    const refunds = await platform('POST', '/v1/lake/namespaces/sales/tables', { name: 'refunds', schema: simpleSchema });
    expect(refunds.status, JSON.stringify(refunds.body)).toBe(200);
    const written = (refunds.body['metadata-location'] as string).replace('s3://', '');
    expect(after.keys()).toContain(written);
    expect(before.keys()).not.toContain(written);

    const audit = await platform('GET', '/management/v1/audit?limit=100');
    const event = (audit.body.events as Array<{ type: string; detail: Record<string, unknown> }>).find((e) => e.type === 'warehouse.storage.updated');
    expect(event?.detail).toMatchObject({
      warehouse: 'lake',
      type: 's3',
      changed: ['credential-lifetime-seconds', 'endpoint', 'region'],
      'secret-replaced': true,
    });
    expect(JSON.stringify(audit.body)).not.toContain(KEY2['secret-access-key']);
  });

  it('keeps the stored secret when none is sent (it must still fit the profile)', async () => {
    const res = await put(platform, 'lake', { 'storage-profile': profileAt(after.endpoint, { region: 'eu-west-1', 'sts-enabled': false }) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body['has-storage-secret']).toBe(true);
    // sts-enabled false: signing only, with the kept key.
    expect((await load('orders', 'vended-credentials')).body.config).toEqual({});
    const orders = await load('orders', 'remote-signing');
    const key = `${(orders.body.metadata.location as string).replace('s3://bucket/', '')}/data/g.parquet`;
    const ok = await platform('POST', '/v1/lake/namespaces/sales/tables/orders/sign', {
      region: 'eu-west-1',
      uri: `${after.endpoint}/bucket/${key}`,
      method: 'GET',
      headers: {},
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.headers.Authorization[0]).toContain(`Credential=${KEY2['access-key-id']}/`);
  });

  it('refuses bad requests with a 400 naming the problem, and changes nothing', async () => {
    const was = await stored('lake');
    const cases: Array<[string, unknown, RegExp]> = [
      [
        'an unknown profile field',
        { 'storage-profile': profileAt(after.endpoint, { 'sts-enabeld': false }) },
        /storage-profile\.sts-enabeld is not a field of this storage type/,
      ],
      ['null for a string', { 'storage-profile': profileAt(after.endpoint, { region: null }) }, /storage-profile\.region/],
      ['null for the secret', { 'storage-profile': profileAt(after.endpoint), 'storage-secret': null }, /storage-secret/],
      ['null for the profile', { 'storage-profile': null }, /storage-profile/],
      ['an unknown request field', { 'storage-profile': profileAt(after.endpoint), 'storage-root': 's3://bucket/elsewhere' }, /storage-root is not a field/],
      ['no profile', {}, /storage-profile/],
      ['another type', { 'storage-profile': { type: 'gcs', bucket: 'bucket' } }, /storage-profile\.type cannot change \(s3 to "gcs"\)/],
      [
        'another bucket',
        { 'storage-profile': { ...profileAt(after.endpoint), bucket: 'other-bucket' } },
        /storage-root s3:\/\/bucket\/wh must lie in s3:\/\/other-bucket/,
      ],
      [
        'a secret that does not fit',
        { 'storage-profile': profileAt(after.endpoint), 'storage-secret': { 'account-key': 'x' } },
        /storage-secret does not fit the storage profile/,
      ],
    ];
    for (const [what, body, message] of cases) {
      const res = await put(platform, 'lake', body);
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.message, what).toMatch(message);
      expect(JSON.stringify(res.body), what).not.toContain('never-shown');
    }
    const file = await put(platform, 'default', { 'storage-profile': { type: 's3', bucket: 'bucket' } });
    expect(file.status).toBe(400);
    expect(file.body.error.message).toMatch(/storage-profile\.type cannot change \(file to "s3"\)/);
    expect((await put(platform, 'default', { 'storage-profile': { type: 'file' } })).status).toBe(200);
    expect(await stored('lake')).toEqual(was);
  });

  it('is for administrators: 403 to others, storage authority for a tenant administrator (audited), 404 across tenants', async () => {
    const denied = await put(reader, 'lake', { 'storage-profile': profileAt(after.endpoint) });
    expect(denied.status, JSON.stringify(denied.body)).toBe(403);
    // A tenant administrator may change its own warehouse within its grant, with its own secret, on the cloud's endpoints.
    const own = await put(acme, 'acme-lake', { 'storage-profile': { type: 's3', bucket: 'acme-bucket', region: 'eu-central-1' }, 'storage-secret': KEY2 });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body['storage-profile'].region).toBe('eu-central-1');
    const endpoint = await put(acme, 'acme-lake', { 'storage-profile': { type: 's3', bucket: 'acme-bucket', endpoint: after.endpoint } });
    expect(endpoint.status).toBe(403);
    expect(endpoint.body.error.message).toMatch(/only a platform administrator can configure a warehouse with storage-profile\.endpoint/);
    const audit = await platform('GET', '/management/v1/audit?tenant=acme&limit=50');
    expect(
      (audit.body.events as Array<{ type: string; action?: string }>).some((e) => e.type === 'warehouse.storage.denied' && e.action === 'warehouse:update'),
    ).toBe(true);
    // A warehouse the platform configured for acme (an endpoint, its secret): acme's administrator may not take the
    // endpoint away and keep that secret (it would go elsewhere), but may with a secret of its own.
    const plat = await platform('POST', '/management/v1/warehouses', {
      name: 'acme-plat',
      tenant: 'acme',
      'storage-root': 's3://acme-bucket/plat',
      'storage-profile': { type: 's3', bucket: 'acme-bucket', endpoint: after.endpoint },
      'storage-secret': KEY1,
    });
    expect(plat.status, JSON.stringify(plat.body)).toBe(201);
    const kept = await put(acme, 'acme-plat', { 'storage-profile': { type: 's3', bucket: 'acme-bucket' } });
    expect(kept.status, JSON.stringify(kept.body)).toBe(403);
    expect(kept.body.error.message).toMatch(/the stored storage-secret of a warehouse the platform configured/);
    expect((await put(acme, 'acme-plat', { 'storage-profile': { type: 's3', bucket: 'acme-bucket' }, 'storage-secret': KEY2 })).status).toBe(200);
    const other = await put(acme, 'lake', { 'storage-profile': profileAt(after.endpoint) });
    const missing = await put(acme, 'no-such-wh', { 'storage-profile': profileAt(after.endpoint) });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.body.error.message.replace('lake', 'X')).toBe(missing.body.error.message.replace('no-such-wh', 'X'));
    expect((await stored('acme-lake'))['storage-profile'].endpoint).toBeUndefined();
  });

  it("removes the stored secret on request: in the profile's transaction, audited, the platform's authority only", async () => {
    const repo = cat.lakegate.store.repository;
    // The server's own cloud credentials are the platform's to hand out: a tenant administrator is refused (403).
    const refused = await put(acme, 'acme-lake', { 'storage-profile': { type: 's3', bucket: 'acme-bucket' }, 'remove-storage-secret': true });
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(refused.body.error.message).toMatch(/server's own cloud credentials/);
    expect((await repo.getWarehouse('acme-lake'))!.secretId).toBeDefined();
    // Not together with a new secret.
    const both = await put(platform, 'lake', { 'storage-profile': profileAt(after.endpoint), 'storage-secret': KEY2, 'remove-storage-secret': true });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/storage-secret and remove-storage-secret/);
    const old = (await repo.getWarehouse('lake'))!.secretId!;
    expect(await repo.getSecret(old)).toBeDefined();
    const removed = await put(platform, 'lake', { 'storage-profile': profileAt(after.endpoint), 'remove-storage-secret': true });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect(removed.body['has-storage-secret']).toBe(false);
    expect((await repo.getWarehouse('lake'))!.secretId).toBeUndefined();
    expect(await repo.getSecret(old)).toBeUndefined();
    const audit = await platform('GET', '/management/v1/audit?limit=20');
    const record = (audit.body.events as Array<{ type: string; object?: string; detail?: Record<string, unknown> }>).find(
      (e) => e.type === 'warehouse.storage.updated' && e.object === 'lake',
    );
    expect(record?.detail).toMatchObject({ 'secret-removed': true, 'secret-replaced': false });
  });
});

/**
 * The storage-authority matrix, beside the permission matrix (permission-matrix.ts covers privilege-guarded catalog
 * operations; this covers who may configure what storage): warehouse creation × each storage-profile field and
 * property that carries the platform's authority × the kind of administrator → 201 or 403. Table-driven: a new
 * profile field gets a row. See docs/security.md, "Storage authority".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tokenOf as signIn } from '../support/principals.js';

let cat: TestCatalog;
const callers: Record<Admin, { send: Send; tenant: string }> = {} as never;

/** platform: admin of the default tenant by credential; deputy: admin of the default tenant by role membership; tenant: admin of acme. */
type Admin = 'platform' | 'deputy' | 'tenant';

const S3_SECRET = { 'access-key-id': 'k', 'secret-access-key': 's' };
const GCS_SECRET = {
  'service-account-key': JSON.stringify({
    type: 'service_account',
    client_email: 'lake@p.iam.gserviceaccount.com',
    private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n',
  }),
};
const AZURE_SECRET = { 'account-key': Buffer.from('k').toString('base64') };

interface Row {
  what: string;
  /** The warehouse, without name and tenant, in fresh storage of its own (n). */
  body: (n: number, dir: string) => Record<string, unknown>;
  /** Who may: everyone else gets 403. */
  allowed: Admin[];
}

const s3 = (n: number, profile: Record<string, unknown> = {}, secret: unknown = S3_SECRET, properties: Record<string, string> = {}) => ({
  'storage-root': `s3://matrix/wh-${n}`,
  'storage-profile': { type: 's3', bucket: 'matrix', ...profile },
  ...(secret === null ? {} : { 'storage-secret': secret }),
  properties,
});
const gcs = (n: number, profile: Record<string, unknown> = {}, secret: unknown = GCS_SECRET) => ({
  'storage-root': `gs://matrix/wh-${n}`,
  'storage-profile': { type: 'gcs', bucket: 'matrix', ...profile },
  ...(secret === null ? {} : { 'storage-secret': secret }),
});
const azure = (n: number, profile: Record<string, unknown> = {}) => ({
  'storage-root': `abfss://matrix@acct.dfs.core.windows.net/wh-${n}`,
  'storage-profile': { type: 'azure', account: 'acct', container: 'matrix', ...profile },
  'storage-secret': AZURE_SECRET,
});

const EVERYONE: Admin[] = ['platform', 'deputy', 'tenant'];
const PLATFORM: Admin[] = ['platform'];

const ROWS: Row[] = [
  { what: 's3 with its own secret', body: (n) => s3(n), allowed: EVERYONE },
  {
    what: 's3 outside the storage granted to the tenant',
    body: (n) => ({ ...s3(n), 'storage-root': `s3://ungranted/wh-${n}`, 'storage-profile': { type: 's3', bucket: 'ungranted' } }),
    allowed: PLATFORM,
  },
  { what: 's3 without a secret (ambient credentials)', body: (n) => s3(n, {}, null), allowed: PLATFORM },
  { what: 's3 endpoint', body: (n) => s3(n, { endpoint: 'http://127.0.0.1:1' }), allowed: PLATFORM },
  { what: 's3 sts-endpoint', body: (n) => s3(n, { 'sts-endpoint': 'http://127.0.0.1:1' }), allowed: PLATFORM },
  { what: 's3 role-arn', body: (n) => s3(n, { 'role-arn': 'arn:aws:iam::123456789012:role/r' }), allowed: PLATFORM },
  { what: 's3 external-id', body: (n) => s3(n, { 'external-id': 'x' }), allowed: PLATFORM },
  {
    what: 's3 region, path-style-access, credential lifetime',
    body: (n) => s3(n, { region: 'eu-west-1', 'path-style-access': true, 'credential-lifetime-seconds': 900 }),
    allowed: EVERYONE,
  },
  { what: 'extra-location-roots', body: (n) => s3(n, {}, S3_SECRET, { 'extra-location-roots': `s3://matrix/legacy-${n}` }), allowed: PLATFORM },
  { what: 'other properties', body: (n) => s3(n, {}, S3_SECRET, { owner: 'x' }), allowed: EVERYONE },
  { what: 'gcs with its own key', body: (n) => gcs(n), allowed: EVERYONE },
  { what: 'gcs without a key (Application Default Credentials)', body: (n) => gcs(n, {}, null), allowed: PLATFORM },
  { what: 'gcs endpoint', body: (n) => gcs(n, { endpoint: 'http://127.0.0.1:1' }), allowed: PLATFORM },
  { what: 'gcs sts-endpoint', body: (n) => gcs(n, { 'sts-endpoint': 'http://127.0.0.1:1' }), allowed: PLATFORM },
  { what: 'azure with its own account key', body: (n) => azure(n), allowed: EVERYONE },
  { what: 'azure endpoint', body: (n) => azure(n, { endpoint: 'http://127.0.0.1:1/acct' }), allowed: PLATFORM },
  {
    what: 'file (the server filesystem)',
    body: (n, dir) => ({ 'storage-root': `file://${dir}/matrix-${n}`, 'storage-profile': { type: 'file' } }),
    allowed: PLATFORM,
  },
];

const tokenOf = (clientId: string, clientSecret: string) => signIn(cat.lakegate.app, clientId, clientSecret);

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const admin = cat.admin();
  const platform = bearerSender(cat.lakegate.app, await tokenOf(admin.client_id, admin.client_secret));
  const principal = async (body: Record<string, unknown>) => {
    const res = await platform('POST', '/management/v1/principals', body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body['client-id'] as string, send: bearerSender(cat.lakegate.app, await tokenOf(res.body['client-id'], res.body['client-secret'])) };
  };
  const deputy = await principal({ name: 'deputy' });
  expect((await platform('POST', '/management/v1/roles/admin/members', { kind: 'principal', name: deputy.id })).status).toBe(201);
  const tenant = await principal({ name: 'acme-admin', tenant: 'acme', roles: ['admin'] });
  // The platform grants both tenants the matrix's storage.
  const GRANT = { roots: ['s3://matrix', 'gs://matrix', 'abfss://matrix@acct.dfs.core.windows.net'] };
  for (const t of ['default', 'acme']) expect((await platform('PUT', `/management/v1/tenants/${t}/storage-grant`, GRANT)).status).toBe(200);
  callers.platform = { send: platform, tenant: 'default' };
  callers.deputy = { send: deputy.send, tenant: 'default' };
  callers.tenant = { send: tenant.send, tenant: 'acme' };
});

afterAll(async () => {
  await cat?.close();
});

let counter = 0;
describe.each(ROWS)('creating a warehouse: $what', (row) => {
  it.each(EVERYONE)('by the %s administrator', async (who) => {
    const n = ++counter;
    const { send, tenant } = callers[who];
    const res = await send('POST', '/management/v1/warehouses', { name: `${tenant}-m${n}`, ...row.body(n, cat.dataDir) });
    const expected = row.allowed.includes(who) ? 201 : 403;
    expect(res.status, JSON.stringify(res.body)).toBe(expected);
    if (expected === 403)
      expect(res.body.error).toMatchObject({
        code: 403,
        type: 'ForbiddenException',
        message: expect.stringMatching(/only a platform administrator|outside the storage the platform granted/),
      });
    else expect(res.body.tenant).toBe(tenant);
  });
});

describe('warehouse names', () => {
  it.each([
    ['platform', 'any-name', 201],
    ['deputy', 'any-name-2', 403],
    ['deputy', 'default-named', 201],
    ['tenant', 'globex-named', 403],
    ['tenant', 'acme-named', 201],
  ] as const)('the %s administrator naming a warehouse %s: %i', async (who, name, status) => {
    const n = ++counter;
    const res = await callers[who].send('POST', '/management/v1/warehouses', { name, ...s3(n) });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
  });
});

describe('setting a tenant storage grant', () => {
  it.each([
    ['platform', 200],
    ['deputy', 403],
    ['tenant', 403],
  ] as const)('by the %s administrator: %i', async (who, status) => {
    const res = await callers[who].send('PUT', `/management/v1/tenants/${callers[who].tenant}/storage-grant`, { roots: ['s3://matrix', 's3://elsewhere'] });
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    // Each reads its own tenant's grant.
    expect((await callers[who].send('GET', `/management/v1/tenants/${callers[who].tenant}/storage-grant`)).status).toBe(200);
  });

  it("is never the server's filesystem, and a tenant admin reads no other tenant's", async () => {
    const file = await callers.platform.send('PUT', '/management/v1/tenants/acme/storage-grant', { roots: ['file:///'] });
    expect(file.status).toBe(400);
    expect(file.body.error).toMatchObject({ code: 400 });
    expect((await callers.tenant.send('GET', '/management/v1/tenants/default/storage-grant')).status).toBe(403);
  });
});

/**
 * Tenants: a token, access key or API key of one tenant must not reach
 * another tenant's warehouses — refused exactly like a warehouse that does
 * not exist, and audited. Also: token exchange across tenants, an external
 * IdP mapped to a tenant, and tenant administrators confined to their own
 * tenant in the management API.
 */
import { randomBytes, type webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { Keyring } from '../../packages/server/src/security/keyring.js';
import { SecretBox } from '../../packages/server/src/security/secret-box.js';
import { StorageRefreshTokens } from '../../packages/server/src/storage/refresh-token.js';
import { appendUpdates, simpleSchema } from '../support/iceberg-http.js';
import { READ_WRITE_ALL, grantPrincipal } from '../support/access.js';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { freePort } from '../support/temp.js';

let now = Date.now();
const clock = { now: () => now };
const secretKey = randomBytes(32);
let cat: TestCatalog;
let jwks: Server;
let idpKey: webcrypto.CryptoKey;
let idpIssuer: string;
let adminToken: string;

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';

// Bodies go out through the catalog's own JSON writer: snapshot ids are 63-bit BigInts.
const inject = (method: string, url: string, token?: string, payload?: unknown, headers: Record<string, string> = {}) =>
  cat.lakegate.app.inject({
    method: method as 'GET',
    url,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(payload === undefined ? {} : { payload: stringifyJson(payload) }),
  });

const form = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  cat.lakegate.app.inject({
    method: 'POST',
    url: '/v1/oauth/tokens',
    payload: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });

const tokenOf = async (p: { clientId: string; clientSecret: string }): Promise<string> => {
  const res = await form({ grant_type: 'client_credentials', client_id: p.clientId, client_secret: p.clientSecret });
  expect(res.statusCode).toBe(200);
  return res.json().access_token as string;
};

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

/** A principal created through the management API by `by`. */
async function createPrincipal(by: string, body: Record<string, unknown>): Promise<{ clientId: string; clientSecret: string; tenant: string }> {
  const res = await inject('POST', '/management/v1/principals', by, body);
  expect(res.statusCode, res.body).toBe(201);
  const j = res.json();
  return { clientId: j['client-id'], clientSecret: j['client-secret'], tenant: j.tenant };
}

const auditEvents = async () =>
  (await inject('GET', '/management/v1/audit?limit=1000', adminToken)).json().events as Array<{ type: string; actor: string; detail: Record<string, unknown> }>;

/** The response for a warehouse that does not exist, with its name swapped for the one asked about. */
async function missingLike(method: string, path: (warehouse: string) => string, token: string, name: string, payload?: unknown) {
  const missing = await inject(method, path('no-such-warehouse'), token, payload);
  return { status: missing.statusCode, body: missing.body.replaceAll('no-such-warehouse', name) };
}

let acmeAdmin: { clientId: string; clientSecret: string };
let acmeAdminToken: string;
let acmeEtl: { clientId: string; clientSecret: string };
let acmeToken: string;
let tableMetadata: any;
let tableMetadataLocation: string;

beforeAll(async () => {
  // A small OIDC issuer of our own: its JWKS served over HTTP on 127.0.0.1, tokens signed with its key.
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  idpKey = privateKey;
  const jwk = { ...(await exportJWK(publicKey)), kid: 'idp-1', alg: 'ES256', use: 'sig' };
  const port = await freePort();
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwks.listen(port, '127.0.0.1', resolve));
  idpIssuer = `http://127.0.0.1:${port}/realms/acme`;
  const trusted = [
    { issuer: idpIssuer, audience: 'lakegate', 'jwks-uri': `http://127.0.0.1:${port}/jwks`, 'subject-claim': 'preferred_username', tenant: 'acme' },
  ];

  // Refresh tokens with client_credentials: the refresh_token grant keeps the tenant too.
  cat = await startInProcess(
    {
      LAKEGATE_TRUSTED_ISSUERS: JSON.stringify(trusted),
      LAKEGATE_SECRET_KEY: secretKey.toString('base64'),
      LAKEGATE_CLIENT_CREDENTIALS_REFRESH_TOKENS: 'true',
    },
    { auth: true, clock },
  );
  const admin = cat.admin();
  adminToken = await tokenOf({ clientId: admin.client_id, clientSecret: admin.client_secret });

  // The platform admin sets up tenant "acme": its admin and a warehouse on the local filesystem.
  acmeAdmin = await createPrincipal(adminToken, { name: 'acme-admin', tenant: 'acme', roles: ['admin'] });
  acmeAdminToken = await tokenOf(acmeAdmin);
  const wh = await inject('POST', '/management/v1/warehouses', adminToken, {
    name: 'acme-wh',
    tenant: 'acme',
    'storage-root': `file://${cat.dataDir}/acme-warehouse`,
    'storage-profile': { type: 'file' },
  });
  expect(wh.statusCode, wh.body).toBe(201);
  expect(wh.json().tenant).toBe('acme');
  // Acme's own admin creates its job principal, without naming a tenant.
  acmeEtl = await createPrincipal(acmeAdminToken, { name: 'acme-etl' });
  acmeToken = await tokenOf(acmeEtl);
  // ...and grants it what a data engineer needs in acme's warehouse (a tenant's admin manages its own grants).
  await grantPrincipal(bearerSender(cat.lakegate.app, acmeAdminToken), acmeEtl.clientId, READ_WRITE_ALL, { type: 'warehouse', warehouse: 'acme-wh' });

  // The default tenant's data: a namespace and a table in the default warehouse.
  expect((await inject('POST', '/v1/default/namespaces', adminToken, { namespace: ['sales'] })).statusCode).toBe(200);
  const created = await inject('POST', '/v1/default/namespaces/sales/tables', adminToken, { name: 'orders', schema: simpleSchema });
  expect(created.statusCode, created.body).toBe(200);
  tableMetadata = created.json().metadata;
  tableMetadataLocation = created.json()['metadata-location'];
});

afterAll(async () => {
  await cat?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

describe('a token of another tenant', () => {
  it('carries the tenant of its principal', () => {
    expect(claimsOf(acmeToken).tenant).toBe('acme');
    expect(claimsOf(adminToken).tenant).toBe('default');
  });

  it('is refused exactly like a missing warehouse on config, list, load, commit, loadCredentials and metrics', async () => {
    const cases: Array<{ method: string; path: (w: string) => string; payload?: unknown }> = [
      { method: 'GET', path: (w) => `/v1/config?warehouse=${w}` },
      { method: 'GET', path: (w) => `/v1/${w}/namespaces` },
      { method: 'GET', path: (w) => `/v1/${w}/namespaces/sales` },
      { method: 'GET', path: (w) => `/v1/${w}/namespaces/sales/tables` },
      { method: 'GET', path: (w) => `/v1/${w}/namespaces/sales/tables/orders` },
      { method: 'HEAD', path: (w) => `/v1/${w}/namespaces/sales/tables/orders` },
      {
        method: 'POST',
        path: (w) => `/v1/${w}/namespaces/sales/tables/orders`,
        payload: (({ snapshotId: _id, ...change }) => change)(appendUpdates(tableMetadata)),
      },
      { method: 'DELETE', path: (w) => `/v1/${w}/namespaces/sales/tables/orders` },
      { method: 'GET', path: (w) => `/v1/${w}/namespaces/sales/tables/orders/credentials` },
      { method: 'POST', path: (w) => `/v1/${w}/namespaces/sales/tables/orders/metrics`, payload: { 'report-type': 'scan-report' } },
      { method: 'POST', path: (w) => `/v1/${w}/namespaces`, payload: { namespace: ['stolen'] } },
    ];
    for (const c of cases) {
      const res = await inject(c.method, c.path('default'), acmeToken, c.payload);
      const expected = await missingLike(c.method, c.path, acmeToken, 'default', c.payload);
      expect(res.statusCode, `${c.method} ${c.path('default')}`).toBe(404);
      expect({ status: res.statusCode, body: res.body }, `${c.method} ${c.path('default')}`).toEqual(expected);
      if (c.method !== 'HEAD') expect(res.json().error.type).toBe('NoSuchWarehouseException');
    }
    // Without ?warehouse the default warehouse is meant, and it is not acme's either.
    expect((await inject('GET', '/v1/config', acmeToken)).statusCode).toBe(404);
    // Nothing happened to the default tenant's table.
    const table = await inject('GET', '/v1/default/namespaces/sales/tables/orders', adminToken);
    expect(table.statusCode).toBe(200);
    expect(table.json()['metadata-location']).toBe(tableMetadataLocation);
    expect((await inject('GET', '/v1/default/namespaces/stolen', adminToken)).statusCode).toBe(404);
  });

  it('is refused with a genuine storage refresh token of the other tenant, before the token is even looked at', async () => {
    const tokens = new StorageRefreshTokens(new Keyring('storage-refresh', cat.lakegate.store, new SecretBox(secretKey), clock), 3600, () => now);
    const genuine = await tokens.issue({
      principal: `service:${acmeEtl.clientId}`,
      tenant: 'default',
      warehouse: 'default',
      namespace: ['sales'],
      table: 'orders',
      prefix: tableMetadata.location,
      mode: 'read',
    });
    const path = (w: string) => `/v1/${w}/namespaces/sales/tables/orders/credentials?storageRefreshToken=${encodeURIComponent(genuine)}`;
    const res = await inject('GET', path('default'), acmeToken);
    expect({ status: res.statusCode, body: res.body }).toEqual(await missingLike('GET', path, acmeToken, 'default'));
    // A garbage token gets the same answer: the warehouse check comes first and says nothing about the token.
    expect((await inject('GET', '/v1/default/namespaces/sales/tables/orders/credentials?storageRefreshToken=garbage', acmeToken)).body).toBe(res.body);
    expect(cat.logs()).not.toContain(genuine);
  });

  it('is audited as a denied warehouse access', async () => {
    const denied = (await auditEvents()).filter((e) => e.type === 'warehouse.access.denied' && e.actor === `service:${acmeEtl.clientId}`);
    expect(denied.length).toBeGreaterThan(5);
    expect(denied[0]!.detail).toMatchObject({ warehouse: 'default', warehouseTenant: 'default', callerTenant: 'acme' });
  });

  it("works in its own tenant's warehouse, which the default tenant cannot reach", async () => {
    const config = await inject('GET', '/v1/config?warehouse=acme-wh', acmeToken);
    expect(config.statusCode).toBe(200);
    expect(config.json().overrides.prefix).toBe('acme-wh');
    expect((await inject('POST', '/v1/acme-wh/namespaces', acmeToken, { namespace: ['raw'] })).statusCode).toBe(200);
    expect((await inject('POST', '/v1/acme-wh/namespaces/raw/tables', acmeToken, { name: 'events', schema: simpleSchema })).statusCode).toBe(200);
    // The platform admin manages tenants; it does not read their catalogs.
    const res = await inject('GET', '/v1/acme-wh/namespaces', adminToken);
    expect({ status: res.statusCode, body: res.body }).toEqual(await missingLike('GET', (w) => `/v1/${w}/namespaces`, adminToken, 'acme-wh'));
  });

  it('is refused the same way with an API key or a SigV4 access key of a principal of another tenant', async () => {
    const apiKey = (await inject('POST', `/management/v1/principals/${acmeEtl.clientId}/api-keys`, acmeAdminToken, { name: 'ci' })).json()['api-key'] as string;
    const withKey = (url: string) => inject('GET', url, undefined, undefined, { 'x-api-key': apiKey });
    expect((await withKey('/v1/acme-wh/namespaces')).statusCode).toBe(200);
    const res = await withKey('/v1/default/namespaces');
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe((await withKey('/v1/no-such-warehouse/namespaces')).body.replaceAll('no-such-warehouse', 'default'));

    const { signRequest } = await import('@lakegate/sigv4');
    const key = (await inject('POST', `/management/v1/principals/${acmeEtl.clientId}/access-keys`, acmeAdminToken)).json();
    const signed = async (url: string) => {
      const s = await signRequest(
        { method: 'GET', url, headers: { host: 'localhost:80' } },
        {
          service: 'execute-api',
          region: 'us-east-1',
          credentials: { accessKeyId: key['access-key-id'], secretAccessKey: key['secret-access-key'] },
          signingDate: new Date(now),
        },
      );
      return cat.lakegate.app.inject({ method: 'GET', url: s.url, headers: s.headers });
    };
    expect((await signed('/v1/acme-wh/namespaces')).statusCode).toBe(200);
    expect((await signed('/v1/default/namespaces')).json().error.type).toBe('NoSuchWarehouseException');
  });

  it("cannot replay another tenant's outcome through a reused Idempotency-Key", async () => {
    const key = '0b7c9f1e-3a52-4c1e-9f7a-2d6b8e4c1a90';
    const first = await inject(
      'POST',
      '/v1/default/namespaces',
      adminToken,
      { namespace: ['idem'], properties: { owner: 'default-tenant' } },
      { 'idempotency-key': key },
    );
    expect(first.statusCode).toBe(200);
    const replay = await inject('POST', '/v1/default/namespaces', acmeToken, { namespace: ['idem'] }, { 'idempotency-key': key });
    expect(replay.statusCode).not.toBe(200);
    expect(replay.headers['idempotent-replayed']).toBeUndefined();
    expect(replay.body).not.toContain('default-tenant');
  });
});

describe('token exchange across tenants', () => {
  const exchange = (subject: string, actor: string, subjectType = 'urn:ietf:params:oauth:token-type:jwt') =>
    form(
      { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: subjectType, actor_token: actor, actor_token_type: ACCESS },
      { authorization: `Bearer ${actor}` },
    );

  it('is refused (invalid_request, RFC 8693 §2.2.2) even when the delegation policy would allow it, and audited', async () => {
    const engine = await createPrincipal(adminToken, { name: 'default-engine', delegation: { users: ['*'] } });
    const res = await exchange(acmeToken, await tokenOf(engine));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
    const denied = (await auditEvents()).find((e) => e.type === 'token.exchange.tenant-denied' && e.actor === `service:${engine.clientId}`);
    expect(denied?.detail).toMatchObject({ subject: acmeEtl.clientId, subjectTenant: 'acme', actorTenant: 'default' });
  });

  it('is granted within one tenant, and the delegated token stays in that tenant', async () => {
    const engine = await createPrincipal(acmeAdminToken, { name: 'acme-engine', delegation: { users: [acmeEtl.clientId] } });
    const res = await exchange(acmeToken, await tokenOf(engine));
    expect(res.statusCode, res.body).toBe(200);
    const delegated = res.json().access_token as string;
    expect(claimsOf(delegated)).toMatchObject({ sub: acmeEtl.clientId, tenant: 'acme', act: { sub: engine.clientId } });
    expect((await inject('GET', '/v1/acme-wh/namespaces', delegated)).statusCode).toBe(200);
    expect((await inject('GET', '/v1/default/namespaces', delegated)).statusCode).toBe(404);
  });

  it('keeps the tenant through a refresh by self-exchange', async () => {
    const res = await form({ grant_type: TOKEN_EXCHANGE, subject_token: acmeToken, subject_token_type: ACCESS }, { authorization: `Bearer ${acmeToken}` });
    expect(res.statusCode).toBe(200);
    expect(claimsOf(res.json().access_token).tenant).toBe('acme');
  });

  it('keeps the tenant through the refresh_token grant', async () => {
    const credentials = { client_id: acmeEtl.clientId, client_secret: acmeEtl.clientSecret };
    const first = (await form({ grant_type: 'client_credentials', ...credentials })).json();
    const refreshed = await form({ grant_type: 'refresh_token', refresh_token: first.refresh_token, ...credentials });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(claimsOf(refreshed.json().access_token).tenant).toBe('acme');
  });
});

describe('an external issuer mapped to a tenant', () => {
  const idpToken = (user: string) =>
    new SignJWT({ preferred_username: user, groups: ['/analysts'] })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1', typ: 'JWT' })
      .setIssuer(idpIssuer)
      .setAudience('lakegate')
      .setSubject(`id-${user}`)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + 300)
      .sign(idpKey);

  it("puts all of the IdP's users in its tenant", async () => {
    const alice = await idpToken('alice');
    expect((await inject('GET', '/v1/config?warehouse=acme-wh', alice)).statusCode).toBe(200);
    const res = await inject('GET', '/v1/default/namespaces', alice);
    expect({ status: res.statusCode, body: res.body }).toEqual(await missingLike('GET', (w) => `/v1/${w}/namespaces`, alice, 'default'));
  });

  it("lets only an engine of the IdP's tenant act for its users", async () => {
    const alice = await idpToken('alice');
    // The default tenant's engine cannot even name the IdP: it does not serve that tenant.
    const refusedPolicy = await inject('POST', '/management/v1/principals', adminToken, {
      name: 'default-trino',
      delegation: { groups: [{ issuer: idpIssuer, name: 'analysts' }] },
    });
    expect(refusedPolicy.statusCode).toBe(400);
    const defaultEngine = await createPrincipal(adminToken, { name: 'default-trino', delegation: { users: ['*'] } });
    const defaultToken = await tokenOf(defaultEngine);
    expect(
      (
        await form(
          {
            grant_type: TOKEN_EXCHANGE,
            subject_token: alice,
            subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
            actor_token: defaultToken,
            actor_token_type: ACCESS,
          },
          { authorization: `Bearer ${defaultToken}` },
        )
      ).json().error,
    ).toBe('invalid_request');
    const acmeEngine = await createPrincipal(acmeAdminToken, { name: 'acme-trino', delegation: { groups: [{ issuer: idpIssuer, name: 'analysts' }] } });
    const acmeEngineToken = await tokenOf(acmeEngine);
    const ok = await form(
      {
        grant_type: TOKEN_EXCHANGE,
        subject_token: alice,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        actor_token: acmeEngineToken,
        actor_token_type: ACCESS,
      },
      { authorization: `Bearer ${acmeEngineToken}` },
    );
    expect(ok.statusCode, ok.body).toBe(200);
    expect(claimsOf(ok.json().access_token)).toMatchObject({ sub: 'alice', tenant: 'acme' });
  });

  it('refuses a trusted-issuer configuration with an invalid tenant at start', async () => {
    const bad = JSON.stringify([{ issuer: 'http://127.0.0.1:1/realms/x', audience: 'lakegate', tenant: '../etc' }]);
    await expect(startInProcess({ LAKEGATE_TRUSTED_ISSUERS: bad }, { auth: true })).rejects.toThrow(/tenant/);
  });
});

describe('management API by tenant', () => {
  it("shows a tenant's admin only its own tenant's warehouses and principals; the platform admin sees all", async () => {
    const warehouses = (await inject('GET', '/management/v1/warehouses', acmeAdminToken)).json().warehouses as Array<{ name: string; tenant: string }>;
    expect(warehouses.map((w) => w.name)).toEqual(['acme-wh']);
    const principals = (await inject('GET', '/management/v1/principals', acmeAdminToken)).json().principals as Array<{ 'client-id': string; tenant: string }>;
    expect(principals.length).toBeGreaterThanOrEqual(2);
    expect(principals.every((p) => p.tenant === 'acme')).toBe(true);
    expect(JSON.stringify(principals)).not.toMatch(/scrypt|secret/i);
    const all = (await inject('GET', '/management/v1/warehouses', adminToken)).json().warehouses as Array<{ name: string; tenant: string }>;
    expect(all.map((w) => [w.name, w.tenant])).toEqual(
      expect.arrayContaining([
        ['acme-wh', 'acme'],
        ['default', 'default'],
      ]),
    );
    expect(
      ((await inject('GET', '/management/v1/principals', adminToken)).json().principals as Array<{ tenant: string }>).some((p) => p.tenant === 'default'),
    ).toBe(true);
  });

  it("does not let a tenant's admin create anything in another tenant", async () => {
    const principal = await inject('POST', '/management/v1/principals', acmeAdminToken, { name: 'sneaky', tenant: 'default', roles: ['admin'] });
    expect(principal.statusCode).toBe(403);
    const s3 = { type: 's3', bucket: 'acme-bucket', region: 'us-east-1' };
    const wh = await inject('POST', '/management/v1/warehouses', acmeAdminToken, {
      name: 'sneaky-wh',
      tenant: 'default',
      'storage-root': 's3://acme-bucket/x',
      'storage-profile': s3,
    });
    expect(wh.statusCode).toBe(403);
    // Its own tenant's, in storage the platform granted it, with its own secret: allowed (and the tenant defaults to its own).
    expect((await inject('PUT', '/management/v1/tenants/acme/storage-grant', adminToken, { roots: ['s3://acme-bucket'] })).statusCode).toBe(200);
    // Its own tenant's, with cloud storage and its own secret: allowed (and the tenant defaults to its own).
    // Without the secret the profile would run on the server's credentials: see storage-authority.test.ts.
    const own = await inject('POST', '/management/v1/warehouses', acmeAdminToken, {
      name: 'acme-s3',
      'storage-root': 's3://acme-bucket/lake',
      'storage-profile': s3,
      'storage-secret': { 'access-key-id': 'k', 'secret-access-key': 's' },
    });
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json().tenant).toBe('acme');
    // The server's filesystem belongs to the platform.
    const local = await inject('POST', '/management/v1/warehouses', acmeAdminToken, {
      name: 'acme-local',
      'storage-root': `file://${cat.dataDir}/acme-local`,
      'storage-profile': { type: 'file' },
    });
    expect(local.statusCode).toBe(403);
    // Tenants never share storage, not even by the platform admin's hand.
    const overlap = await inject('POST', '/management/v1/warehouses', adminToken, {
      name: 'globex-s3',
      tenant: 'globex',
      'storage-root': 's3://acme-bucket/lake/inner',
      'storage-profile': s3,
    });
    expect(overlap.statusCode).toBe(400);
    expect(
      (
        await inject('POST', '/management/v1/warehouses', adminToken, {
          name: 'bad-tenant',
          tenant: '../x',
          'storage-root': 's3://globex/lake',
          'storage-profile': { ...s3, bucket: 'globex' },
        })
      ).statusCode,
    ).toBe(400);
    expect((await inject('POST', '/management/v1/principals', adminToken, { name: 'bad', tenant: '' })).statusCode).toBe(400);
  });

  it('answers a principal of another tenant like a missing one, and audits the attempt', async () => {
    const victim = await createPrincipal(adminToken, { name: 'default-victim' });
    const attempts = [
      () => inject('POST', `/management/v1/principals/${victim.clientId}/rotate-secret`, acmeAdminToken),
      () => inject('PUT', `/management/v1/principals/${victim.clientId}/delegation`, acmeAdminToken, { users: ['*'] }),
      () => inject('POST', `/management/v1/principals/${victim.clientId}/access-keys`, acmeAdminToken),
      () => inject('POST', `/management/v1/principals/${victim.clientId}/api-keys`, acmeAdminToken, { name: 'x' }),
    ];
    const missing = await inject('POST', '/management/v1/principals/no-such-principal/rotate-secret', acmeAdminToken);
    for (const attempt of attempts) {
      const res = await attempt();
      expect(res.statusCode).toBe(missing.statusCode);
      expect(res.body).toBe(missing.body);
    }
    // The victim's secret still works: nothing was rotated.
    expect(claimsOf(await tokenOf(victim)).tenant).toBe('default');
    expect(
      (await auditEvents()).some(
        (e) => e.type === 'principal.access.denied' && e.actor === `service:${acmeAdmin.clientId}` && e.detail.clientId === victim.clientId,
      ),
    ).toBe(true);

    // API keys of another tenant's principal cannot be revoked either.
    const key = (await inject('POST', `/management/v1/principals/${victim.clientId}/api-keys`, adminToken, { name: 'k' })).json();
    const revoke = await inject('DELETE', `/management/v1/api-keys/${key['key-id']}`, acmeAdminToken);
    expect(revoke.body).toBe((await inject('DELETE', '/management/v1/api-keys/nokeyatall00', acmeAdminToken)).body);
    expect((await inject('GET', '/v1/default/namespaces', undefined, undefined, { 'x-api-key': key['api-key'] })).statusCode).toBe(200);
  });

  it("keeps other tenants' metrics reports and the audit trail from a tenant's admin", async () => {
    const reports = (w: string) => `/management/v1/warehouses/${w}/namespaces/sales/tables/orders/metrics-reports`;
    const res = await inject('GET', reports('default'), acmeAdminToken);
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe((await inject('GET', reports('no-such-warehouse'), acmeAdminToken)).body.replaceAll('no-such-warehouse', 'default'));
    expect((await inject('GET', reports('default'), adminToken)).statusCode).toBe(200);
    // The audit trail is partitioned by tenant: acme's admin reads acme's events and no others.
    const own = await inject('GET', '/management/v1/audit?limit=1000', acmeAdminToken);
    expect(own.statusCode).toBe(200);
    const events = own.json().events as Array<{ tenant: string; type: string }>;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.tenant === 'acme')).toBe(true);
    expect(events.some((e) => e.type === 'principal.created')).toBe(true);
    expect((await inject('GET', '/management/v1/audit?tenant=default', acmeAdminToken)).statusCode).toBe(403);
    // The platform admin reads every tenant's.
    const all = (await inject('GET', '/management/v1/audit?limit=1000', adminToken)).json().events as Array<{ tenant: string }>;
    expect(new Set(all.map((e) => e.tenant))).toEqual(new Set(['default', 'acme']));
  });
});

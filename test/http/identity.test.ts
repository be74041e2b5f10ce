/**
 * The built-in OAuth2 issuer and the authentication of catalog requests,
 * including the attacks a token verifier must refuse.
 */
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tampered } from '../support/tamper.js';

let now = Date.now();
const clock = { now: () => now };
let cat: TestCatalog;
let admin: { client_id: string; client_secret: string };
const ISSUER = 'http://127.0.0.1:8181';

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true, clock });
  admin = cat.admin();
});
afterAll(async () => cat.close());

const form = (params: Record<string, string>, headers: Record<string, string> = {}) =>
  cat.lakegate.app.inject({
    method: 'POST',
    url: '/v1/oauth/tokens',
    payload: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });

const clientCredentials = async (id = admin.client_id, secret = admin.client_secret) =>
  (await form({ grant_type: 'client_credentials', client_id: id, client_secret: secret, scope: 'catalog' })).json() as {
    access_token: string;
    refresh_token?: string;
    expires_in: number;
  };

const get = (url: string, token?: string) => cat.lakegate.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('token endpoint', () => {
  it('issues ES256 access tokens for client credentials (post and basic), without a refresh token (RFC 6749 §4.4.3)', async () => {
    const t = await clientCredentials();
    expect(t.expires_in).toBe(3600);
    expect(t.refresh_token).toBeUndefined();
    const header = JSON.parse(Buffer.from(t.access_token.split('.')[0]!, 'base64url').toString());
    expect(header).toMatchObject({ alg: 'ES256', typ: 'at+jwt' });
    const basic = await form(
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${Buffer.from(`${admin.client_id}:${admin.client_secret}`).toString('base64')}` },
    );
    expect(basic.statusCode).toBe(200);
    expect(basic.headers['cache-control']).toBe('no-store');
    expect((await get('/v1/config', t.access_token)).statusCode).toBe(200);
  });

  it('refuses a token carrying the signature of a token it has already accepted, with other claims or header', async () => {
    // Verified tokens are remembered by their signature segment: a hit must still be the very same token.
    const t = await clientCredentials();
    expect((await get('/v1/config', t.access_token)).statusCode).toBe(200);
    const [header, payload, signature] = t.access_token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = [
      `${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`,
      `${header}.${b64({ ...claims, exp: (claims.exp as number) + 86_400 })}.${signature}`,
      `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'other' })}.${payload}.${signature}`,
      `${header}.${payload}.${signature}.`,
      `${header}.${payload}x.${signature}`,
    ];
    for (const token of forged) expect((await get('/v1/config', token)).statusCode, token.slice(-20)).toBe(401);
    // The real one is still accepted from the cache afterwards.
    expect((await get('/v1/config', t.access_token)).statusCode).toBe(200);
  });

  it('answers RFC 6749 errors', async () => {
    const bad = await form({ grant_type: 'client_credentials', client_id: admin.client_id, client_secret: 'wrong' });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ error: 'invalid_client' });
    expect(bad.headers['www-authenticate']).toMatch(/^Basic/);
    expect((await form({ grant_type: 'password', username: 'a', password: 'b' })).json().error).toBe('unsupported_grant_type');
    expect((await form({})).json().error).toBe('invalid_request');
    const json = await cat.lakegate.app.inject({ method: 'POST', url: '/v1/oauth/tokens', payload: { grant_type: 'client_credentials' } });
    expect(json.json().error).toBe('invalid_request');
  });

  it('never stores issued tokens or new secrets for an Idempotency-Key replay', async () => {
    // Idempotency covers the catalog routes only: a stored replay of these answers would keep secrets in plain text.
    const key = '4f6b3c1e-0b2a-4c55-9d4e-6a7b8c9d0e1f';
    const params = { grant_type: 'client_credentials', client_id: admin.client_id, client_secret: admin.client_secret };
    const first = await form(params, { 'idempotency-key': key });
    const second = await form(params, { 'idempotency-key': key });
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    const token = first.json().access_token as string;
    const created = await cat.lakegate.app.inject({
      method: 'POST',
      url: '/management/v1/principals',
      payload: { name: 'idem-principal' },
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': key },
    });
    expect(created.statusCode).toBe(201);
    expect(created.headers['idempotent-replayed']).toBeUndefined();
    const secrets = [first.json().access_token, second.json().access_token, created.json()['client-secret']].filter(Boolean);
    expect(secrets.length).toBe(3);
    const stored = await cat.lakegate.store.repository.getIdempotency(key, 0);
    expect(stored).toBeUndefined();
  });

  it('publishes RFC 8414 metadata and the JWKS', async () => {
    const meta = (await get('/.well-known/oauth-authorization-server')).json();
    expect(meta.issuer).toBe(ISSUER);
    expect(meta.grant_types_supported).toEqual(
      expect.arrayContaining(['client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange']),
    );
    const jwks = (await get('/.well-known/jwks.json')).json();
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwks.keys[0].d).toBeUndefined();
  });

  it('refreshes by self-exchange as Iceberg Java clients do', async () => {
    const t = await clientCredentials();
    const ex = await form(
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: t.access_token,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        scope: 'catalog',
      },
      { authorization: `Bearer ${t.access_token}` },
    );
    expect(ex.statusCode).toBe(200);
    expect(ex.json().issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
  });

  it('rate-limits brute force on the token endpoint with 429', async () => {
    const target = (await cat.lakegate.principals.create('victim')).clientId;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await form({ grant_type: 'client_credentials', client_id: target, client_secret: `guess-${i}` })).statusCode);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    const limited = await form({ grant_type: 'client_credentials', client_id: target, client_secret: 'guess' });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('delegation (RFC 8693 with act)', () => {
  let engine: { clientId: string; clientSecret: string };
  let engineToken: string;
  // As Iceberg Java and the SDK send it: the engine's token as actor_token and as the Bearer that authenticates the client.
  const exchange = (subject: string, actor: string) =>
    form(
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: subject,
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        actor_token: actor,
        actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      },
      { authorization: `Bearer ${actor}` },
    );
  const unsigned = (sub: string) => `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, iat: Math.floor(now / 1000) })}.`;

  beforeAll(async () => {
    engine = await cat.lakegate.principals.create('trino-engine');
    engineToken = (await clientCredentials(engine.clientId, engine.clientSecret)).access_token;
  });

  it('acts for a service principal it is allowed to, with sub = subject and act = engine', async () => {
    const etl = await cat.lakegate.principals.create('etl-job');
    const etlToken = (await clientCredentials(etl.clientId, etl.clientSecret)).access_token;
    // An engine without any delegation policy is not authorized for delegation at all.
    expect((await exchange(etlToken, engineToken)).json().error).toBe('unauthorized_client');
    await cat.lakegate.principals.setDelegation(engine.clientId, { users: [etl.clientId], groups: [], assertIdentity: false });
    const res = await exchange(etlToken, engineToken);
    expect(res.statusCode).toBe(200);
    const claims = JSON.parse(Buffer.from(res.json().access_token.split('.')[1], 'base64url').toString());
    expect(claims.sub).toBe(etl.clientId);
    expect(claims.act).toEqual({ sub: engine.clientId });
    const audit = (await get('/management/v1/audit', (await clientCredentials()).access_token)).json().events;
    expect(
      audit.some((e: { type: string; actor: string }) => e.type === 'token.delegated' && e.actor === `user:${etl.clientId} via service:${engine.clientId}`),
    ).toBe(true);
  });

  it("accepts Trino's unsigned subject JWT only from an actor trusted to assert identities", async () => {
    await cat.lakegate.principals.setDelegation(engine.clientId, { users: ['alice'], groups: [], assertIdentity: false });
    expect((await exchange(unsigned('alice'), engineToken)).json()).toMatchObject({ error: 'invalid_request' });
    // The refusal is audited, like every other refused delegation.
    const refused = (await get('/management/v1/audit', (await clientCredentials()).access_token)).json().events;
    const denials = refused.filter((e: { type: string; actor: string }) => e.type === 'token.delegation.denied' && e.actor === `service:${engine.clientId}`);
    expect(denials.map((e: { detail: unknown }) => e.detail)).toContainEqual(expect.objectContaining({ subject: 'alice', how: 'asserted' }));
    await cat.lakegate.principals.setDelegation(engine.clientId, { users: ['alice'], groups: [], assertIdentity: true });
    const ok = await exchange(unsigned('alice'), engineToken);
    expect(ok.statusCode).toBe(200);
    expect((await get('/v1/config', ok.json().access_token)).statusCode).toBe(200);
    expect((await exchange(unsigned('mallory'), engineToken)).json().error).toBe('invalid_request');
  });

  it('refreshes a delegated token by self-exchange (as Iceberg Java does) only while the delegation stands', async () => {
    const spark = await cat.lakegate.principals.create('spark-refresh');
    const job = await cat.lakegate.principals.create('refresh-job');
    await cat.lakegate.principals.setDelegation(spark.clientId, { users: [job.clientId], groups: [], assertIdentity: false });
    const sparkToken = (await clientCredentials(spark.clientId, spark.clientSecret)).access_token;
    const delegated = (await exchange((await clientCredentials(job.clientId, job.clientSecret)).access_token, sparkToken)).json().access_token as string;
    // Iceberg Java's refresh: the token itself as subject, no actor, the token as bearer.
    const refresh = () =>
      form(
        {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: delegated,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          scope: 'catalog',
        },
        { authorization: `Bearer ${delegated}` },
      );
    const ok = await refresh();
    expect(ok.statusCode).toBe(200);
    const claims = JSON.parse(Buffer.from(ok.json().access_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: job.clientId, act: { sub: spark.clientId }, client_id: spark.clientId });

    await cat.lakegate.principals.setDelegation(spark.clientId, { users: [], groups: [], assertIdentity: false });
    const revoked = await refresh();
    expect(revoked.statusCode).toBe(400);
    // RFC 8693 §2.2.2: a subject token unacceptable by policy is invalid_request.
    expect(revoked.json().error).toBe('invalid_request');
    const audit = (await get('/management/v1/audit', (await clientCredentials()).access_token)).json().events;
    expect(
      audit.some(
        (e: { type: string; actor: string; detail: { how?: string } }) =>
          e.type === 'token.delegation.denied' && e.actor === `service:${spark.clientId}` && e.detail.how === 'refresh',
      ),
    ).toBe(true);
  });

  it('names the caller, with its act chain, on the request log line of each authenticated request (a represented service principal stays a service)', async () => {
    const etl = await cat.lakegate.principals.create('logged-job');
    await cat.lakegate.principals.setDelegation(engine.clientId, { users: [etl.clientId], groups: [], assertIdentity: false });
    const delegated = (await exchange((await clientCredentials(etl.clientId, etl.clientSecret)).access_token, engineToken)).json().access_token as string;
    expect((await get('/v1/config', delegated)).statusCode).toBe(200);
    expect((await get('/v1/config', engineToken)).statusCode).toBe(200);
    const completed = cat
      .logs()
      .split('\n')
      .filter((l) => l.includes('"request completed"'))
      .map((l) => JSON.parse(l) as { actor?: string });
    expect(completed.at(-2)?.actor).toBe(`service:${etl.clientId} via ${engine.clientId}`);
    expect(completed.at(-1)?.actor).toBe(`service:${engine.clientId}`);
  });
});

describe('authentication of catalog requests', () => {
  it('refuses a request without credentials with 401 and WWW-Authenticate', async () => {
    const res = await get('/v1/default/namespaces');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="lakegate"/);
    expect(res.json().error.type).toBe('NotAuthorizedException');
    expect((await get('/healthz')).statusCode).toBe(200);
  });

  it('refuses forged, tampered, expired and foreign tokens', async () => {
    const good = (await clientCredentials()).access_token;
    const [h, p, s] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const jwk = (await get('/.well-known/jwks.json')).json().keys[0];

    const attacks: Record<string, string> = {
      'alg none': `${b64({ ...header, alg: 'none' })}.${p}.`,
      // Algorithm confusion: HS256 keyed with the public key's bytes.
      'HS256 with the public key': (() => {
        const hh = b64({ ...header, alg: 'HS256' });
        return `${hh}.${p}.${createHmac('sha256', JSON.stringify(jwk)).update(`${hh}.${p}`).digest('base64url')}`;
      })(),
      'unknown kid': `${b64({ ...header, kid: 'nope' })}.${p}.${s}`,
      'tampered payload': `${h}.${b64({ ...payload, roles: ['admin', 'root'] })}.${s}`,
      'tampered signature': `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`,
      oversized: `${h}.${b64({ ...payload, pad: 'x'.repeat(9000) })}.${s}`,
      garbage: 'not.a.token',
    };
    for (const [name, token] of Object.entries(attacks)) {
      const res = await get('/v1/default/namespaces', token);
      expect(res.statusCode, name).toBe(401);
      expect(res.body, name).not.toContain(token);
    }

    // Signed by a key of another issuer, with our kid.
    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: header.kid, typ: 'at+jwt' }).sign(privateKey);
    expect((await get('/v1/default/namespaces', foreign)).statusCode).toBe(401);

    // Expired, and not yet valid.
    now += 3700_000;
    expect((await get('/v1/default/namespaces', good)).json().error.message).toMatch(/expired/);
    now -= 2 * 3700_000;
    expect((await get('/v1/default/namespaces', good)).statusCode).toBe(401);
    now += 3700_000;
    expect((await get('/v1/default/namespaces', good)).statusCode).toBe(200);
    void exportJWK;
    void generateKeyPairSync;
  });

  it('refuses a token for another audience or issuer', async () => {
    const good = (await clientCredentials()).access_token;
    const [, p] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    // Re-signing needs our private key, which only the server has: craft with a stranger key and check both claims separately.
    const { privateKey } = await generateKeyPair('ES256');
    for (const claims of [
      { ...payload, aud: 'someone-else' },
      { ...payload, iss: 'https://evil.example' },
    ]) {
      const t = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'x', typ: 'at+jwt' }).sign(privateKey);
      expect((await get('/v1/default/namespaces', t)).statusCode).toBe(401);
    }
  });

  it('keeps the management API for administrators', async () => {
    const plain = await cat.lakegate.principals.create('reader');
    const token = (await clientCredentials(plain.clientId, plain.clientSecret)).access_token;
    expect((await get('/management/v1/warehouses', token)).statusCode).toBe(403);
    expect((await get('/management/v1/warehouses', (await clientCredentials()).access_token)).statusCode).toBe(200);
  });

  it('never logs secrets or tokens', async () => {
    const t = await clientCredentials();
    await get('/v1/default/namespaces', t.access_token);
    const logs = cat.logs();
    expect(logs.length).toBeGreaterThan(100);
    for (const secret of [admin.client_secret, t.access_token]) expect(logs).not.toContain(secret);
  });
});

describe('request signing (SigV4) and API keys', () => {
  it('authenticates SigV4-signed requests with a principal access key and refuses altered ones', async () => {
    const { signRequest, presignRequest } = await import('@lakegate/sigv4');
    const adminToken = (await clientCredentials()).access_token;
    const etl = await cat.lakegate.principals.create('signer');
    // What the signed requests below do is granted (deny by default); this test is about who is asking.
    await grantPrincipal(bearerSender(cat.lakegate.app, adminToken), etl.clientId, ['namespace:list', 'namespace:create'], {
      type: 'warehouse',
      warehouse: 'default',
    });
    const key = (
      await cat.lakegate.app.inject({
        method: 'POST',
        url: `/management/v1/principals/${etl.clientId}/access-keys`,
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).json();
    const credentials = { accessKeyId: key['access-key-id'], secretAccessKey: key['secret-access-key'] };
    const sign = (
      req: { method: string; url: string; body?: string; headers?: Record<string, string> },
      over: { region?: string; service?: string; at?: number } = {},
    ) =>
      signRequest(
        {
          method: req.method,
          url: req.url,
          headers: { host: 'localhost:80', ...(req.body ? { 'content-type': 'application/json' } : {}), ...req.headers },
          body: req.body,
        },
        { service: over.service ?? 'execute-api', region: over.region ?? 'us-east-1', credentials, signingDate: new Date(over.at ?? now) },
      );
    const send = (s: { method: string; url: string; headers: Record<string, string>; body?: Uint8Array | string }, body = s.body) =>
      cat.lakegate.app.inject({ method: s.method as 'GET', url: s.url, headers: s.headers, payload: body as string });

    expect((await send(await sign({ method: 'GET', url: '/v1/default/namespaces?pageSize=5' }))).statusCode).toBe(200);
    const body = JSON.stringify({ namespace: ['signed_ns'] });
    expect((await send(await sign({ method: 'POST', url: '/v1/default/namespaces', body }))).statusCode).toBe(200);
    // Body changed after signing: the payload hash no longer matches.
    expect((await send(await sign({ method: 'POST', url: '/v1/default/namespaces', body }), JSON.stringify({ namespace: ['other_ns'] }))).statusCode).toBe(401);
    for (const over of [{ region: 'eu-west-1' }, { service: 's3' }, { at: now - 16 * 60_000 }]) {
      const res = await send(await sign({ method: 'GET', url: '/v1/default/namespaces' }, over));
      expect(res.statusCode, JSON.stringify(over)).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^AWS4-HMAC-SHA256/);
    }
    const unknown = await signRequest(
      { method: 'GET', url: '/v1/default/namespaces', headers: { host: 'localhost:80' } },
      { service: 'execute-api', region: 'us-east-1', credentials: { accessKeyId: 'LGAKNOPE', secretAccessKey: 'x' }, signingDate: new Date(now) },
    );
    expect((await send(unknown)).statusCode).toBe(401);
    const presigned = await presignRequest(
      { method: 'GET', url: '/v1/default/namespaces', headers: { host: 'localhost:80' } },
      { service: 'execute-api', region: 'us-east-1', credentials, signingDate: new Date(now), expiresIn: 300 },
    );
    expect((await send(presigned)).statusCode).toBe(200);
    expect(cat.logs()).not.toContain(credentials.secretAccessKey);
  });

  it('authenticates x-api-key until the key expires or is revoked', async () => {
    const adminToken = (await clientCredentials()).access_token;
    const svc = await cat.lakegate.principals.create('lance-reader');
    const created = (
      await cat.lakegate.app.inject({
        method: 'POST',
        url: `/management/v1/principals/${svc.clientId}/api-keys`,
        payload: { name: 'ci', 'expires-in-seconds': 600 },
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).json();
    expect(created['api-key']).toMatch(/^lgk_[A-Za-z0-9]{12}_/);
    const withKey = (k: string) => cat.lakegate.app.inject({ method: 'GET', url: '/v1/default/namespaces', headers: { 'x-api-key': k } });
    expect((await withKey(created['api-key'])).statusCode).toBe(200);
    expect((await withKey(tampered(created['api-key'], { count: 2, fromEnd: 1 }))).statusCode).toBe(401);
    expect((await withKey('lgk_nope')).statusCode).toBe(401);
    now += 601_000;
    expect((await withKey(created['api-key'])).json().error.message).toMatch(/expired/);
    now -= 601_000;
    expect(
      (
        await cat.lakegate.app.inject({
          method: 'DELETE',
          url: `/management/v1/api-keys/${created['key-id']}`,
          headers: { authorization: `Bearer ${adminToken}` },
        })
      ).statusCode,
    ).toBe(204);
    expect((await withKey(created['api-key'])).json().error.message).toMatch(/revoked/);
    expect(cat.logs()).not.toContain(created['api-key']);
  });
});

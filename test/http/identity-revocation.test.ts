/**
 * Issue 10, "Observed today" (continued): a signed token without `exp`; no way to disable a principal or revoke an
 * access key; delegated tokens outliving a revoked delegation; delegation lists matching a bare name whichever
 * issuer vouched for it; tokens in query parameters written to the log. Each test fails on the code before the fix.
 * Two replicas share one database here, to show how fast a change reaches the other one.
 */
import { SignJWT, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Keyring } from '../../packages/server/src/security/keyring.js';
import { SecretBox } from '../../packages/server/src/security/secret-box.js';
import { loadSecretKey } from '../../packages/server/src/security/secret-key.js';
import { bearerSender } from '../support/inject.js';
import { type LocalIdp, startLocalIdp } from '../support/local-idp.js';
import { ACCESS_TOKEN_TYPE, JWT_TYPE, TOKEN_EXCHANGE, bearer, claimsOf, clientToken, oauthPost, unsignedJwt } from '../support/oauth.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

const CACHE_SECONDS = 2;
let now = Date.now();
const clock = { now: () => now };
let idpA: LocalIdp;
let idpB: LocalIdp;
let cat: TestCatalog;
/** A second replica on the same database. */
let replica: TestCatalog;

beforeAll(async () => {
  idpA = await startLocalIdp('realm-a');
  idpB = await startLocalIdp('realm-b');
  const env = { LAKEGATE_TRUSTED_ISSUERS: JSON.stringify([idpA.trusted(), idpB.trusted()]), LAKEGATE_IDENTITY_CACHE_SECONDS: String(CACHE_SECONDS) };
  cat = await startInProcess(env, { auth: true, clock });
  replica = await startInProcess(env, { auth: true, clock, dataDir: cat.dataDir });
});
afterAll(async () => {
  await replica?.close();
  await cat?.close();
  await idpA?.close();
  await idpB?.close();
});
beforeEach(() => {
  now = Date.now();
});

const adminToken = async () => (await clientToken(cat.lakegate.app, cat.admin().client_id, cat.admin().client_secret)).access_token;
const manage = async (method: string, url: string, body?: unknown) => bearerSender(cat.lakegate.app, await adminToken())(method, url, body);
const get = (on: TestCatalog, url: string, headers: Record<string, string>) => on.lakegate.app.inject({ method: 'GET', url, headers });
const status = async (on: TestCatalog, token: string, url = '/v1/config') => (await get(on, url, bearer(token))).statusCode;
const createPrincipal = async (name: string, delegation?: unknown) => {
  const res = await manage('POST', '/management/v1/principals', { name, ...(delegation ? { delegation } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { clientId: res.body['client-id'] as string, secret: res.body['client-secret'] as string };
};
const tokenOf = async (p: { clientId: string; secret: string }) => (await clientToken(cat.lakegate.app, p.clientId, p.secret)).access_token;
const delegate = async (subject: string, engineToken: string, type = ACCESS_TOKEN_TYPE) =>
  oauthPost(
    cat.lakegate.app,
    { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: type, actor_token: engineToken, actor_token_type: ACCESS_TOKEN_TYPE },
    bearer(engineToken),
  );

describe('observed: a correctly signed access token without exp was accepted', () => {
  it('refuses a token signed with the issuer key that has no exp (RFC 9068), ours or a trusted IdP’s', async () => {
    const admin = await adminToken();
    const { exp: _exp, ...claims } = claimsOf(admin);
    const box = new SecretBox(loadSecretKey('', cat.dataDir));
    const key = await new Keyring('issuer-es256', cat.lakegate.store, box, clock).current();
    const header = JSON.parse(Buffer.from(admin.split('.')[0]!, 'base64url').toString()) as { kid: string };
    const forever = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: header.kid, typ: 'at+jwt' })
      .sign(await importJWK(JSON.parse(key.material) as JWK, 'ES256'));
    const res = await get(cat, '/v1/config', bearer(forever));
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/exp/);
    // The same claims with an exp pass: only the missing expiry is refused.
    const bounded = await new SignJWT({ ...claims, exp: Math.floor(now / 1000) + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: header.kid, typ: 'at+jwt' })
      .sign(await importJWK(JSON.parse(key.material) as JWK, 'ES256'));
    expect(await status(cat, bounded)).toBe(200);
    // From a trusted IdP too.
    const idpForever = await idpA.token('alice', [], null);
    expect(claimsOf(idpForever).exp).toBeUndefined();
    expect(await status(cat, idpForever)).toBe(401);
  });
});

describe('observed: no way to disable a principal or revoke an access key', () => {
  it('disabling a principal refuses its tokens, access keys and API keys at once (the other replica within the cache time), and enabling it again revives no old token', async () => {
    const svc = await createPrincipal('to-disable');
    const token = await tokenOf(svc);
    const apiKey = (await manage('POST', `/management/v1/principals/${svc.clientId}/api-keys`, { name: 'ci' })).body['api-key'] as string;
    const withKey = (on: TestCatalog) => get(on, '/v1/config', { 'x-api-key': apiKey });
    expect(await status(cat, token)).toBe(200);
    expect(await status(replica, token)).toBe(200);
    expect((await withKey(cat)).statusCode).toBe(200);

    now += 1000; // revocations cover the tokens issued before the second they happen in
    const disabled = await manage('POST', `/management/v1/principals/${svc.clientId}/disable`);
    expect(disabled.body).toMatchObject({ 'client-id': svc.clientId, disabled: true });
    expect(await status(cat, token)).toBe(401);
    expect((await withKey(cat)).statusCode).toBe(401);
    expect(await clientToken(cat.lakegate.app, svc.clientId, svc.secret).catch((e: Error) => e.message)).toMatch(/401/);
    // The other replica read the principal before: it may use that for at most CACHE_SECONDS.
    now += CACHE_SECONDS * 1000 + 1;
    expect(await status(replica, token)).toBe(401);

    expect((await manage('POST', `/management/v1/principals/${svc.clientId}/enable`)).body).toMatchObject({ disabled: false });
    expect(await status(cat, token)).toBe(401);
    expect(await status(cat, await tokenOf(svc))).toBe(200);
    const audit = (await manage('GET', '/management/v1/audit?limit=50')).body.events as Array<{ type: string; detail: { clientId?: string } }>;
    expect(audit.filter((e) => e.detail.clientId === svc.clientId).map((e) => e.type)).toEqual(
      expect.arrayContaining(['principal.disabled', 'principal.enabled']),
    );
  });

  it('lists access and API keys and revokes an access key: its signatures are refused at once, the other key keeps working', async () => {
    const { signRequest } = await import('@lakegate/sigv4');
    const svc = await createPrincipal('signer');
    const keys = [
      await manage('POST', `/management/v1/principals/${svc.clientId}/access-keys`),
      await manage('POST', `/management/v1/principals/${svc.clientId}/access-keys`),
    ].map((r) => r.body);
    const signed = async (on: TestCatalog, k: Record<string, string>) => {
      const s = await signRequest(
        { method: 'GET', url: '/v1/config', headers: { host: 'localhost:80' } },
        {
          service: 'execute-api',
          region: 'us-east-1',
          credentials: { accessKeyId: k['access-key-id']!, secretAccessKey: k['secret-access-key']! },
          signingDate: new Date(now),
        },
      );
      return (await on.lakegate.app.inject({ method: 'GET', url: s.url, headers: s.headers })).statusCode;
    };
    expect(await signed(cat, keys[0]!)).toBe(200);
    const listed = (await manage('GET', `/management/v1/principals/${svc.clientId}/access-keys`)).body['access-keys'];
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining(keys.map((k) => expect.objectContaining({ 'access-key-id': k['access-key-id'], 'revoked-at-ms': null }))));
    expect(JSON.stringify(listed)).not.toContain(keys[0]!['secret-access-key']);

    expect((await manage('DELETE', `/management/v1/principals/${svc.clientId}/access-keys/${keys[0]!['access-key-id']}`)).status).toBe(204);
    expect(await signed(cat, keys[0]!)).toBe(401);
    expect(await signed(replica, keys[0]!)).toBe(401);
    expect(await signed(cat, keys[1]!)).toBe(200);
    expect((await manage('DELETE', `/management/v1/principals/${svc.clientId}/access-keys/${keys[0]!['access-key-id']}`)).status).toBe(404);
    const after = (await manage('GET', `/management/v1/principals/${svc.clientId}/access-keys`)).body['access-keys'] as Array<{
      'access-key-id': string;
      'revoked-at-ms': number | null;
    }>;
    const revoked = Object.fromEntries(after.map((k) => [k['access-key-id'], k['revoked-at-ms'] !== null]));
    expect(revoked).toEqual({ [keys[0]!['access-key-id']!]: true, [keys[1]!['access-key-id']!]: false });
    await manage('POST', `/management/v1/principals/${svc.clientId}/api-keys`, { name: 'listed' });
    expect((await manage('GET', `/management/v1/principals/${svc.clientId}/api-keys`)).body['api-keys']).toEqual([
      expect.objectContaining({ name: 'listed', 'revoked-at-ms': null }),
    ]);
  });
});

describe('observed: delegated tokens stayed valid for their whole lifetime after the delegation was revoked', () => {
  it('cuts a delegated token off at its next use: at once on this replica, within the cache time on the other', async () => {
    const subject = await createPrincipal('cut-subject');
    const engine = await createPrincipal('cut-engine', { users: [subject.clientId] });
    const delegated = (await delegate(await tokenOf(subject), await tokenOf(engine))).body.access_token as string;
    expect(claimsOf(delegated)).toMatchObject({ sub: subject.clientId, act: { sub: engine.clientId } });
    expect(await status(cat, delegated)).toBe(200);
    expect(await status(replica, delegated)).toBe(200);

    expect((await manage('PUT', `/management/v1/principals/${engine.clientId}/delegation`, { users: [] })).status).toBe(200);
    const refused = await get(cat, '/v1/config', bearer(delegated));
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.message).toMatch(/no longer allowed to act/);
    now += CACHE_SECONDS * 1000 + 1;
    expect(await status(replica, delegated)).toBe(401);
    // A user an IdP vouched for, the same; and disabling the engine ends its delegated tokens too.
    await manage('PUT', `/management/v1/principals/${engine.clientId}/delegation`, { users: [{ issuer: idpA.issuer, name: 'alice' }] });
    const alice = (await delegate(await idpA.token('alice'), await tokenOf(engine))).body.access_token as string;
    expect(await status(cat, alice)).toBe(200);
    await manage('PUT', `/management/v1/principals/${engine.clientId}/delegation`, { users: [] });
    expect(await status(cat, alice)).toBe(401);
    await manage('PUT', `/management/v1/principals/${engine.clientId}/delegation`, { users: [{ issuer: idpA.issuer, name: 'alice' }] });
    const again = (await delegate(await idpA.token('alice'), await tokenOf(engine))).body.access_token as string;
    expect(await status(cat, again)).toBe(200);
    await manage('POST', `/management/v1/principals/${engine.clientId}/disable`);
    expect(await status(cat, again)).toBe(401);
  });
});

describe('observed: delegation lists matched a bare user name whichever issuer vouched for it', () => {
  it('keys delegations by (issuer, user) and (issuer, group); a bare name matches only asserted names and our own principals', async () => {
    // A bare name, as policies were written before: it no longer matches an IdP's user of that name, from either IdP.
    const bare = await createPrincipal('bare-engine', { users: ['alice'], 'assert-identity': true });
    const bareToken = await tokenOf(bare);
    expect(await delegate(await idpA.token('alice'), bareToken)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await delegate(await idpB.token('alice'), bareToken)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await delegate(unsignedJwt('alice', Math.floor(now / 1000)), bareToken, JWT_TYPE)).status).toBe(200);

    const engine = await createPrincipal('keyed-engine', {
      users: [{ issuer: idpA.issuer, name: 'alice' }],
      groups: [{ issuer: idpB.issuer, name: 'analysts' }],
      'assert-identity': true,
    });
    const engineToken = await tokenOf(engine);
    expect((await delegate(await idpA.token('alice'), engineToken)).status).toBe(200);
    expect(await delegate(await idpB.token('alice'), engineToken)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await delegate(await idpB.token('bob', ['analysts']), engineToken)).status).toBe(200);
    expect((await delegate(await idpA.token('bob', ['analysts']), engineToken)).status).toBe(400);
    // New policies must name a group's issuer; an unknown issuer is refused.
    expect((await manage('PUT', `/management/v1/principals/${engine.clientId}/delegation`, { groups: ['analysts'] })).status).toBe(400);
    expect(
      (await manage('PUT', `/management/v1/principals/${engine.clientId}/delegation`, { users: [{ issuer: 'https://unknown.example', name: 'alice' }] }))
        .status,
    ).toBe(400);

    // A policy stored before issuers were recorded: bare names, read the same way; its bare group matches nothing.
    const etl = await createPrincipal('legacy-subject');
    await sqlDelegation(engine.clientId, { users: ['alice', etl.clientId], groups: ['analysts'], assertIdentity: true });
    const view = (await manage('GET', '/management/v1/principals')).body.principals.find((p: { 'client-id': string }) => p['client-id'] === engine.clientId);
    expect(view.delegation).toEqual({ users: ['alice', etl.clientId], groups: ['analysts'], 'assert-identity': true });
    expect(await delegate(await idpA.token('alice'), engineToken)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await delegate(await idpB.token('bob', ['analysts']), engineToken)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await delegate(unsignedJwt('alice', Math.floor(now / 1000)), engineToken, JWT_TYPE)).status).toBe(200);
    expect((await delegate(await tokenOf(etl), engineToken)).status).toBe(200);
  });
});

/** Writes a delegation policy as releases before issuers stored it (bare strings), straight into the database. */
async function sqlDelegation(clientId: string, policy: Record<string, unknown>): Promise<void> {
  const { sql } = await import('kysely');
  const db = (cat.lakegate.store as unknown as { db: import('kysely').Kysely<unknown> }).db;
  await sql`update service_principals set delegation = ${JSON.stringify(policy)} where client_id = ${clientId}`.execute(db);
  // The write bypassed the service, so this replica learns of it like any other: once its cache expired.
  now += CACHE_SECONDS * 1000 + 1;
}

describe('observed: a token in a ?bearer= or ?Authorization= query parameter was written to the log', () => {
  it('refuses tokens in the query and logs none of them, whatever the parameter is called', async () => {
    const token = await adminToken();
    for (const query of [
      `bearer=${token}`,
      `Authorization=Bearer%20${token}`,
      `access_token=${token}`,
      `x=${token}`,
      `warehouse=default&q=${encodeURIComponent(`Bearer ${token}`)}`,
    ]) {
      const res = await cat.lakegate.app.inject({ method: 'GET', url: `/v1/config?${query}` });
      expect(res.statusCode, query).toBe(401);
    }
    const logged = cat.logs();
    expect(logged).toContain('"url":"/v1/config?bearer=***"');
    expect(logged).not.toContain(token);
    expect(logged).not.toContain(token.split('.')[2]);
  });
});

/**
 * Issue 10, "Observed today": one test for each weakness an external review found in the built-in issuer
 * (self-exchange and refresh without client authentication, refresh tokens without rotation, ignored client
 * credentials, audience/resource/scope, RFC 8693 error codes and token types), each failing on the code before the
 * fix. The rest of the list (exp, disabling, revocation, delegations by issuer, logging) is in identity-revocation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { simpleSchema } from '../support/iceberg-http.js';
import { bearerSender } from '../support/inject.js';
import { type LocalIdp, startLocalIdp } from '../support/local-idp.js';
import { ACCESS_TOKEN_TYPE, ID_TOKEN_TYPE, JWT_TYPE, TOKEN_EXCHANGE, basic, bearer, claimsOf, clientToken, oauthPost, unsignedJwt } from '../support/oauth.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

const MAX_SESSION = 7200;
let now = Date.now();
const clock = { now: () => now };
let idp: LocalIdp;
let cat: TestCatalog;
let withRefresh: TestCatalog;
const ISSUER = 'http://127.0.0.1:8181';

beforeAll(async () => {
  idp = await startLocalIdp('lifecycle');
  cat = await startInProcess(
    { LAKEGATE_TRUSTED_ISSUERS: JSON.stringify([idp.trusted()]), LAKEGATE_MAX_SESSION_LIFETIME_SECONDS: String(MAX_SESSION) },
    { auth: true, clock },
  );
  withRefresh = await startInProcess({ LAKEGATE_CLIENT_CREDENTIALS_REFRESH_TOKENS: 'true' }, { auth: true, clock });
});
// Tests move the clock by hours; each starts at the real time again (the local IdP signs with the real clock).
beforeEach(() => {
  now = Date.now();
});
afterAll(async () => {
  await cat?.close();
  await withRefresh?.close();
  await idp?.close();
});

const post = (params: Record<string, string>, headers: Record<string, string> = {}, on = cat) => oauthPost(on.lakegate.app, params, headers);
const principal = (name: string, on = cat) => on.lakegate.principals.create(name);
const selfExchange = (token: string, headers: Record<string, string>, extra: Record<string, string> = {}) =>
  post({ grant_type: TOKEN_EXCHANGE, subject_token: token, subject_token_type: ACCESS_TOKEN_TYPE, ...extra }, headers);
const adminToken = async () => (await clientToken(cat.lakegate.app, cat.admin().client_id, cat.admin().client_secret)).access_token;
const manage = async (method: string, url: string, body?: unknown) => bearerSender(cat.lakegate.app, await adminToken())(method, url, body);

describe('observed: self-exchange renewed any token without client authentication', () => {
  it('needs the client the token was issued to, keeps the session (ending at the maximum session lifetime) and stops after the secret is rotated', async () => {
    const victim = await principal('victim');
    const other = await principal('other');
    const token = (await clientToken(cat.lakegate.app, victim.clientId, victim.clientSecret)).access_token;
    const otherToken = (await clientToken(cat.lakegate.app, other.clientId, other.clientSecret)).access_token;

    // Only the subject token: no client authentication at all.
    const bare = await selfExchange(token, {});
    expect([bare.status, bare.body.error]).toEqual([401, 'invalid_client']);
    expect(bare.headers['www-authenticate']).toMatch(/^Basic realm="lakegate"/);
    // Authenticated as a different principal (its credential, or its token).
    expect(await selfExchange(token, basic(other.clientId, other.clientSecret))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await selfExchange(token, bearer(otherToken))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    // With a wrong client secret.
    expect(await selfExchange(token, basic(victim.clientId, 'wrong'))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });

    // The client itself, with the token as Bearer (Iceberg Java): a renewal within the same session.
    const first = claimsOf(token);
    let current = token;
    now += 50 * 60_000;
    const renewed = await selfExchange(current, bearer(current));
    expect(renewed.status).toBe(200);
    current = renewed.body.access_token as string;
    expect(claimsOf(current)).toMatchObject({ sid: first.sid, auth_time: first.auth_time, sub: victim.clientId });
    // Renewed again and again, the session still ends MAX_SESSION after the authentication.
    now += 60 * 60_000;
    const capped = await selfExchange(current, bearer(current));
    current = capped.body.access_token as string;
    expect(claimsOf(current).exp).toBe((first.auth_time as number) + MAX_SESSION);
    expect(capped.body.expires_in).toBeLessThan(3600);
    now = ((first.auth_time as number) + MAX_SESSION - 30) * 1000;
    const ended = await selfExchange(current, bearer(current));
    expect(ended).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(ended.body.error_description).toMatch(/maximum lifetime/);
    // Iceberg Java then renews with its credential (Basic): the client authenticated again, a new session starts.
    const again = await selfExchange(current, basic(victim.clientId, victim.clientSecret));
    expect(again.status).toBe(200);
    current = again.body.access_token as string;
    expect(claimsOf(current).sid).not.toBe(first.sid);

    // After the secret is rotated, the token can no longer be renewed (and the old secret no longer authenticates).
    expect((await manage('POST', `/management/v1/principals/${victim.clientId}/rotate-secret`)).status).toBe(200);
    expect(await selfExchange(current, bearer(current))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await selfExchange(current, basic(victim.clientId, victim.clientSecret))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });
});

describe('delegated sessions and the maximum session lifetime', () => {
  it("renews an IdP user's delegated session with the engine's credential only within the session; an asserted user's past it", async () => {
    const engine = await principal('session-engine');
    await manage('PUT', `/management/v1/principals/${engine.clientId}/delegation`, {
      users: [{ issuer: idp.issuer, name: 'alice' }, 'carol'],
      'assert-identity': true,
    });
    const engineToken = (await clientToken(cat.lakegate.app, engine.clientId, engine.clientSecret)).access_token;
    const exchange = async (subject: string, type: string) =>
      (
        await post(
          { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: type, actor_token: engineToken, actor_token_type: ACCESS_TOKEN_TYPE },
          bearer(engineToken),
        )
      ).body.access_token as string;
    const alice = await exchange(await idp.token('alice'), ACCESS_TOKEN_TYPE);
    const carol = await exchange(unsignedJwt('carol', Math.floor(now / 1000)), JWT_TYPE);
    const asEngine = basic(engine.clientId, engine.clientSecret);
    // Within the session: both renew with the engine's credential (Iceberg Java does once a token expired).
    const start = now;
    now += 90 * 60_000;
    const aliceRenewal = await selfExchange(alice, asEngine);
    expect(aliceRenewal.status).toBe(200);
    const carolRenewal = await selfExchange(carol, asEngine);
    expect(carolRenewal.status).toBe(200);
    // Past the end of alice's session (and of carol's new one): the engine cannot extend alice's (the IdP vouched
    // for her, not the engine); carol's it can, by asserting her again.
    now = start + 90 * 60_000 + MAX_SESSION * 1000 + 60_000;
    const refused = await selfExchange(aliceRenewal.body.access_token as string, asEngine);
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(refused.body.error_description).toMatch(/fresh subject token/);
    const renewed = await selfExchange(carolRenewal.body.access_token as string, asEngine);
    expect(renewed.status).toBe(200);
    expect(claimsOf(renewed.body.access_token as string)).toMatchObject({ sub: 'carol', idp: 'asserted', act: { sub: engine.clientId } });
    expect(claimsOf(renewed.body.access_token as string).sid).not.toBe(claimsOf(carolRenewal.body.access_token as string).sid);
  });
});

describe("observed: an IdP's ID tokens and tokens issued in the future were taken as access tokens", () => {
  it('refuses them as Bearer, and still exchanges an ID token declared as one', async () => {
    const asBearer = async (token: string) => (await cat.lakegate.app.inject({ method: 'GET', url: '/v1/config', headers: bearer(token) })).statusCode;
    expect(await asBearer(await idp.token('dora'))).toBe(200);
    expect(await asBearer(await idp.token('dora', [], 600, { typ: 'Bearer' }))).toBe(200);
    for (const typ of ['ID', 'Refresh', 'Offline', 'Logout']) expect(await asBearer(await idp.token('dora', [], 600, { typ })), typ).toBe(401);
    const inSeconds = Math.floor(Date.now() / 1000);
    expect(await asBearer(await idp.token('dora', [], 3600, { iat: inSeconds + 10 }))).toBe(200); // within the 30 s skew
    expect(await asBearer(await idp.token('dora', [], 3600, { iat: inSeconds + 600 }))).toBe(401);
    // A token exchange checks the declared type itself: an ID token declared as one is a subject token.
    const engine = await principal('id-token-engine');
    await manage('PUT', `/management/v1/principals/${engine.clientId}/delegation`, { users: [{ issuer: idp.issuer, name: 'dora' }] });
    const engineToken = (await clientToken(cat.lakegate.app, engine.clientId, engine.clientSecret)).access_token;
    const exchanged = await post(
      {
        grant_type: TOKEN_EXCHANGE,
        subject_token: await idp.token('dora', [], 600, { typ: 'ID' }),
        subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
        actor_token: engineToken,
        actor_token_type: ACCESS_TOKEN_TYPE,
      },
      bearer(engineToken),
    );
    expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(200);
  });
});

describe('observed: the refresh_token grant needed no client authentication and could be reused', () => {
  it('gives no refresh token with client_credentials unless configured; needs the client it was issued to; rotates, and a reused one revokes the session', async () => {
    const plain = await principal('no-refresh');
    expect((await clientToken(cat.lakegate.app, plain.clientId, plain.clientSecret)).refresh_token).toBeUndefined();

    const app = withRefresh.lakegate.app;
    const owner = await principal('refresher', withRefresh);
    const other = await principal('refresh-thief', withRefresh);
    const issued = await clientToken(app, owner.clientId, owner.clientSecret);
    const rt0 = issued.refresh_token!;
    expect(rt0).toMatch(/^ey/);
    const refresh = (token: string, headers: Record<string, string>) => oauthPost(app, { grant_type: 'refresh_token', refresh_token: token }, headers);

    expect(await refresh(rt0, {})).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await refresh(rt0, basic(owner.clientId, 'wrong'))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const stolen = await refresh(rt0, basic(other.clientId, other.clientSecret));
    expect(stolen).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(stolen.body.error_description).toMatch(/another client/);

    const first = await refresh(rt0, basic(owner.clientId, owner.clientSecret));
    expect(first.status).toBe(200);
    const rt1 = first.body.refresh_token as string;
    const at1 = first.body.access_token as string;
    expect(rt1).not.toBe(rt0);
    expect(claimsOf(at1).sid).toBe(claimsOf(issued.access_token).sid);
    expect((await bearerSender(app, at1)('GET', '/v1/config')).status).toBe(200);

    // rt0 again: a reuse. The whole session is revoked: rt1 and the access tokens stop too.
    expect(await refresh(rt0, basic(owner.clientId, owner.clientSecret))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await refresh(rt1, basic(owner.clientId, owner.clientSecret))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const refused = await bearerSender(app, at1)('GET', '/v1/config');
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toMatch(/revoked/);
    const admin = withRefresh.admin();
    const audit = await bearerSender(app, (await clientToken(app, admin.client_id, admin.client_secret)).access_token)(
      'GET',
      '/management/v1/audit?type=token.refresh.reused',
    );
    expect(audit.body.events).toEqual([expect.objectContaining({ actor: `service:${owner.clientId}`, decision: 'deny' })]);
    // The credential still works: a new session.
    expect((await clientToken(app, owner.clientId, owner.clientSecret)).refresh_token).toBeDefined();
  });
});

describe('observed: wrong client credentials on a token exchange were ignored', () => {
  it('answers invalid_client for wrong credentials, invalid_request for another client, unauthorized_client for an engine without a delegation policy', async () => {
    const engine = await principal('exchange-engine');
    const subject = await principal('exchange-subject');
    await manage('PUT', `/management/v1/principals/${engine.clientId}/delegation`, { users: [subject.clientId] });
    const engineToken = (await clientToken(cat.lakegate.app, engine.clientId, engine.clientSecret)).access_token;
    const subjectToken = (await clientToken(cat.lakegate.app, subject.clientId, subject.clientSecret)).access_token;
    const other = await principal('exchange-other');
    const params = (actor: string) => ({
      grant_type: TOKEN_EXCHANGE,
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: actor,
      actor_token_type: ACCESS_TOKEN_TYPE,
    });
    const delegate = (headers: Record<string, string>, actor = engineToken) => post(params(actor), headers);

    expect(await delegate(basic(engine.clientId, 'wrong'))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const wrongPost = await post({ ...params(engineToken), client_id: engine.clientId, client_secret: 'wrong' });
    expect([wrongPost.status, wrongPost.body.error]).toEqual([401, 'invalid_client']);
    expect(await delegate({})).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await delegate(basic(other.clientId, other.clientSecret))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await delegate(basic(engine.clientId, engine.clientSecret))).toMatchObject({ status: 200 });
    expect(await delegate(bearer(engineToken))).toMatchObject({ status: 200 });

    const bystanderToken = (await clientToken(cat.lakegate.app, other.clientId, other.clientSecret)).access_token;
    expect(await delegate(bearer(bystanderToken), bystanderToken)).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
  });
});

describe('observed: audience, resource and scope were ignored', () => {
  it('validates audience and resource against this catalog (invalid_target) and writes them to aud', async () => {
    const admin = cat.admin();
    const cc = (extra: Record<string, string>) =>
      post({ grant_type: 'client_credentials', client_id: admin.client_id, client_secret: admin.client_secret, ...extra });
    expect(await cc({ resource: 'not-a-uri' })).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    expect(await cc({ resource: `${ISSUER}/v1#frag` })).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    expect(await cc({ audience: 'https://another-service.example' })).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
    expect(claimsOf((await cc({})).body.access_token as string).aud).toBe('lakegate');
    const targeted = await cc({ resource: `${ISSUER}/v1` });
    expect(targeted.status).toBe(200);
    const token = targeted.body.access_token as string;
    expect(claimsOf(token).aud).toBe(`${ISSUER}/v1`);
    expect((await bearerSender(cat.lakegate.app, token)('GET', '/v1/config')).status).toBe(200);
    // A renewal cannot move the token to another target.
    expect(await selfExchange(token, bearer(token), { audience: 'lakegate' })).toMatchObject({ status: 400, body: { error: 'invalid_target' } });
  });

  it('validates scope (invalid_scope) and enforces it: a catalog:read token reads but cannot create or commit, nor use the management API', async () => {
    const admin = cat.admin();
    const cc = (scope: string) => post({ grant_type: 'client_credentials', client_id: admin.client_id, client_secret: admin.client_secret, scope });
    const refused = await cc('admin superuser');
    expect(refused).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect(JSON.stringify(refused.body)).not.toContain('access_token');

    const full = bearerSender(cat.lakegate.app, await adminToken());
    expect((await full('POST', '/v1/default/namespaces', { namespace: ['scoped'] })).status).toBe(200);
    expect((await full('POST', '/v1/default/namespaces/scoped/tables', { name: 't', schema: simpleSchema })).status).toBe(200);

    const readToken = (await cc('catalog:read')).body.access_token as string;
    expect(claimsOf(readToken).scope).toBe('catalog:read');
    const reader = bearerSender(cat.lakegate.app, readToken);
    expect((await reader('GET', '/v1/default/namespaces')).status).toBe(200);
    expect((await reader('GET', '/v1/default/namespaces/scoped/tables/t')).status).toBe(200);
    expect((await reader('POST', '/v1/default/namespaces', { namespace: ['not-by-a-reader'] })).status).toBe(403);
    const commit = await reader('POST', '/v1/default/namespaces/scoped/tables/t', {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { k: 'v' } }],
    });
    expect(commit.status).toBe(403);
    const management = await reader('GET', '/management/v1/warehouses');
    expect(management.status).toBe(403);
    expect(management.headers['www-authenticate']).toMatch(/insufficient_scope/);
    // Renewals narrow, never widen.
    expect(await selfExchange(readToken, bearer(readToken), { scope: 'catalog' })).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });

    const managementOnly = bearerSender(cat.lakegate.app, (await cc('management')).body.access_token as string);
    expect((await managementOnly('GET', '/management/v1/warehouses')).status).toBe(200);
    // A management-only token sees nothing of the catalog, even an administrator's.
    expect((await managementOnly('GET', '/v1/default/namespaces')).body.namespaces).toEqual([]);
    expect((await managementOnly('GET', '/v1/default/namespaces/scoped/tables/t')).status).toBe(403);
  });
});

describe('observed: RFC 8693 refusals used invalid_grant and subject_token_type was not checked', () => {
  it('refuses invalid and policy-rejected subject tokens with invalid_request, and a token of another type than declared', async () => {
    const engine = await principal('typed-engine');
    await manage('PUT', `/management/v1/principals/${engine.clientId}/delegation`, {
      users: [{ issuer: idp.issuer, name: 'alice' }, 'carol'],
      'assert-identity': true,
    });
    const engineToken = (await clientToken(cat.lakegate.app, engine.clientId, engine.clientSecret)).access_token;
    const exchange = (subject: string, type: string) =>
      post(
        { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: type, actor_token: engineToken, actor_token_type: ACCESS_TOKEN_TYPE },
        bearer(engineToken),
      );

    expect(await exchange('not.a.token', ACCESS_TOKEN_TYPE)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await exchange(await idp.token('mallory'), ACCESS_TOKEN_TYPE)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await exchange(await idp.token('alice', [], -60), ACCESS_TOKEN_TYPE)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await exchange(await idp.token('alice'), ACCESS_TOKEN_TYPE)).status).toBe(200);

    // The declared type must match the token.
    expect(await exchange(await idp.token('alice', [], 600, { typ: 'ID' }), ACCESS_TOKEN_TYPE)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await exchange(await idp.token('alice', [], 600, { typ: 'Bearer' }), ID_TOKEN_TYPE)).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
    expect(await exchange(engineToken, ID_TOKEN_TYPE)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await exchange(unsignedJwt('carol', Math.floor(now / 1000)), ACCESS_TOKEN_TYPE)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect((await exchange(unsignedJwt('carol', Math.floor(now / 1000)), JWT_TYPE)).status).toBe(200);
    expect(await exchange(await idp.token('alice'), 'urn:ietf:params:oauth:token-type:refresh_token')).toMatchObject({
      status: 400,
      body: { error: 'invalid_request' },
    });
  });
});

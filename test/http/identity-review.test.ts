/**
 * Identity review (RFC 6749, RFC 8693 and the documented revocation rules), found with real requests against a
 * running server. Each test fails on the code before its fix.
 */
import { createHash, randomBytes } from 'node:crypto';
import { presignRequest, signRequest } from '@lakegate/sigv4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { bearerSender } from '../support/inject.js';
import { startLocalIdp } from '../support/local-idp.js';
import { ACCESS_TOKEN_TYPE, JWT_TYPE, TOKEN_EXCHANGE, basic, bearer, claimsOf, clientToken, oauthPost, unsignedJwt } from '../support/oauth.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let now = Date.now();
const clock = { now: () => now };
let cat: TestCatalog;

beforeAll(async () => {
  cat = await startInProcess({ LAKEGATE_CLIENT_CREDENTIALS_REFRESH_TOKENS: 'true' }, { auth: true, clock });
});
afterAll(async () => {
  await cat?.close();
});
beforeEach(() => {
  now = Date.now();
});

/** Revocations count in whole seconds (security.md, Known limits): step past the second one happened in. */
const nextSecond = () => {
  now = (Math.floor(now / 1000) + 2) * 1000;
};
const adminToken = async () => (await clientToken(cat.lakegate.app, cat.admin().client_id, cat.admin().client_secret)).access_token;
const manage = async (method: string, url: string, body?: unknown) => bearerSender(cat.lakegate.app, await adminToken())(method, url, body);
const createPrincipal = async (name: string, delegation?: unknown) => {
  const res = await manage('POST', '/management/v1/principals', { name, ...(delegation ? { delegation } : {}) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { clientId: res.body['client-id'] as string, secret: res.body['client-secret'] as string };
};
const setDelegation = async (clientId: string, delegation: unknown) =>
  expect((await manage('PUT', `/management/v1/principals/${clientId}/delegation`, delegation)).status).toBe(200);
const tokenOf = async (p: { clientId: string; secret: string }, extra: Record<string, string> = {}) =>
  clientToken(cat.lakegate.app, p.clientId, p.secret, extra);
const status = async (token: string) => (await cat.lakegate.app.inject({ method: 'GET', url: '/v1/config', headers: bearer(token) })).statusCode;
const delegate = (subject: string, engineToken: string, type = ACCESS_TOKEN_TYPE) =>
  oauthPost(
    cat.lakegate.app,
    { grant_type: TOKEN_EXCHANGE, subject_token: subject, subject_token_type: type, actor_token: engineToken, actor_token_type: ACCESS_TOKEN_TYPE },
    bearer(engineToken),
  );

describe('observed: a represented service principal whose tokens were ever revoked could never be represented again', () => {
  it("accepts delegated tokens issued after the subject's revocation, and refuses those issued before it (disable, then enable, revives none)", async () => {
    const subject = await createPrincipal('represented-svc');
    const engine = await createPrincipal('represents-svc', { users: [subject.clientId] });
    // Once, long ago: the subject's tokens were revoked (or it was disabled and enabled again).
    expect((await manage('POST', `/management/v1/principals/${subject.clientId}/revoke-tokens`)).status).toBe(204);
    nextSecond();

    const res = await delegate((await tokenOf(subject)).access_token, (await tokenOf(engine)).access_token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const delegated = res.body.access_token as string;
    // Before the fix: 401 "the principal's tokens were revoked", for every delegated token of this subject, forever.
    expect(await status(delegated)).toBe(200);
    const renewed = await oauthPost(
      cat.lakegate.app,
      { grant_type: TOKEN_EXCHANGE, subject_token: delegated, subject_token_type: ACCESS_TOKEN_TYPE },
      bearer(delegated),
    );
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);

    // Disabling the subject ends the tokens an engine holds through it; enabling it again revives none of them.
    nextSecond();
    expect((await manage('POST', `/management/v1/principals/${subject.clientId}/disable`)).status).toBe(200);
    expect(await status(delegated)).toBe(401);
    expect((await manage('POST', `/management/v1/principals/${subject.clientId}/enable`)).status).toBe(200);
    nextSecond();
    expect(await status(delegated)).toBe(401);
    expect(await status(renewed.body.access_token as string)).toBe(401);
  });
});

describe('observed: an engine that may not assert identities got a token for an asserted user, refused at every use', () => {
  it('refuses at the exchange (RFC 8693 §2.2.2 invalid_request) a subject token naming an asserted user, unless the engine may assert identities', async () => {
    const trino = await createPrincipal('asserting-engine', { users: [{ issuer: 'asserted', name: 'carol' }], 'assert-identity': true });
    const other = await createPrincipal('non-asserting-engine', { users: [{ issuer: 'asserted', name: 'carol' }, 'carol'] });
    const carol = await delegate(unsignedJwt('carol'), (await tokenOf(trino)).access_token, JWT_TYPE);
    expect(carol.status, JSON.stringify(carol.body)).toBe(200);
    expect(claimsOf(carol.body.access_token as string).idp).toBe('asserted');

    // Before the fix: 200, and then 401 "the engine may no longer assert identities" on every request with it.
    const again = await delegate(carol.body.access_token as string, (await tokenOf(other)).access_token);
    expect(again.status, JSON.stringify(again.body)).toBe(400);
    expect(again.body.error).toBe('invalid_request');

    // An engine that may assert identities (and lists carol) may take the token over, and its token works.
    const peer = await createPrincipal('asserting-peer', { users: [{ issuer: 'asserted', name: 'carol' }], 'assert-identity': true });
    const chained = await delegate(carol.body.access_token as string, (await tokenOf(peer)).access_token);
    expect(chained.status, JSON.stringify(chained.body)).toBe(200);
    expect(claimsOf(chained.body.access_token as string).act).toEqual({ sub: peer.clientId, act: { sub: trino.clientId } });
    expect(await status(chained.body.access_token as string)).toBe(200);
  });
});

describe('observed: a refresh with a narrower scope narrowed the new refresh token too', () => {
  it('narrows the access token only; the new refresh token keeps the scope and audience of the one presented (RFC 6749 §6, RFC 8707 §2.2)', async () => {
    const svc = await createPrincipal('narrowing-refresher');
    const audience = 'http://127.0.0.1:8181/v1';
    const first = await tokenOf(svc, { scope: 'catalog management' });
    const refresh = (params: Record<string, string>) =>
      oauthPost(cat.lakegate.app, { grant_type: 'refresh_token', ...params }, basic(svc.clientId, svc.secret));

    const narrow = await refresh({ refresh_token: first.refresh_token!, scope: 'catalog:read', resource: audience });
    expect(narrow.status, JSON.stringify(narrow.body)).toBe(200);
    expect(narrow.body.scope).toBe('catalog:read');
    expect(claimsOf(narrow.body.access_token as string)).toMatchObject({ scope: 'catalog:read', aud: audience });
    // Before the fix: the refresh token said catalog:read and aud <url>/v1, and the next refresh was invalid_scope.
    expect(claimsOf(narrow.body.refresh_token as string)).toMatchObject({ scope: 'catalog management', aud: 'lakegate' });

    const wide = await refresh({ refresh_token: narrow.body.refresh_token as string });
    expect(wide.status, JSON.stringify(wide.body)).toBe(200);
    expect(wide.body.scope).toBe('catalog management');
    expect(claimsOf(wide.body.access_token as string)).toMatchObject({ scope: 'catalog management', aud: 'lakegate' });
    // Never wider than the grant.
    const wider = await refresh({ refresh_token: wide.body.refresh_token as string, scope: 'catalog management catalog:read' });
    expect(wider.status).toBe(200);
    const beyond = await oauthPost(
      cat.lakegate.app,
      { grant_type: 'refresh_token', refresh_token: (await tokenOf(svc, { scope: 'catalog:read' })).refresh_token!, scope: 'catalog' },
      basic(svc.clientId, svc.secret),
    );
    expect(beyond.body.error).toBe('invalid_scope');
  });
});

describe('observed: parameters sent without a value counted as sent', () => {
  it('treats an empty parameter as omitted (RFC 6749 §3.1, §3.2): Basic with an empty client_secret or client_id authenticates', async () => {
    const svc = await createPrincipal('empty-params');
    const post = (params: Record<string, string>, headers: Record<string, string> = {}) =>
      oauthPost(cat.lakegate.app, { grant_type: 'client_credentials', ...params }, headers);
    // Before the fix: invalid_request "use one client authentication method" / "client_id does not match".
    const cases: Array<Record<string, string>> = [{ client_secret: '' }, { client_id: '' }, { client_id: '', client_secret: '', scope: '' }];
    for (const params of cases) {
      const res = await post(params, basic(svc.clientId, svc.secret));
      expect(res.status, `${JSON.stringify(params)}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.scope).toBe('catalog');
    }
    // Empty credentials in the body are no credentials.
    const none = await post({ client_id: '', client_secret: '' });
    expect(none.status).toBe(401);
    expect(none.body.error).toBe('invalid_client');
    expect(none.body.error_description).toMatch(/client authentication is required/);
    // An empty parameter beside one with a value is no repetition; two with values still are (§3.2).
    const form = (body: string) =>
      cat.lakegate.app.inject({
        method: 'POST',
        url: '/v1/oauth/tokens',
        payload: body,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...basic(svc.clientId, svc.secret) },
      });
    const once = await form('grant_type=client_credentials&scope=&scope=catalog%3Aread');
    expect(once.statusCode, once.body).toBe(200);
    expect(once.json().scope).toBe('catalog:read');
    expect((await form('grant_type=client_credentials&scope=catalog&scope=catalog%3Aread')).json().error).toBe('invalid_request');
    const revoked = await oauthPost(cat.lakegate.app, { token: 'x', token_type_hint: '' }, basic(svc.clientId, svc.secret), '/v1/oauth/revoke');
    expect(revoked.status).toBe(200);
  });
});

describe("observed: the token endpoint's framework errors were cacheable and asked for JSON", () => {
  it('answers every POST of the issuer with Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1, §5.2), and a wrong content type with form advice', async () => {
    const send = (payload: string | Buffer, contentType: string, url = '/v1/oauth/tokens') =>
      cat.lakegate.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
    const answers = [
      await send(`grant_type=client_credentials&x=${'a'.repeat(70 * 1024)}`, 'application/x-www-form-urlencoded'),
      await send('--b\r\ncontent-disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--b--\r\n', 'multipart/form-data; boundary=b'),
      await send('{"grant_type":', 'application/json'),
      await send('token=x', 'application/xml', '/v1/oauth/revoke'),
      await send('grant_type=client_credentials', 'application/x-www-form-urlencoded'),
    ];
    for (const res of answers) {
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(
        Object.keys(res.json()).every((k) => k === 'error' || k === 'error_description'),
        res.body,
      ).toBe(true);
      // Before the fix: absent on the answers the framework writes (413, 415, the malformed JSON's 400).
      expect(res.headers['cache-control'], res.body).toBe('no-store');
      expect(res.headers.pragma).toBe('no-cache');
    }
    expect(answers[0]!.statusCode).toBe(413);
    expect(answers[1]!.statusCode).toBe(415);
    expect(answers[1]!.json().error_description).toBe('send the parameters as application/x-www-form-urlencoded');
    // Metadata and keys stay cacheable; catalog answers are not the issuer's.
    for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/jwks.json'])
      expect((await cat.lakegate.app.inject({ method: 'GET', url })).headers['cache-control']).toBeUndefined();
    expect(
      (await cat.lakegate.app.inject({ method: 'POST', url: '/v1/default/namespaces', payload: {}, headers: bearer(await adminToken()) })).headers[
        'cache-control'
      ],
    ).toBeUndefined();
  });
});

describe("observed: after rotate-secret, an engine's old token minted delegated tokens that renewed as if issued under the new secret", () => {
  it("issues a delegated token under the secret version of the engine's authentication: Bearer renewals of one made with an older token stop", async () => {
    const subject = await createPrincipal('rotation-subject');
    const engine = await createPrincipal('rotating-engine', { users: [subject.clientId] });
    const old = (await tokenOf(engine)).access_token;
    const rotated = await manage('POST', `/management/v1/principals/${engine.clientId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const secret = rotated.body['client-secret'] as string;
    const renew = (token: string) =>
      oauthPost(cat.lakegate.app, { grant_type: TOKEN_EXCHANGE, subject_token: token, subject_token_type: ACCESS_TOKEN_TYPE }, bearer(token));

    // The old token still runs until it expires (docs/security.md), also as an actor token, but what it mints is issued under the old secret.
    const viaOld = await delegate((await tokenOf(subject)).access_token, old);
    expect(viaOld.status, JSON.stringify(viaOld.body)).toBe(200);
    // Before the fix: sv 2, and the renewal below was granted, again and again for the whole session.
    expect(claimsOf(viaOld.body.access_token as string).sv).toBe(1);
    const refused = await renew(viaOld.body.access_token as string);
    expect(refused.status).toBe(400);
    expect(refused.body.error_description).toMatch(/current secret/);

    // Authenticated with the new secret, the same delegation renews.
    const viaSecret = await oauthPost(
      cat.lakegate.app,
      {
        grant_type: TOKEN_EXCHANGE,
        subject_token: (await tokenOf(subject)).access_token,
        subject_token_type: ACCESS_TOKEN_TYPE,
        actor_token: old,
        actor_token_type: ACCESS_TOKEN_TYPE,
      },
      basic(engine.clientId, secret),
    );
    expect(viaSecret.status, JSON.stringify(viaSecret.body)).toBe(200);
    expect(claimsOf(viaSecret.body.access_token as string).sv).toBe(2);
    expect((await renew(viaSecret.body.access_token as string)).status).toBe(200);
  });
});

describe("observed: an administrator's catalog:read token introspected every token of the tenant", () => {
  it('grants administrator visibility at RFC 7662 introspection only to a credential or a token whose scope allows the management API', async () => {
    const svc = await createPrincipal('introspected');
    const theirs = (await tokenOf(svc)).access_token;
    const introspect = async (scope: string) => {
      const admin = (await clientToken(cat.lakegate.app, cat.admin().client_id, cat.admin().client_secret, { scope })).access_token;
      return (await oauthPost(cat.lakegate.app, { token: theirs }, bearer(admin), '/v1/oauth/introspect')).body;
    };
    // The same token is refused by the management API (403 insufficient_scope); before the fix it saw every token here.
    expect(await introspect('catalog:read')).toEqual({ active: false });
    expect(await introspect('catalog')).toMatchObject({ active: true, client_id: svc.clientId });
    expect(await introspect('management')).toMatchObject({ active: true, client_id: svc.clientId });
    const withSecret = await oauthPost(cat.lakegate.app, { token: theirs }, basic(cat.admin().client_id, cat.admin().client_secret), '/v1/oauth/introspect');
    expect(withSecret.body).toMatchObject({ active: true });
    // A client's own token stays visible whatever its scope.
    const own = (await tokenOf(svc, { scope: 'catalog:read' })).access_token;
    expect((await oauthPost(cat.lakegate.app, { token: theirs }, bearer(own), '/v1/oauth/introspect')).body).toMatchObject({ active: true });
  });
});

describe('observed: revoking a leaked engine token (RFC 7009) left the delegated sessions minted with it alive', () => {
  it('ends a delegated session obtained with an engine token when that token is revoked, renewals included; one obtained with the credential stays', async () => {
    const engine = await createPrincipal('leaky-engine', { users: [{ issuer: 'asserted', name: 'carol' }], 'assert-identity': true });
    const leaked = (await tokenOf(engine)).access_token;
    const renew = (token: string, auth: Record<string, string> = bearer(token)) =>
      oauthPost(cat.lakegate.app, { grant_type: TOKEN_EXCHANGE, subject_token: token, subject_token_type: ACCESS_TOKEN_TYPE }, auth);
    const byToken = await delegate(unsignedJwt('carol'), leaked, JWT_TYPE);
    expect(byToken.status, JSON.stringify(byToken.body)).toBe(200);
    const d = byToken.body.access_token as string;
    const renewed = (await renew(d)).body.access_token as string;
    const byCredential = await oauthPost(
      cat.lakegate.app,
      {
        grant_type: TOKEN_EXCHANGE,
        subject_token: unsignedJwt('carol'),
        subject_token_type: JWT_TYPE,
        actor_token: leaked,
        actor_token_type: ACCESS_TOKEN_TYPE,
      },
      basic(engine.clientId, engine.secret),
    );
    expect(byCredential.status).toBe(200);
    expect(claimsOf(byCredential.body.access_token as string).actor_sid).toBeUndefined();

    expect((await oauthPost(cat.lakegate.app, { token: leaked }, basic(engine.clientId, engine.secret), '/v1/oauth/revoke')).status).toBe(200);
    // Before the fix: 200 for both, and the thief kept renewing them by Bearer for the whole session (12 h).
    expect(await status(d)).toBe(401);
    expect(await status(renewed)).toBe(401);
    expect((await renew(renewed)).status).toBe(400);
    expect((await oauthPost(cat.lakegate.app, { token: renewed }, basic(engine.clientId, engine.secret), '/v1/oauth/introspect')).body).toEqual({
      active: false,
    });
    expect(await status(byCredential.body.access_token as string)).toBe(200);
    // The engine itself, with its credential, renews the session anew (as after any refusal).
    const again = await renew(renewed, basic(engine.clientId, engine.secret));
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(claimsOf(again.body.access_token as string).actor_sid).toBeUndefined();
    expect(await status(again.body.access_token as string)).toBe(200);
    // The link: the session of the engine token the delegation was authenticated with, kept by Bearer renewals.
    expect(claimsOf(d).actor_sid).toBe(claimsOf(leaked).sid);
    expect(claimsOf(renewed).actor_sid).toBe(claimsOf(leaked).sid);
  });
});

describe('observed: error_description carried quotes, backslashes and non-ASCII', () => {
  it('writes error_description only with the characters RFC 6749 §5.2 and RFC 6750 §3 allow, in bodies and in WWW-Authenticate', async () => {
    const allowed = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
    const svc = await createPrincipal('charset');
    const form = (body: string, url = '/v1/oauth/tokens', headers: Record<string, string> = {}) =>
      cat.lakegate.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });
    const answers = [
      await form('grant_type=client_credentials&scope=%22bogus%5C', '/v1/oauth/tokens', basic(svc.clientId, svc.secret)),
      await form('grant_type=%CF%89%22%5C'),
      await form('grant_type=client_credentials&x%22%C3%A9=1&x%22%C3%A9=2', '/v1/oauth/tokens', basic(svc.clientId, svc.secret)),
      await form('token=x', '/v1/oauth/introspect'),
      await form('grant_type=refresh_token&refresh_token=x'),
    ];
    for (const res of answers) {
      const description = res.json().error_description as string;
      // Before the fix: 'unknown scope "\"bogus\\"', 'grant_type ω"\ …', '… (RFC 7662 §2.1)'.
      expect(description, description).toMatch(allowed);
    }
    expect(answers[3]!.json().error_description).toBe('client authentication is required for token introspection (RFC 7662 section 2.1)');
    // A catalog request refused with a reason that quotes (SigV4's region): WWW-Authenticate's error_description too.
    const date = new Date(now).toISOString().replace(/[-:]|\.\d+/g, '');
    const signed = await cat.lakegate.app.inject({
      method: 'GET',
      url: '/v1/config',
      headers: {
        'x-amz-date': date,
        authorization: `AWS4-HMAC-SHA256 Credential=AKID/${date.slice(0, 8)}/mars-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      },
    });
    expect(signed.statusCode).toBe(401);
    const challenge = String(signed.headers['www-authenticate']);
    expect(challenge).toMatch(/region/);
    expect(/error_description="([^"]*)"$/.exec(challenge)?.[1], challenge).toMatch(allowed);
  });
});

describe('observed: a SigV4 signature over UNSIGNED-PAYLOAD let one signed request carry any body', () => {
  it('refuses UNSIGNED-PAYLOAD for a request with a body (header or presigned), and keeps it for one without', async () => {
    const owner = await createPrincipal('sigv4-signer');
    await grantPrincipal(bearerSender(cat.lakegate.app, await adminToken()), owner.clientId, ['namespace:create', 'namespace:list'], {
      type: 'warehouse',
      warehouse: 'default',
    });
    const key = (await manage('POST', `/management/v1/principals/${owner.clientId}/access-keys`)).body;
    const signing = {
      service: 'execute-api',
      region: 'us-east-1',
      credentials: { accessKeyId: key['access-key-id'] as string, secretAccessKey: key['secret-access-key'] as string },
      signingDate: new Date(now),
    };
    const request = {
      method: 'POST',
      url: '/v1/default/namespaces',
      headers: { host: 'localhost:80', 'content-type': 'application/json', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      body: '{"namespace":["signed_ns"]}',
    };
    const send = (url: string, headers: Record<string, string | string[] | undefined>, payload: string) =>
      cat.lakegate.app.inject({ method: 'POST', url, headers: headers as Record<string, string>, payload });
    const other = '{"namespace":["not_what_was_signed"]}';

    const header = await signRequest(request, signing);
    const presigned = await presignRequest(request, { ...signing, expiresIn: 604800 });
    // Before the fix: 200 for both, creating a namespace the signer never named.
    for (const res of [
      await send(header.url, header.headers, other),
      await send(presigned.url, { host: 'localhost:80', 'content-type': 'application/json' }, other),
    ]) {
      expect(res.statusCode, res.body).toBe(401);
      expect(String(res.headers['www-authenticate'])).toMatch(/unsigned payloads are not accepted/);
    }
    // The body's hash, as Iceberg Java and botocore sign it, is accepted; so is UNSIGNED-PAYLOAD on a request without a body.
    const hashed = await signRequest({ ...request, headers: { host: 'localhost:80', 'content-type': 'application/json' } }, signing);
    expect((await send(hashed.url, hashed.headers, request.body)).statusCode).toBe(200);
    const get = await signRequest(
      { method: 'GET', url: '/v1/default/namespaces', headers: { host: 'localhost:80', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      signing,
    );
    expect((await cat.lakegate.app.inject({ method: 'GET', url: get.url, headers: get.headers as Record<string, string> })).statusCode).toBe(200);
  });
});

describe('observed: delegated sessions of an IdP taken out of the trusted issuers lived on', () => {
  it("refuses a delegated token, and its renewal, once the IdP that vouched for its user is no longer trusted for the token's tenant", async () => {
    const idp = await startLocalIdp('review');
    const trusting = await startInProcess({ LAKEGATE_TRUSTED_ISSUERS: JSON.stringify([idp.trusted()]) }, { auth: true, dataDir: cat.dataDir });
    // The same database served with the IdP taken out of the list (a restart with another configuration), and with it moved to another tenant.
    const untrusting = await startInProcess({}, { auth: true, dataDir: cat.dataDir });
    const moved = await startInProcess({ LAKEGATE_TRUSTED_ISSUERS: JSON.stringify([idp.trusted('elsewhere')]) }, { auth: true, dataDir: cat.dataDir });
    try {
      // Delegation policies name trusted issuers only: set through the trusting server.
      const admin = (await clientToken(trusting.lakegate.app, cat.admin().client_id, cat.admin().client_secret)).access_token;
      const created = await bearerSender(trusting.lakegate.app, admin)('POST', '/management/v1/principals', {
        name: 'idp-engine',
        delegation: { users: [{ issuer: idp.issuer, name: '*' }] },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const engineToken = (await clientToken(trusting.lakegate.app, created.body['client-id'] as string, created.body['client-secret'] as string)).access_token;
      const res = await oauthPost(
        trusting.lakegate.app,
        {
          grant_type: TOKEN_EXCHANGE,
          subject_token: await idp.token('alice'),
          subject_token_type: ACCESS_TOKEN_TYPE,
          actor_token: engineToken,
          actor_token_type: ACCESS_TOKEN_TYPE,
        },
        bearer(engineToken),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const delegated = res.body.access_token as string;
      const use = async (on: TestCatalog) => (await on.lakegate.app.inject({ method: 'GET', url: '/v1/config', headers: bearer(delegated) })).statusCode;
      const renew = (on: TestCatalog) =>
        oauthPost(on.lakegate.app, { grant_type: TOKEN_EXCHANGE, subject_token: delegated, subject_token_type: ACCESS_TOKEN_TYPE }, bearer(delegated));
      expect(await use(trusting)).toBe(200);
      expect((await renew(trusting)).status).toBe(200);
      // A web console session of the same user (as the OIDC sign-in stores it).
      const cookie = randomBytes(32).toString('base64url');
      const identity = { kind: 'user' as const, subject: 'alice', issuer: idp.issuer, tenant: 'default', groups: [] };
      await trusting.lakegate.store.sessions.insertSession({
        idHash: createHash('sha256').update(cookie).digest('base64url'),
        identity,
        createdAtMs: now,
        expiresAtMs: now + 3_600_000,
      });
      const consoleStatus = async (on: TestCatalog) =>
        (await on.lakegate.app.inject({ method: 'GET', url: '/v1/config', headers: { cookie: `lakegate_session=${cookie}` } })).statusCode;
      expect(await consoleStatus(trusting)).toBe(200);
      // Before the fix: 200 and a renewal, for the rest of the session (12 h; the console's 8 h), on both.
      for (const on of [untrusting, moved]) {
        expect(await use(on)).toBe(401);
        const renewed = await renew(on);
        expect(renewed.status).toBe(400);
        expect(renewed.body.error).toBe('invalid_request');
        expect(await consoleStatus(on)).toBe(401);
      }
    } finally {
      await moved.close();
      await untrusting.close();
      await trusting.close();
      await idp.close();
    }
  });
});

describe('observed: management answers carrying a new secret could be cached', () => {
  it('sends Cache-Control: no-store and Pragma: no-cache on every management answer, errors included', async () => {
    const send = bearerSender(cat.lakegate.app, await adminToken());
    const created = await send('POST', '/management/v1/principals', { name: 'cache-probe' });
    expect(created.status).toBe(201);
    expect(created.body['client-secret']).toBeTruthy();
    const rotated = await send('POST', `/management/v1/principals/${created.body['client-id']}/rotate-secret`);
    const listed = await send('GET', '/management/v1/principals');
    const refused = await send('POST', '/management/v1/principals', { name: '' });
    expect(refused.status).toBe(400);
    for (const res of [created, rotated, listed, refused]) {
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.pragma).toBe('no-cache');
    }
  });
});

describe('observed: a malformed Bearer header was answered as a missing credential (401), where RFC 6750 §3.1 says invalid_request (400)', () => {
  const malformed = ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer a\tb', 'Bearer "abc"', 'bearer a,b', 'Bearer a=b'];

  it('answers 400 invalid_request on the catalog surfaces, in their own error model, without echoing what was sent', async () => {
    for (const authorization of malformed) {
      const iceberg = await cat.lakegate.app.inject({ method: 'GET', url: '/v1/config', headers: { authorization } });
      expect(iceberg.statusCode, authorization).toBe(400);
      expect(iceberg.json().error).toMatchObject({ code: 400, type: 'BadRequestException' });
      expect(String(iceberg.headers['www-authenticate'])).toMatch(/^Bearer realm="lakegate", error="invalid_request", error_description="[^"]*"$/);
      if (authorization.length > 8) expect(iceberg.body).not.toContain(authorization.slice(7));
      const lance = await cat.lakegate.app.inject({ method: 'GET', url: '/lance/default/v1/namespace/%24/list', headers: { authorization } });
      expect(lance.statusCode, authorization).toBe(400);
      // Lance's error model: code 13 is InvalidInput.
      expect(lance.json()).toMatchObject({ code: 13, instance: '/lance/default/v1/namespace/%24/list' });
    }
    // A well-formed token that is not valid is still a 401 invalid_token; no credential at all a bare 401.
    const bad = await cat.lakegate.app.inject({ method: 'GET', url: '/v1/config', headers: { authorization: 'Bearer not.a.token' } });
    expect(bad.statusCode).toBe(401);
    expect(String(bad.headers['www-authenticate'])).toMatch(/error="invalid_token"/);
    const none = await cat.lakegate.app.inject({ method: 'GET', url: '/v1/config' });
    expect(none.statusCode).toBe(401);
    expect(String(none.headers['www-authenticate'])).toBe('Bearer realm="lakegate"');
    // The scheme is case-insensitive and trailing white space is allowed, as before.
    expect(await status(`${await adminToken()}  `)).toBe(200);
    const lower = await cat.lakegate.app.inject({ method: 'GET', url: '/v1/config', headers: { authorization: `bearer ${await adminToken()}` } });
    expect(lower.statusCode).toBe(200);
  });

  it('answers invalid_request at the token endpoint too', async () => {
    const token = await adminToken();
    for (const authorization of malformed) {
      const res = await oauthPost(
        cat.lakegate.app,
        { grant_type: TOKEN_EXCHANGE, subject_token: token, subject_token_type: ACCESS_TOKEN_TYPE },
        { authorization },
      );
      expect(res.status, authorization).toBe(400);
      expect(res.body.error).toBe('invalid_request');
    }
  });
});

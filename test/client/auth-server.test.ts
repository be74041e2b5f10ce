/**
 * The auth providers against a real Lakegate server process (authentication on, 3-second access tokens so that
 * expiry happens during the test, sessions of at most 8 seconds, refresh tokens with client credentials): oauth2
 * (client credentials, caching, single flight, refresh_token grant with rotation, 401 re-auth, exchange as
 * refresh, re-authentication once the session reached its maximum lifetime), token-exchange delegation (sub/act
 * checked in the token and the audit trail), SigV4 verified by the server, API keys and a bearer function.
 * Principals, access keys and API keys are minted through the management API.
 */
import { bearerAuth, CatalogError, createAuthProvider, IcebergRestCatalog, isUnauthenticated, oauth2Auth, type TokenExchangeAuth } from '@lakegate/client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearerOf, recordingFetch } from '../support/recording-fetch.js';
import { clientToken, createPrincipal, grantTo, type IssuedName, type ServerProcess, startServer } from '../support/server-process.js';
import { tampered } from '../support/tamper.js';

const TTL_SECONDS = 3;
const MAX_SESSION_SECONDS = 8;
const REGION = 'eu-central-1';
const SIGNING_NAME = 'lakegate-catalog';

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({
    env: {
      LAKEGATE_ACCESS_TOKEN_TTL_SECONDS: String(TTL_SECONDS),
      LAKEGATE_MAX_SESSION_LIFETIME_SECONDS: String(MAX_SESSION_SECONDS),
      LAKEGATE_CLIENT_CREDENTIALS_REFRESH_TOKENS: 'true',
      LAKEGATE_SIGV4_REGION: REGION,
      LAKEGATE_SIGV4_SIGNING_NAME: SIGNING_NAME,
    },
  });
});
afterAll(async () => server?.stop());
afterEach(() => vi.unstubAllEnvs());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function manage<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${await server.token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const principal = (name: string, delegation?: { users?: string[]; groups?: IssuedName[] }) => createPrincipal(server, name, delegation);

interface AuditEvent {
  type: string;
  actor: string;
  detail: Record<string, unknown>;
}
const audit = async () => (await manage<{ events: AuditEvent[] }>('GET', '/management/v1/audit?limit=1000')).events;

/** Records what the SDK sends to the server; token requests are those to Lakegate's token endpoint. */
const recorder = () => recordingFetch({ isTokenEndpoint: (url) => url.pathname === '/v1/oauth/tokens' });

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

describe('oauth2 against the Lakegate issuer', () => {
  it('gets one client-credentials token for many concurrent requests, then refreshes it with the refresh_token grant once it expires', async () => {
    const client = await principal('sdk-oauth2');
    const rec = recorder();
    const catalog = new IcebergRestCatalog({ uri: server.url, properties: { credential: client.credential }, fetch: rec.fetch });
    await Promise.all(Array.from({ length: 8 }, () => catalog.listNamespaces()));
    expect(rec.tokenCalls().map((c) => c.form)).toEqual([
      { grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret, scope: 'catalog' },
    ]);
    expect(rec.catalogCalls().every((c) => c.status === 200)).toBe(true);
    const first = bearerOf(rec.catalogCalls()[0]!);
    expect(claims(first).sub).toBe(client.id);

    // Past the server's expiry: the SDK renews before sending (no request is refused), once for all waiters.
    await sleep(TTL_SECONDS * 1000 + 300);
    await Promise.all(Array.from({ length: 5 }, () => catalog.listNamespaces()));
    const renewals = rec.tokenCalls().slice(1);
    expect(renewals.map((c) => c.form!.grant_type)).toEqual(['refresh_token']);
    expect(renewals[0]!.form!.refresh_token).toMatch(/^ey/);
    expect(rec.catalogCalls().every((c) => c.status === 200)).toBe(true);
    expect(bearerOf(rec.catalogCalls().at(-1)!)).not.toBe(first);

    const events = (await audit()).filter((e) => e.actor === `service:${client.id}` && e.type === 'token.issued');
    expect(events.map((e) => e.detail.grant).sort()).toEqual(['client_credentials', 'refresh_token']);
  });

  it('renews ahead of expiry, while the token is still valid (client clock inside the refresh margin)', async () => {
    const client = await principal('sdk-oauth2-ahead');
    const rec = recorder();
    let offset = 0;
    const auth = oauth2Auth({
      tokenEndpoint: `${server.url}/v1/oauth/tokens`,
      credential: client.credential,
      fetch: rec.fetch,
      now: () => Date.now() + offset,
    });
    const catalog = new IcebergRestCatalog({ uri: server.url, auth, fetch: rec.fetch });
    await catalog.listNamespaces();
    await catalog.listNamespaces();
    expect(rec.tokenCalls()).toHaveLength(1);
    offset = TTL_SECONDS * 1000 - 200; // within the last tenth of the lifetime
    await catalog.listNamespaces();
    expect(rec.tokenCalls().map((c) => c.form!.grant_type)).toEqual(['client_credentials', 'refresh_token']);
  });

  it('drops a refused token after a 401 and retries once with a fresh one', async () => {
    const client = await principal('sdk-oauth2-401');
    const rec = recorder();
    const catalog = new IcebergRestCatalog({ uri: server.url, properties: { credential: client.credential, token: 'revoked-or-garbage' }, fetch: rec.fetch });
    await catalog.listNamespaces();
    expect(rec.catalogCalls().map((c) => c.status)).toEqual([401, 200, 200]);
    expect(rec.tokenCalls().map((c) => c.form!.grant_type)).toEqual(['client_credentials']);

    // A static token alone cannot be replaced: one 401, no retry loop.
    const alone = recorder();
    const stuck = new IcebergRestCatalog({ uri: server.url, properties: { 'rest.auth.type': 'oauth2', token: 'revoked-or-garbage' }, fetch: alone.fetch });
    const error = await stuck.listNamespaces().catch((e: unknown) => e);
    expect(isUnauthenticated(error)).toBe(true);
    expect(alone.calls.map((c) => c.status)).toEqual([401]);
  });

  it('refreshes a configured token by token exchange only when token-exchange-enabled is set', async () => {
    const client = await principal('sdk-oauth2-exchange');
    const initial = await clientToken(server.url, client.credential);
    const expiresAtMs = (claims(initial).exp as number) * 1000;
    // The clients' clock stands just inside the refresh margin (the last tenth of the lifetime) while the token is
    // still valid for the server (the test starts right after the token was issued).
    const frozen = expiresAtMs - 150;
    const setup = (exchange: boolean) => {
      const rec = recorder();
      const auth = oauth2Auth({
        tokenEndpoint: `${server.url}/v1/oauth/tokens`,
        token: initial,
        tokenExchangeEnabled: exchange,
        fetch: rec.fetch,
        now: () => frozen,
      });
      return { rec, catalog: new IcebergRestCatalog({ uri: server.url, auth, fetch: rec.fetch }) };
    };
    const on = setup(true);
    const off = setup(false);
    await on.catalog.listNamespaces();
    await off.catalog.listNamespaces();
    expect(off.rec.tokenCalls()).toHaveLength(0);
    const [exchange] = on.rec.tokenCalls();
    expect(exchange!.form).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: initial,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: 'catalog',
    });
    expect(exchange!.headers.get('authorization')).toBe(`Bearer ${initial}`);
    expect(bearerOf(on.rec.catalogCalls().at(-1)!)).not.toBe(initial);
    expect((await audit()).some((e) => e.type === 'token.refreshed' && e.actor === `service:${client.id}` && e.detail.grant === 'token-exchange')).toBe(true);
  });

  it('re-authenticates with the credential, transparently, once the session reaches its maximum lifetime (refresh_token and exchange renewals)', async () => {
    const client = await principal('sdk-long-session');
    const sessionOf = (token: string) => claims(token).sid as string;
    for (const mode of ['refresh_token', 'token-exchange'] as const) {
      const rec = recorder();
      // token-exchange: start from a configured token (no refresh token), renewed by exchange as Iceberg Java does.
      const auth =
        mode === 'refresh_token'
          ? oauth2Auth({ tokenEndpoint: `${server.url}/v1/oauth/tokens`, credential: client.credential, fetch: rec.fetch })
          : oauth2Auth({
              tokenEndpoint: `${server.url}/v1/oauth/tokens`,
              credential: client.credential,
              token: await clientToken(server.url, client.credential),
              tokenExchangeEnabled: true,
              fetch: rec.fetch,
            });
      const catalog = new IcebergRestCatalog({ uri: server.url, auth, fetch: rec.fetch });
      const started = Date.now();
      while (Date.now() - started < (MAX_SESSION_SECONDS + 3) * 1000) {
        await catalog.listNamespaces();
        // Often enough to fall into the renewal margin (the last tenth of a 3-second token), where exchange applies.
        await sleep(150);
      }
      // Every catalog call went through; no token outlived its session.
      expect(
        rec.catalogCalls().every((c) => c.status === 200),
        mode,
      ).toBe(true);
      const sessions = [...new Set(rec.catalogCalls().map((c) => sessionOf(bearerOf(c))))];
      expect(sessions.length, mode).toBeGreaterThanOrEqual(2);
      const calls = rec.tokenCalls().map((c) => `${c.form!.grant_type!.replace('urn:ietf:params:oauth:grant-type:', '')} ${c.status}`);
      const renewal = mode === 'refresh_token' ? 'refresh_token' : 'token-exchange';
      // Renewals within the session, one refused at its end (invalid_grant / invalid_request), then the credential again.
      expect(calls, mode).toContain(`${renewal} 200`);
      expect(calls, mode).toContain(`${renewal} 400`);
      const refusedAt = calls.indexOf(`${renewal} 400`);
      expect(calls[refusedAt + 1], mode).toBe('client_credentials 200');
    }
  });

  it('reports a refused credential as a typed error without the secret', async () => {
    const client = await principal('sdk-oauth2-wrong');
    const catalog = new IcebergRestCatalog({ uri: server.url, properties: { credential: `${client.id}:not-the-secret-${client.secret.slice(0, 4)}` } });
    const error = (await catalog.listNamespaces().catch((e: unknown) => e)) as CatalogError;
    expect(error).toBeInstanceOf(CatalogError);
    expect(error).toMatchObject({ status: 401, type: 'invalid_client', protocol: 'oauth2' });
    expect(error.message).not.toContain('not-the-secret');
  });
});

describe('token-exchange: per-user sessions with the catalog session as actor', () => {
  it('exchanges a user token once per user, with sub = user and act = engine, as recorded in the audit trail', async () => {
    const user = await principal('sdk-etl-user');
    const other = await principal('sdk-other-user');
    const engine = await principal('sdk-engine', { users: [user.id] });
    const userToken = await clientToken(server.url, user.credential);
    const rec = recorder();
    const exchange = createAuthProvider(
      { 'rest.auth.type': 'token-exchange', credential: engine.credential },
      { uri: server.url, fetch: rec.fetch },
    ) as TokenExchangeAuth;
    const catalog = new IcebergRestCatalog({ uri: server.url, auth: exchange, fetch: rec.fetch });

    // Calls without a user are the engine's own.
    await catalog.listNamespaces();
    expect(claims(bearerOf(rec.catalogCalls().at(-1)!))).toMatchObject({ sub: engine.id });
    expect(claims(bearerOf(rec.catalogCalls().at(-1)!)).act).toBeUndefined();

    const asUser = catalog.withAuth(exchange.sessionFor(userToken));
    await Promise.all([asUser.listNamespaces(), asUser.listNamespaces(), asUser.listNamespaces()]);
    // Another session object for the same user (here a function) shares the cached exchange.
    await catalog.withAuth(exchange.sessionFor(async () => userToken)).listNamespaces();
    const exchanges = rec.tokenCalls().filter((c) => c.form!.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange');
    expect(exchanges).toHaveLength(1);
    const engineToken = exchanges[0]!.form!.actor_token!;
    expect(exchanges[0]!.form).toMatchObject({
      subject_token: userToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      actor_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      scope: 'catalog',
    });
    expect(claims(engineToken).sub).toBe(engine.id);
    const sent = claims(bearerOf(rec.catalogCalls().at(-1)!));
    expect(sent.sub).toBe(user.id);
    expect(sent.act).toEqual({ sub: engine.id });
    expect(rec.catalogCalls().every((c) => c.status === 200)).toBe(true);
    expect((await audit()).filter((e) => e.type === 'token.delegated' && e.actor === `user:${user.id} via service:${engine.id}`)).toHaveLength(1);

    // The engine may not act for a user its delegation does not list.
    const otherToken = await clientToken(server.url, other.credential);
    const refused = (await catalog
      .withAuth(exchange.sessionFor(otherToken))
      .listNamespaces()
      .catch((e: unknown) => e)) as CatalogError;
    // RFC 8693 §2.2.2: a subject token refused by policy is invalid_request.
    expect(refused).toMatchObject({ status: 400, type: 'invalid_request', protocol: 'oauth2' });
    expect(refused.message).not.toContain(otherToken);
    const logged = await server.settledOutput();
    for (const secret of [userToken, otherToken, engine.secret, user.secret]) expect(logged).not.toContain(secret);
  });

  it('authenticates as a configured subject token (rest.auth.token-exchange.subject-token)', async () => {
    const user = await principal('sdk-fixed-user');
    const engine = await principal('sdk-fixed-engine', { users: [user.id] });
    const rec = recorder();
    const catalog = new IcebergRestCatalog({
      uri: server.url,
      fetch: rec.fetch,
      properties: {
        'rest.auth.type': 'token-exchange',
        credential: engine.credential,
        'rest.auth.token-exchange.subject-token': await clientToken(server.url, user.credential),
      },
    });
    await catalog.listNamespaces();
    const sent = claims(bearerOf(rec.catalogCalls().at(-1)!));
    expect(sent).toMatchObject({ sub: user.id, act: { sub: engine.id } });
  });
});

describe('sigv4 verified by the server', () => {
  let signer: { id: string };
  let key: { 'access-key-id': string; 'secret-access-key': string };
  beforeAll(async () => {
    signer = await principal('sdk-signer');
    await grantTo(server, signer.id, ['namespace:create', 'namespace:list'], { type: 'warehouse', warehouse: 'default' });
    key = await manage('POST', `/management/v1/principals/${signer.id}/access-keys`);
  });
  const props = { 'rest.sigv4-enabled': 'true', 'rest.signing-region': REGION, 'rest.signing-name': SIGNING_NAME };

  it('signs reads and writes (exact body bytes, encoded paths and queries) with a static key', async () => {
    const rec = recorder();
    const catalog = new IcebergRestCatalog({
      uri: server.url,
      fetch: rec.fetch,
      properties: { ...props, 'rest.access-key-id': key['access-key-id'], 'rest.secret-access-key': key['secret-access-key'] },
    });
    await catalog.createNamespace(['signed ns'], { comment: 'größe ✓ + 100%' });
    await catalog.createNamespace(['signed ns', 'child']);
    expect(await catalog.loadNamespace(['signed ns'])).toMatchObject({ comment: 'größe ✓ + 100%' });
    expect((await catalog.listNamespaces(['signed ns'])).items).toEqual([['signed ns', 'child']]);
    expect(rec.calls.every((c) => c.status < 300)).toBe(true);
    expect(rec.calls.every((c) => c.headers.get('authorization')!.startsWith(`AWS4-HMAC-SHA256 Credential=${key['access-key-id']}/`))).toBe(true);
    expect(rec.calls.some((c) => c.headers.get('x-amz-content-sha256') && c.method === 'POST')).toBe(true);
    const logged = await server.settledOutput();
    expect(logged).toMatch(new RegExp(`"actor":"service:${signer.id}","auth":"sigv4"`));
    expect(logged).not.toContain(key['secret-access-key']);
  });

  it('takes credentials from the AWS default chain (environment)', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', key['access-key-id']);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', key['secret-access-key']);
    vi.stubEnv('AWS_REGION', REGION);
    const catalog = new IcebergRestCatalog({ uri: server.url, properties: { 'rest.sigv4-enabled': 'true', 'rest.signing-name': SIGNING_NAME } });
    expect((await catalog.listNamespaces()).items).toContainEqual(['signed ns']);
  });

  it('is refused (401, no retry) with a wrong secret, a wrong region or a wrong signing name', async () => {
    for (const over of [{ 'rest.secret-access-key': 'wrong-secret' }, { 'rest.signing-region': 'us-west-2' }, { 'rest.signing-name': 'execute-api' }]) {
      const rec = recorder();
      const catalog = new IcebergRestCatalog({
        uri: server.url,
        fetch: rec.fetch,
        properties: { ...props, 'rest.access-key-id': key['access-key-id'], 'rest.secret-access-key': key['secret-access-key'], ...over },
      });
      const error = await catalog.listNamespaces().catch((e: unknown) => e);
      expect(isUnauthenticated(error), JSON.stringify(over)).toBe(true);
      expect(rec.calls.map((c) => c.status)).toEqual([401]);
    }
  });

  it('carries an oauth2 delegate token in Original-Authorization, signed with the request', async () => {
    const delegateClient = await principal('sdk-sigv4-delegate');
    const rec = recorder();
    const catalog = new IcebergRestCatalog({
      uri: server.url,
      fetch: rec.fetch,
      properties: {
        ...props,
        'rest.access-key-id': key['access-key-id'],
        'rest.secret-access-key': key['secret-access-key'],
        credential: delegateClient.credential,
      },
    });
    await catalog.listNamespaces();
    const call = rec.catalogCalls().at(-1)!;
    expect(call.status).toBe(200);
    expect(claims(call.headers.get('original-authorization')!.replace(/^Bearer /, '')).sub).toBe(delegateClient.id);
    expect(call.headers.get('authorization')).toMatch(/SignedHeaders=[^,]*original-authorization/);
    expect(rec.tokenCalls().map((c) => c.form!.client_id)).toEqual([delegateClient.id]);
  });
});

describe('api-key and bearer', () => {
  it('sends an API key minted for a principal; a wrong one is refused', async () => {
    const owner = await principal('sdk-api-key');
    await grantTo(server, owner.id, ['namespace:list'], { type: 'warehouse', warehouse: 'default' });
    const created = await manage<{ 'api-key': string }>('POST', `/management/v1/principals/${owner.id}/api-keys`, { name: 'sdk', 'expires-in-seconds': 600 });
    const catalog = new IcebergRestCatalog({ uri: server.url, properties: { 'rest.auth.type': 'api-key', 'rest.auth.api-key': created['api-key'] } });
    expect((await catalog.listNamespaces()).items).toContainEqual(['signed ns']);
    const wrong = new IcebergRestCatalog({
      uri: server.url,
      properties: { 'rest.auth.type': 'api-key', 'rest.auth.api-key': tampered(created['api-key'], { count: 3, fromEnd: 1 }) },
    });
    expect(isUnauthenticated(await wrong.listNamespaces().catch((e: unknown) => e))).toBe(true);
    expect(await server.settledOutput()).not.toContain(created['api-key']);
  });

  it('asks a bearer function for the current token on every request', async () => {
    const client = await principal('sdk-bearer-fn');
    let asked = 0;
    const catalog = new IcebergRestCatalog({
      uri: server.url,
      auth: bearerAuth(async () => {
        asked++;
        return clientToken(server.url, client.credential);
      }),
    });
    await catalog.listNamespaces();
    await catalog.listNamespaces();
    expect(asked).toBe(3); // /v1/config once, then two listings
  });
});

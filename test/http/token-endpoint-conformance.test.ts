/**
 * Conformance of the token endpoint to RFC 6749 §2.3/§5.2, RFC 8693 §2.2 and RFC 8707, generated from one table:
 * (grant, how the client authenticates, inputs) → expected status and `error`. Every row runs against a fresh
 * in-process server state where it matters (refresh tokens are single-use, so each row gets its own).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalIdp, startLocalIdp } from '../support/local-idp.js';
import { ACCESS_TOKEN_TYPE, ID_TOKEN_TYPE, JWT_TYPE, TOKEN_EXCHANGE, basic, bearer, claimsOf, clientToken, unsignedJwt } from '../support/oauth.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

const ISSUER = 'http://127.0.0.1:8181';
type Grant = 'client_credentials' | 'refresh_token' | 'self-exchange' | 'delegation' | 'none';
/** How the client presents itself; `other` is another principal, `wrong` a wrong secret. */
type Auth =
  | 'none'
  | 'basic'
  | 'post'
  | 'basic-wrong'
  | 'post-wrong'
  | 'basic-other'
  | 'basic+post'
  | 'post-id-only'
  | 'bearer-subject'
  | 'bearer-own'
  | 'bearer-other'
  | 'bearer-invalid';

interface Fixture {
  /** The client of every row: an engine that may act for alice (by issuer), for carol (asserted) and itself. */
  client: { clientId: string; clientSecret: string };
  clientToken: string;
  /** A second token of the same client. */
  clientToken2: string;
  readToken: string;
  other: { clientId: string; clientSecret: string };
  otherToken: string;
  alice: string;
  mallory: string;
  idp: LocalIdp;
  refresh(scope?: string): Promise<string>;
  delegated: string;
}

interface Row {
  grant: Grant;
  auth: Auth;
  inputs: string;
  params: (f: Fixture) => Promise<Array<[string, string]>> | Array<[string, string]>;
  expect: [number, string?];
  /** Further checks of a granted response. */
  check?: (body: Record<string, unknown>, f: Fixture) => void;
}

const cc =
  (extra: Array<[string, string]> = []) =>
  (): Array<[string, string]> => [['grant_type', 'client_credentials'], ...extra];
const rt =
  (extra: Array<[string, string]> = [], scope?: string) =>
  async (f: Fixture): Promise<Array<[string, string]>> => [['grant_type', 'refresh_token'], ['refresh_token', await f.refresh(scope)], ...extra];
const selfEx =
  (extra: Array<[string, string]> = [], subject = (f: Fixture) => f.clientToken, type = ACCESS_TOKEN_TYPE) =>
  (f: Fixture): Array<[string, string]> => [['grant_type', TOKEN_EXCHANGE], ['subject_token', subject(f)], ['subject_token_type', type], ...extra];
const delegation =
  (
    subject: (f: Fixture) => Promise<string> | string = (f) => f.alice,
    extra: Array<[string, string]> = [],
    type = ACCESS_TOKEN_TYPE,
    actor = (f: Fixture) => f.clientToken,
  ) =>
  async (f: Fixture): Promise<Array<[string, string]>> => [
    ['grant_type', TOKEN_EXCHANGE],
    ['subject_token', await subject(f)],
    ['subject_token_type', type],
    ['actor_token', actor(f)],
    ['actor_token_type', ACCESS_TOKEN_TYPE],
    ...extra,
  ];
const mayAct = (claim: unknown) => (f: Fixture) => f.idp.token('alice', [], 600, { may_act: claim });

const ROWS: Row[] = [
  // client_credentials (RFC 6749 §4.4, §2.3)
  { grant: 'client_credentials', auth: 'basic', inputs: 'none', params: cc(), expect: [200] },
  { grant: 'client_credentials', auth: 'post', inputs: 'none', params: cc(), expect: [200] },
  { grant: 'client_credentials', auth: 'none', inputs: 'none', params: cc(), expect: [401, 'invalid_client'] },
  { grant: 'client_credentials', auth: 'basic-wrong', inputs: 'none', params: cc(), expect: [401, 'invalid_client'] },
  { grant: 'client_credentials', auth: 'post-wrong', inputs: 'none', params: cc(), expect: [401, 'invalid_client'] },
  { grant: 'client_credentials', auth: 'basic+post', inputs: 'two methods', params: cc(), expect: [400, 'invalid_request'] },
  { grant: 'client_credentials', auth: 'post-id-only', inputs: 'client_id without secret', params: cc(), expect: [401, 'invalid_client'] },
  { grant: 'client_credentials', auth: 'bearer-own', inputs: 'a token instead of the secret', params: cc(), expect: [401, 'invalid_client'] },
  {
    grant: 'client_credentials',
    auth: 'basic',
    inputs: 'scope=catalog:read',
    params: cc([['scope', 'catalog:read']]),
    expect: [200],
    check: (b) => expect(b.scope).toBe('catalog:read'),
  },
  { grant: 'client_credentials', auth: 'basic', inputs: 'scope=admin', params: cc([['scope', 'admin']]), expect: [400, 'invalid_scope'] },
  {
    grant: 'client_credentials',
    auth: 'basic',
    inputs: 'scope twice',
    params: cc([
      ['scope', 'catalog'],
      ['scope', 'catalog'],
    ]),
    expect: [400, 'invalid_request'],
  },
  { grant: 'client_credentials', auth: 'basic', inputs: 'resource=not-a-uri', params: cc([['resource', 'not-a-uri']]), expect: [400, 'invalid_target'] },
  {
    grant: 'client_credentials',
    auth: 'basic',
    inputs: 'audience of another service',
    params: cc([['audience', 'https://elsewhere.example']]),
    expect: [400, 'invalid_target'],
  },
  {
    grant: 'client_credentials',
    auth: 'basic',
    inputs: 'two resources of this catalog',
    params: cc([
      ['resource', ISSUER],
      ['resource', `${ISSUER}/v1`],
    ]),
    expect: [200],
    check: (b) => expect(claimsOf(b.access_token as string).aud).toEqual([ISSUER, `${ISSUER}/v1`]),
  },
  // (This server issues refresh tokens with client_credentials: clientCredentialsRefreshTokens on; the default is off.)
  {
    grant: 'client_credentials',
    auth: 'basic',
    inputs: 'refresh token when configured',
    params: cc(),
    expect: [200],
    check: (b) => expect(b.refresh_token).toMatch(/^ey/),
  },
  // refresh_token (RFC 6749 §6)
  { grant: 'refresh_token', auth: 'basic', inputs: 'its refresh token', params: rt(), expect: [200], check: (b) => expect(b.refresh_token).toMatch(/^ey/) },
  { grant: 'refresh_token', auth: 'post', inputs: 'its refresh token', params: rt(), expect: [200] },
  { grant: 'refresh_token', auth: 'none', inputs: 'its refresh token', params: rt(), expect: [401, 'invalid_client'] },
  { grant: 'refresh_token', auth: 'basic-wrong', inputs: 'its refresh token', params: rt(), expect: [401, 'invalid_client'] },
  { grant: 'refresh_token', auth: 'basic-other', inputs: "another client's refresh token", params: rt(), expect: [400, 'invalid_grant'] },
  { grant: 'refresh_token', auth: 'bearer-own', inputs: 'a token instead of the secret', params: rt(), expect: [401, 'invalid_client'] },
  { grant: 'refresh_token', auth: 'basic', inputs: 'no refresh_token', params: () => [['grant_type', 'refresh_token']], expect: [400, 'invalid_request'] },
  {
    grant: 'refresh_token',
    auth: 'basic',
    inputs: 'garbage',
    params: () => [
      ['grant_type', 'refresh_token'],
      ['refresh_token', 'garbage'],
    ],
    expect: [400, 'invalid_grant'],
  },
  {
    grant: 'refresh_token',
    auth: 'basic',
    inputs: 'an access token',
    params: (f) => [
      ['grant_type', 'refresh_token'],
      ['refresh_token', f.clientToken],
    ],
    expect: [400, 'invalid_grant'],
  },
  {
    grant: 'refresh_token',
    auth: 'basic',
    inputs: 'narrower scope',
    params: rt([['scope', 'catalog:read']]),
    expect: [200],
    check: (b) => expect(b.scope).toBe('catalog:read'),
  },
  { grant: 'refresh_token', auth: 'basic', inputs: 'wider scope', params: rt([['scope', 'catalog']], 'catalog:read'), expect: [400, 'invalid_scope'] },
  // token exchange of the client's own token (refresh by self-exchange)
  { grant: 'self-exchange', auth: 'bearer-subject', inputs: 'own token', params: selfEx(), expect: [200] },
  { grant: 'self-exchange', auth: 'bearer-own', inputs: 'own token', params: selfEx(), expect: [200] },
  { grant: 'self-exchange', auth: 'basic', inputs: 'own token', params: selfEx(), expect: [200] },
  { grant: 'self-exchange', auth: 'post', inputs: 'own token', params: selfEx(), expect: [200] },
  { grant: 'self-exchange', auth: 'none', inputs: 'own token', params: selfEx(), expect: [401, 'invalid_client'] },
  { grant: 'self-exchange', auth: 'basic-wrong', inputs: 'own token', params: selfEx(), expect: [401, 'invalid_client'] },
  { grant: 'self-exchange', auth: 'bearer-invalid', inputs: 'own token', params: selfEx(), expect: [401, 'invalid_client'] },
  { grant: 'self-exchange', auth: 'basic-other', inputs: "another client's token", params: selfEx(), expect: [400, 'invalid_request'] },
  { grant: 'self-exchange', auth: 'bearer-other', inputs: "another client's token", params: selfEx(), expect: [400, 'invalid_request'] },
  {
    grant: 'self-exchange',
    auth: 'bearer-subject',
    inputs: 'no subject_token_type',
    params: (f) => [
      ['grant_type', TOKEN_EXCHANGE],
      ['subject_token', f.clientToken],
    ],
    expect: [400, 'invalid_request'],
  },
  {
    grant: 'self-exchange',
    auth: 'bearer-subject',
    inputs: 'subject_token_type saml2',
    params: selfEx([], undefined, 'urn:ietf:params:oauth:token-type:saml2'),
    expect: [400, 'invalid_request'],
  },
  {
    grant: 'self-exchange',
    auth: 'bearer-subject',
    inputs: 'declared id_token',
    params: selfEx([], undefined, ID_TOKEN_TYPE),
    expect: [400, 'invalid_request'],
  },
  { grant: 'self-exchange', auth: 'bearer-own', inputs: "an IdP's token without actor", params: selfEx([], (f) => f.alice), expect: [400, 'invalid_request'] },
  {
    grant: 'self-exchange',
    auth: 'bearer-subject',
    inputs: 'requested_token_type refresh_token',
    params: selfEx([['requested_token_type', 'urn:ietf:params:oauth:token-type:refresh_token']]),
    expect: [400, 'invalid_request'],
  },
  {
    grant: 'self-exchange',
    auth: 'bearer-subject',
    inputs: 'scope wider than the token',
    params: selfEx([['scope', 'catalog']], (f) => f.readToken),
    expect: [400, 'invalid_scope'],
  },
  {
    grant: 'self-exchange',
    auth: 'bearer-subject',
    inputs: 'actor_token_type without actor_token',
    params: selfEx([['actor_token_type', ACCESS_TOKEN_TYPE]]),
    expect: [400, 'invalid_request'],
  },
  { grant: 'self-exchange', auth: 'bearer-subject', inputs: 'resource of this catalog', params: selfEx([['resource', `${ISSUER}/v1`]]), expect: [200] },
  // token exchange with an actor (delegation)
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: "alice's IdP token",
    params: delegation(),
    expect: [200],
    check: (b, f) => expect(claimsOf(b.access_token as string)).toMatchObject({ sub: 'alice', act: { sub: f.client.clientId } }),
  },
  { grant: 'delegation', auth: 'basic', inputs: "alice's IdP token", params: delegation(), expect: [200] },
  { grant: 'delegation', auth: 'none', inputs: "alice's IdP token", params: delegation(), expect: [401, 'invalid_client'] },
  { grant: 'delegation', auth: 'basic-wrong', inputs: "alice's IdP token", params: delegation(), expect: [401, 'invalid_client'] },
  { grant: 'delegation', auth: 'basic-other', inputs: 'actor_token of the engine', params: delegation(), expect: [400, 'invalid_request'] },
  { grant: 'delegation', auth: 'bearer-other', inputs: 'actor_token of the engine', params: delegation(), expect: [400, 'invalid_request'] },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'no actor_token_type',
    params: async (f) => (await delegation()(f)).filter(([k]) => k !== 'actor_token_type'),
    expect: [400, 'invalid_request'],
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'a delegated token as actor',
    params: delegation(undefined, [], ACCESS_TOKEN_TYPE, (f) => f.delegated),
    expect: [400, 'invalid_request'],
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'garbage actor_token',
    params: delegation(undefined, [], ACCESS_TOKEN_TYPE, () => 'garbage'),
    expect: [400, 'invalid_request'],
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'a user the policy does not cover',
    params: delegation((f) => f.mallory),
    expect: [400, 'invalid_request'],
  },
  {
    grant: 'delegation',
    auth: 'bearer-other',
    inputs: 'an engine without a policy',
    params: delegation(undefined, [], ACCESS_TOKEN_TYPE, (f) => f.otherToken),
    expect: [400, 'unauthorized_client'],
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'may_act naming the engine',
    params: async (f) => delegation(mayAct({ sub: f.client.clientId }))(f),
    expect: [200],
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'may_act naming another actor',
    params: delegation(mayAct({ sub: 'someone-else' })),
    expect: [400, 'invalid_request'],
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: "may_act of another issuer's actor",
    params: async (f) => delegation(mayAct({ sub: f.client.clientId, iss: 'https://elsewhere.example' }))(f),
    expect: [400, 'invalid_request'],
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'a subject token with a prior actor (act)',
    params: delegation((f) => f.idp.token('alice', [], 600, { act: { sub: 'gateway' } })),
    expect: [200],
    check: (b, f) => expect(claimsOf(b.access_token as string).act).toEqual({ sub: f.client.clientId, act: { sub: 'gateway', iss: f.idp.issuer } }),
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'unsigned subject as jwt (assert-identity)',
    params: delegation(() => unsignedJwt('carol'), [], JWT_TYPE),
    expect: [200],
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'unsigned subject as access_token',
    params: delegation(() => unsignedJwt('carol')),
    expect: [400, 'invalid_request'],
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'audience of another service',
    params: delegation(undefined, [['audience', 'https://elsewhere.example']]),
    expect: [400, 'invalid_target'],
  },
  {
    grant: 'delegation',
    auth: 'bearer-own',
    inputs: 'scope=superuser',
    params: delegation(undefined, [['scope', 'superuser']]),
    expect: [400, 'invalid_scope'],
  },
  // the endpoint itself
  { grant: 'none', auth: 'basic', inputs: 'no grant_type', params: () => [], expect: [400, 'invalid_request'] },
  {
    grant: 'none',
    auth: 'basic',
    inputs: 'grant_type password',
    params: () => [
      ['grant_type', 'password'],
      ['username', 'a'],
      ['password', 'b'],
    ],
    expect: [400, 'unsupported_grant_type'],
  },
  {
    grant: 'none',
    auth: 'basic',
    inputs: 'grant_type twice',
    params: () => [
      ['grant_type', 'client_credentials'],
      ['grant_type', 'client_credentials'],
    ],
    expect: [400, 'invalid_request'],
  },
];

let idp: LocalIdp;
let cat: TestCatalog;
let f: Fixture;

beforeAll(async () => {
  idp = await startLocalIdp('conformance');
  cat = await startInProcess({ LAKEGATE_TRUSTED_ISSUERS: JSON.stringify([idp.trusted()]), LAKEGATE_CLIENT_CREDENTIALS_REFRESH_TOKENS: 'true' }, { auth: true });
  const app = cat.lakegate.app;
  const client = await cat.lakegate.principals.create('conformance-engine', [], {
    users: [{ issuer: idp.issuer, name: 'alice' }, 'carol'],
    assertIdentity: true,
  });
  const other = await cat.lakegate.principals.create('conformance-other');
  const token = async (p: typeof client, extra: Record<string, string> = {}) => (await clientToken(app, p.clientId, p.clientSecret, extra)).access_token;
  const clientTok = await token(client);
  const alice = await idp.token('alice');
  const delegatedRes = await app.inject({
    method: 'POST',
    url: '/v1/oauth/tokens',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer(clientTok) },
    payload: new URLSearchParams({
      grant_type: TOKEN_EXCHANGE,
      subject_token: alice,
      subject_token_type: ACCESS_TOKEN_TYPE,
      actor_token: clientTok,
      actor_token_type: ACCESS_TOKEN_TYPE,
    }).toString(),
  });
  f = {
    client,
    clientToken: clientTok,
    clientToken2: await token(client),
    readToken: await token(client, { scope: 'catalog:read' }),
    other,
    otherToken: await token(other),
    alice,
    mallory: await idp.token('mallory'),
    idp,
    refresh: async (scope) => (await clientToken(app, client.clientId, client.clientSecret, scope ? { scope } : {})).refresh_token!,
    delegated: delegatedRes.json().access_token as string,
  };
});
afterAll(async () => {
  await cat?.close();
  await idp?.close();
});

/** The headers and extra form fields for a way of authenticating. */
function authenticate(auth: Auth, params: Array<[string, string]>, fx: Fixture): { headers: Record<string, string>; extra: Array<[string, string]> } {
  const { clientId, clientSecret } = fx.client;
  const subject = params.find(([k]) => k === 'subject_token')?.[1];
  switch (auth) {
    case 'none':
      return { headers: {}, extra: [] };
    case 'basic':
      return { headers: basic(clientId, clientSecret), extra: [] };
    case 'post':
      return {
        headers: {},
        extra: [
          ['client_id', clientId],
          ['client_secret', clientSecret],
        ],
      };
    case 'basic-wrong':
      return { headers: basic(clientId, 'wrong-secret'), extra: [] };
    case 'post-wrong':
      return {
        headers: {},
        extra: [
          ['client_id', clientId],
          ['client_secret', 'wrong-secret'],
        ],
      };
    case 'basic-other':
      return { headers: basic(fx.other.clientId, fx.other.clientSecret), extra: [] };
    case 'basic+post':
      return { headers: basic(clientId, clientSecret), extra: [['client_secret', clientSecret]] };
    case 'post-id-only':
      return { headers: {}, extra: [['client_id', clientId]] };
    case 'bearer-subject':
      return { headers: bearer(subject ?? fx.clientToken), extra: [] };
    case 'bearer-own':
      return { headers: bearer(fx.clientToken2), extra: [] };
    case 'bearer-other':
      return { headers: bearer(fx.otherToken), extra: [] };
    case 'bearer-invalid':
      return { headers: bearer('not-a-valid-token'), extra: [] };
  }
}

describe('token endpoint conformance (RFC 6749, RFC 8693, RFC 8707)', () => {
  for (const row of ROWS) {
    const [status, error] = row.expect;
    it(`${row.grant} · auth ${row.auth} · ${row.inputs} → ${status}${error ? ` ${error}` : ''}`, async () => {
      const params = await row.params(f);
      const { headers, extra } = authenticate(row.auth, params, f);
      const body = new URLSearchParams([...params, ...extra]);
      const res = await cat.lakegate.app.inject({
        method: 'POST',
        url: '/v1/oauth/tokens',
        payload: body.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });
      const json = res.json() as Record<string, unknown>;
      expect(res.statusCode, res.body).toBe(status);
      expect(res.headers['cache-control']).toBe('no-store');
      if (error) {
        expect(json.error).toBe(error);
        expect(json).not.toHaveProperty('access_token');
        if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^(Basic|Bearer) realm="lakegate"/);
      } else {
        expect(json).toMatchObject({ token_type: 'Bearer', issued_token_type: ACCESS_TOKEN_TYPE });
        expect(typeof json.expires_in).toBe('number');
      }
      row.check?.(json, f);
    });
  }

  it('answers a JSON body with invalid_request', async () => {
    const res = await cat.lakegate.app.inject({ method: 'POST', url: '/v1/oauth/tokens', payload: { grant_type: 'client_credentials' } });
    expect([res.statusCode, res.json().error]).toEqual([400, 'invalid_request']);
  });
});

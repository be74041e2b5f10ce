/**
 * The SDK's oauth2 and token-exchange providers against a real Keycloak (scripts/peers/keycloak.sh, realm
 * peers/keycloak/lakegate-realm.json), with a Lakegate server that trusts Keycloak as an issuer (as in
 * keycloak-federation.test.ts): client credentials at Keycloak's token endpoint, Keycloak's standard token exchange
 * (V2, where the exchanging client is the party, so the provider authenticates the exchange instead of sending an
 * actor token), and Lakegate delegation with a Keycloak user's token as subject. One Keycloak for the whole file.
 */
import { createAuthProvider, IcebergRestCatalog, type TokenExchangeAuth } from '@lakegate/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Federation, type Keycloak, KEYCLOAK_CLIENTS, KEYCLOAK_USERS, jwtPayload, startFederation } from '../support/keycloak.js';
import { bearerOf, recordingFetch, type RecordedCall } from '../support/recording-fetch.js';
import { createPrincipal, type ServerProcess } from '../support/server-process.js';

let kc: Keycloak;
let server: ServerProcess;
let federation: Federation | undefined;

beforeAll(async () => {
  federation = await startFederation();
  ({ kc, server } = federation);
});
afterAll(async () => federation?.stop());

/** Records token requests at Keycloak's and Lakegate's token endpoints, and the catalog calls to Lakegate. */
const recorder = () =>
  recordingFetch({ isTokenEndpoint: (url) => url.pathname.endsWith('/token') || url.pathname.endsWith('/oauth/tokens'), catalogUrl: server.url });

const bearer = (call: RecordedCall) => jwtPayload(bearerOf(call));

describe('oauth2 at Keycloak', () => {
  it("gets a client-credentials token from Keycloak's token endpoint that Lakegate accepts", async () => {
    const rec = recorder();
    const catalog = new IcebergRestCatalog({
      uri: server.url,
      fetch: rec.fetch,
      properties: {
        credential: `${KEYCLOAK_CLIENTS.trino.clientId}:${KEYCLOAK_CLIENTS.trino.secret}`,
        'oauth2-server-uri': kc.tokenEndpoint,
        scope: 'catalog',
      },
    });
    await catalog.listNamespaces();
    await catalog.listNamespaces();
    expect(rec.tokenCalls().map((c) => [c.url.href, c.form!.grant_type, c.form!.client_id])).toEqual([
      [kc.tokenEndpoint, 'client_credentials', 'trino-engine'],
    ]);
    expect(rec.catalogCalls().every((c) => c.status === 200)).toBe(true);
    const claims = bearer(rec.catalogCalls().at(-1)!);
    expect(claims).toMatchObject({ iss: kc.issuer, azp: 'trino-engine' });
    expect(await server.settledOutput()).toMatch(/"actor":"user:service-account-trino-engine"/);
  });
});

describe('token exchange at Keycloak (standard token exchange V2)', () => {
  it("exchanges a user's token, authenticated as the engine client, and caches it per user", async () => {
    const rec = recorder();
    const exchange = createAuthProvider(
      {
        'rest.auth.type': 'token-exchange',
        credential: `${KEYCLOAK_CLIENTS.trino.clientId}:${KEYCLOAK_CLIENTS.trino.secret}`,
        'oauth2-server-uri': kc.tokenEndpoint,
        'rest.auth.token-exchange.actor-mode': 'client-auth',
        audience: 'lakegate',
      },
      { uri: server.url, fetch: rec.fetch },
    ) as TokenExchangeAuth;
    const catalog = new IcebergRestCatalog({ uri: server.url, auth: exchange, fetch: rec.fetch });
    const alice = await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password);
    const asAlice = catalog.withAuth(exchange.sessionFor(alice));
    await Promise.all([asAlice.listNamespaces(), asAlice.listNamespaces()]);
    await asAlice.listNamespaces();

    const exchanges = rec.tokenCalls().filter((c) => c.form!.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange');
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]!.form).toMatchObject({
      client_id: 'trino-engine',
      subject_token: alice,
      audience: 'lakegate',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    });
    expect(exchanges[0]!.form!.actor_token).toBeUndefined();
    const asSent = bearer(rec.catalogCalls().at(-1)!);
    expect(asSent).toMatchObject({ iss: kc.issuer, azp: 'trino-engine', preferred_username: 'alice' });
    expect(rec.catalogCalls().every((c) => c.status === 200)).toBe(true);
    expect(await server.settledOutput()).toMatch(/"actor":"user:alice"/);
  });
});

describe('Lakegate delegation with a Keycloak subject', () => {
  it("acts for a Keycloak user with the engine's Lakegate session as actor", async () => {
    const engine = await createPrincipal(server, 'sdk-trino', { groups: [{ issuer: kc.issuer, name: 'analysts' }] });
    const rec = recorder();
    const exchange = createAuthProvider(
      { 'rest.auth.type': 'token-exchange', credential: engine.credential },
      { uri: server.url, fetch: rec.fetch },
    ) as TokenExchangeAuth;
    const catalog = new IcebergRestCatalog({ uri: server.url, auth: exchange, fetch: rec.fetch });
    const alice = await kc.userToken(KEYCLOAK_USERS.alice.username, KEYCLOAK_USERS.alice.password);
    await catalog.withAuth(exchange.sessionFor(alice)).listNamespaces();
    expect(bearer(rec.catalogCalls().at(-1)!)).toMatchObject({ sub: 'alice', act: { sub: engine.id } });

    // bob is not an analyst: refused by the delegation policy, as a typed OAuth2 error.
    const bob = await kc.userToken(KEYCLOAK_USERS.bob.username, KEYCLOAK_USERS.bob.password);
    await expect(catalog.withAuth(exchange.sessionFor(bob)).listNamespaces()).rejects.toMatchObject({ status: 400, type: 'invalid_request' });
    expect(await server.settledOutput()).not.toContain(alice);
  });
});

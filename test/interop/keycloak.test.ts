/**
 * Keycloak (a real IdP, fetched, pre-built and cached by scripts/peers/keycloak.sh, started by the
 * suite on 127.0.0.1 with peers/keycloak/lakegate-realm.json): the identity setup later Lakegate
 * tests rely on, checked against Keycloak alone with plain fetch. Discovery and JWKS; a user token
 * (password grant, scope `openid catalog`) with aud `lakegate` and a `groups` claim; an engine's
 * client-credentials token with scope `catalog`; and standard token exchange (V2), where the
 * engine turns the user's token into one for the catalog that still names the user.
 */
import { createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCESS_TOKEN_TYPE,
  audiences,
  CATALOG_AUDIENCE,
  jwtHeader,
  jwtPayload,
  type Keycloak,
  KEYCLOAK_CLIENTS,
  KEYCLOAK_USERS,
  startKeycloak,
  TOKEN_EXCHANGE_GRANT,
  TokenError,
} from '../support/keycloak.js';

const { alice, bob } = KEYCLOAK_USERS;
const { trino, spark, cli } = KEYCLOAK_CLIENTS;

let kc: Keycloak;

beforeAll(async () => {
  kc = await startKeycloak();
});
afterAll(async () => {
  await kc?.stop();
});

/** The rejection of a token request (fails the test when the request succeeds). */
async function tokenError(request: Promise<unknown>): Promise<TokenError> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TokenError);
  return error as TokenError;
}

async function jwks(): Promise<{ keys: (JsonWebKey & { kid: string; alg?: string; use?: string })[] }> {
  const response = await fetch(kc.jwksUri);
  expect(response.status).toBe(200);
  return (await response.json()) as { keys: (JsonWebKey & { kid: string; alg?: string; use?: string })[] };
}

/** Checks a JWT's RS256 signature against the realm's JWKS. */
async function verifySignature(token: string): Promise<boolean> {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const { kid, alg } = jwtHeader(token);
  expect(alg).toBe('RS256');
  const jwk = (await jwks()).keys.find((k) => k.kid === kid);
  expect(jwk, `kid ${String(kid)} in the JWKS`).toBeDefined();
  const key = createPublicKey({ key: jwk!, format: 'jwk' });
  return verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
}

describe('Keycloak realm lakegate', () => {
  it('serves the discovery document with the pinned loopback issuer', async () => {
    const response = await fetch(kc.discoveryUrl);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as Record<string, unknown>;
    expect(kc.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/realms\/lakegate$/);
    expect(doc.issuer).toBe(kc.issuer);
    expect(doc.token_endpoint).toBe(kc.tokenEndpoint);
    expect(doc.jwks_uri).toBe(kc.jwksUri);
    expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['password', 'client_credentials', TOKEN_EXCHANGE_GRANT]));
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'catalog']));
    expect(doc.id_token_signing_alg_values_supported).toContain('RS256');

    // The issuer does not follow the Host a client used: tokens stay verifiable whatever the URL.
    const viaLocalhost = await fetch(kc.discoveryUrl.replace('127.0.0.1', 'localhost')).catch(() => undefined);
    if (viaLocalhost?.ok) expect(((await viaLocalhost.json()) as { issuer: string }).issuer).toBe(kc.issuer);
  });

  it('publishes RS256 signing keys', async () => {
    const { keys } = await jwks();
    const signing = keys.filter((k) => k.use === 'sig' && k.alg === 'RS256');
    expect(signing.length).toBeGreaterThanOrEqual(1);
    for (const key of signing) {
      expect(key.kty).toBe('RSA');
      expect(key.kid).toBeTruthy();
      expect(key.n).toBeTruthy();
      expect(key.e).toBeTruthy();
    }
  });

  it('gives alice a user token (password grant, scope openid catalog) for the catalog', async () => {
    const response = await kc.token({
      grant_type: 'password',
      client_id: cli.clientId,
      username: alice.username,
      password: alice.password,
      scope: 'openid catalog',
    });
    expect(response.token_type).toBe('Bearer');
    expect(response.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'catalog']));
    expect(response.id_token).toBeTruthy();

    const token = response.access_token;
    const claims = jwtPayload(token);
    expect(claims.iss).toBe(kc.issuer);
    expect(claims.sub).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.azp).toBe(cli.clientId);
    expect(claims.preferred_username).toBe('alice');
    // aud: the catalog (client scope `catalog`) and the engines allowed to exchange the token.
    expect(audiences(claims)).toEqual(expect.arrayContaining([CATALOG_AUDIENCE, trino.clientId, spark.clientId]));
    expect(claims.groups).toEqual(['analysts']);
    expect(claims.roles).toEqual(expect.arrayContaining([...alice.roles]));
    expect(claims.exp as number).toBeGreaterThan(Date.now() / 1000);
    expect(await verifySignature(token)).toBe(true);
  });

  it('puts bob in engineers, not analysts', async () => {
    const claims = jwtPayload(await kc.userToken(bob.username, bob.password));
    expect(claims.groups).toEqual(['engineers']);
    expect(claims.roles).toEqual(expect.arrayContaining([...bob.roles]));
    expect(audiences(claims)).toContain(CATALOG_AUDIENCE);
  });

  it('refuses a wrong password', async () => {
    const error = await tokenError(kc.userToken(alice.username, 'not-alice-password'));
    expect(error.status).toBe(400); // RFC 6749 §5.2: invalid_grant is a 400
    expect(error.body.error).toBe('invalid_grant');
  });

  it('gives trino-engine a client-credentials token with scope catalog', async () => {
    const response = await kc.token({
      grant_type: 'client_credentials',
      client_id: trino.clientId,
      client_secret: trino.secret,
      scope: 'catalog',
    });
    expect(response.scope?.split(' ')).toContain('catalog');
    const claims = jwtPayload(response.access_token);
    expect(claims.iss).toBe(kc.issuer);
    expect(claims.azp).toBe(trino.clientId);
    expect(claims.preferred_username).toBe('service-account-trino-engine');
    expect(audiences(claims)).toEqual([CATALOG_AUDIENCE]);
    expect(await verifySignature(response.access_token)).toBe(true);

    // What Keycloak answers for a scope the realm does not define (why `catalog` must exist).
    const error = await tokenError(kc.clientToken(trino.clientId, trino.secret, 'no-such-scope'));
    expect(error.status).toBe(400);
    expect(error.body.error).toBe('invalid_scope');
    // A wrong secret.
    expect((await tokenError(kc.clientToken(trino.clientId, 'wrong-secret'))).body.error).toBe('unauthorized_client');
  });

  it('lets trino-engine exchange alice’s token for a catalog token that still names alice (standard token exchange)', async () => {
    const subject = await kc.userToken(alice.username, alice.password);
    const response = await kc.token({
      grant_type: TOKEN_EXCHANGE_GRANT,
      client_id: trino.clientId,
      client_secret: trino.secret,
      subject_token: subject,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: CATALOG_AUDIENCE,
    });
    expect(response.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    expect(response.refresh_token).toBeUndefined();

    const exchanged = jwtPayload(response.access_token);
    expect(exchanged.iss).toBe(kc.issuer);
    expect(exchanged.sub).toBe(jwtPayload(subject).sub);
    expect(exchanged.azp).toBe(trino.clientId);
    expect(exchanged.preferred_username).toBe('alice');
    // Down-scoped to the requested audience: the catalog only.
    expect(audiences(exchanged)).toEqual([CATALOG_AUDIENCE]);
    expect(exchanged.groups).toEqual(['analysts']);
    expect(await verifySignature(response.access_token)).toBe(true);

    // spark-engine is in the subject token's aud too.
    const viaSpark = jwtPayload(await kc.exchange(spark.clientId, spark.secret, subject));
    expect(viaSpark.sub).toBe(exchanged.sub);
    expect(viaSpark.azp).toBe(spark.clientId);
  });

  it('refuses an exchange by a client that is not in the subject token’s aud', async () => {
    // trino-engine's own token has aud = [lakegate]: spark-engine may not exchange it.
    const trinoToken = await kc.clientToken(trino.clientId, trino.secret);
    const error = await tokenError(kc.exchange(spark.clientId, spark.secret, trinoToken));
    expect(error.status).toBe(403);
    expect(error.body.error).toBe('access_denied');
    expect(error.body.error_description).toMatch(/not within the token audience/);
  });
});

/**
 * Which failures of token verification are the token's (401) and which are the server's: a signing-key store that
 * cannot answer (its database restarting) must not turn valid tokens into 401s, which clients do not retry
 * (test/interop/faults.test.ts saw 69 of them while PostgreSQL restarted). It goes out as the store's own error
 * (ERR_UNAVAILABLE: 503, retried); a token's own fault stays a 401 with its reason.
 */
import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../errors/catalog-error.js';
import { TokenError, type TokenIssuer } from '../issuer/token-issuer.js';
import type { TokenState } from '../token-state.js';
import { AuthenticationError, type RequestCredentials } from './authenticator.js';
import { JwtAuthenticator } from './jwt-authenticator.js';

const request = (token: string): RequestCredentials => ({
  method: 'GET',
  url: '/v1/config',
  authorization: `Bearer ${token}`,
  headers: { authorization: `Bearer ${token}` },
  body: new Uint8Array(),
});
const issuerFailing = (error: Error) => ({ verify: async () => Promise.reject(error) }) as unknown as TokenIssuer;
const noState = {} as TokenState;

describe('JwtAuthenticator', () => {
  it('passes a store failure on as itself (503), not as an invalid token (401)', async () => {
    const unavailable = new CatalogError('ERR_UNAVAILABLE', 'the catalog database is unavailable');
    const failure = await new JwtAuthenticator(issuerFailing(unavailable), noState).authenticate(request('a.b.c')).catch((e: unknown) => e);
    expect(failure).toBe(unavailable);
  });

  it("answers a token's own fault with a 401 naming the reason", async () => {
    const failure = await new JwtAuthenticator(issuerFailing(new TokenError('token expired')), noState).authenticate(request('a.b.c')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AuthenticationError);
    expect((failure as AuthenticationError).reason).toBe('token expired');
  });
});

describe('JwtAuthenticator.authenticateCached', () => {
  const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJlbmdpbmUifQ.c2lnbmF0dXJl';
  const verifying = {
    issuerId: 'lakegate',
    verify: async (t: string) =>
      t === token ? { sub: 'engine', tenant: 'default', exp: Math.floor(Date.now() / 1000) + 3600 } : Promise.reject(new TokenError('bad signature')),
  } as unknown as TokenIssuer;
  const good = { refusal: async () => undefined, stillGoodCached: () => true } as unknown as TokenState;
  const withHeader = (authorization: string | undefined): RequestCredentials => ({
    method: 'POST',
    url: '/v1/x',
    authorization,
    headers: { authorization },
    body: new Uint8Array(),
  });

  it('accepts a verified token from the cache under every well-formed header of it, and nothing else', async () => {
    const jwt = new JwtAuthenticator(verifying, good);
    // Not verified yet: the cache has nothing.
    expect(jwt.authenticateCached(withHeader(`Bearer ${token}`))).toBeUndefined();
    const actor = await jwt.authenticate(withHeader(`Bearer ${token}`));
    expect(actor?.subject).toBe('engine');
    // The usual header (looked up without the syntax check), and the other well-formed spellings (through parseBearer).
    for (const header of [`Bearer ${token}`, `bearer ${token}`, `BEARER   ${token}`, `Bearer ${token} \t`])
      expect(jwt.authenticateCached(withHeader(header))).toBe(actor);
    // Malformed headers, other tokens and other schemes are never answered from the cache.
    for (const header of [
      undefined,
      '',
      'Bearer',
      `Bearer ${token}x`,
      `Bearer ${token} x`,
      `Bearer ${token},`,
      `Bearer\t${token}`,
      `Basic ${token}`,
      `Bearer  ${token}.x`,
      `Bearer ${token.slice(0, -1)}`,
    ]) {
      expect(jwt.authenticateCached(withHeader(header)), String(header)).toBeUndefined();
    }
  });

  it('asks the token state on every cached answer', async () => {
    let stillGood = true;
    const jwt = new JwtAuthenticator(verifying, { refusal: async () => undefined, stillGoodCached: () => stillGood } as unknown as TokenState);
    await jwt.authenticate(withHeader(`Bearer ${token}`));
    expect(jwt.authenticateCached(withHeader(`Bearer ${token}`))?.subject).toBe('engine');
    stillGood = false;
    expect(jwt.authenticateCached(withHeader(`Bearer ${token}`))).toBeUndefined();
  });
});

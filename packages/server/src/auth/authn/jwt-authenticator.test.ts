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

const request = (token: string): RequestCredentials => ({ method: 'GET', url: '/v1/config', authorization: `Bearer ${token}`, headers: { authorization: `Bearer ${token}` }, body: new Uint8Array() });
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

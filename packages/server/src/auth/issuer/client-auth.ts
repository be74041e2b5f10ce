/**
 * Client authentication at the issuer's endpoints (RFC 6749 §2.3): how the
 * client presented itself, then the check each grant requires.
 *
 * - `client_secret_basic` (Authorization: Basic, both parts form-urlencoded)
 *   or `client_secret_post` (client_id and client_secret in the body). Using
 *   both on one request is invalid_request (§2.3); a failure is
 *   invalid_client (401), rate-limited per client id and address, per address, and
 *   per client id from addresses it never signed in from (failure-limiter.ts).
 * - A Bearer token: one of our access tokens, which a client holds only by
 *   having authenticated before. Iceberg Java sends the token it renews (a
 *   self-exchange) or its catalog session's token (a delegation) this way;
 *   it counts as the authentication of the principal it was issued to,
 *   checked like any request's token (signature, expiry, revocation).
 *   When client credentials are in the body too (Iceberg's `credential`
 *   inside a session context), the credentials decide and the Bearer is
 *   not client authentication.
 */
import type { JWTPayload } from 'jose';
import type { ServicePrincipal } from '../ports.js';
import type { IssuerDeps } from './issuer-deps.js';
import { OAuthError } from './oauth-error.js';
import { MALFORMED_BEARER, parseBearer } from '../bearer.js';
import { ACCESS_TOKEN_TYP, TokenError, tenantClaim } from './token-issuer.js';

export type PresentedClient =
  { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; secret: string } | { method: 'bearer'; token: string } | { method: 'none' };

export type SecretClient = Extract<PresentedClient, { secret: string }>;

const formDecode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));

function basicCredentials(header: string): { clientId: string; secret: string } {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
  const i = decoded.indexOf(':');
  if (i <= 0) throw new OAuthError('invalid_client', 'malformed Basic client credentials');
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded inside Basic.
    return { clientId: formDecode(decoded.slice(0, i)), secret: formDecode(decoded.slice(i + 1)) };
  } catch {
    throw new OAuthError('invalid_client', 'malformed Basic client credentials');
  }
}

/** How the client presented itself; throws invalid_request for two methods at once. */
export function presentedClient(authorization: string | undefined, params: URLSearchParams): PresentedClient {
  const postId = params.get('client_id') ?? undefined;
  const postSecret = params.get('client_secret') ?? undefined;
  const scheme = authorization?.trim().split(/\s+/)[0]?.toLowerCase();
  if (scheme === 'basic') {
    const basic = basicCredentials(authorization!);
    if (postSecret !== undefined) throw new OAuthError('invalid_request', 'use one client authentication method, not Basic and client_secret together');
    if (postId !== undefined && postId !== basic.clientId) throw new OAuthError('invalid_request', 'client_id does not match the Basic client credentials');
    return { method: 'client_secret_basic', ...basic };
  }
  if (postSecret !== undefined) {
    if (!postId) throw new OAuthError('invalid_client', 'client_id is required with client_secret');
    return { method: 'client_secret_post', clientId: postId, secret: postSecret };
  }
  const bearer = parseBearer(authorization);
  if (bearer.kind === 'malformed') throw new OAuthError('invalid_request', MALFORMED_BEARER);
  return bearer.kind === 'token' ? { method: 'bearer', token: bearer.token } : { method: 'none' };
}

export const isSecret = (c: PresentedClient): c is SecretClient => c.method === 'client_secret_basic' || c.method === 'client_secret_post';

const failed = (description: string, challenge: 'Basic' | 'Bearer') => Object.assign(new OAuthError('invalid_client', description), { challenge });

/** Client credentials checked, rate-limited: the principal, or invalid_client. */
export async function authenticateSecret(ctx: IssuerDeps & { remoteAddress: string }, client: SecretClient): Promise<ServicePrincipal> {
  const wait = ctx.limiter.retryAfterMs(client.clientId, ctx.remoteAddress);
  if (wait > 0) throw Object.assign(new OAuthError('slow_down', 'too many failed attempts; retry later'), { retryAfterMs: wait });
  const principal = await ctx.principals.authenticate(client.clientId, client.secret);
  if (!principal) {
    ctx.limiter.fail(client.clientId, ctx.remoteAddress);
    await ctx.audit.record('auth.client.failed', `client:${client.clientId.slice(0, 100)}`, { address: ctx.remoteAddress });
    throw failed('client authentication failed', 'Basic');
  }
  ctx.limiter.succeed(client.clientId, ctx.remoteAddress);
  return principal;
}

/** The principal a token of ours was issued to: the subject itself, or the acting engine of a delegated token. */
export const clientIdOf = (claims: JWTPayload & { sub: string }): string => (typeof claims.client_id === 'string' ? claims.client_id : claims.sub);

/** One of our access tokens presented as Bearer: verified and still good; invalid_client (Bearer challenge) otherwise. */
export async function authenticateBearer(ctx: IssuerDeps, token: string): Promise<{ claims: JWTPayload & { sub: string }; principal: ServicePrincipal }> {
  let claims: JWTPayload & { sub: string };
  try {
    claims = await ctx.issuer.verify(token, ACCESS_TOKEN_TYP);
  } catch (e) {
    if (!(e instanceof TokenError)) throw e; // the store, not the token (503)
    throw failed(`the bearer token is not valid: ${e.reason}`, 'Bearer');
  }
  const refused = await ctx.state.refusal(claims, tenantClaim(claims));
  if (refused) throw failed(`the bearer token is not valid: ${refused.reason}`, 'Bearer');
  const principal = await ctx.state.principal(clientIdOf(claims));
  if (!principal) throw failed('the bearer token is not valid: the principal is no longer active', 'Bearer');
  return { claims, principal };
}

/** invalid_client for a request that needs client authentication and carries none. */
export const authenticationRequired = (what: string): OAuthError => new OAuthError('invalid_client', `client authentication is required for ${what}`);

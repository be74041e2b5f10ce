/**
 * RFC 7009 token revocation. The client authenticates (its credential, or
 * one of its access tokens as Bearer: the token being revoked itself will
 * do) and may revoke only tokens issued to it. Revoking an access or a
 * refresh token revokes its whole session (§2.1 allows both directions):
 * every token renewed from the same authentication stops at its next use,
 * on every replica within identityCacheSeconds (this one at once). An
 * unknown, invalid or expired token is answered 200 like a revoked one
 * (§2.2), so the endpoint tells nothing about tokens.
 */
import type { JWTPayload } from 'jose';
import { authenticateBearer, authenticateSecret, authenticationRequired, clientIdOf, isSecret, presentedClient } from './client-auth.js';
import type { IssuerDeps, OAuthRequest } from './grant.js';
import { OAuthError } from './oauth-error.js';
import { rightsOf, scopesOfClaim } from './scopes.js';
import { ACCESS_TOKEN_TYP, REFRESH_TOKEN_TYP, sessionClaim, tenantClaim, TokenError, type TokenIssuer } from './token-issuer.js';

/** Our token (access or refresh, the hinted type first), verified; an expired one too when `expiredUpToSeconds` allows. */
export async function readOwnToken(
  issuer: TokenIssuer,
  token: string,
  hint: string | null,
  expiredUpToSeconds = 0,
): Promise<{ claims: JWTPayload & { sub: string }; type: 'access_token' | 'refresh_token' } | undefined> {
  const order: Array<'access_token' | 'refresh_token'> = hint === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
  for (const type of order) {
    try {
      const claims = await issuer.verify(token, type === 'access_token' ? ACCESS_TOKEN_TYP : REFRESH_TOKEN_TYP, { expiredUpToSeconds });
      return { claims, type };
    } catch (e) {
      // not this type, or not ours; a store that cannot answer is not "not ours" (503)
      if (!(e instanceof TokenError)) throw e;
    }
  }
  return undefined;
}

/** Which client is asking (revocation and introspection both require client authentication). */
export async function requestingClient(
  deps: IssuerDeps,
  request: OAuthRequest,
  what: string,
): Promise<{ clientId: string; bearer?: string; roles: string[]; tenant: string }> {
  const client = presentedClient(request.authorization, request.params);
  if (isSecret(client)) {
    const p = await authenticateSecret({ ...deps, remoteAddress: request.remoteAddress }, client);
    return { clientId: p.clientId, roles: p.roles, tenant: p.tenant };
  }
  if (client.method === 'bearer') {
    const { claims, principal } = await authenticateBearer(deps, client.token);
    // A delegated token identifies a user, not a client: it may only revoke itself. A token's roles count only as far
    // as its scope reaches: an administrator's token without management rights (catalog:read) sees no other client's tokens.
    const delegated = claims.act !== undefined;
    const roles = !delegated && rightsOf(scopesOfClaim(claims.scope)).management ? principal.roles : [];
    return { clientId: delegated ? '' : principal.clientId, bearer: client.token, roles, tenant: principal.tenant };
  }
  throw authenticationRequired(what);
}

export async function revoke(deps: IssuerDeps, request: OAuthRequest): Promise<void> {
  const token = request.params.get('token');
  if (!token) throw new OAuthError('invalid_request', 'token is required');
  for (const [k] of request.params)
    if (request.params.getAll(k).length > 1) throw new OAuthError('invalid_request', `parameter ${k.slice(0, 100)} appears more than once`);
  const asking = await requestingClient(deps, request, 'token revocation (RFC 7009 §2.1)');
  // An expired access token still names a session whose refresh token (or renewals) may live on.
  const found = await readOwnToken(deps.issuer, token, request.params.get('token_type_hint'), deps.issuer.lifetimes.maxSessionSeconds);
  if (!found) return;
  const { claims } = found;
  const owner = clientIdOf(claims);
  if (asking.bearer !== token && asking.clientId !== owner) throw new OAuthError('unauthorized_client', 'the token was issued to another client');
  const session = sessionClaim(claims);
  const tenant = tenantClaim(claims);
  if (!session) return; // A token from before sessions existed expires within the access token lifetime.
  await deps.state.revokeSession({ sid: session.sid, clientId: owner, tenant, expiresAtMs: deps.issuer.sessionEnd(session) * 1000 }, 'revoked (RFC 7009)');
  await deps.audit.record('token.revoked', `service:${asking.clientId || owner}`, { sid: session.sid, type: found.type, subject: claims.sub }, { tenant });
}

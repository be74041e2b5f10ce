/**
 * RFC 6749 §6, with rotation and reuse detection (OAuth 2.0 Security BCP
 * §4.14.2). The client must authenticate as the client the refresh token was
 * issued to. Each use returns a new refresh token of the next generation and
 * moves the session's generation on in one compare-and-swap in the shared
 * database; presenting a refresh token of an older generation (it was used
 * already, by the client or by a thief) revokes the whole session, so the
 * thief's and the client's tokens stop at their next use. Refresh tokens also
 * stop when the principal is disabled or its secret rotated, its tokens or
 * session are revoked, or the session reaches the maximum lifetime.
 */
import { authenticateSecret, authenticationRequired, isSecret } from '../client-auth.js';
import type { Grant } from '../grant.js';
import { OAuthError } from '../oauth-error.js';
import { formatScope, narrowed, parseScope, scopesOfClaim } from '../scopes.js';
import { audienceOf, narrowedTargets, requestedTargets } from '../targets.js';
import { REFRESH_TOKEN_TYP, TokenError, sessionClaim, tenantClaim } from '../token-issuer.js';
import { mintServiceAccess, mintServiceRefresh } from './service-tokens.js';

const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const invalidGrant = (why: string) => new OAuthError('invalid_grant', why);

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  parameters: ['refresh_token'],
  repeatable: ['audience', 'resource'],
  async handle(ctx) {
    if (!isSecret(ctx.client)) throw authenticationRequired('the refresh_token grant (RFC 6749 §6)');
    const principal = await authenticateSecret(ctx, ctx.client);
    let claims;
    try {
      claims = await ctx.issuer.verify(ctx.params.get('refresh_token')!, REFRESH_TOKEN_TYP);
    } catch (e) {
      if (!(e instanceof TokenError)) throw e; // the store, not the token (503)
      throw invalidGrant(`refresh token rejected: ${e.reason}`);
    }
    if (claims.client_id !== principal.clientId) throw invalidGrant('the refresh token was issued to another client');
    const tenant = tenantClaim(claims);
    if (ctx.state.principalRefusal(principal, tenant, claims.iat ?? 0)) throw invalidGrant('the refresh token was revoked');
    if (principal.secretVersion !== claims.sv) throw invalidGrant("the refresh token predates the client's current secret");
    const session = sessionClaim(claims);
    if (!session || typeof claims.gen !== 'number') throw invalidGrant('the refresh token is from an older release; authenticate again');
    if (ctx.issuer.sessionRemaining(session) <= ctx.issuer.minimumRenewal)
      throw invalidGrant('the session reached its maximum lifetime; authenticate again with the client credential');
    const key = { sid: session.sid, clientId: principal.clientId, tenant, expiresAtMs: ctx.issuer.sessionEnd(session) * 1000 };
    if ((await ctx.state.session(session.sid))?.revokedAtMs !== undefined) throw invalidGrant('the refresh token was revoked');
    // Validate the request before the rotation: a refused request must not use up the refresh token.
    // A requested scope or target narrows the access token only: the new refresh token keeps the scope (RFC 6749 §6)
    // and the targets (RFC 8707 §2.2) of the one presented, so a later refresh may ask for all of them again.
    const granted = scopesOfClaim(claims.scope);
    const grantedAud = audienceOf(claims.aud, ctx.issuer.issuerId);
    const scope = formatScope(narrowed(granted, parseScope(ctx.params.get('scope'))));
    const aud = narrowedTargets(grantedAud, requestedTargets(ctx.params, ctx.issuer.issuerId));
    if (!(await ctx.state.advanceRefreshGeneration(key, claims.gen))) {
      // Used before: whoever holds the newer one, the session is no longer trusted.
      await ctx.state.revokeSession(key, 'refresh token reused');
      await ctx.audit.record(
        'token.refresh.reused',
        `service:${principal.clientId}`,
        { sid: session.sid, generation: claims.gen },
        { tenant, decision: 'deny' },
      );
      throw invalidGrant('the refresh token was used already; the session is revoked');
    }
    const access = await mintServiceAccess(ctx, principal, { tenant, scope, session, aud });
    const refresh = await mintServiceRefresh(ctx, principal, { tenant, scope: formatScope(granted), session, aud: grantedAud }, claims.gen + 1);
    await ctx.audit.record('token.issued', `service:${principal.clientId}`, { grant: 'refresh_token', scope, tenant, sid: session.sid }, { tenant });
    return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, refresh_token: refresh, scope, issued_token_type: ACCESS };
  },
};

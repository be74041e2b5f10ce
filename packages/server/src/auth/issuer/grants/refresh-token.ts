/**
 * RFC 6749 §6. Refresh tokens are stateless JWTs; one stops working when its
 * principal is disabled or removed, or its secret is rotated (secret version).
 */
import type { Grant } from '../grant.js';
import { OAuthError } from '../oauth-error.js';
import { REFRESH_TOKEN_TYP, TokenError } from '../token-issuer.js';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  parameters: ['refresh_token'],
  async handle(ctx) {
    let claims;
    try {
      claims = await ctx.issuer.verify(ctx.params.get('refresh_token')!, REFRESH_TOKEN_TYP);
    } catch (e) {
      throw new OAuthError('invalid_grant', `refresh token rejected: ${e instanceof TokenError ? e.reason : 'invalid'}`);
    }
    const principal = await ctx.principals.get(String(claims.client_id));
    if (!principal || principal.disabled || principal.secretVersion !== claims.sv) throw new OAuthError('invalid_grant', 'refresh token is no longer valid');
    const scope = String(claims.scope ?? 'catalog');
    const access = await ctx.issuer.mintAccessToken({ sub: principal.clientId, tenant: principal.tenant, kind: 'service', roles: principal.roles, groups: [], scope, clientId: principal.clientId });
    const refresh = await ctx.issuer.mintRefreshToken({ sub: principal.clientId, clientId: principal.clientId, secretVersion: principal.secretVersion, scope });
    await ctx.audit.record('token.issued', `service:${principal.clientId}`, { grant: 'refresh_token', scope, tenant: principal.tenant });
    return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, refresh_token: refresh, scope, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' };
  },
};

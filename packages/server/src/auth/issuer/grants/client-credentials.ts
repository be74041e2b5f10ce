/** RFC 6749 §4.4: a service principal authenticates with its id and secret. */
import { authenticateClient } from '../client-auth.js';
import type { Grant } from '../grant.js';

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  parameters: [],
  async handle(ctx) {
    const principal = await authenticateClient(ctx);
    const scope = ctx.params.get('scope') ?? 'catalog';
    const access = await ctx.issuer.mintAccessToken({ sub: principal.clientId, tenant: principal.tenant, kind: 'service', roles: principal.roles, groups: [], scope, clientId: principal.clientId });
    // A refresh token lets clients renew without resending the secret or misusing token exchange.
    const refresh = await ctx.issuer.mintRefreshToken({ sub: principal.clientId, clientId: principal.clientId, secretVersion: principal.secretVersion, scope });
    await ctx.audit.record('token.issued', `service:${principal.clientId}`, { grant: 'client_credentials', scope, tenant: principal.tenant });
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      refresh_token: refresh,
      scope,
    };
  },
};

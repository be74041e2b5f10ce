/**
 * RFC 6749 §4.4: a service principal authenticates with its id and secret
 * (client_secret_basic or client_secret_post) and gets an access token that
 * starts a new session. No refresh token (§4.4.3) unless the operator turns
 * clientCredentialsRefreshTokens on: the client holds its credential and
 * simply authenticates again.
 */
import { authenticateSecret, authenticationRequired, isSecret } from '../client-auth.js';
import type { Grant } from '../grant.js';
import { DEFAULT_SCOPE, formatScope, parseScope } from '../scopes.js';
import { requestedTargets } from '../targets.js';
import { mintServiceAccess, mintServiceRefresh } from './service-tokens.js';

const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  parameters: [],
  repeatable: ['audience', 'resource'],
  async handle(ctx) {
    if (!isSecret(ctx.client)) throw authenticationRequired('client_credentials (client_secret_basic or client_secret_post)');
    const principal = await authenticateSecret(ctx, ctx.client);
    const scope = formatScope(parseScope(ctx.params.get('scope')) ?? [DEFAULT_SCOPE]);
    const aud = requestedTargets(ctx.params, ctx.issuer.issuerId);
    const session = ctx.issuer.newSession();
    const grant = { tenant: principal.tenant, scope, session, aud };
    const access = await mintServiceAccess(ctx, principal, grant);
    const refresh = ctx.options.clientCredentialsRefreshTokens ? await mintServiceRefresh(ctx, principal, grant, 0) : undefined;
    await ctx.audit.record(
      'token.issued',
      `service:${principal.clientId}`,
      { grant: 'client_credentials', scope, tenant: principal.tenant, sid: session.sid },
      { tenant: principal.tenant },
    );
    return {
      access_token: access.token,
      token_type: 'Bearer',
      expires_in: access.expiresIn,
      issued_token_type: ACCESS,
      ...(refresh ? { refresh_token: refresh } : {}),
      scope,
    };
  },
};

/**
 * RFC 8693 token exchange, two ways:
 * (a) refresh by self-exchange: the subject token is one of ours and no
 *     actor token is sent (Iceberg's Java client renews like this):
 *     ./self-exchange.ts;
 * (b) delegation: an engine's token as actor token, a user's (ours, a
 *     trusted IdP's, or an unsigned one asserted by an `assert-identity`
 *     engine, Trino's USER sessions) as subject token: ./delegation.ts.
 * Both need client authentication; every refusal of a subject or actor
 * token is invalid_request (§2.2.2), a target other than this catalog
 * invalid_target.
 */
import type { Grant, TokenResponse } from '../grant.js';
import { OAuthError } from '../oauth-error.js';
import { delegate } from './delegation.js';
import { TOKEN_TYPE, tokenType } from './exchange-tokens.js';
import { selfExchange } from './self-exchange.js';

export const tokenExchangeGrant: Grant = {
  grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
  parameters: ['subject_token', 'subject_token_type'],
  repeatable: ['audience', 'resource'],
  async handle(ctx): Promise<TokenResponse> {
    const p = ctx.params;
    const subjectType = tokenType(p.get('subject_token_type'), 'subject_token_type');
    const requested = p.get('requested_token_type');
    if (requested && requested !== TOKEN_TYPE.accessToken) throw new OAuthError('invalid_request', 'only access tokens can be requested');
    const actorToken = p.get('actor_token');
    if (!actorToken && p.get('actor_token_type')) throw new OAuthError('invalid_request', 'actor_token_type without actor_token');
    return actorToken ? delegate(ctx, p.get('subject_token')!, subjectType, actorToken) : selfExchange(ctx, p.get('subject_token')!, subjectType);
  },
};

/** Client authentication at the token endpoint: client_secret_basic or client_secret_post, rate-limited. */
import type { ServicePrincipal } from '../ports.js';
import type { GrantContext } from './grant.js';
import { OAuthError } from './oauth-error.js';

export async function authenticateClient(ctx: GrantContext): Promise<ServicePrincipal> {
  const clientId = ctx.basic?.clientId ?? ctx.params.get('client_id') ?? undefined;
  const secret = ctx.basic?.clientSecret ?? ctx.params.get('client_secret') ?? undefined;
  if (!clientId || !secret) throw new OAuthError('invalid_client', 'client authentication is required');
  for (const key of [`id:${clientId}`, `ip:${ctx.remoteAddress}`]) {
    const wait = ctx.limiter.retryAfterMs(key);
    if (wait > 0) throw Object.assign(new OAuthError('slow_down', 'too many failed attempts; retry later'), { retryAfterMs: wait });
  }
  const principal = await ctx.principals.authenticate(clientId, secret);
  if (!principal) {
    ctx.limiter.fail(`id:${clientId}`);
    ctx.limiter.fail(`ip:${ctx.remoteAddress}`);
    await ctx.audit.record('auth.client.failed', `client:${clientId}`, { address: ctx.remoteAddress });
    throw new OAuthError('invalid_client', 'client authentication failed');
  }
  ctx.limiter.succeed(`id:${clientId}`);
  return principal;
}

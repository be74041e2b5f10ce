/**
 * The tokens of a service principal's own session, as client_credentials starts it and refresh_token continues it:
 * the access token (the principal's roles, no groups, its secret's version) and a refresh token of a generation.
 * Minted here once, so both grants put the same claims in them.
 */
import type { ServicePrincipal } from '../../ports.js';
import type { IssuerDeps } from '../issuer-deps.js';
import type { Session } from '../token-issuer.js';

/** What a token of the session is for: its tenant, scope, session and (RFC 8707) targets. */
export interface ServiceGrant {
  tenant: string;
  scope: string;
  session: Session;
  aud: string[] | undefined;
}

export function mintServiceAccess(ctx: IssuerDeps, principal: ServicePrincipal, grant: ServiceGrant): Promise<{ token: string; expiresIn: number }> {
  return ctx.issuer.mintAccessToken({
    sub: principal.clientId,
    tenant: grant.tenant,
    kind: 'service',
    roles: principal.roles,
    groups: [],
    scope: grant.scope,
    clientId: principal.clientId,
    session: grant.session,
    secretVersion: principal.secretVersion,
    ...(grant.aud ? { aud: grant.aud } : {}),
  });
}

export function mintServiceRefresh(ctx: IssuerDeps, principal: ServicePrincipal, grant: ServiceGrant, generation: number): Promise<string> {
  return ctx.issuer.mintRefreshToken({
    sub: principal.clientId,
    clientId: principal.clientId,
    tenant: grant.tenant,
    secretVersion: principal.secretVersion,
    scope: grant.scope,
    session: grant.session,
    generation,
    ...(grant.aud ? { aud: grant.aud } : {}),
  });
}

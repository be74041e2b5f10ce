/**
 * RFC 7662 token introspection, for resource servers and clients holding
 * our tokens. The caller authenticates like a client (§2.1: its credential,
 * or one of its access tokens as Bearer) and sees a token's claims only
 * when the token was issued to it, or when it is an administrator (admin
 * role in its credential, or in a Bearer token whose scope allows the
 * management API) of the token's tenant (of any tenant: a platform
 * admin). Every other token, and every token that is invalid, expired,
 * revoked or no longer good (disabled principal, withdrawn delegation,
 * reused refresh token), is `{"active": false}` (§2.2), so the endpoint is
 * no oracle for guessing tokens.
 */
import { DEFAULT_TENANT } from '../../catalog/tenants.js';
import { clientIdOf } from './client-auth.js';
import type { IssuerDeps, OAuthRequest } from './grant.js';
import { OAuthError } from './oauth-error.js';
import { ADMIN_ROLE } from './principals.js';
import { readOwnToken, requestingClient } from './revocation.js';
import { sessionClaim, tenantClaim } from './token-issuer.js';

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

const INACTIVE = { active: false } as const;

export async function introspect(deps: IssuerDeps, request: OAuthRequest): Promise<IntrospectionResponse> {
  const token = request.params.get('token');
  if (!token) throw new OAuthError('invalid_request', 'token is required');
  for (const [k] of request.params)
    if (request.params.getAll(k).length > 1) throw new OAuthError('invalid_request', `parameter ${k.slice(0, 100)} appears more than once`);
  const asking = await requestingClient(deps, request, 'token introspection (RFC 7662 §2.1)');
  const found = await readOwnToken(deps.issuer, token, request.params.get('token_type_hint'));
  if (!found) return INACTIVE;
  const { claims, type } = found;
  const tenant = tenantClaim(claims);
  const owner = clientIdOf(claims);
  const admin = asking.roles.includes(ADMIN_ROLE) && (asking.tenant === DEFAULT_TENANT || asking.tenant === tenant);
  if (asking.bearer !== token && asking.clientId !== owner && !admin) return INACTIVE;
  if (type === 'access_token') {
    if (await deps.state.refusal(claims, tenant)) return INACTIVE;
  } else {
    // A refresh token: its client active, its secret not rotated, its session not revoked, and not used already.
    const principal = await deps.state.principal(owner);
    const session = sessionClaim(claims);
    if (deps.state.principalRefusal(principal, tenant, claims.iat ?? 0) || principal!.secretVersion !== claims.sv || !session) return INACTIVE;
    const stored = await deps.state.session(session.sid);
    if (stored?.revokedAtMs !== undefined || (stored?.refreshGeneration ?? 0) !== claims.gen) return INACTIVE;
  }
  const { sv: _sv, gen: _gen, ...rest } = claims;
  return {
    active: true,
    ...rest,
    token_type: type === 'access_token' ? 'Bearer' : 'refresh_token',
    client_id: owner,
    iss: deps.issuer.issuerId,
  };
}

/**
 * RFC 8693 token exchange, three ways:
 * (a) refresh by self-exchange: the subject token is one of ours and no
 *     actor token is sent (Iceberg's Java client refreshes like this);
 * (b) delegation: the subject token is a user's (ours or from a trusted
 *     external IdP) and the actor token is an engine's; the result names the
 *     user as `sub` and the engine in `act`, and is granted only when the
 *     engine's principal is explicitly allowed to act for that user or group;
 * (c) Trino's USER session mode: an *unsigned* subject JWT asserted by an
 *     engine. Anyone can forge such a token, so it is accepted only for an
 *     actor that an operator marked `assertIdentity`, and only for subjects
 *     its delegation lists by name. Risk: that engine can impersonate every
 *     user on its list; give this to one trusted engine at most.
 * Subject and actor must belong to the same tenant (an asserted identity
 * has none of its own and takes the actor's); across tenants the exchange
 * is refused and audited, whatever the delegation policy says.
 */
import { ASSERTED_ISSUER, type ActorClaim } from '../../actor.js';
import type { ServicePrincipal } from '../../ports.js';
import type { Grant, GrantContext, TokenResponse } from '../grant.js';
import { OAuthError } from '../oauth-error.js';
import { ACCESS_TOKEN_TYP, TokenError, tenantClaim } from '../token-issuer.js';

const TOKEN_TYPES = new Set(['urn:ietf:params:oauth:token-type:access_token', 'urn:ietf:params:oauth:token-type:jwt', 'urn:ietf:params:oauth:token-type:id_token']);
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';

interface Subject {
  sub: string;
  tenant: string;
  kind: 'service' | 'user';
  groups: string[];
  roles: string[];
  act?: ActorClaim;
  scope?: string;
  issuer: string;
  /** For a user token of ours (delegated earlier): the issuer that vouched for the user. */
  idp?: string;
  how: 'ours' | 'external' | 'asserted';
}

async function ours(ctx: GrantContext, token: string): Promise<Subject | undefined> {
  try {
    const c = await ctx.issuer.verify(token, ACCESS_TOKEN_TYP);
    return {
      sub: c.sub,
      tenant: tenantClaim(c),
      kind: c.kind === 'user' ? 'user' : 'service',
      groups: Array.isArray(c.groups) ? (c.groups as string[]) : [],
      roles: Array.isArray(c.roles) ? (c.roles as string[]) : [],
      act: c.act as ActorClaim | undefined,
      scope: typeof c.scope === 'string' ? c.scope : undefined,
      issuer: ctx.issuer.issuerId,
      ...(c.kind === 'user' && typeof c.idp === 'string' ? { idp: c.idp } : {}),
      how: 'ours',
    };
  } catch (e) {
    if (e instanceof TokenError && e.reason !== 'unknown signing key' && e.reason !== 'unsupported algorithm' && e.reason !== 'token claim iss is not valid') {
      // One of ours, but expired or tampered: never fall through to other verifiers.
      throw new OAuthError('invalid_grant', `subject_token rejected: ${e.reason}`);
    }
    return undefined;
  }
}

/** The payload of an unsigned JWT (alg "none"), or undefined for anything else. */
function unsignedPayload(token: string): { sub?: unknown } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[2] !== '') return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: unknown };
    if (header.alg !== 'none') return undefined;
    return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { sub?: unknown };
  } catch {
    return undefined;
  }
}

function mayActFor(actor: ServicePrincipal, subject: Subject): boolean {
  const { users, groups } = actor.delegation;
  if (subject.how === 'asserted') return users.includes(subject.sub);
  return users.includes(subject.sub) || users.includes('*') || subject.groups.some((g) => groups.includes(g));
}

export const tokenExchangeGrant: Grant = {
  grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
  parameters: ['subject_token', 'subject_token_type'],
  async handle(ctx): Promise<TokenResponse> {
    const p = ctx.params;
    const subjectToken = p.get('subject_token')!;
    if (!TOKEN_TYPES.has(p.get('subject_token_type')!)) throw new OAuthError('invalid_request', 'unsupported subject_token_type');
    const requested = p.get('requested_token_type');
    if (requested && requested !== ACCESS) throw new OAuthError('invalid_request', 'only access tokens can be requested');
    const actorToken = p.get('actor_token');

    if (!actorToken) {
      // (a) Refresh by self-exchange.
      const subject = await ours(ctx, subjectToken);
      if (!subject) throw new OAuthError('invalid_grant', 'subject_token is not a token of this issuer');
      if (subject.kind === 'service') {
        const principal = await ctx.principals.get(subject.sub);
        if (!principal || principal.disabled) throw new OAuthError('invalid_grant', 'the subject is no longer active');
        if (principal.tenant !== subject.tenant) throw new OAuthError('invalid_grant', 'the subject is no longer active');
      }
      if (subject.act) {
        // A delegated token refreshed by self-exchange (Iceberg Java refreshes its contextual
        // sessions so): the acting engine must still be active and still allowed to act for the
        // subject, or revoking a delegation would never end the sessions that hold a token.
        const acting = await ctx.principals.get(subject.act.sub);
        if (!acting || acting.disabled || acting.tenant !== subject.tenant || !mayActFor(acting, subject)) {
          await ctx.audit.record('token.delegation.denied', `service:${subject.act.sub}`, { subject: subject.sub, subjectIssuer: subject.issuer, how: 'refresh' });
          throw new OAuthError('invalid_grant', 'the actor is no longer allowed to act for this subject');
        }
      }
      const scope = p.get('scope') ?? subject.scope ?? 'catalog';
      const access = await ctx.issuer.mintAccessToken({ sub: subject.sub, tenant: subject.tenant, kind: subject.kind, roles: subject.roles, groups: subject.groups, scope, clientId: subject.act?.sub ?? subject.sub, act: subject.act, ...(subject.idp !== undefined ? { idp: subject.idp } : {}) });
      await ctx.audit.record('token.refreshed', `${subject.kind}:${subject.sub}`, { grant: 'token-exchange', scope, tenant: subject.tenant });
      return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, issued_token_type: ACCESS, scope };
    }

    // (b)/(c) Delegation: the actor must be one of our service principals.
    if (!TOKEN_TYPES.has(p.get('actor_token_type') ?? '')) throw new OAuthError('invalid_request', 'actor_token_type is required with actor_token');
    const actor = await ours(ctx, actorToken);
    if (!actor || actor.kind !== 'service') throw new OAuthError('invalid_grant', 'actor_token must be a service token of this issuer');
    const principal = await ctx.principals.get(actor.sub);
    if (!principal || principal.disabled) throw new OAuthError('invalid_grant', 'the actor is no longer active');

    let subject = await ours(ctx, subjectToken);
    if (!subject && ctx.verifyExternal) {
      const ext = await ctx.verifyExternal(subjectToken);
      if (ext) subject = { sub: ext.sub, tenant: ext.tenant, kind: 'user', groups: ext.groups, roles: [], issuer: ext.issuer, how: 'external' };
    }
    if (!subject) {
      const unsigned = unsignedPayload(subjectToken);
      if (unsigned && principal.delegation.assertIdentity && typeof unsigned.sub === 'string' && unsigned.sub.length > 0 && unsigned.sub.length <= 255) {
        subject = { sub: unsigned.sub, tenant: principal.tenant, kind: 'user', groups: [], roles: [], issuer: ASSERTED_ISSUER, how: 'asserted' };
      } else {
        if (unsigned) await ctx.audit.record('token.delegation.denied', `service:${principal.clientId}`, { subject: String(unsigned.sub).slice(0, 255), subjectIssuer: ASSERTED_ISSUER, how: 'asserted' });
        throw new OAuthError('invalid_grant', unsigned ? 'unsigned subject tokens are not accepted from this actor' : 'subject_token is not from a trusted issuer');
      }
    }
    if (subject.tenant !== principal.tenant) {
      await ctx.audit.record('token.exchange.tenant-denied', `service:${principal.clientId}`, { subject: subject.sub, subjectIssuer: subject.issuer, subjectTenant: subject.tenant, actorTenant: principal.tenant, how: subject.how });
      throw new OAuthError('invalid_grant', 'the actor is not allowed to act for this subject');
    }
    if (!mayActFor(principal, subject)) {
      await ctx.audit.record('token.delegation.denied', `service:${principal.clientId}`, { subject: subject.sub, subjectIssuer: subject.issuer, how: subject.how });
      throw new OAuthError('invalid_grant', 'the actor is not allowed to act for this subject');
    }
    const act: ActorClaim = actor.act ? { sub: principal.clientId, act: actor.act } : { sub: principal.clientId };
    const scope = p.get('scope') ?? 'catalog';
    // The subject keeps its kind (a service principal can be represented too) and, for a user, the issuer that vouched for it.
    const access = await ctx.issuer.mintAccessToken({
      sub: subject.sub,
      tenant: subject.tenant,
      kind: subject.kind,
      roles: [],
      groups: subject.groups,
      scope,
      clientId: principal.clientId,
      act,
      ...(subject.kind === 'user' ? { idp: subject.idp ?? subject.issuer } : {}),
    });
    await ctx.audit.record('token.delegated', `user:${subject.sub} via service:${principal.clientId}`, { subjectIssuer: subject.issuer, how: subject.how, scope, tenant: subject.tenant });
    return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, issued_token_type: ACCESS, scope };
  },
};

/**
 * Delegation (RFC 8693 with an actor token): an engine's own access token as
 * `actor_token`, a user's (or a service's) token as `subject_token`; the
 * result names the subject as `sub` and the engine as the current actor in
 * `act` (prior actors of the subject token nested inside, §4.1). Granted
 * only when
 *  - the client authenticates as the engine: its credential, or its own
 *    access token as Bearer (what Iceberg Java and the SDK send);
 *  - the engine holds a delegation policy at all (otherwise the client is
 *    not authorized for this grant: unauthorized_client);
 *  - the subject token verifies (ours, a trusted IdP's, or an unsigned one
 *    from an `assert-identity` engine) and is of the declared type;
 *  - subject and engine are in the same tenant; the subject token's
 *    `may_act`, if any, names the engine; the engine's policy covers the
 *    subject by (issuer, name) or (issuer, group).
 * Refusals are invalid_request and audited.
 *
 * The new token starts its own session (revoking it leaves the subject's
 * own session alone) but keeps the subject's `auth_time` when the subject
 * token is ours, so re-exchanging never extends the maximum session
 * lifetime; an IdP's token or an asserted name starts the clock now. When
 * the engine authenticated with one of its tokens rather than its
 * credential, the new session also hangs on that token's session
 * (`actor_sid`, checked by TokenState): revoking a leaked engine token
 * ends what it minted.
 */
import { ASSERTED_ISSUER, type ActorClaim } from '../../actor.js';
import { mayActFor } from '../../delegation-policy.js';
import type { ServicePrincipal } from '../../ports.js';
import { authenticateBearer, authenticateSecret, authenticationRequired, isSecret } from '../client-auth.js';
import type { GrantContext, TokenResponse } from '../grant.js';
import { OAuthError } from '../oauth-error.js';
import { type Scope, formatScope, intersect, narrowed, parseScope } from '../scopes.js';
import { requestedTargets } from '../targets.js';
import type { Session } from '../token-issuer.js';
import { checkExternalType, mayActAllows, ownToken, TOKEN_TYPE, type TokenType, tokenType, unsignedPayload } from './exchange-tokens.js';

const invalid = (why: string) => new OAuthError('invalid_request', why);

interface Subject {
  sub: string;
  tenant: string;
  kind: 'service' | 'user';
  groups: string[];
  /** Who vouches for the subject: our issuer (service principals), an IdP, or ASSERTED_ISSUER. */
  issuer: string;
  how: 'ours' | 'external' | 'asserted';
  /** Prior actors (the subject token was delegated already). */
  act?: ActorClaim;
  scopes?: Scope[];
  /** For a subject token of ours: its session's start. */
  authTime?: number;
  mayAct?: unknown;
}

/**
 * The engine the client is, checked against the actor token, and the secret version the delegated token is issued
 * under: the current one when the engine authenticated with its secret, else the actor token's, so that a token
 * issued before a rotate-secret cannot mint delegated tokens that renew as if issued after it.
 */
async function engineOf(
  ctx: GrantContext,
  actorToken: string,
): Promise<{ principal: ServicePrincipal; scopes: Scope[]; secretVersion: number; actorSession?: string }> {
  tokenType(ctx.params.get('actor_token_type'), 'actor_token_type');
  const actor = await ownToken(ctx, actorToken, 'actor_token');
  if (!actor || actor.kind !== 'service' || actor.act !== undefined || actor.claims.sub !== actor.clientId)
    throw invalid("actor_token must be the engine's own access token from this issuer");
  let authenticated: string;
  if (isSecret(ctx.client)) authenticated = (await authenticateSecret(ctx, ctx.client)).clientId;
  else if (ctx.client.method === 'bearer')
    authenticated = ctx.client.token === actorToken ? actor.clientId : (await authenticateBearer(ctx, ctx.client.token)).claims.sub;
  else throw authenticationRequired("token exchange (client credentials, or the engine's access token as Bearer)");
  if (authenticated !== actor.clientId) throw invalid('actor_token was not issued to the authenticated client');
  const principal = await ctx.state.principal(actor.clientId);
  if (!principal) throw invalid('the actor is no longer active');
  if (isSecret(ctx.client) || typeof actor.claims.sv !== 'number') return { principal, scopes: actor.scopes, secretVersion: principal.secretVersion };
  // Authenticated by a token: the delegated session hangs on the actor token's session (revoking that one ends it).
  return { principal, scopes: actor.scopes, secretVersion: actor.claims.sv, ...(actor.session?.sid ? { actorSession: actor.session.sid } : {}) };
}

async function subjectOf(ctx: GrantContext, token: string, type: TokenType, engine: ServicePrincipal): Promise<Subject> {
  if (type !== TOKEN_TYPE.idToken) {
    const own = await ownToken(ctx, token, 'subject_token');
    if (own) {
      return {
        sub: own.claims.sub,
        tenant: own.tenant,
        kind: own.kind,
        groups: own.groups,
        issuer: own.kind === 'user' ? (own.idp ?? ctx.issuer.issuerId) : ctx.issuer.issuerId,
        how: 'ours',
        ...(own.act ? { act: own.act } : {}),
        scopes: own.scopes,
        ...(own.session ? { authTime: own.session.authTime } : {}),
      };
    }
  }
  if (ctx.verifyExternal) {
    let ext;
    try {
      ext = await ctx.verifyExternal(token);
    } catch {
      throw invalid('subject_token from a trusted issuer is not valid (signature, audience or expiry)');
    }
    if (ext) {
      checkExternalType(type, ext.claims);
      const priorActor = ext.claims.act as ActorClaim | undefined;
      return {
        sub: ext.sub,
        tenant: ext.tenant,
        kind: 'user',
        groups: ext.groups,
        issuer: ext.issuer,
        how: 'external',
        // A prior actor another issuer vouched for keeps that issuer's name.
        ...(priorActor && typeof priorActor.sub === 'string' ? { act: { ...priorActor, iss: priorActor.iss ?? ext.issuer } } : {}),
        mayAct: ext.claims.may_act,
      };
    }
  }
  const unsigned = unsignedPayload(token);
  if (
    unsigned &&
    type === TOKEN_TYPE.jwt &&
    engine.delegation.assertIdentity &&
    typeof unsigned.sub === 'string' &&
    unsigned.sub.length > 0 &&
    unsigned.sub.length <= 255
  ) {
    return { sub: unsigned.sub, tenant: engine.tenant, kind: 'user', groups: [], issuer: ASSERTED_ISSUER, how: 'asserted' };
  }
  if (unsigned) {
    await ctx.audit.record(
      'token.delegation.denied',
      `service:${engine.clientId}`,
      { subject: String(unsigned.sub).slice(0, 255), subjectIssuer: ASSERTED_ISSUER, how: 'asserted' },
      { tenant: engine.tenant, decision: 'deny' },
    );
    throw invalid(
      engine.delegation.assertIdentity
        ? 'unsigned subject tokens are accepted only as urn:ietf:params:oauth:token-type:jwt'
        : 'unsigned subject tokens are not accepted from this actor',
    );
  }
  throw invalid('subject_token is not from a trusted issuer');
}

export async function delegate(ctx: GrantContext, subjectToken: string, subjectType: TokenType, actorToken: string): Promise<TokenResponse> {
  const { principal: engine, scopes: engineScopes, secretVersion, actorSession } = await engineOf(ctx, actorToken);
  const policy = engine.delegation;
  if (policy.users.length === 0 && policy.groups.length === 0 && !policy.assertIdentity) {
    await ctx.audit.record(
      'token.delegation.denied',
      `service:${engine.clientId}`,
      { reason: 'no delegation policy' },
      { tenant: engine.tenant, decision: 'deny' },
    );
    throw new OAuthError('unauthorized_client', 'this client may not act for anyone (it has no delegation policy)');
  }
  const subject = await subjectOf(ctx, subjectToken, subjectType, engine);
  const denied = async (type: string, detail: Record<string, unknown>, why: string): Promise<never> => {
    await ctx.audit.record(
      type,
      `service:${engine.clientId}`,
      { subject: subject.sub, subjectIssuer: subject.issuer, how: subject.how, ...detail },
      { tenant: engine.tenant, decision: 'deny' },
    );
    throw invalid(why);
  };
  if (subject.tenant !== engine.tenant)
    await denied(
      'token.exchange.tenant-denied',
      { subjectTenant: subject.tenant, actorTenant: engine.tenant },
      'the actor is not allowed to act for this subject',
    );
  if (mayActAllows(subject.mayAct, engine.clientId, ctx.issuer.issuerId) === false)
    await denied('token.delegation.denied', { reason: 'may_act names another actor' }, "the subject token's may_act does not name this actor");
  if (!mayActFor(policy, subject, ctx.issuer.issuerId)) await denied('token.delegation.denied', {}, 'the actor is not allowed to act for this subject');

  // The result never allows more than the engine's token (nor, for a subject token of ours, more than that token).
  const held = subject.scopes ? intersect(engineScopes, subject.scopes) : engineScopes;
  if (held.length === 0) throw new OAuthError('invalid_scope', 'the actor and subject tokens share no scope');
  const scope = formatScope(narrowed(held, parseScope(ctx.params.get('scope'))));
  const aud = requestedTargets(ctx.params, ctx.issuer.issuerId);
  const fresh = ctx.issuer.newSession();
  const session: Session = subject.authTime !== undefined ? { sid: fresh.sid, authTime: subject.authTime } : fresh;
  if (ctx.issuer.sessionRemaining(session) <= ctx.issuer.minimumRenewal) throw invalid("the subject token's session reached its maximum lifetime");
  const act: ActorClaim = subject.act ? { sub: engine.clientId, act: subject.act } : { sub: engine.clientId };
  // The subject keeps its kind (a service principal can be represented too) and, for a user, the issuer that vouched for it.
  const access = await ctx.issuer.mintAccessToken({
    sub: subject.sub,
    tenant: subject.tenant,
    kind: subject.kind,
    roles: [],
    groups: subject.groups,
    scope,
    clientId: engine.clientId,
    act,
    session,
    secretVersion,
    ...(actorSession !== undefined ? { actorSession } : {}),
    ...(subject.kind === 'user' ? { idp: subject.issuer } : {}),
    ...(aud ? { aud } : {}),
  });
  await ctx.audit.record(
    'token.delegated',
    `user:${subject.sub} via service:${engine.clientId}`,
    { subjectIssuer: subject.issuer, how: subject.how, scope, tenant: subject.tenant, sid: session.sid },
    { tenant: subject.tenant },
  );
  return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, issued_token_type: TOKEN_TYPE.accessToken, scope };
}

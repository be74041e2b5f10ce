/**
 * Refresh by self-exchange (RFC 8693 with our own access token as the
 * subject and no actor): how Iceberg Java renews its sessions. Only the
 * client the token was issued to may do it (for a delegated token, its
 * engine), authenticated in one of two ways, which Iceberg uses in turn:
 *
 * - with the token itself (or another token of that client) as Bearer: a
 *   renewal within the session. It keeps the session (`sid`, `auth_time`),
 *   so it ends at the maximum session lifetime, and stops once the
 *   principal is disabled, its secret rotated, its tokens or the session
 *   revoked, or (delegated) the delegation withdrawn;
 * - with the client's credential (Basic or post; Iceberg does this once the
 *   token expired, or after a refused renewal): the client authenticated
 *   again, so a new session starts, also from an expired token (up to the
 *   maximum session lifetime after its expiry). For a delegated token this
 *   holds only when the engine alone vouches for the user (an asserted
 *   user, whom the engine could assert afresh anyway); a user an IdP
 *   vouched for is not re-verified by the engine's credential, so that
 *   session keeps its end and its revocation, and then needs a new
 *   exchange with a fresh token from the IdP.
 */
import { ASSERTED_ISSUER } from '../../actor.js';
import { mayActFor } from '../../delegation-policy.js';
import type { ServicePrincipal } from '../../ports.js';
import { authenticateBearer, authenticateSecret, authenticationRequired, isSecret } from '../client-auth.js';
import type { GrantContext, TokenResponse } from '../grant.js';
import { OAuthError } from '../oauth-error.js';
import { formatScope, narrowed, parseScope } from '../scopes.js';
import { narrowedTargets, requestedTargets } from '../targets.js';
import { ownToken, TOKEN_TYPE, type TokenType } from './exchange-tokens.js';

const invalid = (why: string) => new OAuthError('invalid_request', why);

export async function selfExchange(ctx: GrantContext, subjectToken: string, subjectType: TokenType): Promise<TokenResponse> {
  if (subjectType === TOKEN_TYPE.idToken) throw invalid('subject_token is not an ID token');
  // Who is asking.
  let reauthenticated: ServicePrincipal | undefined;
  let bearerClient: string | undefined;
  if (isSecret(ctx.client)) reauthenticated = await authenticateSecret(ctx, ctx.client);
  else if (ctx.client.method === 'bearer') {
    if (ctx.client.token !== subjectToken) {
      const bearer = await authenticateBearer(ctx, ctx.client.token);
      // Another token of the same client renews this one; a delegated token never speaks for its engine.
      if (bearer.claims.act !== undefined || bearer.claims.sub !== bearer.principal.clientId) throw invalid('a delegated token cannot authenticate its engine');
      bearerClient = bearer.principal.clientId;
    }
  } else throw authenticationRequired('token exchange (client credentials, or the access token being renewed as Bearer)');

  const maxSession = ctx.issuer.lifetimes.maxSessionSeconds;
  const subject = await ownToken(ctx, subjectToken, 'subject_token', {
    ...(reauthenticated ? { expiredUpToSeconds: maxSession } : {}),
    tolerate: reauthenticated ? ['session-revoked', 'tokens-revoked', 'delegation-withdrawn', 'actor-session-revoked'] : ['delegation-withdrawn'],
  });
  if (!subject) throw invalid('subject_token is not a token of this issuer (to act for a user, send an actor_token)');
  const client = reauthenticated?.clientId ?? bearerClient ?? subject.clientId;
  if (client !== subject.clientId) throw invalid('subject_token was issued to another client');
  const withdrawn = async (issuer: string): Promise<never> => {
    await ctx.audit.record(
      'token.delegation.denied',
      `service:${client}`,
      { subject: subject.claims.sub, subjectIssuer: issuer, how: 'refresh' },
      { tenant: subject.tenant, decision: 'deny' },
    );
    throw invalid('the actor is no longer allowed to act for this subject');
  };
  const subjectIssuer = subject.kind === 'user' ? (subject.idp ?? ctx.issuer.issuerId) : ctx.issuer.issuerId;
  if (subject.tolerated?.code === 'delegation-withdrawn') await withdrawn(subjectIssuer);

  const delegated = subject.act !== undefined;
  const asserted = subject.idp === ASSERTED_ISSUER;
  // A new session when the client authenticated again and nobody else had to vouch for the subject.
  const newSession = reauthenticated !== undefined && (!delegated || asserted);
  // The engine's credential answers for a revoked token of the engine (actor-session-revoked), not for the subject's session.
  const tolerated = subject.tolerated && !['delegation-withdrawn', 'actor-session-revoked'].includes(subject.tolerated.code);
  if (reauthenticated && !newSession && tolerated) throw invalid(`subject_token is no longer valid: ${subject.tolerated!.reason}`);
  if (reauthenticated && delegated) {
    // The engine's credential answers for the engine only: it must still be allowed to act for this subject.
    const policy = reauthenticated.delegation;
    if (!mayActFor(policy, { sub: subject.claims.sub, kind: subject.kind, issuer: subjectIssuer, groups: subject.groups }, ctx.issuer.issuerId))
      await withdrawn(subjectIssuer);
  }
  if (!reauthenticated) {
    // Renewing within the session: not after the client's secret was rotated.
    const principal = await ctx.state.principal(client);
    if (typeof subject.claims.sv === 'number' && principal && principal.secretVersion !== subject.claims.sv) {
      throw invalid("subject_token predates the client's current secret; authenticate again with the client credential");
    }
  }
  const session = newSession ? ctx.issuer.newSession() : { sid: subject.session?.sid || ctx.issuer.newSession().sid, authTime: subject.session!.authTime };
  if (ctx.issuer.sessionRemaining(session) <= ctx.issuer.minimumRenewal) {
    throw invalid(
      delegated && !asserted
        ? 'the delegated session reached its maximum lifetime; exchange a fresh subject token'
        : 'the session reached its maximum lifetime; authenticate again with the client credential',
    );
  }

  const scope = formatScope(narrowed(subject.scopes, parseScope(ctx.params.get('scope'))));
  const aud = narrowedTargets(subject.aud, requestedTargets(ctx.params, ctx.issuer.issuerId));
  const current = reauthenticated ?? (await ctx.state.principal(client));
  // A service principal's roles as they are now; a represented subject holds none of its own in the token.
  const roles = subject.kind === 'service' && !delegated ? (current?.roles ?? []) : [];
  const access = await ctx.issuer.mintAccessToken({
    sub: subject.claims.sub,
    tenant: subject.tenant,
    kind: subject.kind,
    roles,
    groups: subject.groups,
    scope,
    clientId: client,
    session,
    ...(current ? { secretVersion: current.secretVersion } : {}),
    ...(subject.act ? { act: subject.act } : {}),
    // Renewed within the session by a token, it keeps hanging on the engine token it came from; the credential frees it.
    ...(!reauthenticated && typeof subject.claims.actor_sid === 'string' ? { actorSession: subject.claims.actor_sid } : {}),
    ...(subject.idp !== undefined ? { idp: subject.idp } : {}),
    ...(aud ? { aud } : {}),
  });
  await ctx.audit.record(
    'token.refreshed',
    `${subject.kind}:${subject.claims.sub}`,
    { grant: 'token-exchange', scope, tenant: subject.tenant, sid: session.sid, authenticated: reauthenticated ? 'client-credentials' : 'bearer', newSession },
    { tenant: subject.tenant },
  );
  return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, issued_token_type: TOKEN_TYPE.accessToken, scope };
}

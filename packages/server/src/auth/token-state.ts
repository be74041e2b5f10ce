/**
 * Whether one of our tokens is still good, beyond its signature and expiry:
 * checked on every request that presents one (and on every renewal), so a
 * revocation takes effect at the token's next use rather than when it
 * expires. A token is refused when
 *  - the principal it was issued to (for a delegated token: the acting
 *    engine) is gone, disabled, moved to another tenant, or had its tokens
 *    revoked after this one was issued (`tokensValidAfterMs`);
 *  - a represented service principal is gone or disabled, or had its tokens
 *    revoked (or was disabled) after this one was issued: disabling revokes
 *    every token an engine holds through it, and enabling revives none;
 *  - its engine may no longer act for its subject (the delegation policy
 *    was changed, or `assert-identity` withdrawn for an asserted user), or
 *    the IdP that vouched for its user is no longer trusted for its tenant
 *    (taken out of trustedIssuers, or moved to another tenant);
 *  - its session was revoked (RFC 7009 revocation, refresh-token reuse), or,
 *    for a delegated token the engine obtained with one of its tokens, that
 *    token's session (`actor_sid`): revoking a leaked engine token ends the
 *    delegated sessions minted with it.
 *
 * The state is read from the database, shared by every replica, and kept
 * per replica for at most `cacheTtlMs` (config identityCacheSeconds): a
 * change made through another replica is seen within that time, one made
 * through this one at once (the management services call forget*()), and
 * so is one made through another process of this server (--workers), which
 * announces it (Coherence). The
 * caches are bounded (a full cache is cleared).
 */
import type { JWTPayload } from 'jose';
import type { Coherence } from '../catalog/ports/index.js';
import { TtlCache } from '../catalog/ttl-cache.js';
import { ASSERTED_ISSUER, type ActorClaim } from './actor.js';
import { mayActFor } from './delegation-policy.js';
import type { IdentityRepository, ServicePrincipal, TokenSessionKey, TokenSessionRecord } from './ports.js';

export interface TokenStateDeps {
  identity: IdentityRepository;
  issuerId: () => string;
  /** The tenant a trusted IdP's users belong to; undefined for an issuer that is not (or no longer) trusted. */
  trustedIssuerTenant: (issuer: string) => string | undefined;
  now: () => number;
  cacheTtlMs: number;
  /** The other processes of this server (--workers): told at once of a change made through this one. */
  coherence?: Coherence;
}

/** Why a token is refused (a stable code for callers, a sentence for people). */
export interface Refusal {
  code: 'principal-inactive' | 'tokens-revoked' | 'delegation-withdrawn' | 'session-revoked' | 'actor-session-revoked';
  reason: string;
}

const refusal = (code: Refusal['code'], reason: string): Refusal => ({ code, reason });

export class TokenState {
  private readonly principals: TtlCache<ServicePrincipal | null>;
  private readonly sessions: TtlCache<TokenSessionRecord | null>;

  constructor(private readonly deps: TokenStateDeps) {
    this.principals = new TtlCache(deps.cacheTtlMs, deps.now, 20_000);
    this.sessions = new TtlCache(deps.cacheTtlMs, deps.now, 100_000);
    deps.coherence?.on('principals', () => this.principals.clear());
    deps.coherence?.on('token-sessions', (sid) => (sid === undefined ? this.sessions.clear() : this.sessions.delete(sid)));
  }

  /** A principal as stored (cached briefly). */
  async principal(clientId: string): Promise<ServicePrincipal | undefined> {
    const hit = this.principals.get(clientId);
    if (hit !== undefined) return hit ?? undefined;
    const readAt = this.principals.generation;
    const p = await this.deps.identity.getPrincipal(clientId);
    this.principals.set(clientId, p ?? null, readAt);
    return p;
  }

  /** A session's stored state (cached briefly); undefined when it has none (never revoked nor rotated). */
  async session(sid: string): Promise<TokenSessionRecord | undefined> {
    const hit = this.sessions.get(sid);
    if (hit !== undefined) return hit ?? undefined;
    const readAt = this.sessions.generation;
    const s = await this.deps.identity.getTokenSession(sid);
    this.sessions.set(sid, s ?? null, readAt);
    return s;
  }

  /** Revokes a session for every replica (they see it within their cache time; this one at once). */
  async revokeSession(key: TokenSessionKey, reason: string): Promise<void> {
    await this.deps.identity.revokeTokenSession(key, this.deps.now(), reason);
    this.forgetSession(key.sid);
  }

  /** Refresh-token rotation: false when generation `from` was used already (or the session is revoked). */
  async advanceRefreshGeneration(key: TokenSessionKey, from: number): Promise<boolean> {
    const moved = await this.deps.identity.advanceRefreshGeneration(key, from, this.deps.now());
    this.forgetSession(key.sid);
    return moved;
  }

  /** After a change made through this process: the next check reads the database. */
  forgetPrincipals(): void {
    this.principals.clear();
    this.deps.coherence?.announce('principals');
  }

  forgetSessions(): void {
    this.sessions.clear();
    this.deps.coherence?.announce('token-sessions');
  }

  private forgetSession(sid: string): void {
    this.sessions.delete(sid);
    this.deps.coherence?.announce('token-sessions', sid);
  }

  /** Why the principal cannot hold a token issued at `iatSeconds` in `tenant`, if it cannot. */
  principalRefusal(p: ServicePrincipal | undefined, tenant: string, iatSeconds: number): Refusal | undefined {
    if (!p || p.disabled || p.tenant !== tenant) return refusal('principal-inactive', 'the principal is no longer active');
    if (p.tokensValidAfterMs !== undefined && iatSeconds * 1000 < p.tokensValidAfterMs) return refusal('tokens-revoked', "the principal's tokens were revoked");
    return undefined;
  }

  /**
   * True when this process's caches alone show that the token (its claims) is still good: its client and the
   * principal it represents known, active and not revoked since it was issued, and its sessions known and not
   * revoked. False whenever refusal() would have to read, or would refuse, or the token acts for another subject
   * (a delegation is checked only by refusal()): the caller then asks refusal(). The same caches and bounds as
   * refusal(), so a revocation takes effect here exactly when it does there; this only spares the promises.
   */
  stillGoodCached(claims: JWTPayload & { sub: string }, tenant: string): boolean {
    if (claims.act !== undefined) return false;
    const iat = typeof claims.iat === 'number' ? claims.iat : 0;
    const clientId = typeof claims.client_id === 'string' ? claims.client_id : claims.sub;
    // One reading of the clock for every lookup below (the caches' clock: the same bound as refusal()'s reads).
    const now = this.deps.now();
    const client = this.principals.get(clientId, now);
    if (!client || this.principalRefusal(client, tenant, iat)) return false;
    if (claims.kind !== 'user' && claims.sub !== clientId) {
      const represented = this.principals.get(claims.sub, now);
      if (!represented || this.principalRefusal(represented, tenant, iat)) return false;
    }
    // Both sessions, without an array per request.
    return this.sessionGoodCached(claims.sid, now) && this.sessionGoodCached(claims.actor_sid, now);
  }

  /** A token's session (sid or actor_sid claim) cached and not revoked; true when the claim names none. */
  private sessionGoodCached(sid: unknown, now: number): boolean {
    if (typeof sid !== 'string') return true;
    const s = this.sessions.get(sid, now);
    return !(s === undefined || (s !== null && s.revokedAtMs !== undefined));
  }

  /**
   * Why one of our verified access tokens (its claims) is no longer good, or
   * undefined when it is. Refresh tokens are checked by the refresh grant.
   */
  async refusal(claims: JWTPayload & { sub: string }, tenant: string): Promise<Refusal | undefined> {
    const iat = typeof claims.iat === 'number' ? claims.iat : 0;
    const clientId = typeof claims.client_id === 'string' ? claims.client_id : claims.sub;
    const client = await this.principal(clientId);
    const clientRefusal = this.principalRefusal(client, tenant, iat);
    if (clientRefusal) return clientRefusal;
    const kind = claims.kind === 'user' ? 'user' : 'service';
    if (kind === 'service' && claims.sub !== clientId) {
      // A service principal represented by an engine: both must be active, and neither's tokens revoked since this one was issued.
      const represented = this.principalRefusal(await this.principal(claims.sub), tenant, iat);
      if (represented) return represented;
    }
    const act = claims.act as ActorClaim | undefined;
    if (act !== undefined) {
      // The current actor (RFC 8693 §4.1: prior actors are informational) must still be allowed to act for the subject.
      const engine = act.sub === clientId ? client : await this.principal(act.sub);
      if (this.principalRefusal(engine, tenant, iat)) return refusal('principal-inactive', 'the acting engine is no longer active');
      const issuer = kind === 'user' && typeof claims.idp === 'string' ? claims.idp : this.deps.issuerId();
      const groups = Array.isArray(claims.groups) ? claims.groups.filter((g): g is string => typeof g === 'string') : [];
      if (issuer === ASSERTED_ISSUER && !engine!.delegation.assertIdentity)
        return refusal('delegation-withdrawn', 'the engine may no longer assert identities');
      if (kind === 'user' && issuer !== ASSERTED_ISSUER && issuer !== this.deps.issuerId() && this.deps.trustedIssuerTenant(issuer) !== tenant) {
        return refusal('delegation-withdrawn', "the user's identity provider is no longer trusted");
      }
      if (!mayActFor(engine!.delegation, { sub: claims.sub, kind, issuer, groups }, this.deps.issuerId())) {
        return refusal('delegation-withdrawn', 'the engine is no longer allowed to act for this subject');
      }
    }
    if (typeof claims.sid === 'string') {
      const s = await this.session(claims.sid);
      if (s?.revokedAtMs !== undefined) return refusal('session-revoked', 'the token was revoked');
    }
    if (typeof claims.actor_sid === 'string') {
      const s = await this.session(claims.actor_sid);
      if (s?.revokedAtMs !== undefined) return refusal('actor-session-revoked', "the engine's token it was obtained with was revoked");
    }
    return undefined;
  }
}

/** Bearer JWTs issued by Lakegate itself (external OIDC issuers plug in beside it). */
import type { Actor, ActorClaim } from '../actor.js';
import type { JWTPayload } from 'jose';
import { scopesOfClaim } from '../issuer/scopes.js';
import { ACCESS_TOKEN_TYP, TokenError, tenantClaim, type TokenIssuer } from '../issuer/token-issuer.js';
import type { TokenState } from '../token-state.js';
import { AuthenticationError, type Authenticator, type RequestCredentials } from './authenticator.js';
import type { ExternalIssuers } from '../idp/external-issuers.js';
import { MALFORMED_BEARER, parseBearer } from '../bearer.js';
import { BoundedMap } from '../../catalog/bounded-map.js';

/**
 * Verified tokens, remembered for a short while: an engine sends the same
 * token on every request, and an ES256 verification costs more than the
 * rest of a typical catalog request. Entries never outlive the token's own
 * expiry; the map is bounded and simply cleared when full. What is cached is
 * the verification only: whether the token is still good (not revoked, its
 * principal enabled, its delegation standing) is asked of TokenState on
 * every request.
 */
class VerifiedTokenCache {
  /**
   * By the token's signature segment, and the whole token compared on a hit: a token arrives as a
   * new string on every request, and hashing all of it (several hundred characters) for the lookup
   * cost more than the rest of authentication; the signature is short, and two tokens that share it
   * are told apart by the comparison (only a verified token is ever put here).
   */
  private readonly entries: BoundedMap<string, { token: string; verified: Verified; untilMs: number }>;
  constructor(
    maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    // Each entry's own expiry (the token's, if sooner than the TTL) is checked here, not by the map.
    this.entries = new BoundedMap({ maxEntries });
  }

  get(token: string): Verified | undefined {
    const key = signatureOf(token);
    const hit = this.entries.get(key);
    if (!hit || hit.token !== token) return undefined;
    if (hit.untilMs > this.now()) return hit.verified;
    this.entries.delete(key);
    return undefined;
  }

  put(token: string, verified: Verified, expSeconds: number | undefined): void {
    const until = Math.min(this.now() + this.ttlMs, (expSeconds ?? 0) * 1000);
    if (until > this.now()) this.entries.set(signatureOf(token), { token, verified, untilMs: until });
  }
}

/** A compact JWS's signature segment (what follows its last dot); the whole string for anything else. */
const signatureOf = (token: string): string => token.slice(token.lastIndexOf('.') + 1);

interface Verified {
  actor: Actor;
  /** Our own tokens: their claims, re-checked against TokenState on each use. */
  claims?: JWTPayload & { sub: string };
}

export class JwtAuthenticator implements Authenticator {
  readonly name = 'jwt';
  private readonly cache: VerifiedTokenCache;
  constructor(
    private readonly issuer: TokenIssuer,
    private readonly state: TokenState,
    private readonly external?: ExternalIssuers,
    now: () => number = Date.now,
  ) {
    this.cache = new VerifiedTokenCache(10_000, 60_000, now);
  }

  async authenticate(request: RequestCredentials): Promise<Actor | undefined> {
    const bearer = parseBearer(request.authorization);
    if (bearer.kind === 'none') return undefined;
    if (bearer.kind === 'malformed') throw new AuthenticationError('Bearer', MALFORMED_BEARER, 400);
    const { token } = bearer;
    if (token.length > 8192) throw new AuthenticationError('Bearer', 'token too large');
    const verified = this.cache.get(token) ?? (await this.verify(token));
    if (verified.claims) {
      // Revocation, a disabled principal or a withdrawn delegation take effect at the token's next use.
      const refused = await this.state.refusal(verified.claims, verified.actor.tenant);
      if (refused) throw new AuthenticationError('Bearer', refused.reason);
    }
    return verified.actor;
  }

  /** A token verified a moment ago whose principal's state is cached and good (TokenState.stillGoodCached); else undefined. */
  authenticateCached(request: RequestCredentials): Actor | undefined {
    const authorization = request.authorization;
    if (authorization === undefined) return undefined;
    // The usual header, "Bearer " and a token verified a moment ago, is looked up first without parseBearer's syntax
    // check (a regular expression over the whole token, on every request of an engine): only tokens parseBearer gave
    // are ever verified and kept (authenticate()), and the cache compares the whole token, so a hit is a b64token and
    // "Bearer " + it is exactly a well-formed header of that token. Anything else is parsed as before.
    let verified = authorization.startsWith('Bearer ') ? this.cache.get(authorization.slice(7)) : undefined;
    if (verified === undefined) {
      const bearer = parseBearer(authorization);
      if (bearer.kind !== 'token' || bearer.token.length > 8192) return undefined;
      verified = this.cache.get(bearer.token);
      if (verified === undefined) return undefined;
    }
    if (verified.claims && !this.state.stillGoodCached(verified.claims, verified.actor.tenant)) return undefined;
    return verified.actor;
  }

  private async verify(token: string): Promise<Verified> {
    if (this.external?.issuerOf(token)) {
      let id;
      try {
        id = await this.external.verify(token, true);
      } catch {
        throw new AuthenticationError('Bearer', 'token from the external issuer is not valid');
      }
      if (id) {
        const verified = {
          actor: { subject: id.sub, tenant: id.tenant, kind: 'user', issuer: id.issuer, roles: [], groups: id.groups, method: 'jwt' } satisfies Actor,
        };
        this.cache.put(token, verified, typeof id.claims.exp === 'number' ? id.claims.exp : undefined);
        return verified;
      }
    }
    let c: JWTPayload & { sub: string };
    try {
      c = await this.issuer.verify(token, ACCESS_TOKEN_TYP);
    } catch (e) {
      // Only a token's own fault is a 401; a store that cannot answer (its signing keys unreadable while the database
      // restarts) is the server's, and goes out as such (ERR_UNAVAILABLE: 503, which clients retry).
      if (!(e instanceof TokenError)) throw e;
      throw new AuthenticationError('Bearer', e.reason);
    }
    const actor: Actor = {
      subject: c.sub,
      tenant: tenantClaim(c),
      kind: c.kind === 'user' ? 'user' : 'service',
      // A delegated user's identity was vouched for by an IdP (or asserted by an engine): keep that issuer.
      issuer: c.kind === 'user' && typeof c.idp === 'string' ? c.idp : this.issuer.issuerId,
      roles: Array.isArray(c.roles) ? (c.roles as string[]) : [],
      groups: Array.isArray(c.groups) ? (c.groups as string[]) : [],
      act: c.act as ActorClaim | undefined,
      method: 'jwt',
      // What the token may be used for (catalog/access enforces it).
      scopes: scopesOfClaim(c.scope),
    };
    const verified = { actor, claims: c };
    this.cache.put(token, verified, typeof c.exp === 'number' ? c.exp : undefined);
    return verified;
  }
}

/** Bearer JWTs issued by Lakegate itself (external OIDC issuers plug in beside it). */
import type { Actor, ActorClaim } from '../actor.js';
import { ACCESS_TOKEN_TYP, TokenError, tenantClaim, type TokenIssuer } from '../issuer/token-issuer.js';
import { AuthenticationError, type Authenticator, type RequestCredentials } from './authenticator.js';
import type { ExternalIssuers } from './external-issuers.js';

export function bearerToken(headers: RequestCredentials['headers']): string | undefined {
  const h = headers.authorization;
  const value = Array.isArray(h) ? h[0] : h;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m?.[1];
}

/**
 * Verified tokens, remembered for a short while: an engine sends the same
 * token on every request, and an ES256 verification costs more than the
 * rest of a typical catalog request. Entries never outlive the token's own
 * expiry; the map is bounded and simply cleared when full.
 */
class VerifiedTokenCache {
  private readonly entries = new Map<string, { actor: Actor; untilMs: number }>();
  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(token: string): Actor | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    if (hit.untilMs > this.now()) return hit.actor;
    this.entries.delete(token);
    return undefined;
  }

  put(token: string, actor: Actor, expSeconds: number | undefined): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const until = Math.min(this.now() + this.ttlMs, (expSeconds ?? 0) * 1000);
    if (until > this.now()) this.entries.set(token, { actor, untilMs: until });
  }
}

export class JwtAuthenticator implements Authenticator {
  readonly name = 'jwt';
  private readonly cache: VerifiedTokenCache;
  constructor(
    private readonly issuer: TokenIssuer,
    private readonly external?: ExternalIssuers,
    now: () => number = Date.now,
  ) {
    this.cache = new VerifiedTokenCache(10_000, 60_000, now);
  }

  async authenticate(request: RequestCredentials): Promise<Actor | undefined> {
    const token = bearerToken(request.headers);
    if (!token) return undefined;
    if (token.length > 8192) throw new AuthenticationError('Bearer', 'token too large');
    const cached = this.cache.get(token);
    if (cached) return cached;
    if (this.external?.issuerOf(token)) {
      try {
        const id = await this.external.verify(token);
        if (id) return { subject: id.sub, tenant: id.tenant, kind: 'user', issuer: id.issuer, roles: [], groups: id.groups, method: 'jwt' };
      } catch {
        throw new AuthenticationError('Bearer', 'token from the external issuer is not valid');
      }
    }
    try {
      const c = await this.issuer.verify(token, ACCESS_TOKEN_TYP);
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
      };
      this.cache.put(token, actor, typeof c.exp === 'number' ? c.exp : undefined);
      return actor;
    } catch (e) {
      throw new AuthenticationError('Bearer', e instanceof TokenError ? e.reason : 'invalid token');
    }
  }
}

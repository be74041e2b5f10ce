/** Bearer JWTs issued by Lakegate itself (external OIDC issuers plug in beside it). */
import type { Actor, ActorClaim } from '../actor.js';
import { ACCESS_TOKEN_TYP, TokenError, type TokenIssuer } from '../issuer/token-issuer.js';
import { AuthenticationError, type Authenticator, type RequestCredentials } from './authenticator.js';

export function bearerToken(headers: RequestCredentials['headers']): string | undefined {
  const h = headers.authorization;
  const value = Array.isArray(h) ? h[0] : h;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m?.[1];
}

export class JwtAuthenticator implements Authenticator {
  readonly name = 'jwt';
  constructor(private readonly issuer: TokenIssuer) {}

  async authenticate(request: RequestCredentials): Promise<Actor | undefined> {
    const token = bearerToken(request.headers);
    if (!token) return undefined;
    try {
      const c = await this.issuer.verify(token, ACCESS_TOKEN_TYP);
      return {
        subject: c.sub,
        kind: c.kind === 'user' ? 'user' : 'service',
        issuer: this.issuer.issuerId,
        roles: Array.isArray(c.roles) ? (c.roles as string[]) : [],
        groups: Array.isArray(c.groups) ? (c.groups as string[]) : [],
        act: c.act as ActorClaim | undefined,
        method: 'jwt',
      };
    } catch (e) {
      throw new AuthenticationError('Bearer', e instanceof TokenError ? e.reason : 'invalid token');
    }
  }
}

/** Bearer JWTs issued by Lakegate itself (external OIDC issuers plug in beside it). */
import type { Actor, ActorClaim } from '../actor.js';
import { ACCESS_TOKEN_TYP, TokenError, type TokenIssuer } from '../issuer/token-issuer.js';
import { AuthenticationError, type Authenticator, type RequestCredentials } from './authenticator.js';
import type { ExternalIssuers } from './external-issuers.js';

export function bearerToken(headers: RequestCredentials['headers']): string | undefined {
  const h = headers.authorization;
  const value = Array.isArray(h) ? h[0] : h;
  const m = value ? /^Bearer\s+(\S+)\s*$/i.exec(value) : null;
  return m?.[1];
}

export class JwtAuthenticator implements Authenticator {
  readonly name = 'jwt';
  constructor(
    private readonly issuer: TokenIssuer,
    private readonly external?: ExternalIssuers,
  ) {}

  async authenticate(request: RequestCredentials): Promise<Actor | undefined> {
    const token = bearerToken(request.headers);
    if (!token) return undefined;
    if (token.length > 8192) throw new AuthenticationError('Bearer', 'token too large');
    if (this.external?.issuerOf(token)) {
      try {
        const id = await this.external.verify(token);
        if (id) return { subject: id.sub, kind: 'user', issuer: id.issuer, roles: [], groups: id.groups, method: 'jwt' };
      } catch {
        throw new AuthenticationError('Bearer', 'token from the external issuer is not valid');
      }
    }
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

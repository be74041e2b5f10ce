/**
 * The web console's session cookie, last in the chain: a request that carries
 * a bearer token, a SigV4 signature or an API key is authenticated by those
 * and never by a cookie. A cookie-authenticated request that changes anything
 * (any method but GET, HEAD, OPTIONS) must carry the session's CSRF token in
 * the `x-lakegate-csrf` header (refused with 403 otherwise): the cookie is
 * SameSite=Strict already, the token is the second, independent defence.
 */
import { parseCookie } from 'cookie';
import type { Actor } from '../actor.js';
import type { ConsoleSessions } from '../sessions/console-sessions.js';
import { AuthenticationError, type Authenticator, type RequestCredentials } from './authenticator.js';

export const SESSION_COOKIE = 'lakegate_session';
export const CSRF_HEADER = 'x-lakegate-csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function header(headers: RequestCredentials['headers'], name: string): string | undefined {
  const h = headers[name];
  return Array.isArray(h) ? h.join('; ') : h;
}

/** The session token in a request's Cookie header, if any. */
export function sessionToken(headers: RequestCredentials['headers']): string | undefined {
  const raw = header(headers, 'cookie');
  if (!raw) return undefined;
  return parseCookie(raw)[SESSION_COOKIE] || undefined;
}

export class SessionAuthenticator implements Authenticator {
  readonly name = 'session';
  constructor(private readonly sessions: ConsoleSessions) {}

  async authenticate(request: RequestCredentials): Promise<Actor | undefined> {
    const token = sessionToken(request.headers);
    if (!token) return undefined;
    const actor = await this.sessions.actorOf(token);
    if (!actor) throw new AuthenticationError('Session', 'the console session has ended; sign in again');
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      const presented = request.headers[CSRF_HEADER];
      if (!this.sessions.checkCsrf(token, Array.isArray(presented) ? presented[0] : presented)) {
        throw new AuthenticationError('Session', `a console request that changes something needs the session's ${CSRF_HEADER} header`, 403);
      }
    }
    return actor;
  }
}

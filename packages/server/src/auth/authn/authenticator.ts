/**
 * Authentication is an ordered chain: each authenticator either recognizes
 * the request's credentials and returns an Actor, says "not mine" (undefined)
 * so the next one is asked, or rejects credentials that are its kind but bad.
 */
import type { Actor } from '../actor.js';

export interface RequestCredentials {
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  /** The first Authorization header, if any: all a bearer token needs, without building `headers`. */
  readonly authorization: string | undefined;
  /** Every header, repeated ones kept apart (a signature covers them as sent). */
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Uint8Array;
}

export class AuthenticationError extends Error {
  constructor(
    readonly scheme: 'Bearer' | 'AWS4-HMAC-SHA256' | 'ApiKey' | 'Session',
    readonly reason: string,
    /**
     * 403 when the credential is valid but the request may not use it (a cookie-authenticated mutation without its
     * CSRF token); 400 when what was sent cannot be a credential of the scheme at all (a malformed Bearer header).
     */
    readonly status: 400 | 401 | 403 = 401,
  ) {
    super(reason);
    this.name = 'AuthenticationError';
  }
}

export interface Authenticator {
  readonly name: string;
  authenticate(request: RequestCredentials): Promise<Actor | undefined>;
  /**
   * The actor at once when the credentials are this authenticator's and its caches alone accept them (a bearer token
   * verified a moment ago, its principal's state known); undefined in every other case, refusals included, and then
   * authenticate() decides. Optional: an authenticator without it is always asked through authenticate().
   */
  authenticateCached?(request: RequestCredentials): Actor | undefined;
}

export class AuthenticatorChain {
  constructor(private readonly authenticators: Authenticator[]) {}

  /** The actor, or undefined when no authenticator recognized any credentials. */
  async authenticate(request: RequestCredentials): Promise<Actor | undefined> {
    for (const a of this.authenticators) {
      const actor = await a.authenticate(request);
      if (actor) return actor;
    }
    return undefined;
  }

  /**
   * The first authenticator's actor when it accepts the credentials from its caches (authenticateCached): what
   * authenticate() would answer, without a promise. Undefined means "ask authenticate()", never "anonymous".
   */
  authenticateCached(request: RequestCredentials): Actor | undefined {
    return this.authenticators[0]?.authenticateCached?.(request);
  }
}

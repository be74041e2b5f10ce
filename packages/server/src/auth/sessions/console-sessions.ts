/**
 * Web console sessions: sign-in turns a verified identity (a service
 * principal's id and secret, or a user vouched for by a trusted OIDC issuer)
 * into a random session token that only the browser's httpOnly cookie holds.
 * The session's CSRF token is derived from the session token (HMAC), so the
 * server checks it without storing it and no one without the cookie can
 * compute it; the console reads it from the session endpoint and sends it as
 * a header on every mutation. A principal's session ends when the principal
 * is disabled or its secret rotated, a user's when its IdP is no longer
 * trusted for its tenant; every session ends at its expiry or at sign-out
 * (the row is deleted).
 */
import { createHmac, hash as digest, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../actor.js';
import type { AuditTrail } from '../audit.js';
import type { ExternalIdentity } from '../idp/external-issuers.js';
import type { FailureLimiter } from '../issuer/failure-limiter.js';
import type { PrincipalService } from '../issuer/principals.js';
import type { SessionIdentity, SessionRecord, SessionRepository } from './ports.js';

/** Why a sign-in was refused: stable codes, never the secret. */
export class SignInError extends Error {
  constructor(
    readonly code: 'ERR_SIGNIN_FAILED' | 'ERR_SIGNIN_RATE_LIMITED',
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

export interface StartedSession {
  token: string;
  csrf: string;
  expiresAtMs: number;
}

export interface ConsoleSessionsOptions {
  sessions: SessionRepository;
  principals: PrincipalService;
  audit: AuditTrail;
  /** The token endpoint's limiter: failed console sign-ins count against the same budget. */
  limiter: FailureLimiter;
  ttlSeconds: number;
  /** Our own issuer's identifier (the `issuer` of principals' actors). */
  issuer: () => string;
  /** The tenant a trusted IdP's users belong to; undefined for an issuer that is not (or no longer) trusted. */
  trustedIssuerTenant: (issuer: string) => string | undefined;
  now: () => number;
}

const hash = (token: string): string => digest('sha256', token, 'base64url');

export class ConsoleSessions {
  constructor(private readonly options: ConsoleSessionsOptions) {}

  /** Signs a service principal in with its client id and secret (rate-limited like the token endpoint). */
  async signInWithSecret(clientId: string, secret: string, remoteAddress: string): Promise<StartedSession> {
    const { limiter, principals, audit } = this.options;
    const wait = limiter.retryAfterMs(clientId, remoteAddress);
    if (wait > 0) throw new SignInError('ERR_SIGNIN_RATE_LIMITED', 'too many failed attempts; retry later', wait);
    const principal = clientId && secret ? await principals.authenticate(clientId, secret) : undefined;
    if (!principal) {
      limiter.fail(clientId, remoteAddress);
      await audit.record('console.signin.failed', `client:${clientId.slice(0, 100)}`, { address: remoteAddress });
      throw new SignInError('ERR_SIGNIN_FAILED', 'the client id or secret is wrong, or the principal is disabled');
    }
    limiter.succeed(clientId, remoteAddress);
    return this.start(
      {
        kind: 'service',
        subject: principal.clientId,
        issuer: this.options.issuer(),
        tenant: principal.tenant,
        groups: [],
        secretVersion: principal.secretVersion,
      },
      'client-secret',
    );
  }

  /** Signs in a user whose access token a trusted OIDC issuer signed (verified by the caller). */
  signInExternal(identity: ExternalIdentity): Promise<StartedSession> {
    return this.start({ kind: 'user', subject: identity.sub, issuer: identity.issuer, tenant: identity.tenant, groups: identity.groups }, 'oidc');
  }

  /** The actor of a session token, or undefined when there is no such live session. */
  async actorOf(token: string): Promise<Actor | undefined> {
    const session = await this.live(token);
    if (!session) return undefined;
    const id = session.identity;
    if (id.kind === 'user') {
      // A user's session ends with its IdP's trust: taken out of trustedIssuers, or moved to another tenant.
      if (this.options.trustedIssuerTenant(id.issuer) !== id.tenant) return undefined;
      return { subject: id.subject, tenant: id.tenant, kind: 'user', issuer: id.issuer, roles: [], groups: id.groups, method: 'session' };
    }
    // A principal's roles and state are read on every request: disabling it or rotating its secret ends the session.
    const principal = await this.options.principals.get(id.subject);
    if (!principal || principal.disabled || principal.secretVersion !== id.secretVersion) return undefined;
    // "Revoke tokens" (or a disable, later re-enabled) ends the console sessions started before it too.
    if (principal.tokensValidAfterMs !== undefined && session.createdAtMs < principal.tokensValidAfterMs) return undefined;
    return { subject: principal.clientId, tenant: principal.tenant, kind: 'service', issuer: id.issuer, roles: principal.roles, groups: [], method: 'session' };
  }

  /** The CSRF token of a session token: what mutations must carry in the header. */
  csrfOf(token: string): string {
    return createHmac('sha256', token).update('lakegate-console-csrf').digest('base64url');
  }

  /** Constant-time check of a presented CSRF header against the session's. */
  checkCsrf(token: string, presented: string | undefined): boolean {
    if (!presented) return false;
    const expected = Buffer.from(this.csrfOf(token));
    const given = Buffer.from(presented);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Who is signed in (for the console's session endpoint), or undefined. */
  async describe(token: string): Promise<{ identity: SessionIdentity; expiresAtMs: number; actor: Actor } | undefined> {
    const session = await this.live(token);
    const actor = session && (await this.actorOf(token));
    return session && actor ? { identity: session.identity, expiresAtMs: session.expiresAtMs, actor } : undefined;
  }

  /** Ends a session (sign-out): its row is deleted, so the cookie authenticates nothing any more. */
  async signOut(token: string): Promise<void> {
    const session = await this.live(token);
    if (!session || !(await this.options.sessions.deleteSession(session.idHash))) return;
    const { kind, subject, tenant } = session.identity;
    await this.options.audit.record('console.session.revoked', `${kind}:${subject}`, {}, { tenant });
  }

  sweep(): Promise<number> {
    return this.options.sessions.deleteExpiredSessions(this.options.now());
  }

  private async live(token: string): Promise<SessionRecord | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const session = await this.options.sessions.getSession(hash(token));
    return session && session.expiresAtMs > this.options.now() ? session : undefined;
  }

  private async start(identity: SessionIdentity, method: 'client-secret' | 'oidc'): Promise<StartedSession> {
    const token = randomBytes(32).toString('base64url');
    const now = this.options.now();
    const expiresAtMs = now + this.options.ttlSeconds * 1000;
    await this.options.sessions.insertSession({ idHash: hash(token), identity, createdAtMs: now, expiresAtMs });
    await this.options.audit.record(
      'console.session.created',
      `${identity.kind}:${identity.subject}`,
      { method, issuer: identity.issuer, expiresAtMs },
      { tenant: identity.tenant },
    );
    return { token, csrf: this.csrfOf(token), expiresAtMs };
  }
}

/**
 * The console's sign-in routes under /ui/auth: who is signed in (with the
 * session's CSRF token), sign-in with a principal's id and secret, sign-in
 * through an OIDC issuer (start and callback), and sign-out. The session
 * cookie is httpOnly and SameSite=Strict; the short-lived cookie of a pending
 * OIDC sign-in is SameSite=Lax and scoped to the callback path, because the
 * IdP's redirect back is a cross-site navigation that a Strict cookie would
 * not accompany.
 */
import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CSRF_HEADER, SESSION_COOKIE, sessionToken } from '../../../auth/authn/session-authenticator.js';
import type { ConsoleSessions, StartedSession } from '../../../auth/sessions/console-sessions.js';
import { SignInError } from '../../../auth/sessions/console-sessions.js';
import { OidcLoginError, type OidcLogin } from '../../../auth/sessions/oidc-login.js';
import { describeActor } from '../../../auth/actor.js';
import { CatalogError } from '../../../errors/catalog-error.js';

export interface ConsoleAuthDeps {
  sessions: ConsoleSessions;
  oidc: OidcLogin | undefined;
  /** The URL browsers reach this server at (cookies are Secure when it is https). */
  publicUrl: () => string;
}

const PENDING_COOKIE = 'lakegate_oidc';
const CALLBACK_PATH = '/ui/auth/callback';

/**
 * Sign-in bodies must be JSON sent by the console itself: a cross-site form can send neither that content type
 * (without a CORS preflight this server never answers) nor a same-origin Sec-Fetch-Site.
 */
function requireSameOriginJson(req: FastifyRequest): void {
  if (
    !String(req.headers['content-type'] ?? '')
      .toLowerCase()
      .startsWith('application/json')
  )
    throw new CatalogError('ERR_BAD_REQUEST', 'send application/json');
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') throw new CatalogError('ERR_FORBIDDEN', 'sign-in must come from the console itself');
}

export function consoleAuthRoutes(app: FastifyInstance, deps: ConsoleAuthDeps): void {
  const secure = () => deps.publicUrl().startsWith('https:');
  const sessionCookie = (started: StartedSession) =>
    stringifySetCookie({
      name: SESSION_COOKIE,
      value: started.token,
      httpOnly: true,
      sameSite: 'strict',
      secure: secure(),
      path: '/',
      expires: new Date(started.expiresAtMs),
    });
  const setSession = (reply: FastifyReply, started: StartedSession) => reply.header('set-cookie', sessionCookie(started));
  const clearSession = (reply: FastifyReply) =>
    reply.header(
      'set-cookie',
      stringifySetCookie({ name: SESSION_COOKIE, value: '', httpOnly: true, sameSite: 'strict', secure: secure(), path: '/', maxAge: 0 }),
    );
  const hide = { schema: { hide: true } };

  app.get('/auth/session', hide, async (req, reply) => {
    reply.header('cache-control', 'no-store');
    const providers = deps.oidc?.list() ?? [];
    const token = sessionToken(req.headers);
    const session = token ? await deps.sessions.describe(token) : undefined;
    if (!token || !session) return { signedIn: false, providers };
    const { identity, actor, expiresAtMs } = session;
    return {
      signedIn: true,
      providers,
      csrfHeader: CSRF_HEADER,
      csrf: deps.sessions.csrfOf(token),
      expiresAtMs,
      identity: {
        kind: identity.kind,
        subject: identity.subject,
        issuer: identity.issuer,
        tenant: identity.tenant,
        groups: identity.groups,
        roles: actor.roles,
        description: describeActor(actor),
      },
    };
  });

  app.post('/auth/login', hide, async (req, reply) => {
    requireSameOriginJson(req);
    // A console route outside the wire contract: the body is whatever JSON came, its two fields checked here.
    const body: { clientId?: unknown; clientSecret?: unknown } = typeof req.body === 'object' && req.body !== null ? req.body : {};
    if (typeof body.clientId !== 'string' || typeof body.clientSecret !== 'string' || !body.clientId || !body.clientSecret) {
      throw new CatalogError('ERR_VALIDATION', 'clientId and clientSecret are required');
    }
    try {
      const started = await deps.sessions.signInWithSecret(body.clientId, body.clientSecret, req.ip);
      setSession(reply, started);
      return reply.header('cache-control', 'no-store').send({ signedIn: true, csrf: started.csrf, expiresAtMs: started.expiresAtMs });
    } catch (e) {
      if (!(e instanceof SignInError)) throw e;
      if (e.retryAfterMs) reply.header('retry-after', String(Math.ceil(e.retryAfterMs / 1000)));
      return reply.code(e.code === 'ERR_SIGNIN_RATE_LIMITED' ? 429 : 401).send({
        error: {
          message: e.message,
          type: e.code === 'ERR_SIGNIN_RATE_LIMITED' ? 'TooManyRequests' : 'NotAuthorizedException',
          code: e.code === 'ERR_SIGNIN_RATE_LIMITED' ? 429 : 401,
        },
      });
    }
  });

  app.get('/auth/oidc/:provider', hide, async (req: FastifyRequest<{ Params: { provider: string } }>, reply) => {
    if (!deps.oidc) throw new CatalogError('ERR_BAD_REQUEST', 'no OIDC sign-in is configured');
    try {
      const { location, pending } = await deps.oidc.begin(Number(req.params.provider), `${deps.publicUrl()}${CALLBACK_PATH}`);
      reply.header(
        'set-cookie',
        stringifySetCookie({ name: PENDING_COOKIE, value: pending, httpOnly: true, sameSite: 'lax', secure: secure(), path: CALLBACK_PATH, maxAge: 600 }),
      );
      return reply.header('cache-control', 'no-store').redirect(location, 302);
    } catch (e) {
      if (e instanceof OidcLoginError) return reply.redirect(`/ui/?signin-error=${e.code}`, 302);
      req.log.warn({ err: e }, 'console OIDC sign-in could not start');
      return reply.redirect('/ui/?signin-error=ERR_OIDC_UNREACHABLE', 302);
    }
  });

  app.get('/auth/callback', hide, async (req, reply) => {
    if (!deps.oidc) throw new CatalogError('ERR_BAD_REQUEST', 'no OIDC sign-in is configured');
    const pending = parseCookie(req.headers.cookie ?? '')[PENDING_COOKIE] || undefined;
    reply.header('cache-control', 'no-store');
    reply.header(
      'set-cookie',
      stringifySetCookie({ name: PENDING_COOKIE, value: '', httpOnly: true, sameSite: 'lax', secure: secure(), path: CALLBACK_PATH, maxAge: 0 }),
    );
    try {
      const identity = await deps.oidc.finish(new URL(req.url, deps.publicUrl()), pending);
      const started = await deps.sessions.signInExternal(identity);
      reply.header('set-cookie', [
        stringifySetCookie({ name: PENDING_COOKIE, value: '', httpOnly: true, sameSite: 'lax', secure: secure(), path: CALLBACK_PATH, maxAge: 0 }),
        sessionCookie(started),
      ]);
      return reply.redirect('/ui/', 302);
    } catch (e) {
      // Only a code travels in the URL (the page words it), so no one can make the sign-in page show a text of theirs.
      if (e instanceof OidcLoginError) req.log.info({ code: e.code, reason: e.message }, 'console OIDC sign-in refused');
      else req.log.warn({ err: e }, 'console OIDC sign-in failed');
      return reply.redirect(`/ui/?signin-error=${e instanceof OidcLoginError ? e.code : 'ERR_OIDC_FAILED'}`, 302);
    }
  });

  app.post('/auth/logout', hide, async (req, reply) => {
    const token = sessionToken(req.headers);
    if (token) {
      // Sign-out changes state: it needs the CSRF token like every other cookie-authenticated mutation.
      const presented = req.headers[CSRF_HEADER];
      if (!deps.sessions.checkCsrf(token, Array.isArray(presented) ? presented[0] : presented))
        throw new CatalogError('ERR_FORBIDDEN', `sign-out needs the session's ${CSRF_HEADER} header`);
      await deps.sessions.signOut(token);
    }
    clearSession(reply);
    return reply.code(204).send();
  });
}

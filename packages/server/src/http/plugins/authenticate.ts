/**
 * Authentication as a hook that each surface plugin installs for itself
 * (the Iceberg, Lance and management surfaces require it; OAuth and ops do
 * not install it), so no code decides by a URL whether a request needs a
 * credential. Failures are 401 with WWW-Authenticate and the surface's own
 * error body; the reason never echoes the credential.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Actor, describeActor } from '../../auth/actor.js';
import { AuthenticationError, type AuthenticatorChain, type RequestCredentials } from '../../auth/authn/authenticator.js';
import { errorDescription } from '../../auth/issuer/oauth-error.js';
import type { ErrorEnvelope } from './errors.js';
import { bindRequestLog } from './request-log.js';
import type { ParsedQuery } from './query.js';
import { type Spans, noSpans } from '../../catalog/ports/tracing.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    authenticatedActor?: Actor;
  }
}

export interface AuthenticationOptions {
  chain: AuthenticatorChain;
  /** false: every request is anonymous (development only; the server warns at start). */
  required: boolean;
  /** An `authenticate` span per request when tracing is on: the method that authenticated, or the refusal's status. */
  spans?: Spans | undefined;
  /**
   * A query parameter that carries an API key, as `x-api-key` would (the Trino OPA surface only: Trino 476's OPA
   * plugin sends no headers of its own). The logger scrubs it from logged URLs (observability/logger.ts scrubUrl).
   */
  queryApiKey?: string | undefined;
}

/** Once, on the root instance: every request starts anonymous until a surface authenticates it. */
export function declareActor(app: FastifyInstance): void {
  // A getter rather than a per-request hook: no work at all on requests that never authenticate.
  app.decorateRequest('authenticatedActor', undefined);
  app.decorateRequest('actor', {
    getter(this: FastifyRequest) {
      return this.authenticatedActor ?? ANONYMOUS;
    },
    setter(this: FastifyRequest, actor: Actor) {
      this.authenticatedActor = actor;
    },
  });
}

/**
 * A request's credentials as the authenticators read them. The headers with repeated ones kept apart
 * and the body's bytes are built on first use: only a signature (SigV4) or a cookie needs them, while
 * a bearer token, which nearly every catalog request carries, needs only its Authorization header.
 */
/** A request as the authentication hook sees it: before validation, its query as parsed. */
type ParsedRequest = FastifyRequest<{ Querystring: ParsedQuery }>;

class HttpCredentials implements RequestCredentials {
  private distinct: Record<string, string | string[] | undefined> | undefined;
  private bytes: Uint8Array | undefined;

  constructor(
    private readonly req: ParsedRequest,
    private readonly queryApiKey?: string,
  ) {}

  get method(): string {
    return this.req.method;
  }

  get url(): string {
    return this.req.url;
  }

  get authorization(): string | undefined {
    // Node keeps the first of repeated Authorization headers, as headersDistinct's first entry.
    return this.req.headers.authorization;
  }

  get headers(): Record<string, string | string[] | undefined> {
    // headersDistinct keeps repeated headers apart (SigV4 joins them with "," where Node uses ", ").
    this.distinct ??= (this.req.raw.headersDistinct as Record<string, string[]> | undefined) ?? this.req.headers;
    const key = this.queryApiKey === undefined ? undefined : this.req.query?.[this.queryApiKey];
    if (typeof key === 'string' && key !== '' && this.distinct['x-api-key'] === undefined) this.distinct = { ...this.distinct, 'x-api-key': key };
    return this.distinct;
  }

  get body(): Uint8Array {
    this.bytes ??= this.req.rawBody ?? new Uint8Array();
    return this.bytes;
  }
}

/** The chain's answer for a request: an actor, a refusal, or neither (no credential). */
async function authenticate(
  chain: AuthenticatorChain,
  req: ParsedRequest,
  queryApiKey?: string,
): Promise<{ actor: Actor | undefined; failure: AuthenticationError | undefined }> {
  try {
    return { actor: await chain.authenticate(new HttpCredentials(req, queryApiKey)), failure: undefined };
  } catch (e) {
    if (!(e instanceof AuthenticationError)) throw e;
    return { actor: undefined, failure: e };
  }
}

/**
 * The log bindings naming an actor, made once per actor: an authenticator hands out the same actor for a cached
 * credential on every request it makes. Frozen: the request logs keep it as it is (bindRequestLog).
 */
function logBindingsOf(actor: Actor): Readonly<Record<string, unknown>> {
  let bindings = logBindings.get(actor);
  if (bindings === undefined) {
    bindings = Object.freeze({ actor: describeActor(actor), auth: actor.method });
    logBindings.set(actor, bindings);
  }
  return bindings;
}

const logBindings = new WeakMap<Actor, Readonly<Record<string, unknown>>>();

/** Requires a credential on every route of the (encapsulated) instance it is installed on. */
export function requireAuthentication(app: FastifyInstance, options: AuthenticationOptions, envelope: ErrorEnvelope): void {
  if (!options.required) return;
  // preValidation, not onRequest: request signing covers the body, which is read by then.
  const spans = options.spans ?? noSpans;
  // Not an async function: a credential the chain accepts from its caches (a bearer token verified a moment ago,
  // nearly every request of an engine) is settled here and now, without a promise and its microtask turns
  // (docs/benchmarks-signing.md). Everything else, refusals included, takes the asynchronous path below.
  app.addHook<{ Querystring: ParsedQuery }>('preValidation', (req: ParsedRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    if (!spans.enabled) {
      const cached = options.chain.authenticateCached(new HttpCredentials(req, options.queryApiKey));
      if (cached !== undefined) {
        accept(req, reply, cached);
        done();
        return undefined;
      }
    }
    // Resolved: Fastify goes on (or stops, when the hook answered the request); rejected: the error handler answers.
    return authenticateAsync(req, reply);
  });

  function accept(req: FastifyRequest, reply: FastifyReply, actor: Actor): void {
    req.actor = actor;
    // Later log lines of this request ("request completed", errors) name who made it, including
    // the act chain of a delegated token ("user:alice via spark-engine").
    bindRequestLog(req, reply, logBindingsOf(actor));
  }

  async function authenticateAsync(req: ParsedRequest, reply: FastifyReply): Promise<unknown> {
    let actor: Actor | undefined;
    let failure: AuthenticationError | undefined;
    if (spans.enabled) {
      ({ actor, failure } = await spans.run('authenticate', async (span) => {
        const outcome = await authenticate(options.chain, req, options.queryApiKey);
        if (span.recording) {
          // The scheme and outcome only: never the credential, the subject's token or the failure's reason text.
          if (outcome.actor) span.set('lakegate.auth.method', outcome.actor.method);
          else span.set('lakegate.auth.outcome', outcome.failure ? `refused-${outcome.failure.status}` : 'missing');
        }
        return outcome;
      }));
    } else {
      // Tracing off: the chain is awaited right here, without a span's step around it (an async step less per request).
      try {
        actor = await options.chain.authenticate(new HttpCredentials(req, options.queryApiKey));
      } catch (e) {
        if (!(e instanceof AuthenticationError)) throw e;
        failure = e;
      }
    }
    if (actor) {
      accept(req, reply, actor);
      return;
    }
    if (failure?.status === 403) {
      req.log.info({ auth: failure.scheme, reason: failure.reason }, 'request refused');
      return reply.code(403).send(envelope.fromStatus(403, `Forbidden: ${failure.reason}`, req));
    }
    const reason = failure?.reason ?? 'authentication is required';
    const scheme = failure?.scheme ?? 'Bearer';
    // The reason, never the credential: operators see why a client was refused (wrong key, skew, expiry).
    if (failure) req.log.info({ auth: scheme, reason }, 'authentication failed');
    // 400 for what cannot be a credential of the scheme at all (RFC 6750 §3.1), 401 for a missing or bad one.
    const malformed = failure?.status === 400;
    const error = malformed ? 'invalid_request' : 'invalid_token';
    reply.header('www-authenticate', `${scheme} realm="lakegate"${failure ? `, error="${error}", error_description="${errorDescription(reason)}"` : ''}`);
    return malformed
      ? reply.code(400).send(envelope.fromStatus(400, `Malformed credentials: ${reason}`, req))
      : reply.code(401).send(envelope.fromStatus(401, `Not authorized: ${reason}`, req));
  }
}

/**
 * Requires, after authentication, a credential whose OAuth scope allows the surface (the management API: scope
 * `catalog` or `management`). A token without it is refused with 403 and RFC 6750's `insufficient_scope`, whatever
 * roles its subject holds. Credentials without a scope (SigV4, API keys, IdP tokens) are not limited.
 */
export function requireScope(app: FastifyInstance, allowed: (actor: Actor) => boolean, scope: string, envelope: ErrorEnvelope): void {
  app.addHook('preValidation', async (req: FastifyRequest, reply) => {
    if (req.authenticatedActor === undefined || allowed(req.actor)) return;
    reply.header('www-authenticate', `Bearer realm="lakegate", error="insufficient_scope", scope="${scope}"`);
    return reply.code(403).send(envelope.fromStatus(403, `Forbidden: the token's scope does not include ${scope}`, req));
  });
}

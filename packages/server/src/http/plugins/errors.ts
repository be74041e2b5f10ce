/**
 * One error handler, parametrised by the surface's error envelope: domain
 * errors become the protocol's error body; framework errors (bad content
 * type, body too large, invalid URL) become 4xx with a readable message;
 * anything else is logged and answered with a 500 that carries no internal
 * detail. Each surface plugin installs it with its own envelope, so nothing
 * here looks at the URL to decide which protocol a request speaks.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type CatalogError, isCatalogError } from '../../errors/catalog-error.js';

/** How one surface (Iceberg, Lance, OAuth, management) writes its errors. */
export interface ErrorEnvelope {
  /** A domain error: status and body from the error's stable code. */
  fromCatalogError(error: CatalogError, req: FastifyRequest): { status: number; body: unknown };
  /** An error raised outside the catalog (framework, authentication, unknown route), by HTTP status. */
  fromStatus(status: number, message: string, req: FastifyRequest): unknown;
  /** The body of a request to a path this surface does not serve (and its status). */
  notFound(req: FastifyRequest): { status: number; body: unknown };
}

const frameworkErrors: Record<string, { status: number; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, message: 'Request body is too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, message: 'Unsupported content type: send application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, message: 'Content-Length does not match the body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, message: 'Request body is empty' },
  FST_ERR_BAD_URL: { status: 400, message: 'Request URL is malformed' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, message: 'Request is malformed' },
};

/**
 * Installs the envelope's error handler on an (encapsulated) surface, and its
 * not-found handler for unknown paths under the surface's prefix (a surface
 * without a prefix of its own leaves unknown paths to the root's handler).
 */
export function useErrorEnvelope(app: FastifyInstance, envelope: ErrorEnvelope, options: { ownsPrefix: boolean } = { ownsPrefix: true }): void {
  app.setErrorHandler((error: FastifyError, req, reply) => sendError(envelope, error, req, reply));
  if (!options.ownsPrefix) return;
  app.surfaceEnvelopes?.add(app.prefix, envelope);
  const routes = routesOf(app);
  app.setNotFoundHandler((req, reply) => {
    const { status, body } = envelope.notFound(req);
    // A path this surface serves, asked with a method it does not serve: 405 with the methods it does (RFC 9110
    // §15.5.6), where the surface's model answers an unknown endpoint with 404. Lance's model answers 406 for both.
    const allow = status === 404 ? routes.allowed(req.url) : [];
    if (allow.length > 0) {
      return reply
        .code(405)
        .header('allow', allow.join(', '))
        .send(envelope.fromStatus(405, `Method ${req.method.slice(0, 16)} is not allowed here (allowed: ${allow.join(', ')})`, req));
    }
    return reply.code(status).send(body);
  });
}

/** The routes a surface registers (method and path pattern), to tell a wrong method from an unknown path. */
function routesOf(app: FastifyInstance): { allowed(url: string): string[] } {
  const patterns: Array<{ method: string; path: RegExp }> = [];
  app.addHook('onRoute', (route) => {
    // `:param` matches one segment; a wildcard the rest (Fastify's syntax; no regex parameters are used here).
    const source = route.url
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/:[^/]+/g, '[^/]+')
      .replace(/\*/g, '.*');
    const path = new RegExp(`^${source}$`);
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) patterns.push({ method, path });
  });
  return {
    allowed(url) {
      const path = url.split('?', 1)[0]!;
      return [...new Set(patterns.filter((p) => p.path.test(path)).map((p) => p.method))].sort();
    },
  };
}

function sendError(envelope: ErrorEnvelope, error: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  if (isCatalogError(error)) {
    const { status, body } = envelope.fromCatalogError(error, req);
    if (status >= 500) req.log.error({ err: error, code: error.code }, 'request failed');
    if (error.code === 'ERR_UNAVAILABLE' || error.code === 'ERR_STORAGE') reply.header('retry-after', '1');
    return reply.code(status).send(body);
  }
  const known = error.code ? frameworkErrors[error.code] : undefined;
  if (known) return reply.code(known.status).send(envelope.fromStatus(known.status, known.message, req));
  if (error.validation) return reply.code(400).send(envelope.fromStatus(400, `Invalid request: ${error.message}`, req));
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.code(error.statusCode).send(envelope.fromStatus(error.statusCode, 'Request is malformed', req));
  }
  req.log.error({ err: error }, 'unhandled error');
  return reply.code(500).send(envelope.fromStatus(500, 'Internal server error', req));
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The envelopes of the surfaces by prefix, for errors raised before routing (see {@link SurfaceEnvelopes}). */
    surfaceEnvelopes?: SurfaceEnvelopes;
  }
}

/** Errors Fastify raises before any route is found; no surface's handler sees them. */
const preRoutingErrors: Record<string, { status: number; message: string }> = {
  FST_ERR_BAD_URL: { status: 400, message: 'Request URL is malformed (a percent-encoded sequence that is not UTF-8)' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, message: 'A path segment of the request URL is too long' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, message: 'Request is malformed' },
};

/**
 * The error envelope of each surface, by the prefix the surface owns (registered by {@link useErrorEnvelope}).
 * Used only for the errors the router raises before it finds a route (a URL it cannot decode, a path parameter over
 * the length limit): then no surface plugin is involved, so the prefixes the surfaces declared pick the envelope, as
 * the router itself would have. Installed as Fastify's `frameworkErrors` option. The message never echoes the URL.
 */
export class SurfaceEnvelopes {
  private readonly byPrefix: Array<{ prefix: string; envelope: ErrorEnvelope }> = [];

  constructor(private readonly fallback: ErrorEnvelope) {}

  add(prefix: string, envelope: ErrorEnvelope): void {
    if (!prefix) return;
    this.byPrefix.push({ prefix, envelope });
    this.byPrefix.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  of(url: string): ErrorEnvelope {
    const path = url.split('?', 1)[0]!;
    return this.byPrefix.find((e) => path === e.prefix || path.startsWith(`${e.prefix}/`))?.envelope ?? this.fallback;
  }

  readonly frameworkErrors = (error: FastifyError, req: FastifyRequest, reply: FastifyReply): void => {
    const known = (error.code && preRoutingErrors[error.code]) || { status: 400, message: 'Request is malformed' };
    void reply.code(known.status).send(this.of(req.raw.url ?? '').fromStatus(known.status, known.message, req));
  };
}

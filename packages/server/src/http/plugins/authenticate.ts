/**
 * Authenticates every request except the public ones (health, metrics,
 * discovery, the token endpoint). Failures are 401 with WWW-Authenticate and
 * the protocol's own error body; the reason never echoes the credential.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Actor, describeActor } from '../../auth/actor.js';
import { AuthenticationError, type AuthenticatorChain } from '../../auth/authn/authenticator.js';
import { icebergHttpError } from '../mappers/iceberg-errors.js';
import { isLanceRequest, lanceHttpError } from '../mappers/lance-errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}

const PUBLIC = [/^\/healthz$/, /^\/readyz$/, /^\/metrics$/, /^\/openapi\.json$/, /^\/\.well-known\//, /^\/v1\/oauth\/tokens$/, /^\/oauth2\/token$/];

export interface AuthenticationOptions {
  chain: AuthenticatorChain;
  /** false: every request is anonymous (development only; the server warns at start). */
  required: boolean;
}

export function useAuthentication(app: FastifyInstance, options: AuthenticationOptions): void {
  app.decorateRequest('actor', null as unknown as Actor);
  // preValidation, not onRequest: request signing covers the body, which is read by then.
  app.addHook('preValidation', async (req: FastifyRequest, reply) => {
    const path = req.url.split('?')[0]!;
    if (!options.required || PUBLIC.some((re) => re.test(path))) {
      req.actor = ANONYMOUS;
      return;
    }
    let actor: Actor | undefined;
    let failure: AuthenticationError | undefined;
    try {
      // headersDistinct keeps repeated headers apart (SigV4 joins them with "," where Node uses ", ").
      actor = await options.chain.authenticate({ method: req.method, url: req.url, headers: (req.raw.headersDistinct as Record<string, string[]> | undefined) ?? req.headers, body: new TextEncoder().encode(req.rawBody ?? '') });
    } catch (e) {
      if (!(e instanceof AuthenticationError)) throw e;
      failure = e;
    }
    if (actor) {
      req.actor = actor;
      // Later log lines of this request ("request completed", errors) name who made it, including
      // the act chain of a delegated token ("user:alice via spark-engine").
      req.log = reply.log = req.log.child({ actor: describeActor(actor), auth: actor.method });
      return;
    }
    const reason = failure?.reason ?? 'authentication is required';
    const scheme = failure?.scheme ?? 'Bearer';
    // The reason, never the credential: operators see why a client was refused (wrong key, skew, expiry).
    if (failure) req.log.info({ auth: scheme, reason }, 'authentication failed');
    reply.header('www-authenticate', `${scheme} realm="lakegate"${failure ? `, error="invalid_token", error_description="${reason.replace(/"/g, "'")}"` : ''}`);
    const body = isLanceRequest(req.url) ? lanceHttpError(401, `Not authorized: ${reason}`, req.url) : icebergHttpError(401, 'NotAuthorizedException', `Not authorized: ${reason}`);
    return reply.code(401).send(body);
  });
}

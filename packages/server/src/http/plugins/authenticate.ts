/**
 * Authenticates every request except the public ones (health, metrics,
 * discovery, the token endpoint). Failures are 401 with WWW-Authenticate and
 * the protocol's own error body; the reason never echoes the credential.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ANONYMOUS, type Actor } from '../../auth/actor.js';
import { AuthenticationError, type AuthenticatorChain } from '../../auth/authn/authenticator.js';
import { icebergHttpError } from '../mappers/iceberg-errors.js';

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
  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    const path = req.url.split('?')[0]!;
    if (!options.required || PUBLIC.some((re) => re.test(path))) {
      req.actor = ANONYMOUS;
      return;
    }
    let actor: Actor | undefined;
    let failure: AuthenticationError | undefined;
    try {
      actor = await options.chain.authenticate({ method: req.method, url: req.url, headers: req.headers, body: new Uint8Array() });
    } catch (e) {
      if (!(e instanceof AuthenticationError)) throw e;
      failure = e;
    }
    if (actor) {
      req.actor = actor;
      return;
    }
    const reason = failure?.reason ?? 'authentication is required';
    reply.header('www-authenticate', `Bearer realm="lakegate"${failure ? `, error="invalid_token", error_description="${reason.replace(/"/g, "'")}"` : ''}`);
    return reply.code(401).send(icebergHttpError(401, 'NotAuthorizedException', `Not authorized: ${reason}`));
  });
}

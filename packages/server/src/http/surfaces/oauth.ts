/**
 * The built-in OAuth 2.0 issuer's surface: the token endpoint (at Iceberg's
 * /v1/oauth/tokens and at /oauth2/token), RFC 8414 metadata and the JWKS
 * under /.well-known. No authentication hook (clients authenticate per
 * grant), no Idempotency-Key (responses carry tokens, which must never be
 * stored for a replay), and RFC 6749 error bodies.
 */
import type { FastifyPluginAsync } from 'fastify';
import { oauthEnvelope } from '../mappers/oauth-errors.js';
import { useContract } from '../plugins/contract.js';
import { useErrorEnvelope } from '../plugins/errors.js';
import { type OAuthDeps, oauthRoutes } from '../routes/oauth.js';

export const oauthSurface: FastifyPluginAsync<OAuthDeps> = async (app, options) => {
  useErrorEnvelope(app, oauthEnvelope, { ownsPrefix: false });
  // RFC 6749 §5.1 (and §5.2 for errors): no answer of the token, revocation or introspection endpoint is cached, also
  // one the framework writes (a body too large, a wrong content type); metadata and keys (GET) may be cached.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'POST') reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  });
  // Before the routes: each route gets its operation's schemas from the wire contract as it is added.
  useContract(app, 'oauth');
  oauthRoutes(app, options);
};

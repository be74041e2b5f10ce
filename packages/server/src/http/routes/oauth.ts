/**
 * OAuth 2.0 endpoints of the built-in issuer: the token endpoint, RFC 7009
 * revocation, RFC 7662 introspection, RFC 8414 metadata and the JWKS. Each
 * route reads the form, calls one issuer operation and writes its answer;
 * OAuthErrors become RFC 6749 §5.2 bodies (401 with a WWW-Authenticate
 * naming the scheme the client tried, 429 with Retry-After).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IssuerDeps, OAuthRequest } from '../../auth/issuer/grant.js';
import { introspect } from '../../auth/issuer/introspection.js';
import { OAuthError, errorDescription } from '../../auth/issuer/oauth-error.js';
import { revoke } from '../../auth/issuer/revocation.js';
import { SCOPES } from '../../auth/issuer/scopes.js';
import type { TokenEndpoint } from '../../auth/issuer/token-endpoint.js';
import { operationRoute } from '../operation-route.js';

export interface OAuthDeps extends IssuerDeps {
  endpoint: TokenEndpoint;
}

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/**
 * The request's parameters. RFC 6749 §3.1 and §3.2: "Parameters sent without a value MUST be treated as if they were
 * omitted from the request", so an empty `client_secret=` beside Basic credentials is no second authentication method,
 * nor an empty `scope=` a request for no scope; every endpoint of the issuer reads its parameters from here.
 */
function oauthRequest(req: FastifyRequest): OAuthRequest {
  if (!(req.body instanceof URLSearchParams)) throw new OAuthError('invalid_request', 'send the parameters as application/x-www-form-urlencoded');
  const params = new URLSearchParams([...req.body].filter(([, value]) => value !== ''));
  return { params, authorization: req.headers.authorization, remoteAddress: req.ip };
}

/** Runs one operation and answers it, with RFC 6749 error bodies for OAuthErrors (never cached: surfaces/oauth.ts). */
async function answer(reply: FastifyReply, run: () => Promise<unknown>): Promise<FastifyReply> {
  try {
    const body = await run();
    return body === undefined ? reply.code(200).send() : reply.code(200).send(body);
  } catch (e) {
    if (!(e instanceof OAuthError)) throw e;
    if (e.status === 401) reply.header('www-authenticate', `${e.challenge} realm="lakegate"${e.challenge === 'Bearer' ? ', error="invalid_token"' : ''}`);
    if (e.retryAfterMs) reply.header('retry-after', String(Math.ceil(e.retryAfterMs / 1000)));
    return reply.code(e.status).send({ error: e.error, error_description: errorDescription(e.description) });
  }
}

export function oauthRoutes(app: FastifyInstance, deps: OAuthDeps): void {
  const { endpoint, ...issuer } = deps;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (req, body, done) => {
    const bytes = body as Buffer; // parseAs: 'buffer'
    req.rawBody = bytes;
    done(null, new URLSearchParams(bytes.toString('utf8')));
  });

  const token = (req: FastifyRequest, reply: FastifyReply) => answer(reply, () => endpoint.handle(issuer, oauthRequest(req)));
  const revocation = (req: FastifyRequest, reply: FastifyReply) => answer(reply, () => revoke(issuer, oauthRequest(req)));
  const introspection = (req: FastifyRequest, reply: FastifyReply) => answer(reply, () => introspect(issuer, oauthRequest(req)));
  operationRoute(app, 'getToken', token);
  operationRoute(app, 'issueToken', token);
  operationRoute(app, 'revokeToken', revocation);
  operationRoute(app, 'revokeToken2', revocation);
  operationRoute(app, 'introspectToken', introspection);
  operationRoute(app, 'introspectToken2', introspection);

  operationRoute(app, 'getAuthorizationServerMetadata', async () => ({
    issuer: deps.issuer.issuerId,
    token_endpoint: `${deps.issuer.issuerId}/v1/oauth/tokens`,
    jwks_uri: `${deps.issuer.issuerId}/.well-known/jwks.json`,
    revocation_endpoint: `${deps.issuer.issuerId}/v1/oauth/revoke`,
    introspection_endpoint: `${deps.issuer.issuerId}/v1/oauth/introspect`,
    grant_types_supported: endpoint.grantTypes,
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    response_types_supported: [],
    scopes_supported: [...SCOPES],
  }));
  operationRoute(app, 'getJwks', async () => deps.issuer.jwks());
}

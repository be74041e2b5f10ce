/** OAuth 2.0 endpoints of the built-in issuer: token endpoint, RFC 8414 metadata, JWKS. */
import type { FastifyInstance } from 'fastify';
import type { AuditTrail } from '../../auth/audit.js';
import type { FailureLimiter } from '../../auth/issuer/failure-limiter.js';
import type { GrantContext } from '../../auth/issuer/grant.js';
import { OAuthError } from '../../auth/issuer/oauth-error.js';
import type { PrincipalService } from '../../auth/issuer/principals.js';
import type { TokenEndpoint } from '../../auth/issuer/token-endpoint.js';
import type { TokenIssuer } from '../../auth/issuer/token-issuer.js';
import { bearerToken } from '../../auth/authn/jwt-authenticator.js';

export interface OAuthDeps {
  endpoint: TokenEndpoint;
  issuer: TokenIssuer;
  principals: PrincipalService;
  audit: AuditTrail;
  limiter: FailureLimiter;
  verifyExternal?: GrantContext['verifyExternal'];
}

function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  // RFC 6749 §2.3.1: both parts are form-urlencoded inside Basic.
  return { clientId: decodeURIComponent(decoded.slice(0, i)), clientSecret: decodeURIComponent(decoded.slice(i + 1)) };
}

export function oauthRoutes(app: FastifyInstance, deps: OAuthDeps): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (req, body, done) => {
    req.rawBody = String(body);
    done(null, new URLSearchParams(String(body)));
  });

  const token = async (req: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    try {
      if (!(req.body instanceof URLSearchParams)) throw new OAuthError('invalid_request', 'send the parameters as application/x-www-form-urlencoded');
      const authorization = req.headers.authorization;
      const response = await deps.endpoint.handle({
        params: req.body,
        basic: basicCredentials(authorization),
        bearer: bearerToken(req.headers),
        remoteAddress: req.ip,
        issuer: deps.issuer,
        principals: deps.principals,
        audit: deps.audit,
        limiter: deps.limiter,
        verifyExternal: deps.verifyExternal,
      });
      return reply.code(200).send(response);
    } catch (e) {
      if (!(e instanceof OAuthError)) throw e;
      if (e.status === 401) reply.header('www-authenticate', 'Basic realm="lakegate"');
      const retry = (e as { retryAfterMs?: number }).retryAfterMs;
      if (retry) reply.header('retry-after', String(Math.ceil(retry / 1000)));
      return reply.code(e.status).send({ error: e.error, error_description: e.description });
    }
  };
  const schema = { tags: ['OAuth'], operationId: 'token' };
  app.post('/v1/oauth/tokens', { schema }, token);
  app.post('/oauth2/token', { schema: { ...schema, operationId: 'token2' } }, token);

  app.get('/.well-known/oauth-authorization-server', { schema: { hide: true } }, async () => ({
    issuer: deps.issuer.issuerId,
    token_endpoint: `${deps.issuer.issuerId}/v1/oauth/tokens`,
    jwks_uri: `${deps.issuer.issuerId}/.well-known/jwks.json`,
    grant_types_supported: deps.endpoint.grantTypes,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    token_endpoint_auth_signing_alg_values_supported: ['ES256'],
    response_types_supported: [],
    scopes_supported: ['catalog'],
  }));
  app.get('/.well-known/jwks.json', { schema: { hide: true } }, async () => deps.issuer.jwks());
}

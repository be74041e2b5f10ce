/** Talking to the built-in issuer's OAuth endpoints in-process, as clients do. */
import type { FastifyInstance } from 'fastify';

export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TYPE = 'urn:ietf:params:oauth:token-type:jwt';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | number | undefined>;
}

/** POSTs a form to an OAuth endpoint (default: the token endpoint). */
export async function oauthPost(
  app: FastifyInstance,
  params: Record<string, string>,
  headers: Record<string, string> = {},
  url = '/v1/oauth/tokens',
): Promise<OAuthAnswer> {
  const res = await app.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {}, headers: res.headers };
}

export const basic = (id: string, secret: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
});
export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** The (unverified) claims of a JWT. */
export const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** An unsigned JWT (alg none), as Trino's USER sessions send. */
export const unsignedJwt = (sub: string, iatSeconds = Math.floor(Date.now() / 1000)): string =>
  `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, iat: iatSeconds })}.`;

/** A client_credentials token of a principal; throws unless granted. */
export async function clientToken(
  app: FastifyInstance,
  clientId: string,
  secret: string,
  extra: Record<string, string> = {},
): Promise<{ access_token: string; refresh_token?: string; expires_in: number; scope: string }> {
  const res = await oauthPost(app, { grant_type: 'client_credentials', client_id: clientId, client_secret: secret, ...extra });
  if (res.status !== 200) throw new Error(`client_credentials for ${clientId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { access_token: string; refresh_token?: string; expires_in: number; scope: string };
}

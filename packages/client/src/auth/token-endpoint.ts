/**
 * One OAuth2 token endpoint request (via oauth4webapi) and the cached-token bookkeeping shared by the `oauth2` and
 * `token-exchange` providers. Plain http:// is refused unless the endpoint is on this machine (tests, local
 * development) or the configuration opts in explicitly, because client secrets and tokens travel in these requests.
 */
import { createHash } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { CatalogError, ConfigurationError } from '../errors.js';
import { toCatalogError } from '../transport/http-transport.js';
import { isTrue } from './provider.js';

/**
 * RFC 8693 token type URNs.
 *
 * @example
 * ```ts
 * exchange.sessionFor(idToken, { subjectTokenType: TOKEN_TYPE.idToken });
 * ```
 */
export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

/** The property that allows a plain http:// token endpoint on another host. */
export const ALLOW_INSECURE_HTTP = 'rest.auth.oauth2.allow-insecure-http';

/** Accepts a token type URN or its short name (`access_token`, `jwt`, `id_token`, `refresh_token`). */
export function tokenTypeUrn(value: string): string {
  if (value.startsWith('urn:')) return value;
  const short = `urn:ietf:params:oauth:token-type:${value}`;
  if (!(Object.values(TOKEN_TYPE) as string[]).includes(short))
    throw new ConfigurationError(`unknown token type ${JSON.stringify(value)}; use a URN or access_token, jwt, id_token`);
  return short;
}

/** A token endpoint, validated. */
export interface TokenEndpoint {
  readonly url: URL;
  /** True for plain http:// (loopback, or explicitly allowed). */
  readonly insecure: boolean;
  readonly fetch: typeof fetch;
  /** Per-request timeout in ms. */
  readonly timeoutMs: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Resolves `oauth2-server-uri` (absolute, or relative to the catalog uri as Iceberg does) or Iceberg's default
 * `{uri}/v1/oauth/tokens`, and checks its scheme.
 */
export function tokenEndpointFrom(
  properties: Readonly<Record<string, string>>,
  uri: string | undefined,
  provider: string,
  fetchImpl: typeof fetch = globalThis.fetch,
): TokenEndpoint {
  const configured = properties['oauth2-server-uri'];
  const base = uri === undefined ? undefined : uri.endsWith('/') ? uri : `${uri}/`;
  let url: URL;
  try {
    if (configured !== undefined && configured.trim() !== '') url = base ? new URL(configured, base) : new URL(configured);
    else if (base) url = new URL('v1/oauth/tokens', base);
    else throw new ConfigurationError(`auth provider "${provider}" needs "oauth2-server-uri" or the catalog uri`);
  } catch (e) {
    if (e instanceof ConfigurationError) throw e;
    throw new ConfigurationError(`auth provider "${provider}": "oauth2-server-uri" is not a valid URL`);
  }
  return checkTokenEndpoint(url, { allowInsecureHttp: isTrue(properties[ALLOW_INSECURE_HTTP]), provider, fetch: fetchImpl });
}

/** Checks an absolute token endpoint URL (scheme, no embedded credentials, http only where allowed). */
export function checkTokenEndpoint(
  url: URL | string,
  options: { allowInsecureHttp?: boolean; provider: string; fetch?: typeof fetch; timeoutMs?: number },
): TokenEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigurationError(`auth provider "${options.provider}": the token endpoint is not a valid URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigurationError(`auth provider "${options.provider}": the token endpoint must be an http(s) URL, got ${parsed.protocol}`);
  }
  if (parsed.username || parsed.password) throw new ConfigurationError(`auth provider "${options.provider}": the token endpoint must not embed credentials`);
  const insecure = parsed.protocol === 'http:';
  if (insecure && !LOOPBACK.has(parsed.hostname) && !options.allowInsecureHttp) {
    throw new ConfigurationError(
      `auth provider "${options.provider}": refusing to send credentials to ${parsed.origin} over plain http; use https, or set ${ALLOW_INSECURE_HTTP}=true`,
    );
  }
  return { url: parsed, insecure, fetch: options.fetch ?? globalThis.fetch, timeoutMs: options.timeoutMs ?? 30_000 };
}

/** How a request authenticates the client at the token endpoint. */
export type ClientAuthentication =
  | { method: 'client_secret_post' | 'client_secret_basic'; clientId: string; clientSecret: string }
  /** Iceberg's secret-only `credential`: just `client_secret` in the form. */
  | { method: 'secret_only'; clientSecret: string }
  /** A bearer token in the Authorization header, as Iceberg clients authenticate exchanges with their current token. */
  | { method: 'bearer'; token: string }
  | { method: 'none' };

/** A token as the endpoint issued it. */
export interface IssuedToken {
  accessToken: string;
  /** Epoch ms; undefined when neither `expires_in` nor a JWT `exp` says. */
  expiresAtMs: number | undefined;
  obtainedAtMs: number;
  refreshToken: string | undefined;
}

/** One grant request. `parameters` are added to the form next to `grant_type`. */
export interface GrantRequest {
  grantType: string;
  parameters: Record<string, string | undefined>;
  client: ClientAuthentication;
  signal?: AbortSignal | undefined;
  now: () => number;
}

// oauth4webapi needs a client_id even when none is sent; this one never leaves the process.
const UNNAMED_CLIENT: oauth.Client = { client_id: 'lakegate-client' };

function clientAuth(auth: ClientAuthentication): { client: oauth.Client; authenticate: oauth.ClientAuth } {
  switch (auth.method) {
    case 'client_secret_post':
      return { client: { client_id: auth.clientId }, authenticate: oauth.ClientSecretPost(auth.clientSecret) };
    case 'client_secret_basic':
      return { client: { client_id: auth.clientId }, authenticate: oauth.ClientSecretBasic(auth.clientSecret) };
    case 'secret_only':
      return { client: UNNAMED_CLIENT, authenticate: (_as, _client, body) => body.set('client_secret', auth.clientSecret) };
    case 'bearer':
      return { client: UNNAMED_CLIENT, authenticate: (_as, _client, _body, headers) => headers.set('authorization', `Bearer ${auth.token}`) };
    case 'none':
      return { client: UNNAMED_CLIENT, authenticate: () => {} };
  }
}

/**
 * Sends one grant request and returns the issued token. Failures become {@link CatalogError}s with the endpoint's
 * OAuth2 `error` as `type`; no request parameter (secret or token) is ever part of the message.
 */
export async function requestToken(endpoint: TokenEndpoint, request: GrantRequest): Promise<IssuedToken> {
  const as: oauth.AuthorizationServer = { issuer: endpoint.url.origin, token_endpoint: endpoint.url.href };
  const { client, authenticate } = clientAuth(request.client);
  const parameters = new URLSearchParams();
  for (const [k, v] of Object.entries(request.parameters)) if (v !== undefined && v !== '') parameters.set(k, v);
  const label = `POST ${endpoint.url.pathname}`;
  const timeout = AbortSignal.timeout(endpoint.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  const started = request.now();
  let response: Response;
  try {
    response = await oauth.genericTokenEndpointRequest(as, client, authenticate, request.grantType, parameters, {
      signal,
      [oauth.allowInsecureRequests]: endpoint.insecure,
      [oauth.customFetch]: (url, init) => endpoint.fetch(url, init),
    });
  } catch (error) {
    if (request.signal?.aborted) throw error;
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    throw new CatalogError({
      message: timedOut ? `${label} timed out after ${endpoint.timeoutMs} ms` : `${label} failed: ${networkReason(error)}`,
      status: 0,
      type: timedOut ? 'Timeout' : 'ConnectionError',
      protocol: 'transport',
      request: label,
      cause: error,
    });
  }
  if (response.status !== 200) throw await toCatalogError(response, 'oauth2', label);
  let body: oauth.TokenEndpointResponse;
  try {
    body = await oauth.processGenericTokenEndpointResponse(as, client, response);
  } catch (error) {
    const detail = error instanceof Error ? error.message : 'unreadable';
    throw new CatalogError({
      message: `${label}: invalid token response (${detail})`,
      status: 200,
      type: 'InvalidResponse',
      protocol: 'oauth2',
      request: label,
    });
  }
  return {
    accessToken: body.access_token,
    expiresAtMs: typeof body.expires_in === 'number' ? started + body.expires_in * 1000 : jwtExpiryMs(body.access_token),
    obtainedAtMs: started,
    refreshToken: body.refresh_token,
  };
}

/** The `exp` of a JWT in epoch ms, or undefined for opaque tokens. Nothing is verified: it only times refreshes. */
export function jwtExpiryMs(token: string): number | undefined {
  return jwtTimes(token).expMs;
}

function jwtTimes(token: string): { expMs?: number; iatMs?: number } {
  const parts = token.split('.');
  if (parts.length !== 3) return {};
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown; iat?: unknown };
    const ms = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v * 1000 : undefined);
    const expMs = ms(payload.exp);
    const iatMs = ms(payload.iat);
    return { ...(expMs !== undefined ? { expMs } : {}), ...(iatMs !== undefined ? { iatMs } : {}) };
  } catch {
    return {};
  }
}

/**
 * Whether a token is still worth sending: not within the refresh margin of its expiry. The margin is a tenth of the
 * token's lifetime, at most a minute, so short-lived tokens are renewed shortly before they expire, never after.
 */
export function isFresh(token: IssuedToken, now: number): boolean {
  if (token.expiresAtMs === undefined) return true;
  const lifetime = Math.max(0, token.expiresAtMs - token.obtainedAtMs);
  const margin = Math.min(60_000, lifetime / 10);
  return now < token.expiresAtMs - margin;
}

/** Whether a token is past its expiry (not merely within the margin). */
export function isExpired(token: IssuedToken, now: number): boolean {
  return token.expiresAtMs !== undefined && now >= token.expiresAtMs;
}

/**
 * A static token (e.g. Iceberg's `token` property) with its JWT expiry when it has one. Its lifetime counts from
 * `iat` when given, so the refresh margin of a token handed over late is still a tenth of its real lifetime.
 */
export function staticToken(accessToken: string, now: number): IssuedToken {
  const { expMs, iatMs } = jwtTimes(accessToken);
  return { accessToken, expiresAtMs: expMs, obtainedAtMs: iatMs !== undefined && iatMs <= now ? iatMs : now, refreshToken: undefined };
}

/** A digest to key caches by, so the cache never holds a usable copy of someone's subject token as its key. */
export function tokenKey(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const p of parts) hash.update(p).update('\0');
  return hash.digest('base64url');
}

/** Splits Iceberg's `credential` ("client_id:client_secret", or a secret alone). */
export function parseCredential(credential: string, provider: string): { clientId: string | undefined; clientSecret: string } {
  const i = credential.indexOf(':');
  const clientId = i === -1 ? undefined : credential.slice(0, i);
  const clientSecret = i === -1 ? credential : credential.slice(i + 1);
  if (clientId !== undefined && clientId.trim() === '')
    throw new ConfigurationError(`auth provider "${provider}": "credential" has an empty client id (expected client_id:client_secret)`);
  if (clientSecret.trim() === '')
    throw new ConfigurationError(`auth provider "${provider}": "credential" has no client secret (expected client_id:client_secret)`);
  return { clientId, clientSecret };
}

/** The client authentication for a parsed credential. */
export function credentialAuth(
  credential: { clientId: string | undefined; clientSecret: string } | undefined,
  method: 'client_secret_post' | 'client_secret_basic',
): ClientAuthentication {
  if (!credential) return { method: 'none' };
  if (credential.clientId === undefined) return { method: 'secret_only', clientSecret: credential.clientSecret };
  return { method, clientId: credential.clientId, clientSecret: credential.clientSecret };
}

/** Reads `rest.auth.oauth2.token-endpoint-auth-method` (default client_secret_post, as Iceberg clients send). */
export function authMethodFrom(properties: Readonly<Record<string, string>>, provider: string): 'client_secret_post' | 'client_secret_basic' {
  const value = properties['rest.auth.oauth2.token-endpoint-auth-method'] ?? 'client_secret_post';
  if (value !== 'client_secret_post' && value !== 'client_secret_basic') {
    throw new ConfigurationError(`auth provider "${provider}": rest.auth.oauth2.token-endpoint-auth-method must be client_secret_post or client_secret_basic`);
  }
  return value;
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code =
    typeof cause === 'object' && cause !== null && typeof (cause as { code?: unknown }).code === 'string' ? (cause as { code: string }).code : undefined;
  return code ?? (cause instanceof Error ? cause.message : 'network error');
}

/**
 * Waits for a shared promise but gives up when this caller's signal aborts. A single-flight renewal must not be
 * cancelled by whichever caller happened to start it, so the renewal itself never sees a caller's signal.
 */
export function waitFor<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * The `oauth2` provider: Iceberg's OAuth2 client session. It gets a token with client credentials (or starts from a
 * configured `token`), caches it, and renews it shortly before it expires, one renewal at a time however many
 * requests wait for it. Renewal prefers the `refresh_token` grant when the endpoint issued a refresh token; token
 * exchange of the current token (what Iceberg Java calls refresh) only when `token-exchange-enabled=true`; and falls
 * back to client credentials.
 */
import { CatalogError, ConfigurationError } from '../errors.js';
import type { AuthProvider, OutgoingRequest } from './provider.js';
import { isTrue, registerBuiltInAuthProvider } from './provider.js';
import {
  authMethodFrom,
  checkTokenEndpoint,
  type ClientAuthentication,
  credentialAuth,
  isExpired,
  isFresh,
  type IssuedToken,
  parseCredential,
  requestToken,
  staticToken,
  TOKEN_EXCHANGE_GRANT,
  TOKEN_TYPE,
  type TokenEndpoint,
  tokenEndpointFrom,
  waitFor,
} from './token-endpoint.js';

/**
 * Options of {@link oauth2Auth}. Give `credential`, `token`, or both.
 *
 * @example
 * ```ts
 * const options: OAuth2AuthOptions = {
 *   tokenEndpoint: 'https://catalog.example.com/v1/oauth/tokens',
 *   credential: `${id}:${secret}`,
 *   scope: 'catalog',
 *   tokenEndpointAuthMethod: 'client_secret_basic',
 * };
 * const auth = oauth2Auth(options);
 * ```
 */
export interface OAuth2AuthOptions {
  /** Absolute token endpoint URL (Iceberg's `oauth2-server-uri`). */
  tokenEndpoint: string | URL;
  /** Iceberg's `credential`: "client_id:client_secret", or the secret alone. */
  credential?: string;
  /** A token to start with (Iceberg's `token`); renewed like any other once it nears its JWT expiry. */
  token?: string;
  /** Default `catalog`, as Iceberg clients ask. */
  scope?: string;
  audience?: string;
  resource?: string;
  /** Renew tokens before they expire (default true). When false, a new token is fetched only once one expired or was refused. */
  tokenRefreshEnabled?: boolean;
  /** Renew by RFC 8693 exchange of the current token when no refresh token was issued (default false). */
  tokenExchangeEnabled?: boolean;
  /** How to send the client secret (default client_secret_post, as Iceberg clients do). */
  tokenEndpointAuthMethod?: 'client_secret_post' | 'client_secret_basic';
  /** Allow a plain http:// endpoint on another host than this machine. */
  allowInsecureHttp?: boolean;
  fetch?: typeof fetch;
  /** The clock (epoch ms); injectable for tests. */
  now?: () => number;
}

/**
 * An OAuth2 client session. Besides authenticating requests it hands out its current token ({@link currentToken}),
 * which the token-exchange provider uses as the actor token.
 *
 * @example
 * ```ts
 * const auth = oauth2Auth({ tokenEndpoint: 'https://catalog.example.com/v1/oauth/tokens', credential: `${id}:${secret}` });
 * const catalog = new IcebergRestCatalog({ uri: 'https://catalog.example.com', auth });
 * ```
 */
export class OAuth2Auth implements AuthProvider {
  private readonly endpoint: TokenEndpoint;
  private readonly client: ClientAuthentication;
  private readonly hasCredential: boolean;
  private readonly scope: string;
  private readonly audience: string | undefined;
  private readonly resource: string | undefined;
  private readonly refreshEnabled: boolean;
  private readonly exchangeEnabled: boolean;
  private readonly now: () => number;
  private current: IssuedToken | undefined;
  private refreshToken: string | undefined;
  private inflight: Promise<IssuedToken> | undefined;
  private closed = false;

  constructor(options: OAuth2AuthOptions) {
    const provider = 'oauth2';
    const credential = options.credential === undefined ? undefined : parseCredential(options.credential, provider);
    if (!credential && (options.token === undefined || options.token.trim() === '')) {
      throw new ConfigurationError('auth provider "oauth2" needs "credential" (client_id:client_secret) or "token"');
    }
    if (options.scope !== undefined && options.scope.trim() === '') throw new ConfigurationError('auth provider "oauth2": "scope" must not be empty');
    this.endpoint = checkTokenEndpoint(options.tokenEndpoint, {
      provider,
      ...(options.allowInsecureHttp !== undefined ? { allowInsecureHttp: options.allowInsecureHttp } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.client = credentialAuth(credential, options.tokenEndpointAuthMethod ?? 'client_secret_post');
    this.hasCredential = credential !== undefined;
    this.scope = options.scope ?? 'catalog';
    this.audience = options.audience;
    this.resource = options.resource;
    this.refreshEnabled = options.tokenRefreshEnabled ?? true;
    this.exchangeEnabled = options.tokenExchangeEnabled ?? false;
    this.now = options.now ?? Date.now;
    if (options.token !== undefined && options.token.trim() !== '') this.current = staticToken(options.token, this.now());
  }

  async authenticate(request: OutgoingRequest, signal?: AbortSignal): Promise<void> {
    request.headers['authorization'] = `Bearer ${await this.currentToken(signal)}`;
  }

  /** The access token to send now, renewed first when it is about to expire. Never log it. */
  async currentToken(signal?: AbortSignal): Promise<string> {
    if (this.closed) throw new ConfigurationError('this oauth2 auth provider was closed');
    const token = this.current;
    const now = this.now();
    if (token && (this.refreshEnabled ? isFresh(token, now) : !isExpired(token, now))) return token.accessToken;
    // Single flight: every request that finds the token stale waits for the same renewal.
    this.inflight ??= this.renew().finally(() => (this.inflight = undefined));
    return (await waitFor(this.inflight, signal)).accessToken;
  }

  /** After a 401: forget the token. A new one can help only if there is a way to get one. */
  invalidate(): boolean {
    this.current = undefined;
    return this.hasCredential || this.refreshToken !== undefined;
  }

  close(): void {
    this.closed = true;
    this.current = undefined;
    this.refreshToken = undefined;
  }

  private async renew(): Promise<IssuedToken> {
    const old = this.current;
    let failure: unknown;
    if (this.refreshEnabled && this.refreshToken !== undefined) {
      try {
        return this.keep(await this.grant('refresh_token', { refresh_token: this.refreshToken, scope: this.scope }, this.client));
      } catch (e) {
        // A refused refresh token (rotated secret, expired) is not fatal while the credential can start over.
        this.refreshToken = undefined;
        failure = e;
      }
    } else if (this.refreshEnabled && this.exchangeEnabled && old && !isExpired(old, this.now())) {
      try {
        const params = {
          subject_token: old.accessToken,
          subject_token_type: TOKEN_TYPE.accessToken,
          scope: this.scope,
          audience: this.audience,
          resource: this.resource,
        };
        return this.keep(await this.grant(TOKEN_EXCHANGE_GRANT, params, { method: 'bearer', token: old.accessToken }));
      } catch (e) {
        failure = e;
      }
    }
    if (this.hasCredential) {
      return this.keep(await this.grant('client_credentials', { scope: this.scope, audience: this.audience, resource: this.resource }, this.client));
    }
    if (failure) throw failure;
    if (old && !isExpired(old, this.now())) return old;
    throw new CatalogError({
      message: old
        ? 'the configured token expired and there is no credential to get a new one'
        : 'the token was refused and there is no credential to get a new one',
      status: 401,
      type: 'TokenExpired',
      protocol: 'oauth2',
      request: `POST ${this.endpoint.url.pathname}`,
    });
  }

  private grant(grantType: string, parameters: Record<string, string | undefined>, client: ClientAuthentication) {
    return requestToken(this.endpoint, { grantType, parameters, client, now: this.now });
  }

  private keep(token: IssuedToken): IssuedToken {
    if (this.closed) return token;
    this.current = token;
    if (token.refreshToken !== undefined) this.refreshToken = token.refreshToken;
    return token;
  }
}

/**
 * Builds an {@link OAuth2Auth}; throws {@link ConfigurationError} for missing or invalid options.
 *
 * @example
 * ```ts
 * const auth = oauth2Auth({ tokenEndpoint: 'http://127.0.0.1:8181/v1/oauth/tokens', credential: 'id:secret', scope: 'catalog' });
 * ```
 */
export function oauth2Auth(options: OAuth2AuthOptions): OAuth2Auth {
  return new OAuth2Auth(options);
}

/**
 * Reads Iceberg's OAuth2 properties: `credential`, `token`, `oauth2-server-uri` (default `{uri}/v1/oauth/tokens`),
 * `scope`, `audience`, `resource`, `token-refresh-enabled`, `token-exchange-enabled`, plus
 * `rest.auth.oauth2.token-endpoint-auth-method` and `rest.auth.oauth2.allow-insecure-http`.
 *
 * @example
 * ```ts
 * const auth = oauth2AuthFromProperties({ credential: 'id:secret', 'token-refresh-enabled': 'true' }, { uri: 'http://127.0.0.1:8181' });
 * ```
 */
export function oauth2AuthFromProperties(
  properties: Readonly<Record<string, string>>,
  options: { uri?: string | undefined; fetch?: typeof fetch } = {},
): OAuth2Auth {
  const endpoint = tokenEndpointFrom(properties, options.uri, 'oauth2', options.fetch);
  const optional = (key: string) => (properties[key] === undefined ? {} : { [key]: properties[key] });
  return new OAuth2Auth({
    tokenEndpoint: endpoint.url,
    allowInsecureHttp: endpoint.insecure,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(optional('credential') as { credential?: string }),
    ...(optional('token') as { token?: string }),
    ...(optional('scope') as { scope?: string }),
    ...(optional('audience') as { audience?: string }),
    ...(optional('resource') as { resource?: string }),
    tokenRefreshEnabled: properties['token-refresh-enabled'] === undefined ? true : isTrue(properties['token-refresh-enabled']),
    tokenExchangeEnabled: isTrue(properties['token-exchange-enabled']),
    tokenEndpointAuthMethod: authMethodFrom(properties, 'oauth2'),
  });
}

registerBuiltInAuthProvider('oauth2', ({ properties, uri, fetch }) => oauth2AuthFromProperties(properties, { uri, fetch }));

/**
 * The `token-exchange` provider: per-user sessions in the manner of Iceberg's contextual sessions. A parent (catalog)
 * session, usually `oauth2` with the engine's credential or a `bearer` token, authenticates the catalog's own calls
 * and acts for users: {@link TokenExchangeAuth.sessionFor} returns a provider that exchanges a user's token (RFC 8693:
 * subject = the user, actor = the catalog session's token) and caches the result per user until shortly before it
 * expires, so a server such as Lakegate issues a token with `sub` = the user and `act` = the engine.
 *
 * Some identity providers (Keycloak's standard token exchange) take no `actor_token`: the party the token is issued
 * to is the client that authenticates the exchange. `actorMode: 'client-auth'` does that with the credential.
 */
import { CatalogError, ConfigurationError } from '../errors.js';
import { OAuth2Auth } from './oauth2.js';
import type { AuthProvider, AuthProviderContext, OutgoingRequest } from './provider.js';
import { registerBuiltInAuthProvider } from './provider.js';
import {
  authMethodFrom,
  checkTokenEndpoint,
  type ClientAuthentication,
  credentialAuth,
  isFresh,
  type IssuedToken,
  parseCredential,
  requestToken,
  TOKEN_EXCHANGE_GRANT,
  TOKEN_TYPE,
  type TokenEndpoint,
  tokenEndpointFrom,
  tokenKey,
  tokenTypeUrn,
  waitFor,
} from './token-endpoint.js';

/**
 * A user's token, or a function returning the current one (e.g. from the request being served).
 *
 * @example
 * ```ts
 * const fromRequest: SubjectTokenSource = () => currentRequest.userToken;
 * const asUser = catalog.withAuth(exchange.sessionFor(fromRequest));
 * ```
 */
export type SubjectTokenSource = string | ((signal?: AbortSignal) => string | Promise<string>);

/**
 * Options of {@link TokenExchangeAuth.sessionFor}.
 *
 * @example
 * ```ts
 * const options: SessionOptions = { subjectTokenType: 'id_token' };
 * const asAlice = catalog.withAuth(exchange.sessionFor(aliceIdToken, options));
 * ```
 */
export interface SessionOptions {
  /** Type of the subject token; a URN or `access_token` / `jwt` / `id_token`. Default: the provider's (access_token). */
  subjectTokenType?: string;
}

/**
 * How the exchange names the acting party: `actor-token` sends the catalog session's token as RFC 8693
 * `actor_token` (Lakegate, Iceberg); `client-auth` sends no actor token and authenticates the exchange with the
 * client credential instead (Keycloak standard token exchange V2).
 *
 * @example
 * ```ts
 * const actorMode: ActorMode = 'client-auth';
 * const exchange = tokenExchangeAuth({ tokenEndpoint: keycloakTokenEndpoint, actor: engine, actorMode, credential: 'engine:secret' });
 * ```
 */
export type ActorMode = 'actor-token' | 'client-auth';

/**
 * Options of {@link tokenExchangeAuth}.
 *
 * @example
 * ```ts
 * const tokenEndpoint = 'http://127.0.0.1:8181/v1/oauth/tokens';
 * const options: TokenExchangeAuthOptions = {
 *   tokenEndpoint,
 *   actor: oauth2Auth({ tokenEndpoint, credential: 'engine:secret' }),
 *   scope: 'catalog',
 *   maxCachedSessions: 100,
 * };
 * const exchange = tokenExchangeAuth(options);
 * ```
 */
export interface TokenExchangeAuthOptions {
  /** Absolute token endpoint URL. */
  tokenEndpoint: string | URL;
  /**
   * The catalog session: any provider that sends `Authorization: Bearer` (oauth2, bearer, or your own). Its token is
   * the actor token, and it authenticates calls made without a user.
   */
  actor: AuthProvider;
  /** Default `actor-token`. */
  actorMode?: ActorMode;
  /** "client_id:client_secret": required for `client-auth`; otherwise unused. */
  credential?: string;
  tokenEndpointAuthMethod?: 'client_secret_post' | 'client_secret_basic';
  /** A user for this provider itself: then every request it authenticates is made as that user. */
  subjectToken?: SubjectTokenSource;
  /** Default subject token type (default access_token). */
  subjectTokenType?: string;
  /** Default access_token. */
  actorTokenType?: string;
  requestedTokenType?: string;
  /** Default `catalog`. */
  scope?: string;
  audience?: string;
  resource?: string;
  /** Users whose exchanged tokens are kept (least recently stored are dropped first). Default 1000. */
  maxCachedSessions?: number;
  allowInsecureHttp?: boolean;
  fetch?: typeof fetch;
  now?: () => number;
}

interface CacheEntry {
  token?: IssuedToken;
  inflight?: Promise<IssuedToken>;
}

/**
 * The token-exchange provider. As a provider it authenticates as its parent (catalog) session, or as its configured
 * subject; {@link sessionFor} gives one provider per user.
 *
 * @example
 * ```ts
 * const engine = oauth2Auth({ tokenEndpoint, credential: `${engineId}:${engineSecret}` });
 * const exchange = tokenExchangeAuth({ tokenEndpoint, actor: engine });
 * const catalog = new IcebergRestCatalog({ uri, auth: exchange });
 * const asAlice = catalog.withAuth(exchange.sessionFor(aliceToken));
 * await asAlice.listNamespaces();
 * ```
 */
export class TokenExchangeAuth implements AuthProvider {
  private readonly endpoint: TokenEndpoint;
  private readonly actor: AuthProvider;
  private readonly actorMode: ActorMode;
  private readonly client: ClientAuthentication;
  private readonly subjectTokenType: string;
  private readonly actorTokenType: string;
  private readonly requestedTokenType: string | undefined;
  private readonly scope: string;
  private readonly audience: string | undefined;
  private readonly resource: string | undefined;
  private readonly maxCached: number;
  private readonly now: () => number;
  private readonly defaultSession: AuthProvider | undefined;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(options: TokenExchangeAuthOptions) {
    const provider = 'token-exchange';
    if (!options.actor || typeof options.actor.authenticate !== 'function') {
      throw new ConfigurationError('auth provider "token-exchange" needs an actor (the catalog session whose token acts for users)');
    }
    this.actor = options.actor;
    this.actorMode = options.actorMode ?? 'actor-token';
    if (this.actorMode !== 'actor-token' && this.actorMode !== 'client-auth') {
      throw new ConfigurationError('auth provider "token-exchange": the actor mode must be actor-token or client-auth');
    }
    const credential = options.credential === undefined ? undefined : parseCredential(options.credential, provider);
    if (this.actorMode === 'client-auth' && credential?.clientId === undefined) {
      throw new ConfigurationError('auth provider "token-exchange" with actor mode client-auth needs "credential" (client_id:client_secret)');
    }
    this.client = this.actorMode === 'client-auth' ? credentialAuth(credential, options.tokenEndpointAuthMethod ?? 'client_secret_post') : { method: 'none' };
    this.endpoint = checkTokenEndpoint(options.tokenEndpoint, {
      provider,
      ...(options.allowInsecureHttp !== undefined ? { allowInsecureHttp: options.allowInsecureHttp } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    this.subjectTokenType = tokenTypeUrn(options.subjectTokenType ?? TOKEN_TYPE.accessToken);
    this.actorTokenType = tokenTypeUrn(options.actorTokenType ?? TOKEN_TYPE.accessToken);
    this.requestedTokenType = options.requestedTokenType === undefined ? undefined : tokenTypeUrn(options.requestedTokenType);
    if (options.scope !== undefined && options.scope.trim() === '') throw new ConfigurationError('auth provider "token-exchange": "scope" must not be empty');
    this.scope = options.scope ?? 'catalog';
    this.audience = options.audience;
    this.resource = options.resource;
    this.maxCached = options.maxCachedSessions ?? 1000;
    if (!Number.isInteger(this.maxCached) || this.maxCached < 1)
      throw new ConfigurationError('auth provider "token-exchange": maxCachedSessions must be a positive integer');
    this.now = options.now ?? Date.now;
    this.defaultSession = options.subjectToken === undefined ? undefined : this.sessionFor(options.subjectToken);
  }

  /** Authenticates as the configured subject, or else as the catalog session itself. */
  authenticate(request: OutgoingRequest, signal?: AbortSignal): Promise<void> {
    return (this.defaultSession ?? this.actor).authenticate(request, signal);
  }

  async invalidate(): Promise<boolean> {
    const target = this.defaultSession ?? this.actor;
    return target.invalidate ? await target.invalidate() : false;
  }

  close(): void {
    this.cache.clear();
    this.actor.close?.();
  }

  /**
   * A provider that authenticates as the user whose token `subject` is (or returns), by exchanging it with this
   * catalog session as the actor. Exchanged tokens are cached per user (keyed by a digest of the subject token) and
   * renewed shortly before they expire; concurrent requests for one user share one exchange.
   *
   * @example
   * ```ts
   * const asBob = catalog.withAuth(exchange.sessionFor(() => currentRequest.userToken, { subjectTokenType: 'jwt' }));
   * ```
   */
  sessionFor(subject: SubjectTokenSource, options: SessionOptions = {}): AuthProvider {
    if (typeof subject === 'string' && subject.trim() === '') throw new ConfigurationError('token-exchange: the subject token is empty');
    if (typeof subject !== 'string' && typeof subject !== 'function')
      throw new ConfigurationError('token-exchange: the subject must be a token or a function returning one');
    const type = options.subjectTokenType === undefined ? this.subjectTokenType : tokenTypeUrn(options.subjectTokenType);
    let lastKey: string | undefined;
    return {
      authenticate: async (request, signal) => {
        const token = typeof subject === 'string' ? subject : await subject(signal);
        if (typeof token !== 'string' || token === '') throw new ConfigurationError('token-exchange: the subject token function returned no token');
        lastKey = tokenKey(type, token);
        request.headers['authorization'] = `Bearer ${await this.exchanged(lastKey, token, type, signal)}`;
      },
      invalidate: () => {
        // The exchanged token was refused: exchange again (the user's own token may still be good).
        if (lastKey !== undefined) this.cache.delete(lastKey);
        return true;
      },
    };
  }

  private async exchanged(key: string, subjectToken: string, subjectTokenType: string, signal: AbortSignal | undefined): Promise<string> {
    let entry = this.cache.get(key);
    if (entry?.token && isFresh(entry.token, this.now())) return entry.token.accessToken;
    if (!entry) {
      entry = {};
      this.store(key, entry);
    }
    const current = entry;
    current.inflight ??= this.exchange(subjectToken, subjectTokenType)
      .then((token) => {
        current.token = token;
        return token;
      })
      .finally(() => (current.inflight = undefined));
    return (await waitFor(current.inflight, signal)).accessToken;
  }

  private store(key: string, entry: CacheEntry): void {
    const now = this.now();
    if (this.cache.size >= this.maxCached) {
      for (const [k, e] of this.cache) if (!e.inflight && (!e.token || !isFresh(e.token, now))) this.cache.delete(k);
    }
    while (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, entry);
  }

  private async exchange(subjectToken: string, subjectTokenType: string): Promise<IssuedToken> {
    const parameters: Record<string, string | undefined> = {
      subject_token: subjectToken,
      subject_token_type: subjectTokenType,
      requested_token_type: this.requestedTokenType,
      scope: this.scope,
      audience: this.audience,
      resource: this.resource,
    };
    let client = this.client;
    if (this.actorMode === 'actor-token') {
      const actorToken = await this.actorToken();
      parameters['actor_token'] = actorToken;
      parameters['actor_token_type'] = this.actorTokenType;
      // As Iceberg clients do, the catalog session's token also authenticates the exchange request.
      client = { method: 'bearer', token: actorToken };
    }
    return requestToken(this.endpoint, { grantType: TOKEN_EXCHANGE_GRANT, parameters, client, now: this.now });
  }

  /** The catalog session's bearer token, taken from what it would send on a request. */
  private async actorToken(): Promise<string> {
    if (this.actor instanceof OAuth2Auth) return this.actor.currentToken();
    const probe: OutgoingRequest = { method: 'POST', url: this.endpoint.url, headers: {} };
    await this.actor.authenticate(probe);
    const match = /^Bearer\s+(\S+)$/i.exec(probe.headers['authorization'] ?? '');
    if (!match) {
      throw new CatalogError({
        message: 'token-exchange: the actor session did not produce a bearer token to act with',
        status: 0,
        type: 'NoActorToken',
        protocol: 'oauth2',
        request: `POST ${this.endpoint.url.pathname}`,
      });
    }
    return match[1]!;
  }
}

/**
 * Builds a {@link TokenExchangeAuth}; throws {@link ConfigurationError} for missing or invalid options.
 *
 * @example
 * ```ts
 * const exchange = tokenExchangeAuth({ tokenEndpoint: `${uri}/v1/oauth/tokens`, actor: bearerAuth(engineToken) });
 * ```
 */
export function tokenExchangeAuth(options: TokenExchangeAuthOptions): TokenExchangeAuth {
  return new TokenExchangeAuth(options);
}

/** Actor session types that yield a bearer token. */
const BEARER_ACTORS = new Set(['oauth2', 'bearer']);

/**
 * Reads the token-exchange properties:
 * - the actor (catalog) session: `rest.auth.token-exchange.actor-auth-type` (default `oauth2` when `credential` is
 *   set, `bearer` when only `token` is), built from the same properties;
 * - `rest.auth.token-exchange.actor-mode`: `actor-token` (default) or `client-auth` (Keycloak);
 * - `rest.auth.token-exchange.subject-token` and `.subject-token-type`: a fixed user for the provider itself;
 * - `rest.auth.token-exchange.actor-token-type`, `.requested-token-type`;
 * - shared with oauth2: `oauth2-server-uri`, `scope`, `audience`, `resource`, `rest.auth.oauth2.*`.
 *
 * @example
 * ```ts
 * const exchange = tokenExchangeAuthFromProperties({ credential: 'engine:secret' }, { uri: 'http://127.0.0.1:8181' });
 * ```
 */
export function tokenExchangeAuthFromProperties(
  properties: Readonly<Record<string, string>>,
  options: { uri?: string | undefined; fetch?: typeof fetch; create?: AuthProviderContext['create'] } = {},
): TokenExchangeAuth {
  const provider = 'token-exchange';
  const endpoint = tokenEndpointFrom(properties, options.uri, provider, options.fetch);
  const explicitActor = properties['rest.auth.token-exchange.actor-auth-type'];
  const actorType =
    explicitActor !== undefined && explicitActor.trim() !== ''
      ? explicitActor.trim().toLowerCase()
      : properties['credential'] !== undefined
        ? 'oauth2'
        : properties['token'] !== undefined
          ? 'bearer'
          : undefined;
  if (actorType === undefined) {
    throw new ConfigurationError(
      'auth provider "token-exchange" needs an actor: set "credential" (an oauth2 client session) or "token" (a bearer token), or rest.auth.token-exchange.actor-auth-type',
    );
  }
  if (actorType === 'token-exchange' || actorType === 'sigv4' || actorType === 'none' || actorType === 'api-key' || actorType === 'basic') {
    throw new ConfigurationError(`auth provider "token-exchange": actor type "${actorType}" yields no bearer token to act with (use oauth2 or bearer)`);
  }
  if (!BEARER_ACTORS.has(actorType) && !options.create) {
    throw new ConfigurationError(
      `auth provider "token-exchange": actor type "${actorType}" is not supported without the provider registry (use oauth2 or bearer)`,
    );
  }
  const actorProperties = { ...properties, 'rest.auth.type': actorType };
  const actor = options.create
    ? options.create(actorType, actorProperties)
    : actorType === 'oauth2'
      ? new OAuth2Auth({
          tokenEndpoint: endpoint.url,
          allowInsecureHttp: endpoint.insecure,
          ...(properties['credential'] ? { credential: properties['credential'] } : {}),
          ...(properties['token'] ? { token: properties['token'] } : {}),
          ...(options.fetch ? { fetch: options.fetch } : {}),
        })
      : bearerActor(properties);
  const optional = <K extends string>(key: string, name: K) => (properties[key] === undefined ? {} : ({ [name]: properties[key] } as Record<K, string>));
  return new TokenExchangeAuth({
    tokenEndpoint: endpoint.url,
    allowInsecureHttp: endpoint.insecure,
    actor,
    actorMode: (properties['rest.auth.token-exchange.actor-mode'] ?? 'actor-token') as ActorMode,
    tokenEndpointAuthMethod: authMethodFrom(properties, provider),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...optional('credential', 'credential'),
    ...optional('rest.auth.token-exchange.subject-token', 'subjectToken'),
    ...optional('rest.auth.token-exchange.subject-token-type', 'subjectTokenType'),
    ...optional('rest.auth.token-exchange.actor-token-type', 'actorTokenType'),
    ...optional('rest.auth.token-exchange.requested-token-type', 'requestedTokenType'),
    ...optional('scope', 'scope'),
    ...optional('audience', 'audience'),
    ...optional('resource', 'resource'),
  });
}

function bearerActor(properties: Readonly<Record<string, string>>): AuthProvider {
  const token = properties['token'];
  if (token === undefined || token.trim() === '') throw new ConfigurationError('auth provider "token-exchange": the bearer actor needs "token"');
  return {
    async authenticate(request) {
      request.headers['authorization'] = `Bearer ${token}`;
    },
  };
}

registerBuiltInAuthProvider('token-exchange', ({ properties, uri, fetch, create }) => tokenExchangeAuthFromProperties(properties, { uri, fetch, create }));

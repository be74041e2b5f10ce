/**
 * The auth provider contract and its registry. A provider sees the whole outgoing request (method, URL, headers,
 * body), so it can add a bearer token as well as sign the request (SigV4). Providers are chosen by name from
 * configuration; the built-ins register themselves the same way custom ones do.
 */
import { ConfigurationError } from '../errors.js';

export type { AuthProvider, OutgoingRequest } from '../transport/auth-hook.js';
import type { AuthProvider } from '../transport/auth-hook.js';

/**
 * What a factory gets to build a provider.
 *
 * @example
 * ```ts
 * registerAuthProvider('bearer-with-tenant', (context: AuthProviderContext) => {
 *   const bearer = context.create('bearer'); // reads `token` from the same properties
 *   const tenant = context.properties['tenant'] ?? 'default';
 *   return {
 *     async authenticate(request, signal) {
 *       await bearer.authenticate(request, signal);
 *       request.headers['x-tenant'] = tenant;
 *     },
 *   };
 * });
 * ```
 */
export interface AuthProviderContext {
  /** All catalog properties (Iceberg / Lance names); the factory reads the ones it understands. */
  readonly properties: Readonly<Record<string, string>>;
  /** The catalog's base URI (used e.g. for Iceberg's default token endpoint `{uri}/v1/oauth/tokens`). */
  readonly uri: string | undefined;
  readonly fetch: typeof fetch;
  /** Builds another registered provider (composition, e.g. SigV4 over a bearer token). */
  create(name: string, properties?: Readonly<Record<string, string>>): AuthProvider;
}

/**
 * Builds a provider from configuration. Must validate everything it needs and throw {@link ConfigurationError}
 * for missing or conflicting options, so bad configuration fails at construction.
 *
 * @example
 * ```ts
 * const myKey: AuthProviderFactory = ({ properties }) => {
 *   const key = properties['rest.auth.my-key'];
 *   if (!key) throw new ConfigurationError('my-key auth needs rest.auth.my-key');
 *   return apiKeyAuth(key, 'x-my-key');
 * };
 * registerAuthProvider('my-key', myKey);
 * ```
 */
export type AuthProviderFactory = (context: AuthProviderContext) => AuthProvider;

/*
 * One registry per process, whatever the module format. The ESM and the CommonJS builds of this package are two
 * module instances, so a module-level Map would give each build its own registry: a provider registered through
 * require('@lakegate/client') would be unknown to import('@lakegate/client'). The registry therefore lives on
 * globalThis under a registered symbol, which both builds (and any other copy of the package) share.
 */
const REGISTRY_KEY = Symbol.for('@lakegate/client/auth-registry');
const registry: Map<string, AuthProviderFactory> = ((globalThis as unknown as Record<symbol, Map<string, AuthProviderFactory> | undefined>)[REGISTRY_KEY] ??=
  new Map());

/**
 * Registers an auth provider under a name usable as `rest.auth.type`.
 *
 * @example
 * ```ts
 * registerAuthProvider('ticket', ({ properties }) => {
 *   const ticket = properties['rest.auth.ticket.value'];
 *   if (!ticket) throw new ConfigurationError('ticket auth needs rest.auth.ticket.value');
 *   return { async authenticate(r) { r.headers['x-ticket'] = ticket; } };
 * });
 * const catalog = new IcebergRestCatalog({ uri, properties: { 'rest.auth.type': 'ticket', 'rest.auth.ticket.value': 't' } });
 * ```
 */
export function registerAuthProvider(name: string, factory: AuthProviderFactory, options: { replace?: boolean } = {}): void {
  const key = normalize(name);
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(key)) throw new ConfigurationError(`invalid auth provider name ${JSON.stringify(name)}`);
  if (registry.has(key) && !options.replace) {
    throw new ConfigurationError(`auth provider "${key}" is already registered (pass { replace: true } to override it)`);
  }
  registry.set(key, factory);
}

/**
 * Registers a built-in provider unless its name is taken: the second build of the package to load (ESM after
 * CommonJS or the reverse) finds the first one's built-ins in the shared registry and keeps them, and so keeps a
 * built-in a user replaced.
 *
 * @internal
 */
export function registerBuiltInAuthProvider(name: string, factory: AuthProviderFactory): void {
  const key = normalize(name);
  if (!registry.has(key)) registry.set(key, factory);
}

/**
 * Names of all registered providers, for help texts and error messages.
 *
 * @example
 * ```ts
 * registeredAuthProviders(); // ['api-key', 'basic', 'bearer', 'gcp', 'none', 'oauth2', 'sigv4', 'token-exchange']
 * ```
 */
export function registeredAuthProviders(): string[] {
  return [...registry.keys()].sort();
}

/** Iceberg's names for its built-in managers, mapped to ours. */
const ALIASES: Record<string, string> = { google: 'gcp', api_key: 'api-key', apikey: 'api-key' };

function normalize(name: string): string {
  const lower = name.trim().toLowerCase();
  return ALIASES[lower] ?? lower;
}

/**
 * Which provider the properties ask for: `rest.auth.type` when set, otherwise inferred as Iceberg clients do
 * (`rest.sigv4-enabled` → sigv4, `credential` → oauth2, `token` → bearer, an API key → api-key, nothing → none).
 *
 * @example
 * ```ts
 * resolveAuthType({ credential: 'id:secret' }); // 'oauth2'
 * resolveAuthType({ 'rest.auth.type': 'google' }); // 'gcp' (Iceberg's name)
 * resolveAuthType({}); // 'none'
 * ```
 */
export function resolveAuthType(properties: Readonly<Record<string, string>>): string {
  const explicit = properties['rest.auth.type'];
  if (explicit !== undefined && explicit.trim() !== '') return normalize(explicit);
  if (isTrue(properties['rest.sigv4-enabled'])) return 'sigv4';
  if (properties['credential'] !== undefined) return 'oauth2';
  if (properties['token'] !== undefined) return 'bearer';
  if (properties['api-key'] !== undefined || properties['rest.auth.api-key'] !== undefined) return 'api-key';
  return 'none';
}

/**
 * Options for {@link createAuthProvider}.
 *
 * @example
 * ```ts
 * const options: CreateAuthProviderOptions = { uri: 'http://127.0.0.1:8181', fetch: (input, init) => fetch(input, init) };
 * const auth = createAuthProvider({ credential: 'client-id:secret' }, options);
 * ```
 */
export interface CreateAuthProviderOptions {
  uri?: string;
  fetch?: typeof fetch;
}

/**
 * Builds the provider the properties name (see {@link resolveAuthType}). Throws {@link ConfigurationError} for an
 * unknown name or invalid options.
 *
 * @example
 * ```ts
 * const auth = createAuthProvider({ credential: 'client-id:secret' }, { uri: 'http://127.0.0.1:8181' });
 * ```
 */
export function createAuthProvider(properties: Readonly<Record<string, string>>, options: CreateAuthProviderOptions = {}): AuthProvider {
  return build(resolveAuthType(properties), properties, options);
}

function build(name: string, properties: Readonly<Record<string, string>>, options: CreateAuthProviderOptions): AuthProvider {
  const factory = registry.get(normalize(name));
  if (!factory) {
    throw new ConfigurationError(`unknown auth provider "${name}"; registered: ${registeredAuthProviders().join(', ')}`);
  }
  const context: AuthProviderContext = {
    properties,
    uri: options.uri,
    fetch: options.fetch ?? globalThis.fetch,
    create: (other, props) => build(other, props ?? properties, options),
  };
  return factory(context);
}

/** Iceberg properties are strings; booleans are "true"/"false". */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

/** Reads a required property or throws a ConfigurationError naming it (never its value). */
export function requireProperty(properties: Readonly<Record<string, string>>, key: string, provider: string): string {
  const value = properties[key];
  if (value === undefined || value.trim() === '') throw new ConfigurationError(`auth provider "${provider}" needs the property "${key}"`);
  return value;
}

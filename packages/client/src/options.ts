/** Options shared by both protocol clients, and how catalog properties turn into a transport. */
import type { AuthProvider } from './auth/provider.js';
import { createAuthProvider, resolveAuthType } from './auth/provider.js';
import { ConfigurationError } from './errors.js';
import { HttpTransport } from './transport/http-transport.js';

/**
 * How to reach a catalog. Give either `auth` (a provider object) or properties that name one (`rest.auth.type`,
 * or Iceberg's `credential` / `token` / `rest.sigv4-enabled`).
 *
 * @example
 * ```ts
 * const options: ClientOptions = { uri: 'http://127.0.0.1:8181', properties: { credential: 'id:secret', scope: 'catalog' } };
 * ```
 */
export interface ClientOptions {
  /** Base URI of the catalog; defaults to the `uri` property. */
  uri?: string;
  /** Iceberg / Lance style string properties (auth, `header.*`, `warehouse`, ...). */
  properties?: Record<string, string>;
  /** An auth provider object; overrides the properties' choice. */
  auth?: AuthProvider;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** Per-attempt timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** Retries for safe requests (default 3). */
  retries?: number;
  /** First backoff delay in ms, doubled per attempt with jitter (default 100). */
  retryBaseDelayMs?: number;
  /** Longest wait honoured from a Retry-After header, in ms (default 10 000). */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
}

/** Builds the transport and validates the configuration (throws {@link ConfigurationError}). */
export function buildTransport(options: ClientOptions): { transport: HttpTransport; properties: Record<string, string>; auth: AuthProvider } {
  const properties = { ...(options.properties ?? {}) };
  const uri = options.uri ?? properties['uri'];
  if (!uri) throw new ConfigurationError('no catalog uri: pass `uri` or the `uri` property');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (key.startsWith('header.') && key.length > 'header.'.length) headers[key.slice('header.'.length).toLowerCase()] = value;
  }
  for (const [key, value] of Object.entries(options.headers ?? {})) headers[key.toLowerCase()] = value;
  if (options.auth && properties['rest.auth.type'] !== undefined) {
    throw new ConfigurationError('both an auth provider object and the property rest.auth.type are given; choose one');
  }
  const auth = options.auth ?? createAuthProvider(properties, { uri, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const type = options.auth ? 'custom' : resolveAuthType(properties);
  if (type !== 'none' && headers['authorization'] !== undefined) {
    throw new ConfigurationError(`a static Authorization header conflicts with the "${type}" auth provider; remove header.Authorization or use rest.auth.type=none`);
  }
  const transport = new HttpTransport({
    uri,
    auth,
    headers,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.retries !== undefined ? { retries: options.retries } : {}),
    ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
    ...(options.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: options.maxRetryAfterMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return { transport, properties, auth };
}

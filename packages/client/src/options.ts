/** Options shared by both protocol clients, and how catalog properties turn into a transport. */
import type { AuthProvider } from './auth/provider.js';
import { createAuthProvider, resolveAuthType } from './auth/provider.js';
import { ConfigurationError } from './errors.js';
import { HttpTransport, type TransportOptions } from './transport/http-transport.js';

/**
 * How to reach a catalog. Give either `auth` (a provider object) or properties that name one (`rest.auth.type`,
 * or Iceberg's `credential` / `token` / `rest.sigv4-enabled`).
 *
 * @example
 * ```ts
 * const options: ClientOptions = { uri: 'http://127.0.0.1:8181', properties: { credential: 'id:secret', scope: 'catalog' } };
 * ```
 */
export interface ClientOptions extends Partial<Pick<TransportOptions, 'headers' | 'timeoutMs' | 'retries' | 'retryBaseDelayMs' | 'maxRetryAfterMs' | 'fetch'>> {
  /** Base URI of the catalog; defaults to the `uri` property. */
  uri?: string;
  /** Iceberg / Lance style string properties (auth, `header.*`, `warehouse`, ...). */
  properties?: Record<string, string>;
  /** An auth provider object; overrides the properties' choice. */
  auth?: AuthProvider;
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
    throw new ConfigurationError(
      `a static Authorization header conflicts with the "${type}" auth provider; remove header.Authorization or use rest.auth.type=none`,
    );
  }
  // The transport's tuning options pass through unchanged (undefined keeps its defaults).
  const { timeoutMs, retries, retryBaseDelayMs, maxRetryAfterMs, fetch } = options;
  const transport = new HttpTransport({ uri, auth, headers, timeoutMs, retries, retryBaseDelayMs, maxRetryAfterMs, fetch });
  return { transport, properties, auth };
}

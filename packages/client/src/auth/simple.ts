/** The providers that only add a header: none, bearer, api-key and basic. */
import { ConfigurationError } from '../errors.js';
import type { AuthProvider } from './provider.js';
import { registerBuiltInAuthProvider, requireProperty } from './provider.js';

/**
 * A provider that adds nothing (catalogs without authentication).
 *
 * @example
 * ```ts
 * const catalog = new IcebergRestCatalog({ uri: 'http://127.0.0.1:8181', auth: noAuth });
 * ```
 */
export const noAuth: AuthProvider = { async authenticate() {} };

/**
 * A bearer token, or a function returning the current one (e.g. from your own token cache).
 *
 * @example
 * ```ts
 * const fixed: BearerTokenSource = process.env.CATALOG_TOKEN!;
 * const rotating: BearerTokenSource = (signal) => myVault.currentToken(signal);
 * const auth = bearerAuth(rotating);
 * ```
 */
export type BearerTokenSource = string | ((signal?: AbortSignal) => string | Promise<string>);

/**
 * Sends `Authorization: Bearer <token>`.
 *
 * @example
 * ```ts
 * new IcebergRestCatalog({ uri, auth: bearerAuth(() => myVault.currentToken()) });
 * ```
 */
export function bearerAuth(source: BearerTokenSource): AuthProvider {
  if (typeof source === 'string' && source.trim() === '') throw new ConfigurationError('bearer auth needs a non-empty token');
  return {
    async authenticate(request, signal) {
      const token = typeof source === 'string' ? source : await source(signal);
      if (!token) throw new ConfigurationError('the bearer token function returned an empty token');
      request.headers['authorization'] = `Bearer ${token}`;
    },
  };
}

/**
 * Sends an API key in `x-api-key` (the header the Lance spec names), or in another header.
 *
 * @example
 * ```ts
 * new LanceNamespace({ uri, auth: apiKeyAuth(process.env.LAKEGATE_API_KEY!) });
 * ```
 */
export function apiKeyAuth(key: string, header = 'x-api-key'): AuthProvider {
  if (key.trim() === '') throw new ConfigurationError('api-key auth needs a non-empty key');
  const name = header.toLowerCase();
  return {
    async authenticate(request) {
      request.headers[name] = key;
    },
  };
}

/**
 * HTTP Basic authentication (RFC 7617), Iceberg's `rest.auth.type=basic`. Only sensible over https.
 *
 * @example
 * ```ts
 * new IcebergRestCatalog({ uri, auth: basicAuth('reader', process.env.CATALOG_PASSWORD!) });
 * ```
 */
export function basicAuth(username: string, password: string): AuthProvider {
  if (username === '' || username.includes(':')) throw new ConfigurationError('basic auth needs a username without ":"');
  if (password === '') throw new ConfigurationError('basic auth needs a non-empty password');
  const header = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  return {
    async authenticate(request) {
      request.headers['authorization'] = header;
    },
  };
}

registerBuiltInAuthProvider('none', () => noAuth);
registerBuiltInAuthProvider('basic', ({ properties }) =>
  basicAuth(requireProperty(properties, 'rest.auth.basic.username', 'basic'), requireProperty(properties, 'rest.auth.basic.password', 'basic')),
);
registerBuiltInAuthProvider('bearer', ({ properties }) => bearerAuth(requireProperty(properties, 'token', 'bearer')));
registerBuiltInAuthProvider('api-key', ({ properties }) => {
  const key = properties['rest.auth.api-key'] ?? properties['api-key'];
  if (key === undefined || key.trim() === '') throw new ConfigurationError('auth provider "api-key" needs the property "rest.auth.api-key"');
  return apiKeyAuth(key, properties['rest.auth.api-key.header'] ?? 'x-api-key');
});

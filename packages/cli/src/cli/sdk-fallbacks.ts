/**
 * Local stand-ins for SDK pieces that may not be registered yet. The SDK's own `oauth2` provider (client
 * credentials with refresh) is the real one; this minimal client-credentials provider is registered only when the
 * SDK has none, so the CLI works either way and steps aside as soon as the SDK ships its provider.
 */
import { ConfigurationError, HttpTransport, noAuth, registerAuthProvider, registeredAuthProviders, type AuthProvider } from '@lakegate/client';

/** A token endpoint URL split into the transport's base and the last path segment. */
export function tokenEndpointTransport(tokenUrl: string, auth: AuthProvider = noAuth, timeoutMs?: number): { transport: HttpTransport; path: string } {
  let url: URL;
  try {
    url = new URL(tokenUrl);
  } catch {
    throw new ConfigurationError(`invalid token endpoint ${JSON.stringify(tokenUrl)}`);
  }
  const base = new URL('.', url);
  const path = url.pathname.slice(base.pathname.length) + url.search;
  return { transport: new HttpTransport({ uri: base.toString(), auth, ...(timeoutMs ? { timeoutMs } : {}) }), path };
}

/** Iceberg's default token endpoint: `{uri}/v1/oauth/tokens`, unless `oauth2-server-uri` names another. */
export function tokenEndpoint(properties: Readonly<Record<string, string>>, uri: string | undefined): string {
  const explicit = properties['oauth2-server-uri'];
  if (explicit) return explicit;
  if (!uri) throw new ConfigurationError('oauth2 needs the catalog uri or the property "oauth2-server-uri"');
  return `${uri.replace(/\/+$/, '')}/v1/oauth/tokens`;
}

function clientCredentialsProvider(properties: Readonly<Record<string, string>>, uri: string | undefined): AuthProvider {
  const credential = properties['credential'];
  if (!credential) throw new ConfigurationError('auth provider "oauth2" needs the property "credential" (client_id:client_secret)');
  const i = credential.indexOf(':');
  const clientId = i > 0 ? credential.slice(0, i) : undefined;
  const clientSecret = i > 0 ? credential.slice(i + 1) : credential;
  if (clientSecret === '') throw new ConfigurationError('the oauth2 credential has an empty client secret');
  const { transport, path } = tokenEndpointTransport(tokenEndpoint(properties, uri));
  const scope = properties['scope'] ?? 'catalog';
  let cached: { token: string; expiresAtMs: number } | undefined;
  let inFlight: Promise<string> | undefined;

  const fetchToken = async (signal?: AbortSignal): Promise<string> => {
    const form: Record<string, string> = { grant_type: 'client_credentials', client_secret: clientSecret, scope };
    if (clientId) form['client_id'] = clientId;
    const { body } = await transport.send<{ access_token?: string; expires_in?: number }>({ method: 'POST', path, form, errorModel: 'oauth2', ...(signal ? { signal } : {}) });
    if (!body?.access_token) throw new ConfigurationError('the token endpoint answered without an access_token');
    const lifetimeMs = (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000;
    // Refresh a little before expiry so a request never leaves with a token about to lapse.
    cached = { token: body.access_token, expiresAtMs: Date.now() + lifetimeMs * 0.9 };
    return body.access_token;
  };

  return {
    async authenticate(request, signal) {
      let token = cached && cached.expiresAtMs > Date.now() ? cached.token : undefined;
      if (!token) {
        inFlight ??= fetchToken(signal).finally(() => (inFlight = undefined));
        token = await inFlight;
      }
      request.headers['authorization'] = `Bearer ${token}`;
    },
    invalidate() {
      cached = undefined;
      return true;
    },
    close() {
      cached = undefined;
    },
  };
}

/** Registers the fallbacks the SDK does not provide (yet). Idempotent. */
export function registerFallbackProviders(): void {
  if (!registeredAuthProviders().includes('oauth2')) {
    registerAuthProvider('oauth2', ({ properties, uri }) => clientCredentialsProvider(properties, uri));
  }
}

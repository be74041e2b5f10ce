/**
 * The `gcp` provider (alias `google`): Google application-default credentials via `google-auth-library` (a service
 * account key, workload identity federation `external_account`, gcloud user credentials, or the metadata server),
 * sent as a bearer token. The library caches and refreshes the token.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { GoogleAuth } from 'google-auth-library';
import { ConfigurationError } from '../errors.js';
import type { AuthProvider, OutgoingRequest } from './provider.js';
import { registerBuiltInAuthProvider } from './provider.js';

/**
 * The scope Google's own clients default to.
 *
 * @example
 * ```ts
 * gcpAuth({ scopes: [GCP_DEFAULT_SCOPE, 'https://www.googleapis.com/auth/bigquery'] });
 * ```
 */
export const GCP_DEFAULT_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * Options of {@link gcpAuth}.
 *
 * @example
 * ```ts
 * const options: GcpAuthOptions = { credentialsPath: '/etc/lakegate/service-account.json', scopes: [GCP_DEFAULT_SCOPE] };
 * const auth = gcpAuth(options);
 * ```
 */
export interface GcpAuthOptions {
  /** OAuth scopes (default cloud-platform). */
  scopes?: string[];
  /** A credentials JSON file instead of application-default discovery (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud, metadata). */
  credentialsPath?: string;
  /** Reported by the underlying GoogleAuth if asked; tokens do not depend on it. */
  projectId?: string;
}

/**
 * Authenticates with Google credentials.
 *
 * @example
 * ```ts
 * const catalog = new IcebergRestCatalog({ uri: 'https://biglake.googleapis.com/iceberg/v1/restcatalog', auth: gcpAuth() });
 * ```
 */
export class GcpAuth implements AuthProvider {
  readonly scopes: readonly string[];
  private readonly credentialsPath: string | undefined;
  private readonly projectId: string | undefined;
  private auth: Promise<GoogleAuth> | undefined;

  constructor(options: GcpAuthOptions = {}) {
    const scopes = options.scopes ?? [GCP_DEFAULT_SCOPE];
    if (scopes.length === 0 || scopes.some((s) => typeof s !== 'string' || s.trim() === ''))
      throw new ConfigurationError('auth provider "gcp": scopes must be non-empty strings');
    if (options.credentialsPath !== undefined) checkCredentialsFile(options.credentialsPath);
    this.scopes = scopes;
    this.credentialsPath = options.credentialsPath;
    this.projectId = options.projectId;
  }

  async authenticate(request: OutgoingRequest): Promise<void> {
    const auth = await (this.auth ??= this.load());
    const headers = await auth.getRequestHeaders(request.url);
    const authorization = headers.get('authorization');
    if (!authorization) throw new ConfigurationError('auth provider "gcp": Google credentials produced no Authorization header');
    request.headers['authorization'] = authorization;
    const project = headers.get('x-goog-user-project');
    if (project) request.headers['x-goog-user-project'] = project;
  }

  /** After a 401: start over with fresh credentials (the library would otherwise keep its cached token). */
  invalidate(): boolean {
    this.auth = undefined;
    return true;
  }

  close(): void {
    this.auth = undefined;
  }

  private async load(): Promise<GoogleAuth> {
    // Loaded on first use: google-auth-library is large and most catalogs never need it.
    const { GoogleAuth } = await import('google-auth-library');
    return new GoogleAuth({
      scopes: [...this.scopes],
      ...(this.credentialsPath ? { keyFilename: this.credentialsPath } : {}),
      // Only tokens are needed here. Without a project id, GoogleAuth first looks one up (Cloud Resource Manager,
      // then the metadata server) and fails the whole client when that lookup fails; the value is used for nothing else.
      projectId: this.projectId ?? 'lakegate-auth-unused',
    });
  }
}

function checkCredentialsFile(file: string): void {
  if (!existsSync(file)) throw new ConfigurationError(`auth provider "gcp": gcp.auth.credentials-path ${JSON.stringify(file)} does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ConfigurationError(`auth provider "gcp": gcp.auth.credentials-path ${JSON.stringify(file)} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') {
    throw new ConfigurationError(`auth provider "gcp": gcp.auth.credentials-path ${JSON.stringify(file)} has no credential "type"`);
  }
}

/**
 * Builds a {@link GcpAuth}; throws {@link ConfigurationError} for an unreadable credentials file or empty scopes.
 *
 * @example
 * ```ts
 * const auth = gcpAuth({ scopes: ['https://www.googleapis.com/auth/bigquery'] });
 * ```
 */
export function gcpAuth(options: GcpAuthOptions = {}): GcpAuth {
  return new GcpAuth(options);
}

/**
 * Reads `gcp.auth.credentials-path` and `gcp.auth.scopes` (comma-separated; Iceberg's GoogleAuthManager names), and
 * optionally `gcp.auth.project-id`.
 *
 * @example
 * ```ts
 * createAuthProvider({ 'rest.auth.type': 'google', 'gcp.auth.scopes': 'https://www.googleapis.com/auth/cloud-platform' });
 * ```
 */
export function gcpAuthFromProperties(properties: Readonly<Record<string, string>>): GcpAuth {
  const scopes = properties['gcp.auth.scopes'];
  const path = properties['gcp.auth.credentials-path'];
  const projectId = properties['gcp.auth.project-id'];
  return new GcpAuth({
    ...(projectId ? { projectId } : {}),
    ...(scopes !== undefined ? { scopes: scopes.split(',').map((s) => s.trim()) } : {}),
    ...(path !== undefined && path.trim() !== '' ? { credentialsPath: path } : {}),
  });
}

registerBuiltInAuthProvider('gcp', ({ properties }) => gcpAuthFromProperties(properties));

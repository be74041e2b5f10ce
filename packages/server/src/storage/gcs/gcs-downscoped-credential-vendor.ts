/**
 * GCS credential vending through Google's Security Token Service: the
 * catalog's source credential (a service account key, or Application
 * Default Credentials) gets an access token, and STS exchanges it (RFC 8693
 * token exchange, google-auth-library's DownscopedClient) for a token limited
 * by a Credential Access Boundary (gcs-access-boundary.ts) to the table
 * prefix. The downscoped token can do no more than both the source identity
 * and the boundary allow.
 *
 * Lifetime: a downscoped token expires with its source token (one hour for a
 * service account). With a key, each vend therefore starts from a fresh source
 * token, so a client gets the whole hour (with Application Default Credentials
 * the source token is the library's cached one); the exact expiry STS or the source reports is
 * what the client is told (`gcs.oauth2.token-expires-at`, epoch ms, read by
 * Iceberg Java's GCPProperties and PyIceberg's PyArrowFileIO), plus
 * `gcs.service.host` when the profile names a non-Google endpoint (both read it).
 *
 * Endpoints: google-auth-library 10 has no option for either endpoint.
 * - The service account's token request always goes to Google's token URL
 *   (the key file's token_uri is ignored by the library); when the key names
 *   another token_uri, a request interceptor on the source client's own
 *   transporter sends it there.
 * - DownscopedClient derives its STS URL from the universe domain
 *   (https://sts.<universe>/v1/token). A configured `stsEndpoint` replaces the
 *   client's STS helper with one bound to that URL; should a library upgrade
 *   remove that helper, the vend fails (TypeError) instead of calling Google.
 * Failures surface as ERR_UNAVAILABLE with a fixed message: neither the key,
 * the source token nor the boundary ever appears in an error.
 */
import { type AuthClient, DownscopedClient, GoogleAuth, JWT } from 'google-auth-library';
import { StsCredentials } from 'google-auth-library/build/src/auth/stscredentials.js';
import { CatalogError, validation } from '../../errors/catalog-error.js';
import type { CredentialVendor, VendedCredential, VendRequest } from '../vending.js';
import { buildAccessBoundary } from './gcs-access-boundary.js';
import { parseGcsLocation } from './gcs-location.js';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** The fields of a service account key file the vendor uses. */
export interface ServiceAccountKey {
  type: 'service_account';
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
  token_uri?: string;
}

export interface GcsDownscopedCredentialVendorOptions {
  /** The only bucket credentials are vended for. */
  bucket: string;
  /** The source identity; Application Default Credentials when omitted. */
  serviceAccountKey?: ServiceAccountKey;
  /** When set, the key's client_email must be this account. */
  serviceAccount?: string;
  /** The JSON API root clients should use (vended as `gcs.service.host`); omit for Google's. */
  endpoint?: string;
  /** STS token-exchange URL; Google's (https://sts.googleapis.com/v1/token) when omitted. */
  stsEndpoint?: string;
  /** A ready source client (tests); serviceAccountKey is then ignored. */
  sourceClient?: () => Promise<AuthClient>;
}

export class GcsDownscopedCredentialVendor implements CredentialVendor {
  private readonly source: () => Promise<AuthClient>;

  constructor(private readonly options: GcsDownscopedCredentialVendorOptions) {
    const key = options.serviceAccountKey;
    if (key && options.serviceAccount && key.client_email !== options.serviceAccount) {
      throw validation(`the service account key is for ${key.client_email}, not ${options.serviceAccount}`);
    }
    this.source = options.sourceClient ?? sourceClientFor(key);
  }

  async vend(request: VendRequest): Promise<VendedCredential> {
    // validate
    if (!Number.isFinite(request.lifetimeSeconds) || request.lifetimeSeconds <= 0) throw new TypeError('lifetimeSeconds must be a positive number');
    const location = parseGcsLocation(request.location);
    if (location.bucket !== this.options.bucket) throw validation(`location ${request.location} is not in bucket ${this.options.bucket}`);
    const boundary = buildAccessBoundary(location, request.mode, request.sealed);

    // execute
    let token: string | null | undefined;
    let expiresAtMs: number | null | undefined;
    try {
      const client = new DownscopedClient({ authClient: await this.source(), credentialAccessBoundary: boundary });
      if (this.options.stsEndpoint) bindStsEndpoint(client, this.options.stsEndpoint);
      const out = await client.getAccessToken();
      token = out.token;
      expiresAtMs = out.expirationTime;
    } catch (e) {
      if (e instanceof TypeError && e.message.startsWith('lakegate:')) throw e;
      throw unavailable(e);
    }
    if (!token || typeof expiresAtMs !== 'number' || !Number.isFinite(expiresAtMs)) {
      throw unavailable(new Error('the token exchange returned no token or no expiry'));
    }
    const config: Record<string, string> = {
      'gcs.oauth2.token': token,
      'gcs.oauth2.token-expires-at': String(expiresAtMs),
      ...(this.options.endpoint ? { 'gcs.service.host': this.options.endpoint } : {}),
    };
    return { prefix: request.location, config, expiresAtMs };
  }
}

/**
 * The catalog's own Google identity: a new service account client per call (so each has a
 * fresh token), or, without a key, the Application Default Credentials client.
 */
export function sourceClientFor(key: ServiceAccountKey | undefined): () => Promise<AuthClient> {
  if (key) return async () => serviceAccountClient(key);
  const adc = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE] });
  return () => adc.getClient();
}

/** A JWT client for the key whose token requests go to the key's token_uri. */
export function serviceAccountClient(key: ServiceAccountKey): JWT {
  const client = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id, scopes: [CLOUD_PLATFORM_SCOPE] });
  const tokenUri = key.token_uri;
  if (tokenUri && tokenUri !== GOOGLE_TOKEN_URL) {
    const target = new URL(tokenUri);
    client.transporter.interceptors.request.add({
      resolved: async (config) => {
        if (config.url !== undefined && String(config.url) === GOOGLE_TOKEN_URL) config.url = target;
        return config;
      },
    });
  }
  return client;
}

/** Points a DownscopedClient's token exchange at `endpoint` (see the file comment). */
export function bindStsEndpoint(client: DownscopedClient, endpoint: string): void {
  const slot = client as unknown as { stsCredential?: unknown };
  if (!(slot.stsCredential instanceof StsCredentials)) {
    throw new TypeError('lakegate: this google-auth-library version has no STS helper to rebind; sts-endpoint cannot be honoured');
  }
  slot.stsCredential = new StsCredentials({ tokenExchangeEndpoint: endpoint });
}

/**
 * The one error a failed exchange becomes. The cause keeps the error's name, the HTTP status
 * and the OAuth error code, but nothing else: gaxios errors carry the request, and with it the
 * source token (subject_token) and the signed assertion.
 */
function unavailable(e: unknown): CatalogError {
  const name = e instanceof Error ? e.name : 'Error';
  const response = (e as { response?: { status?: number; data?: { error?: unknown } } } | undefined)?.response;
  const status = response?.status ?? (e as { status?: number } | undefined)?.status;
  const oauthError = typeof response?.data?.error === 'string' ? ` ${response.data.error}` : oauthCode(e);
  const cause = Object.assign(new Error(`${name}${status ? ` (HTTP ${status})` : ''}${oauthError}`), { name });
  return new CatalogError('ERR_UNAVAILABLE', 'storage credential service unavailable', { cause });
}

/** google-auth-library turns an OAuth error body into "Error code <code>: <description>". */
function oauthCode(e: unknown): string {
  const m = e instanceof Error ? /^Error code ([\w.-]+)/.exec(e.message) : null;
  return m ? ` ${m[1]}` : '';
}

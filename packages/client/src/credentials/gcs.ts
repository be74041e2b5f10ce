/**
 * Vended GCS OAuth2 access tokens (`gcs.oauth2.token` + `gcs.oauth2.token-expires-at`), refreshed through
 * loadCredentials. The method name and result shape follow google-auth-library's `getAccessToken()`, so the provider
 * slots in where a client only needs a bearer token.
 */
import { CatalogError } from '../errors.js';
import { VendedCredentials, type VendedCredentialsOptions } from './vended.js';

/**
 * A GCS access token and its expiry.
 *
 * @example
 * ```ts
 * const { token, expiresAtMs } = await gcs.getAccessToken();
 * await fetch(url, { headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export interface GcsAccessToken {
  /** The OAuth2 access token. A secret: never log it. */
  token: string;
  /** When it expires (epoch ms), or undefined when the catalog named no expiry. */
  expiresAtMs: number | undefined;
  /** `gcs.service.host`: the endpoint to use instead of storage.googleapis.com (emulators), when vended. */
  endpoint: string | undefined;
}

/**
 * Hands out the current GCS access token of a table, refreshed ahead of expiry.
 *
 * @example
 * ```ts
 * const { token } = await vendedGcsToken({ catalog, table, loaded }).getAccessToken();
 * ```
 */
export interface VendedGcsTokenProvider {
  getAccessToken(): Promise<GcsAccessToken>;
}

/**
 * Whether FileIO properties are a GCS token credential (they carry `gcs.oauth2.token`).
 *
 * @example
 * ```ts
 * const gcsOnly = new VendedCredentials({ catalog, table, loaded }, isGcsTokenCredential);
 * ```
 */
export const isGcsTokenCredential = (config: Record<string, string>): boolean => typeof config['gcs.oauth2.token'] === 'string';

/**
 * A GCS token provider for a table's vended `gcs.*` credentials, refreshed through the catalog's loadCredentials
 * ahead of expiry.
 *
 * @example
 * ```ts
 * const table = { namespace: ['db'], name: 'events' };
 * const loaded = await catalog.loadTable(table, { accessDelegation: 'vended-credentials' });
 * const gcs = vendedGcsToken({ catalog, table, loaded });
 * const { token } = await gcs.getAccessToken();
 * const res = await fetch(`https://storage.googleapis.com/storage/v1/b/lake/o?prefix=wh/db/events/`, { headers: { authorization: `Bearer ${token}` } });
 * ```
 */
export function vendedGcsToken(source: VendedCredentialsOptions | VendedCredentials): VendedGcsTokenProvider {
  const credentials = source instanceof VendedCredentials ? source : new VendedCredentials(source, isGcsTokenCredential);
  return {
    async getAccessToken() {
      const { config, expiresAtMs } = await credentials.current();
      const token = config['gcs.oauth2.token'];
      if (!token) {
        throw new CatalogError({
          message: `the storage credential for ${credentials.location} has no gcs.oauth2.token`,
          status: 0,
          type: 'NoStorageCredential',
          protocol: 'iceberg',
          request: 'GET loadCredentials',
        });
      }
      return { token, expiresAtMs, endpoint: config['gcs.service.host'] };
    },
  };
}

/**
 * Vended Azure SAS tokens (`adls.sas-token.<host>`), refreshed through loadCredentials. A SAS is part of each request
 * URL, so callers ask the provider for the current token per request (or per client they build).
 */
import { CatalogError } from '../errors.js';
import { parseEpochMs } from './refreshing.js';
import { VendedCredentials, type VendedCredentialsOptions } from './vended.js';

const SAS_PREFIX = 'adls.sas-token.';

/**
 * A SAS token for one storage host.
 *
 * @example
 * ```ts
 * const { sasToken, endpoint } = await sas.sas();
 * const blob = new BlockBlobClient(`${endpoint}/lake/wh/db/t/data/a.parquet?${sasToken}`);
 * ```
 */
export interface AzureSasCredential {
  /** The host the token is for, e.g. `acct.dfs.core.windows.net`. */
  host: string;
  /** The SAS query string (without `?`). A secret: never log it. */
  sasToken: string;
  /** When the token expires (epoch ms), or undefined when the catalog named no expiry. */
  expiresAtMs: number | undefined;
  /** `adls.connection-string.<host>`: the endpoint to send requests to instead of the public one (emulators, private links). */
  endpoint: string | undefined;
}

/**
 * Hands out the current SAS token of a table, refreshed ahead of expiry.
 *
 * @example
 * ```ts
 * const { sasToken } = await vendedAzureSas({ catalog, table, loaded }).sas();
 * ```
 */
export interface VendedAzureSasProvider {
  /** The SAS for `host` (default: the host of the provider's location, or the only host vended). */
  sas(host?: string): Promise<AzureSasCredential>;
}

/**
 * Whether FileIO properties are an Azure SAS credential (they carry an `adls.sas-token.<host>`).
 *
 * @example
 * ```ts
 * const azureOnly = new VendedCredentials({ catalog, table, loaded }, isAzureSasCredential);
 * ```
 */
export const isAzureSasCredential = (config: Record<string, string>): boolean => Object.keys(config).some((k) => k.startsWith(SAS_PREFIX));

/**
 * The host of an `abfs[s]://container@host/path` or `wasb[s]://container@host/path` location.
 *
 * @example
 * ```ts
 * azureLocationHost('abfss://lake@acct.dfs.core.windows.net/wh/t'); // 'acct.dfs.core.windows.net'
 * ```
 */
export function azureLocationHost(location: string): string | undefined {
  return /^(?:abfss?|wasbs?):\/\/[^@/]+@([^/?#]+)/i.exec(location)?.[1];
}

/**
 * An Azure SAS provider for a table's vended `adls.*` credentials, refreshed through the catalog's loadCredentials
 * ahead of expiry.
 *
 * @example
 * ```ts
 * import { BlockBlobClient } from '@azure/storage-blob';
 * const table = { namespace: ['db'], name: 'events' };
 * const loaded = await catalog.loadTable(table, { accessDelegation: 'vended-credentials' });
 * const sas = vendedAzureSas({ catalog, table, loaded });
 * const { sasToken, endpoint } = await sas.sas();
 * await new BlockBlobClient(`${endpoint}/lake/wh/db/events/data/a.parquet?${sasToken}`).upload(bytes, bytes.length);
 * ```
 */
export function vendedAzureSas(source: VendedCredentialsOptions | VendedCredentials): VendedAzureSasProvider {
  const credentials = source instanceof VendedCredentials ? source : new VendedCredentials(source, isAzureSasCredential);
  const defaultHost = azureLocationHost(credentials.location);
  return {
    async sas(host = defaultHost) {
      const { config } = await credentials.current();
      const hosts = Object.keys(config)
        .filter((k) => k.startsWith(SAS_PREFIX))
        .map((k) => k.slice(SAS_PREFIX.length));
      const chosen = host !== undefined && hosts.includes(host) ? host : hosts.length === 1 && host === defaultHost ? hosts[0] : undefined;
      const sasToken = chosen === undefined ? undefined : config[`${SAS_PREFIX}${chosen}`];
      if (chosen === undefined || !sasToken) {
        throw new CatalogError({
          message: `the storage credential for ${credentials.location} has no SAS token for ${host ?? 'its host'}`,
          status: 0,
          type: 'NoStorageCredential',
          protocol: 'iceberg',
          request: 'GET loadCredentials',
        });
      }
      return {
        host: chosen,
        sasToken: sasToken.replace(/^\?/, ''),
        expiresAtMs: parseEpochMs(config[`adls.sas-token-expires-at-ms.${chosen}`]),
        endpoint: config[`adls.connection-string.${chosen}`],
      };
    },
  };
}

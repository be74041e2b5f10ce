/**
 * Vended storage credentials of one Iceberg table, for one storage location, refreshed through loadCredentials.
 * The cloud-specific providers (AWS, Azure, GCS) are thin views over this. Refreshes send the credential's
 * `storage-refresh-token` when the catalog gave one (Lakegate does; it is what lets a stage-created table refresh
 * before it is committed), and fall back to a token-less load when the catalog refuses an expired token.
 */
import type { StorageCredential } from '@lakegate/protocol';
import { CatalogError, ConfigurationError } from '../errors.js';
import type { LoadCredentialsResponse, TableIdentifier } from '../iceberg/types.js';
import { parseEpochMs, pickTiming, RefreshingValue, type RefreshTiming } from './refreshing.js';

/**
 * What the providers need from a catalog: {@link IcebergRestCatalog} fits, and so does any object with the same
 * method (e.g. a catalog bound to a per-user session with `withAuth`).
 *
 * @example
 * ```ts
 * const loader: CredentialLoader = catalog.withAuth(exchange.sessionFor(aliceToken));
 * ```
 */
export interface CredentialLoader {
  loadCredentials(identifier: TableIdentifier, options?: { storageRefreshToken?: string }): Promise<LoadCredentialsResponse>;
}

/**
 * A storage credential as a catalog vends it, with Lakegate's `storage-refresh-token` (absent at other catalogs).
 *
 * @example
 * ```ts
 * const credentials = (loaded['storage-credentials'] ?? []) as VendedStorageCredential[];
 * ```
 */
export interface VendedStorageCredential extends StorageCredential {
  'storage-refresh-token'?: string;
}

/**
 * The credential a provider currently holds: its prefix, its FileIO properties and its expiry.
 *
 * @example
 * ```ts
 * const { prefix, expiresAtMs } = await credentials.current();
 * console.log(`credential for ${prefix} expires at ${new Date(expiresAtMs ?? Infinity)}`);
 * ```
 */
export interface CurrentCredential {
  prefix: string;
  /** FileIO properties (`s3.*`, `adls.*`, `gcs.*`, `client.region`, ...). Holds secrets: never log it. */
  config: Readonly<Record<string, string>>;
  /** The earliest expiry the properties carry (epoch ms), or undefined when they name none. */
  expiresAtMs: number | undefined;
}

/**
 * Where a provider gets its table's credentials from.
 *
 * @example
 * ```ts
 * const loaded = await catalog.loadTable(table, { accessDelegation: 'vended-credentials' });
 * const options: VendedCredentialsOptions = { catalog, table, loaded, refreshBeforeMs: 10 * 60_000 };
 * ```
 */
export interface VendedCredentialsOptions extends RefreshTiming {
  catalog: CredentialLoader;
  table: TableIdentifier;
  /**
   * The result of loadTable or stageCreateTable (asked with `accessDelegation: 'vended-credentials'`): its location
   * is the default `location` and its `storage-credentials` the initial credentials.
   */
  loaded?: { metadata: { location: string }; 'storage-credentials'?: StorageCredential[] | undefined };
  /** The location to be accessed (the table location, or a path below it); the longest matching prefix wins. */
  location?: string;
  /** Credentials already in hand; default `loaded['storage-credentials']`. Without any, the first use loads them. */
  initial?: StorageCredential[];
}

/** The FileIO property families, and the keys each one's expiry is in. */
const EXPIRY_KEY_PATTERNS = [/^s3\.session-token-expires-at-ms$/, /^adls\.sas-token-expires-at-ms\./, /^gcs\.oauth2\.token-expires-at$/];

/**
 * The earliest expiry (epoch ms) that vended FileIO properties carry, or undefined when they carry none.
 *
 * @example
 * ```ts
 * vendedExpiry({ 's3.session-token-expires-at-ms': '1767225600000' }); // 1767225600000
 * ```
 */
export function vendedExpiry(config: Readonly<Record<string, string>>): number | undefined {
  let earliest: number | undefined;
  for (const [key, value] of Object.entries(config)) {
    if (!EXPIRY_KEY_PATTERNS.some((re) => re.test(key))) continue;
    const at = parseEpochMs(value);
    if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest;
}

/**
 * Whether a credential prefix covers a location. A prefix matches at a path boundary only, so the credential of
 * `s3://b/t1` is not picked for `s3://b/t10/...` (where it would be refused anyway).
 *
 * @example
 * ```ts
 * prefixCovers('s3://bucket/wh/t1', 's3://bucket/wh/t1/data/a.parquet'); // true
 * prefixCovers('s3://bucket/wh/t1', 's3://bucket/wh/t10'); // false
 * ```
 */
export function prefixCovers(prefix: string, location: string): boolean {
  if (!location.startsWith(prefix)) return false;
  if (location.length === prefix.length || prefix.endsWith('/')) return true;
  const next = location[prefix.length];
  // "s3" or "s3:" as a prefix covers every s3:// location.
  return next === '/' || (next === ':' && !prefix.includes(':'));
}

/**
 * The credential for a location: among those whose prefix covers it, the one with the longest prefix (as the Iceberg
 * REST spec asks). `accept` narrows the candidates to one storage family.
 *
 * @example
 * ```ts
 * const credential = selectCredential(loaded['storage-credentials'] ?? [], `${loaded.metadata.location}/data/a.parquet`);
 * ```
 */
export function selectCredential<C extends StorageCredential>(
  credentials: readonly C[],
  location: string,
  accept: (config: Record<string, string>) => boolean = () => true,
): C | undefined {
  let best: C | undefined;
  for (const c of credentials) {
    if (typeof c?.prefix !== 'string' || typeof c.config !== 'object' || c.config === null) continue;
    if (!accept(c.config) || !prefixCovers(c.prefix, location)) continue;
    if (!best || c.prefix.length > best.prefix.length) best = c;
  }
  return best;
}

/**
 * The vended credentials of one table for one location, refreshed through the catalog's loadCredentials ahead of
 * expiry, one refresh at a time. Use it directly, or through {@link vendedAwsCredentials}, {@link vendedAzureSas} or
 * {@link vendedGcsToken}.
 *
 * @example
 * ```ts
 * const table = { namespace: ['db'], name: 'events' };
 * const loaded = await catalog.loadTable(table, { accessDelegation: 'vended-credentials' });
 * const credentials = new VendedCredentials({ catalog, table, loaded });
 * const { config, expiresAtMs } = await credentials.current();
 * ```
 */
export class VendedCredentials {
  /** The location this provider's credential must cover. */
  readonly location: string;
  readonly table: TableIdentifier;
  readonly #value: RefreshingValue<VendedStorageCredential>;

  /** @param accept narrows the credentials considered to one storage family (the cloud providers pass theirs). */
  constructor(options: VendedCredentialsOptions, accept: (config: Record<string, string>) => boolean = () => true) {
    if (typeof options?.catalog?.loadCredentials !== 'function') throw new ConfigurationError('vended credentials need a catalog with loadCredentials');
    const table = options.table;
    if (!table || !Array.isArray(table.namespace) || typeof table.name !== 'string' || table.name === '') {
      throw new ConfigurationError('vended credentials need a table identifier { namespace, name }');
    }
    const location = options.location ?? options.loaded?.metadata?.location;
    if (typeof location !== 'string' || location === '') throw new ConfigurationError('vended credentials need a location, or a loaded table to take it from');
    const initialList = options.initial ?? options.loaded?.['storage-credentials'] ?? [];
    if (!Array.isArray(initialList)) throw new ConfigurationError('initial must be a list of storage credentials');
    this.location = location;
    this.table = { namespace: [...table.namespace], name: table.name };
    const catalog = options.catalog;
    const initial = selectCredential(initialList as VendedStorageCredential[], location, accept);
    this.#value = new RefreshingValue<VendedStorageCredential>({
      ...pickTiming(options),
      ...(initial ? { initial } : {}),
      expiresAt: (c) => vendedExpiry(c.config),
      fetch: async (previous) => {
        const response = await loadWithToken(catalog, this.table, previous?.['storage-refresh-token']);
        const list = Array.isArray(response?.['storage-credentials']) ? (response['storage-credentials'] as VendedStorageCredential[]) : [];
        const selected = selectCredential(list, location, accept);
        if (!selected) {
          throw new CatalogError({
            message: `the catalog vended no storage credential covering ${location}`,
            status: 0,
            type: 'NoStorageCredential',
            protocol: 'iceberg',
            request: 'GET loadCredentials',
          });
        }
        return selected;
      },
    });
  }

  /** The credential to use now, refreshed first when it is due. */
  async current(): Promise<CurrentCredential> {
    return view(await this.#value.get());
  }

  /** Refreshes now (sharing a refresh already in flight), e.g. after storage refused the current credential. */
  async refresh(): Promise<CurrentCredential> {
    return view(await this.#value.refresh());
  }

  /** Expiry of the credential held now (epoch ms); undefined before the first load or when it names none. */
  expiresAtMs(): number | undefined {
    return this.#value.expiresAtMs();
  }
}

function view(c: VendedStorageCredential): CurrentCredential {
  // A copy: a caller editing what it got must not change what every later caller is served.
  return { prefix: c.prefix, config: { ...c.config }, expiresAtMs: vendedExpiry(c.config) };
}

async function loadWithToken(catalog: CredentialLoader, table: TableIdentifier, token: string | undefined): Promise<LoadCredentialsResponse> {
  if (!token) return catalog.loadCredentials(table);
  try {
    return await catalog.loadCredentials(table, { storageRefreshToken: token });
  } catch (e) {
    // A refresh token outlives many credentials but not forever: once the catalog refuses it (400), a plain load for
    // the same table and caller gets a fresh credential and a fresh token.
    if (e instanceof CatalogError && e.status === 400) return catalog.loadCredentials(table);
    throw e;
  }
}

/**
 * Lance storage options (object_store settings with vended credentials and `expires_at_millis`), refreshed through
 * the namespace's DescribeTable. Defined against the one method it needs, so any Lance namespace client fits.
 */
import { CatalogError, ConfigurationError } from '../errors.js';
import { parseEpochMs, pickTiming, RefreshingValue, type RefreshTiming } from './refreshing.js';

/**
 * The part of a Lance namespace client the provider uses: DescribeTable, answering the table's location and its
 * storage options.
 *
 * @example
 * ```ts
 * const describer: LanceTableDescriber = new LanceNamespace({ uri, properties: { credential } }); // it has describeTable
 * ```
 */
export interface LanceTableDescriber {
  describeTable(
    id: string[],
    options?: { vendCredentials?: boolean },
  ): Promise<{ location?: string | undefined; storage_options?: Record<string, string> | null | undefined }>;
}

/**
 * Options of {@link lanceStorageOptionsProvider}.
 *
 * @example
 * ```ts
 * const options: LanceStorageOptionsProviderOptions = { namespace, id: ['db', 'events'], refreshBeforeMs: 60_000 };
 * ```
 */
export interface LanceStorageOptionsProviderOptions extends RefreshTiming {
  namespace: LanceTableDescriber;
  /** The table's id (namespace levels then table name). */
  id: string[];
  /** Storage options already in hand (e.g. from an earlier DescribeTable), used until they are due. */
  initial?: Record<string, string>;
}

/**
 * Current storage options of a Lance table, refreshed ahead of `expires_at_millis`.
 *
 * @example
 * ```ts
 * const options = await provider.storageOptions(); // { aws_access_key_id, ..., expires_at_millis }
 * ```
 */
export interface LanceStorageOptionsProvider {
  /** The options to open the dataset with now. They hold secrets: never log them. */
  storageOptions(): Promise<Record<string, string>>;
  /** The table location from the latest DescribeTable (undefined until one was made). */
  location(): string | undefined;
  /** When the current options expire (epoch ms), or undefined when they name no expiry or none are held. */
  expiresAtMs(): number | undefined;
}

interface Described {
  location: string | undefined;
  options: Record<string, string>;
}

/**
 * A Lance storage-options provider: DescribeTable once, then again whenever `expires_at_millis` draws near (one call
 * in flight at a time; a failed call keeps serving the old options while they are valid).
 *
 * @example
 * ```ts
 * const provider = lanceStorageOptionsProvider({ namespace: lance, id: ['db', 'events'] });
 * const dataset = await openDataset(location, { storageOptions: await provider.storageOptions() });
 * ```
 */
export function lanceStorageOptionsProvider(options: LanceStorageOptionsProviderOptions): LanceStorageOptionsProvider {
  if (typeof options?.namespace?.describeTable !== 'function')
    throw new ConfigurationError('a Lance storage-options provider needs a namespace with describeTable');
  if (!Array.isArray(options.id) || options.id.length === 0 || options.id.some((p) => typeof p !== 'string' || p === '')) {
    throw new ConfigurationError('a Lance storage-options provider needs the table id as non-empty strings');
  }
  if (options.initial !== undefined && (typeof options.initial !== 'object' || options.initial === null))
    throw new ConfigurationError('initial must be a storage options object');
  const id = [...options.id];
  const namespace = options.namespace;
  const value = new RefreshingValue<Described>({
    ...pickTiming(options),
    ...(options.initial ? { initial: { location: undefined, options: { ...options.initial } } } : {}),
    expiresAt: (d) => parseEpochMs(d.options['expires_at_millis']),
    fetch: async () => {
      const described = await namespace.describeTable(id, { vendCredentials: true });
      if (typeof described !== 'object' || described === null) {
        throw new CatalogError({
          message: `DescribeTable of ${id.join('.')} answered no table description`,
          status: 0,
          type: 'InvalidResponse',
          protocol: 'lance',
          request: 'POST describe',
        });
      }
      return { location: typeof described.location === 'string' ? described.location : undefined, options: { ...(described.storage_options ?? {}) } };
    },
  });
  return {
    storageOptions: async () => ({ ...(await value.get()).options }),
    location: () => value.peek()?.location,
    expiresAtMs: () => value.expiresAtMs(),
  };
}

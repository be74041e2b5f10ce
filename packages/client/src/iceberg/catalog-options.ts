/** Options of the Iceberg REST catalog client and of its table loads. */
import type { ClientOptions } from '../options.js';
import type { AccessDelegation, LoadTableResult } from './types.js';

/**
 * Options of {@link IcebergRestCatalog}.
 *
 * @example
 * ```ts
 * const options: IcebergRestCatalogOptions = { uri: 'http://127.0.0.1:8181', warehouse: 'lake', properties: { token } };
 * ```
 */
export interface IcebergRestCatalogOptions extends ClientOptions {
  /** Warehouse sent as `?warehouse=` to `/v1/config`; defaults to the `warehouse` property. */
  warehouse?: string;
  /** Send `Idempotency-Key` on mutations when the server advertises support (default true). */
  idempotencyKeys?: boolean;
}

/**
 * Options of loadTable.
 *
 * @example
 * ```ts
 * const t = await catalog.loadTable(id, { snapshots: 'refs', accessDelegation: 'vended-credentials' });
 * ```
 */
export interface LoadTableOptions {
  snapshots?: 'all' | 'refs';
  accessDelegation?: AccessDelegation;
  /** An ETag from an earlier load; when unchanged the call resolves to `undefined`. */
  ifNoneMatch?: string;
  signal?: AbortSignal;
}

/**
 * A loaded table plus its ETag.
 *
 * @example
 * ```ts
 * const first = await catalog.loadTable(id);
 * const changed = await catalog.loadTable(id, { ifNoneMatch: first.etag! }); // undefined when unchanged
 * ```
 */
export interface LoadedTable extends LoadTableResult {
  etag?: string | undefined;
}

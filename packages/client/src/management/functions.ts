/**
 * Functions (SQL UDFs, apache/iceberg#15180) through the management API (`management.functions`): the Iceberg spec
 * defines only their reads (IcebergRestCatalog's listFunctions and loadFunction), so a function's whole metadata is
 * put, read and dropped here. Needs the function grants on the namespace: `function:create` to create,
 * `function:replace` to replace, `function:drop` to drop, `function:read` to read. Errors are {@link CatalogError}s:
 * `isBadRequest` (the message names the field), `isForbidden`, `isNotFound` (the function or its namespace).
 */
import type * as protocol from '@lakegate/protocol';
import type { TableIdentifier } from '../iceberg/types.js';
import type { TransportRequest } from '../transport/http-transport.js';
import { LEVEL_SEPARATOR, segment } from './paths.js';

/**
 * A function's metadata as put: `function-uuid` (kept from the function replaced, else new) and `definition-log` (the
 * current versions) may be left out.
 *
 * @example
 * ```ts
 * await management.functions.put('lake', { namespace: ['sales'], name: 'add_one' }, {
 *   'format-version': 1,
 *   definitions: [{ 'definition-id': 'int', parameters: [{ name: 'x', type: 'int' }], 'return-type': 'int', 'function-type': 'udf',
 *     versions: [{ 'version-id': 1, representations: [{ type: 'sql', dialect: 'spark', sql: 'x + 1' }], 'timestamp-ms': Date.now() }], 'current-version-id': 1 }],
 * });
 * ```
 */
export type PutFunctionRequest = protocol.PutFunctionRequest;

type Call = <T>(method: TransportRequest['method'], path: string, request?: { body?: unknown; signal?: AbortSignal | undefined }) => Promise<T>;

const functionPath = (warehouse: string, fn: TableIdentifier) =>
  `warehouses/${segment(warehouse)}/namespaces/${segment(fn.namespace.join(LEVEL_SEPARATOR))}/functions/${segment(fn.name)}`;

export class ManagedFunctions {
  /** @internal */
  constructor(private readonly call: Call) {}

  /** The function, as loadFunction answers it. */
  async get(warehouse: string, fn: TableIdentifier, options: { signal?: AbortSignal } = {}): Promise<protocol.LoadFunctionResult> {
    return this.call('GET', functionPath(warehouse, fn), options);
  }

  /** Creates or replaces the function (its whole metadata); answers it as stored. */
  async put(
    warehouse: string,
    fn: TableIdentifier,
    metadata: PutFunctionRequest,
    options: { signal?: AbortSignal } = {},
  ): Promise<protocol.LoadFunctionResult> {
    return this.call('PUT', functionPath(warehouse, fn), { ...options, body: metadata });
  }

  /** Drops the function. */
  async drop(warehouse: string, fn: TableIdentifier, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.call('DELETE', functionPath(warehouse, fn), options);
  }
}

/** Iceberg REST request and response shapes used by the SDK (kebab-case as on the wire). */
import type * as protocol from '@lakegate/protocol';

// The wire shapes live in @lakegate/protocol; aliased here (not re-exported) so the SDK's docs and examples sit on them.

/**
 * The catalog's `/v1/config` answer: defaults and overrides for the client's properties, and the endpoints it serves.
 *
 * @example
 * ```ts
 * const config: CatalogConfig = await catalog.config();
 * const canRename = config.endpoints?.includes('POST /v1/{prefix}/tables/rename') ?? false;
 * ```
 */
export type CatalogConfig = protocol.CatalogConfig;

/**
 * The answer to a table's credentials endpoint: the storage credentials vended for it.
 *
 * @example
 * ```ts
 * const { 'storage-credentials': credentials }: LoadCredentialsResponse = await catalog.loadCredentials(id);
 * ```
 */
export type LoadCredentialsResponse = protocol.LoadCredentialsResponse;

/**
 * A vended storage credential: `config` (e.g. `s3.access-key-id`) applies to locations under `prefix`.
 *
 * @example
 * ```ts
 * const loaded = await catalog.loadTable(id, { accessDelegation: 'vended-credentials' });
 * const credential: StorageCredential | undefined = selectCredential(loaded['storage-credentials'] ?? [], loaded.metadata.location);
 * ```
 */
export type StorageCredential = protocol.StorageCredential;

/**
 * A table or view: its namespace levels and its name.
 *
 * @example
 * ```ts
 * const id: TableIdentifier = { namespace: ['sales', 'eu'], name: 'orders' };
 * const { metadata } = await catalog.loadTable(id);
 * ```
 */
export type TableIdentifier = protocol.TableIdentifier;

/**
 * A namespace: its levels, e.g. `['sales', 'eu']`.
 *
 * @example
 * ```ts
 * const ns: Namespace = ['sales', 'eu'];
 * ```
 */
export type Namespace = string[];

/**
 * Table metadata as the catalog returns it. Long ids (snapshot ids) are bigint when they exceed 2^53.
 *
 * @example
 * ```ts
 * const { metadata } = await catalog.loadTable(id); const current: TableMetadata['current-snapshot-id'] = metadata['current-snapshot-id'];
 * ```
 */
export interface TableMetadata {
  'format-version': number;
  'table-uuid': string;
  location: string;
  'current-snapshot-id'?: number | bigint | null;
  properties?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * View metadata as the catalog returns it.
 *
 * @example
 * ```ts
 * const { metadata }: { metadata: ViewMetadata } = await catalog.loadView(id);
 * ```
 */
export interface ViewMetadata {
  'view-uuid': string;
  'format-version': number;
  location: string;
  'current-version-id': number;
  properties?: Record<string, string>;
  [key: string]: unknown;
}

/**
 * The answer to create, load, register and commit of a table.
 *
 * @example
 * ```ts
 * const result: LoadTableResult = await catalog.createTable(['db'], { name: 't', schema });
 * ```
 */
export interface LoadTableResult {
  'metadata-location'?: string;
  metadata: TableMetadata;
  config?: Record<string, string>;
  'storage-credentials'?: StorageCredential[];
}

/**
 * The answer to create, load and replace of a view.
 *
 * @example
 * ```ts
 * const view: LoadViewResult = await catalog.loadView({ namespace: ['db'], name: 'v' });
 * ```
 */
export interface LoadViewResult {
  'metadata-location': string;
  metadata: ViewMetadata;
  config?: Record<string, string>;
}

/**
 * A schema in Iceberg's JSON form.
 *
 * @example
 * ```ts
 * const schema: Schema = { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
 * ```
 */
export interface Schema {
  type: 'struct';
  'schema-id'?: number;
  fields: Array<{ id: number; name: string; type: unknown; required: boolean; doc?: string }>;
  'identifier-field-ids'?: number[];
}

/**
 * Body of createTable / stageCreateTable.
 *
 * @example
 * ```ts
 * const request: CreateTableRequest = { name: 'events', schema, properties: { 'format-version': '2' } };
 * ```
 */
export interface CreateTableRequest {
  name: string;
  schema: Schema;
  location?: string;
  'partition-spec'?: unknown;
  'write-order'?: unknown;
  properties?: Record<string, string>;
}

/**
 * Body of createView.
 *
 * @example
 * ```ts
 * const request: CreateViewRequest = { name: 'v', schema, 'view-version': { 'version-id': 1, 'schema-id': 0, 'timestamp-ms': Date.now(), summary: {}, representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }], 'default-namespace': ['db'] } };
 * ```
 */
export interface CreateViewRequest {
  name: string;
  schema: Schema;
  location?: string;
  'view-version': Record<string, unknown>;
  properties?: Record<string, string>;
}

/**
 * A commit requirement (`assert-*`), see the Iceberg REST spec.
 *
 * @example
 * ```ts
 * const req: TableRequirement = { type: 'assert-table-uuid', uuid: metadata['table-uuid'] };
 * ```
 */
export type TableRequirement = { type: string; [key: string]: unknown };
/**
 * A metadata update (`add-snapshot`, `set-properties`, ...), see the Iceberg REST spec.
 *
 * @example
 * ```ts
 * const update: TableUpdate = { action: 'set-properties', updates: { owner: 'ana' } };
 * ```
 */
export type TableUpdate = { action: string; [key: string]: unknown };

/**
 * One table's part of a commit or multi-table transaction.
 *
 * @example
 * ```ts
 * await catalog.commitTransaction([{ identifier: { namespace: ['db'], name: 'a' }, requirements: [], updates: [update] }]);
 * ```
 */
export interface TableChange {
  identifier: { namespace: Namespace; name: string };
  requirements: TableRequirement[];
  updates: TableUpdate[];
}

/**
 * Which credentials to ask for on loads (`X-Iceberg-Access-Delegation`).
 *
 * @example
 * ```ts
 * await catalog.loadTable(id, { accessDelegation: 'vended-credentials' satisfies AccessDelegation });
 * ```
 */
export type AccessDelegation = 'vended-credentials' | 'remote-signing';

/**
 * A page of results and the token for the next one.
 *
 * @example
 * ```ts
 * const page: Page<TableIdentifier> = await catalog.listTables(['db'], { pageSize: 100 });
 * ```
 */
export interface Page<T> {
  items: T[];
  nextPageToken?: string | undefined;
}

/**
 * Paging options of list calls.
 *
 * @example
 * ```ts
 * const next = await catalog.listTables(['db'], { pageSize: 100, pageToken: page.nextPageToken } satisfies PageOptions);
 * ```
 */
export interface PageOptions {
  pageSize?: number;
  pageToken?: string;
}

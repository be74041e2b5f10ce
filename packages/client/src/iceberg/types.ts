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
 * Table metadata as the catalog returns it (the protocol's `TableMetadata`). Long ids (snapshot ids) are bigint when
 * they exceed 2^53. Fields a newer catalog adds are readable too (as `unknown`).
 *
 * @example
 * ```ts
 * const { metadata } = await catalog.loadTable(id); const current: TableMetadata['current-snapshot-id'] = metadata['current-snapshot-id'];
 * ```
 */
export type TableMetadata = protocol.TableMetadata & { [key: string]: unknown };

/**
 * View metadata as the catalog returns it (the protocol's `ViewMetadata`).
 *
 * @example
 * ```ts
 * const { metadata }: { metadata: ViewMetadata } = await catalog.loadView(id);
 * ```
 */
export type ViewMetadata = protocol.ViewMetadata & { [key: string]: unknown };

/**
 * The answer to create, load, register and commit of a table.
 *
 * @example
 * ```ts
 * const result: LoadTableResult = await catalog.createTable(['db'], { name: 't', schema });
 * ```
 */
export type LoadTableResult = Omit<protocol.LoadTableResult, 'metadata'> & { metadata: TableMetadata };

/**
 * The answer to create, load and replace of a view.
 *
 * @example
 * ```ts
 * const view: LoadViewResult = await catalog.loadView({ namespace: ['db'], name: 'v' });
 * ```
 */
export type LoadViewResult = Omit<protocol.LoadViewResult, 'metadata'> & { metadata: ViewMetadata };

/**
 * A schema in Iceberg's JSON form; the catalog assigns `schema-id` when it is omitted.
 *
 * @example
 * ```ts
 * const schema: Schema = { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
 * ```
 */
export type Schema = protocol.Schema;

/**
 * Body of createTable / stageCreateTable (`stage-create` is set by stageCreateTable).
 *
 * @example
 * ```ts
 * const request: CreateTableRequest = { name: 'events', schema, properties: { 'format-version': '2' } };
 * ```
 */
export type CreateTableRequest = protocol.CreateTableRequest;

/**
 * Body of createView.
 *
 * @example
 * ```ts
 * const request: CreateViewRequest = { name: 'v', schema, 'view-version': { 'version-id': 1, 'schema-id': 0, 'timestamp-ms': Date.now(), summary: {}, representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }], 'default-namespace': ['db'] } };
 * ```
 */
export type CreateViewRequest = protocol.CreateViewRequest;

/**
 * A commit requirement (`assert-*`): a table's or, for replaceView, a view's.
 *
 * @example
 * ```ts
 * const req: TableRequirement = { type: 'assert-table-uuid', uuid: metadata['table-uuid'] };
 * ```
 */
export type TableRequirement = protocol.TableRequirement | protocol.ViewRequirement;
/**
 * A metadata update (`add-snapshot`, `set-properties`, ...): a table's or, for replaceView, a view's.
 *
 * @example
 * ```ts
 * const update: TableUpdate = { action: 'set-properties', updates: { owner: 'ana' } };
 * ```
 */
export type TableUpdate = protocol.TableUpdate | protocol.ViewUpdate;

/**
 * One table's part of a multi-table transaction.
 *
 * @example
 * ```ts
 * await catalog.commitTransaction([{ identifier: { namespace: ['db'], name: 'a' }, requirements: [], updates: [update] }]);
 * ```
 */
export type TableChange = protocol.TableChange;

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

/**
 * A scan to plan on the server: snapshot (or start/end for an incremental append scan), filter (Iceberg's
 * expression JSON), selected columns, stats-fields.
 *
 * @example
 * ```ts
 * const plan = await catalog.planTableScan(id, { filter: { type: 'gt-eq', term: 'id', value: 10 } } satisfies PlanTableScanRequest);
 * ```
 */
export type PlanTableScanRequest = protocol.PlanTableScanRequest;

/**
 * A plan: `completed` with file scan tasks and/or plan tasks (and read-only storage credentials when asked for).
 *
 * @example
 * ```ts
 * const plan: PlanTableScanResult = await catalog.planTableScan(id);
 * for await (const page of catalog.scanTaskPages(id, plan)) console.log(page['file-scan-tasks']?.length);
 * ```
 */
export type PlanTableScanResult = protocol.PlanTableScanResult;

/**
 * The result of an earlier plan, fetched by its plan id.
 *
 * @example
 * ```ts
 * const again: FetchPlanningResult = await catalog.fetchPlanningResult(id, plan['plan-id']!);
 * ```
 */
export type FetchPlanningResult = protocol.FetchPlanningResult;

/**
 * File scan tasks of one plan task (and maybe further plan tasks).
 *
 * @example
 * ```ts
 * const page: FetchScanTasksResult = await catalog.fetchScanTasks(id, plan['plan-tasks']![0]!);
 * ```
 */
export type FetchScanTasksResult = protocol.FetchScanTasksResult;

/**
 * One file to read: its data file, the indices of its delete files in the same answer, the residual filter.
 *
 * @example
 * ```ts
 * const task: FileScanTask = page['file-scan-tasks']![0]!;
 * ```
 */
export type FileScanTask = protocol.FileScanTask;

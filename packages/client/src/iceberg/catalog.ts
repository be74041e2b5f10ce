/**
 * A client for any Iceberg REST catalog: config negotiation, namespaces, tables (with staged create for CTAS),
 * views, functions (read-only, functions.ts), multi-table transactions, credential loading, server-side scan planning
 * and paging.
 */
import type { AuthProvider } from '../auth/provider.js';
import type { IcebergRestCatalogOptions, LoadedTable, LoadTableOptions } from './catalog-options.js';
import { NegotiatedConfig } from './negotiated-config.js';
import { StagedTable } from './staged-table.js';
import { pageQuery, paginate } from './paging.js';
import { type LoadFunctionResult, listFunctions, loadFunction } from './functions.js';
import * as planning from './planning.js';
import * as views from './views.js';
import * as namespaces from './namespaces.js';
import * as tables from './table-calls.js';
import { falseIfNotFound } from './found.js';
import { type CatalogCalls, delegationHeader } from './planning.js';
import { buildTransport } from '../options.js';
import type { HttpTransport, TransportRequest } from '../transport/http-transport.js';
import type {
  AccessDelegation,
  CatalogConfig,
  CreateTableRequest,
  CreateViewRequest,
  FetchPlanningResult,
  FetchScanTasksResult,
  LoadCredentialsResponse,
  LoadTableResult,
  LoadViewResult,
  Namespace,
  Page,
  PageOptions,
  PlanTableScanRequest,
  PlanTableScanResult,
  TableChange,
  TableIdentifier,
  TableRequirement,
  TableUpdate,
} from './types.js';

export type { IcebergRestCatalogOptions, LoadedTable, LoadTableOptions } from './catalog-options.js';
export { StagedTable } from './staged-table.js';
export { paginate } from './paging.js';

/**
 * An Iceberg REST catalog client.
 *
 * @example
 * ```ts
 * const catalog = new IcebergRestCatalog({ uri: 'http://127.0.0.1:8181', properties: { credential: `${id}:${secret}` } });
 * await catalog.createNamespace(['db']);
 * for await (const table of catalog.tables(['db'])) console.log(table.name);
 * const { metadata } = await catalog.loadTable({ namespace: ['db'], name: 't' });
 * ```
 */
export class IcebergRestCatalog {
  readonly properties: Readonly<Record<string, string>>;
  private readonly transport: HttpTransport;
  private readonly warehouse: string | undefined;
  private readonly useIdempotencyKeys: boolean;
  private configPromise: Promise<NegotiatedConfig> | undefined;

  constructor(options: IcebergRestCatalogOptions);
  /** @internal a view of `parent` that authenticates with another provider (see {@link withAuth}). */
  constructor(options: IcebergRestCatalogOptions, parent: IcebergRestCatalog, auth: AuthProvider);
  constructor(options: IcebergRestCatalogOptions, parent?: IcebergRestCatalog, auth?: AuthProvider) {
    if (parent && auth) {
      this.transport = parent.transport.withAuth(auth);
      this.properties = parent.properties;
      this.warehouse = parent.warehouse;
      this.useIdempotencyKeys = parent.useIdempotencyKeys;
      this.configPromise = parent.configPromise;
      return;
    }
    const built = buildTransport(options);
    this.transport = built.transport;
    this.properties = built.properties;
    this.warehouse = options.warehouse ?? built.properties['warehouse'];
    this.useIdempotencyKeys = options.idempotencyKeys ?? true;
  }

  /**
   * A catalog that shares this one's connection and negotiated config but authenticates every call with `auth`,
   * e.g. a per-user session from the token-exchange provider.
   *
   * @example
   * ```ts
   * const asAlice = catalog.withAuth(exchange.sessionFor(aliceToken));
   * await asAlice.listTables(['db']);
   * ```
   */
  withAuth(auth: AuthProvider): IcebergRestCatalog {
    return new IcebergRestCatalog({}, this, auth);
  }

  /** Fetches `/v1/config` once (merging defaults, client properties and overrides) and returns it. */
  async config(signal?: AbortSignal): Promise<CatalogConfig> {
    return (await this.negotiated(signal)).raw;
  }

  /**
   * Whether the server advertises an endpoint, e.g. `catalog.supports('POST /v1/{prefix}/transactions/commit')`.
   */
  async supports(endpoint: string): Promise<boolean> {
    return (await this.negotiated()).endpoints.has(endpoint);
  }

  // ---------------------------------------------------------------- namespaces

  /** One page of namespaces under `parent` (top level when omitted). */
  listNamespaces(parent?: Namespace, page: PageOptions = {}): Promise<Page<Namespace>> {
    return namespaces.listNamespaces(this.calls, parent, page);
  }

  /** Every namespace under `parent`, following page tokens. */
  namespaces(parent?: Namespace, pageSize?: number): AsyncIterable<Namespace> {
    return paginate((token) => this.listNamespaces(parent, { ...(pageSize ? { pageSize } : {}), ...(token ? { pageToken: token } : {}) }));
  }

  /** Creates a namespace; rejects with a conflict error when it exists. */
  createNamespace(namespace: Namespace, properties: Record<string, string> = {}): Promise<{ namespace: Namespace; properties: Record<string, string> }> {
    return namespaces.createNamespace(this.calls, namespace, properties);
  }

  /** A namespace's properties. */
  loadNamespace(namespace: Namespace): Promise<Record<string, string>> {
    return namespaces.loadNamespace(this.calls, namespace);
  }

  /** Whether a namespace exists (HEAD when advertised, otherwise a load). */
  namespaceExists(namespace: Namespace): Promise<boolean> {
    return namespaces.namespaceExists(this.calls, namespace);
  }

  /** Sets and removes namespace properties; returns what changed. */
  updateNamespaceProperties(
    namespace: Namespace,
    change: { updates?: Record<string, string>; removals?: string[] },
  ): Promise<{ updated: string[]; removed: string[]; missing: string[] }> {
    return namespaces.updateNamespaceProperties(this.calls, namespace, change);
  }

  /** Drops an empty namespace. */
  dropNamespace(namespace: Namespace): Promise<void> {
    return namespaces.dropNamespace(this.calls, namespace);
  }

  // ---------------------------------------------------------------- tables

  /** One page of table identifiers in a namespace. */
  async listTables(namespace: Namespace, page: PageOptions = {}): Promise<Page<TableIdentifier>> {
    return this.listObjects('tables', namespace, page);
  }

  /** Every table in a namespace, following page tokens. */
  tables(namespace: Namespace, pageSize?: number): AsyncIterable<TableIdentifier> {
    return paginate((token) => this.listTables(namespace, { ...(pageSize ? { pageSize } : {}), ...(token ? { pageToken: token } : {}) }));
  }

  /** Creates a table (committed immediately). */
  async createTable(namespace: Namespace, request: CreateTableRequest, options: { accessDelegation?: AccessDelegation } = {}): Promise<LoadTableResult> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/namespaces/{namespace}/tables', 'createTable');
    const { body } = await this.send<LoadTableResult>({
      method: 'POST',
      path: `${c.namespacePath(namespace)}/tables`,
      body: request,
      headers: delegationHeader(options.accessDelegation),
      mutation: true,
    });
    return body;
  }

  /**
   * Stage-creates a table (Iceberg's create-table transaction, used for CTAS): nothing is visible until
   * {@link StagedTable.commit}. Vended credentials, when asked for, work before the commit.
   *
   * @example
   * ```ts
   * const staged = await catalog.stageCreateTable(['db'], { name: 'ctas', schema });
   * // ... write data files under staged.result.metadata.location ...
   * await staged.commit([{ action: 'add-snapshot', snapshot }, { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshot['snapshot-id'] }]);
   * ```
   */
  async stageCreateTable(namespace: Namespace, request: CreateTableRequest, options: { accessDelegation?: AccessDelegation } = {}): Promise<StagedTable> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/namespaces/{namespace}/tables', 'stageCreateTable');
    const { body } = await this.send<LoadTableResult>({
      method: 'POST',
      path: `${c.namespacePath(namespace)}/tables`,
      body: { ...request, 'stage-create': true },
      headers: delegationHeader(options.accessDelegation),
      mutation: true,
    });
    return new StagedTable(this, { namespace, name: request.name }, body);
  }

  /** Loads a table; with `ifNoneMatch` resolves to `undefined` when it has not changed. */
  async loadTable(identifier: TableIdentifier, options: LoadTableOptions & { ifNoneMatch: string }): Promise<LoadedTable | undefined>;
  async loadTable(identifier: TableIdentifier, options?: LoadTableOptions): Promise<LoadedTable>;
  async loadTable(identifier: TableIdentifier, options: LoadTableOptions = {}): Promise<LoadedTable | undefined> {
    const c = await this.negotiated();
    c.require('GET /v1/{prefix}/namespaces/{namespace}/tables/{table}', 'loadTable');
    const headers: Record<string, string> = { ...delegationHeader(options.accessDelegation) };
    if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;
    const response = await this.send<LoadTableResult>({
      method: 'GET',
      path: c.tablePath(identifier),
      query: { snapshots: options.snapshots },
      headers,
      accept: [304],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (response.status === 304) return undefined;
    return { ...response.body, etag: response.headers.get('etag') ?? undefined };
  }

  /** Whether a table exists (HEAD when advertised, otherwise a load). */
  async tableExists(identifier: TableIdentifier): Promise<boolean> {
    const c = await this.negotiated();
    if (c.endpoints.has('HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}')) {
      return this.exists({ method: 'HEAD', path: c.tablePath(identifier) });
    }
    return this.loadTable(identifier).then(() => true, falseIfNotFound);
  }

  /**
   * Commits requirements and updates to one table. A conflict (requirements no longer hold) rejects with an error
   * for which `isConflict` is true; an unknown outcome with one for which `isCommitStateUnknown` is true.
   */
  async commitTable(identifier: TableIdentifier, change: { requirements?: TableRequirement[]; updates: TableUpdate[] }): Promise<LoadTableResult> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}', 'commitTable');
    const { body } = await this.send<LoadTableResult>({
      method: 'POST',
      path: c.tablePath(identifier),
      body: { identifier: { namespace: identifier.namespace, name: identifier.name }, requirements: change.requirements ?? [], updates: change.updates },
      mutation: true,
    });
    return body;
  }

  /** Drops a table; with `purge` the catalog also deletes its files. */
  dropTable(identifier: TableIdentifier, options: { purge?: boolean } = {}): Promise<void> {
    return tables.dropTable(this.calls, identifier, options);
  }

  /** Renames or moves a table. */
  renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    return tables.renameTable(this.calls, from, to);
  }

  /** Registers existing table metadata under a name. */
  registerTable(namespace: Namespace, name: string, metadataLocation: string, options: { overwrite?: boolean } = {}): Promise<LoadTableResult> {
    return tables.registerTable(this.calls, namespace, name, metadataLocation, options);
  }

  /**
   * Fresh vended storage credentials for a table. With `storageRefreshToken` (from an earlier credential's config)
   * the server refreshes exactly that credential — which also works for staged, uncommitted tables.
   */
  loadCredentials(identifier: TableIdentifier, options: { storageRefreshToken?: string; signal?: AbortSignal } = {}): Promise<LoadCredentialsResponse> {
    return tables.loadCredentials(this.calls, identifier, options);
  }

  /** Sends a scan or commit metrics report. */
  reportMetrics(identifier: TableIdentifier, report: Record<string, unknown>): Promise<void> {
    return tables.reportMetrics(this.calls, identifier, report);
  }

  /** Commits changes to several tables atomically: all apply or none does. */
  commitTransaction(changes: TableChange[]): Promise<void> {
    return tables.commitTransaction(this.calls, changes);
  }

  // ---------------------------------------------------------------- scan planning (planning.ts)

  /** Asks the server to plan a scan (planTableScan): file scan tasks, or plan tasks to expand with {@link fetchScanTasks}. */
  planTableScan(
    identifier: TableIdentifier,
    request: PlanTableScanRequest = {},
    options: { accessDelegation?: AccessDelegation } = {},
  ): Promise<PlanTableScanResult> {
    return planning.planTableScan(this.calls, identifier, request, options);
  }

  /** The result of a plan this caller made (fetchPlanningResult); `submitted` while the server still plans it. */
  fetchPlanningResult(identifier: TableIdentifier, planId: string, options: { accessDelegation?: AccessDelegation } = {}): Promise<FetchPlanningResult> {
    return planning.fetchPlanningResult(this.calls, identifier, planId, options);
  }

  /**
   * A plan, completed: a `submitted` (async) plan is fetched again every `pollMs` (doubling up to 2 s) until the
   * server finishes it. A `failed` plan throws the server's error as a CatalogError; aborting `signal` stops
   * waiting and cancels the plan on the server.
   */
  awaitPlan(
    identifier: TableIdentifier,
    plan: PlanTableScanResult | FetchPlanningResult,
    options: planning.AwaitPlanOptions = {},
  ): Promise<PlanTableScanResult | FetchPlanningResult> {
    return planning.awaitPlan(this.calls, identifier, plan, options);
  }

  /** Tells the server a plan is no longer needed (cancelPlanning). */
  cancelPlanning(identifier: TableIdentifier, planId: string): Promise<void> {
    return planning.cancelPlanning(this.calls, identifier, planId);
  }

  /** Expands one plan task into file scan tasks (and maybe further plan tasks). */
  fetchScanTasks(identifier: TableIdentifier, planTask: string): Promise<FetchScanTasksResult> {
    return planning.fetchScanTasks(this.calls, identifier, planTask);
  }

  /**
   * Every page of file scan tasks of a completed plan, following its plan tasks one at a time (each page's
   * `delete-file-references` index that page's `delete-files`).
   */
  scanTaskPages(identifier: TableIdentifier, plan: PlanTableScanResult | FetchPlanningResult): AsyncGenerator<FetchScanTasksResult> {
    return planning.scanTaskPages(this.calls, identifier, plan);
  }

  // ---------------------------------------------------------------- views

  /** One page of view identifiers in a namespace. */
  async listViews(namespace: Namespace, page: PageOptions = {}): Promise<Page<TableIdentifier>> {
    return this.listObjects('views', namespace, page);
  }

  /** Every view in a namespace, following page tokens. */
  views(namespace: Namespace, pageSize?: number): AsyncIterable<TableIdentifier> {
    return paginate((token) => this.listViews(namespace, { ...(pageSize ? { pageSize } : {}), ...(token ? { pageToken: token } : {}) }));
  }

  /** Creates a view. */
  createView(namespace: Namespace, request: CreateViewRequest): Promise<LoadViewResult> {
    return views.createView(this.calls, namespace, request);
  }

  /** Loads a view. */
  loadView(identifier: TableIdentifier): Promise<LoadViewResult> {
    return views.loadView(this.calls, identifier);
  }

  /** Whether a view exists (HEAD when advertised, otherwise a load). */
  viewExists(identifier: TableIdentifier): Promise<boolean> {
    return views.viewExists(this.calls, identifier);
  }

  /** Replaces a view's version (requirements + updates, as for tables). */
  replaceView(identifier: TableIdentifier, change: { requirements?: TableRequirement[]; updates: TableUpdate[] }): Promise<LoadViewResult> {
    return views.replaceView(this.calls, identifier, change);
  }

  /** Drops a view. */
  dropView(identifier: TableIdentifier): Promise<void> {
    return views.dropView(this.calls, identifier);
  }

  /** Renames or moves a view. */
  renameView(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    return views.renameView(this.calls, from, to);
  }

  // ---------------------------------------------------------------- functions

  /** A page of a namespace's functions (SQL UDFs, apache/iceberg#15180; functions.ts), each as namespace + name. */
  listFunctions(namespace: Namespace, page: PageOptions = {}): Promise<Page<TableIdentifier>> {
    return listFunctions(this.calls, namespace, page);
  }

  /** A function's metadata: every overloaded definition and its SQL bodies per dialect. */
  loadFunction(identifier: TableIdentifier): Promise<LoadFunctionResult> {
    return loadFunction(this.calls, identifier);
  }

  // ---------------------------------------------------------------- internals

  private readonly calls: CatalogCalls = { negotiated: () => this.negotiated(), send: (request) => this.send(request) };

  private async listObjects(kind: 'tables' | 'views', namespace: Namespace, page: PageOptions): Promise<Page<TableIdentifier>> {
    const c = await this.negotiated();
    c.require(`GET /v1/{prefix}/namespaces/{namespace}/${kind}`, kind === 'tables' ? 'listTables' : 'listViews');
    const { body } = await this.send<{ identifiers: TableIdentifier[]; 'next-page-token'?: string | null }>({
      method: 'GET',
      path: `${c.namespacePath(namespace)}/${kind}`,
      query: pageQuery(page),
    });
    return { items: body.identifiers, nextPageToken: body['next-page-token'] ?? undefined };
  }

  private async exists(request: { method: 'HEAD'; path: string }): Promise<boolean> {
    return this.send(request).then(() => true, falseIfNotFound);
  }

  private async send<T>(request: Omit<TransportRequest, 'errorModel'> & { mutation?: boolean }) {
    const { mutation, ...rest } = request;
    const c = await this.negotiated();
    const withKey = mutation && this.useIdempotencyKeys && c.idempotencyKeys ? { idempotencyKey: globalThis.crypto.randomUUID() } : {};
    return this.transport.send<T>({ ...rest, ...withKey, errorModel: 'iceberg' });
  }

  private negotiated(signal?: AbortSignal): Promise<NegotiatedConfig> {
    if (!this.configPromise) {
      this.configPromise = this.transport
        .send<CatalogConfig>({
          method: 'GET',
          path: 'v1/config',
          query: { warehouse: this.warehouse },
          errorModel: 'iceberg',
          ...(signal ? { signal } : {}),
        })
        .then((r) => new NegotiatedConfig(r.body ?? { defaults: {}, overrides: {} }, this.properties));
      // A failed negotiation (server down, bad credentials) is retried by the next call instead of being cached.
      this.configPromise.catch(() => (this.configPromise = undefined));
    }
    return this.configPromise;
  }
}

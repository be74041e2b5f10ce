/**
 * A client for any Iceberg REST catalog: config negotiation, namespaces, tables (with staged create for CTAS),
 * views, multi-table transactions, credential loading and paging.
 */
import type { AuthProvider } from '../auth/provider.js';
import { CatalogError, isNotFound, UnsupportedOperationError } from '../errors.js';
import { buildTransport, type ClientOptions } from '../options.js';
import type { HttpTransport, TransportRequest } from '../transport/http-transport.js';
import type {
  AccessDelegation,
  CatalogConfig,
  CreateTableRequest,
  CreateViewRequest,
  LoadCredentialsResponse,
  LoadTableResult,
  LoadViewResult,
  Namespace,
  Page,
  PageOptions,
  TableChange,
  TableIdentifier,
  TableRequirement,
  TableUpdate,
} from './types.js';

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

/** The endpoints a server supports when its config lists none (the Iceberg REST spec's defaults). */
const DEFAULT_ENDPOINTS = [
  'GET /v1/{prefix}/namespaces',
  'POST /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}',
  'DELETE /v1/{prefix}/namespaces/{namespace}',
  'POST /v1/{prefix}/namespaces/{namespace}/properties',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'POST /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/register',
  'POST /v1/{prefix}/tables/rename',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics',
  'POST /v1/{prefix}/transactions/commit',
];

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
  async listNamespaces(parent?: Namespace, page: PageOptions = {}): Promise<Page<Namespace>> {
    const c = await this.negotiated();
    c.require('GET /v1/{prefix}/namespaces', 'listNamespaces');
    const { body } = await this.send<{ namespaces: Namespace[]; 'next-page-token'?: string | null }>({
      method: 'GET',
      path: `${c.base}/namespaces`,
      query: { parent: parent && parent.length ? c.encodeNamespace(parent, false) : undefined, pageSize: page.pageSize, pageToken: page.pageToken },
    });
    return { items: body.namespaces, nextPageToken: body['next-page-token'] ?? undefined };
  }

  /** Every namespace under `parent`, following page tokens. */
  namespaces(parent?: Namespace, pageSize?: number): AsyncIterable<Namespace> {
    return paginate((token) => this.listNamespaces(parent, { ...(pageSize ? { pageSize } : {}), ...(token ? { pageToken: token } : {}) }));
  }

  /** Creates a namespace; rejects with a conflict error when it exists. */
  async createNamespace(namespace: Namespace, properties: Record<string, string> = {}): Promise<{ namespace: Namespace; properties: Record<string, string> }> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/namespaces', 'createNamespace');
    const { body } = await this.send<{ namespace: Namespace; properties?: Record<string, string> }>({
      method: 'POST',
      path: `${c.base}/namespaces`,
      body: { namespace, properties },
      mutation: true,
    });
    return { namespace: body.namespace, properties: body.properties ?? {} };
  }

  /** A namespace's properties. */
  async loadNamespace(namespace: Namespace): Promise<Record<string, string>> {
    const c = await this.negotiated();
    c.require('GET /v1/{prefix}/namespaces/{namespace}', 'loadNamespace');
    const { body } = await this.send<{ properties?: Record<string, string> }>({ method: 'GET', path: c.namespacePath(namespace) });
    return body.properties ?? {};
  }

  /** Whether a namespace exists (HEAD when advertised, otherwise a load). */
  async namespaceExists(namespace: Namespace): Promise<boolean> {
    const c = await this.negotiated();
    if (c.endpoints.has('HEAD /v1/{prefix}/namespaces/{namespace}')) {
      return this.exists({ method: 'HEAD', path: c.namespacePath(namespace) });
    }
    return this.loadNamespace(namespace).then(() => true, falseIfNotFound);
  }

  /** Sets and removes namespace properties; returns what changed. */
  async updateNamespaceProperties(namespace: Namespace, change: { updates?: Record<string, string>; removals?: string[] }): Promise<{ updated: string[]; removed: string[]; missing: string[] }> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/namespaces/{namespace}/properties', 'updateNamespaceProperties');
    const { body } = await this.send<{ updated: string[]; removed: string[]; missing?: string[] | null }>({
      method: 'POST',
      path: `${c.namespacePath(namespace)}/properties`,
      body: { updates: change.updates ?? {}, removals: change.removals ?? [] },
      mutation: true,
    });
    return { updated: body.updated, removed: body.removed, missing: body.missing ?? [] };
  }

  /** Drops an empty namespace. */
  async dropNamespace(namespace: Namespace): Promise<void> {
    const c = await this.negotiated();
    c.require('DELETE /v1/{prefix}/namespaces/{namespace}', 'dropNamespace');
    await this.send({ method: 'DELETE', path: c.namespacePath(namespace), mutation: true });
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
  async dropTable(identifier: TableIdentifier, options: { purge?: boolean } = {}): Promise<void> {
    const c = await this.negotiated();
    c.require('DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}', 'dropTable');
    await this.send({ method: 'DELETE', path: c.tablePath(identifier), query: { purgeRequested: options.purge ? 'true' : undefined }, mutation: true });
  }

  /** Renames or moves a table. */
  async renameTable(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/tables/rename', 'renameTable');
    await this.send({ method: 'POST', path: `${c.base}/tables/rename`, body: { source: from, destination: to }, mutation: true });
  }

  /** Registers existing table metadata under a name. */
  async registerTable(namespace: Namespace, name: string, metadataLocation: string, options: { overwrite?: boolean } = {}): Promise<LoadTableResult> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/namespaces/{namespace}/register', 'registerTable');
    const body: Record<string, unknown> = { name, 'metadata-location': metadataLocation };
    if (options.overwrite) body['overwrite'] = true;
    const response = await this.send<LoadTableResult>({ method: 'POST', path: `${c.namespacePath(namespace)}/register`, body, mutation: true });
    return response.body;
  }

  /**
   * Fresh vended storage credentials for a table. With `storageRefreshToken` (from an earlier credential's config)
   * the server refreshes exactly that credential — which also works for staged, uncommitted tables.
   */
  async loadCredentials(identifier: TableIdentifier, options: { storageRefreshToken?: string; signal?: AbortSignal } = {}): Promise<LoadCredentialsResponse> {
    const c = await this.negotiated();
    c.require('GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials', 'loadCredentials');
    const { body } = await this.send<LoadCredentialsResponse>({
      method: 'GET',
      path: `${c.tablePath(identifier)}/credentials`,
      query: { storageRefreshToken: options.storageRefreshToken },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return body;
  }

  /** Sends a scan or commit metrics report. */
  async reportMetrics(identifier: TableIdentifier, report: Record<string, unknown>): Promise<void> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics', 'reportMetrics');
    await this.send({ method: 'POST', path: `${c.tablePath(identifier)}/metrics`, body: report, mutation: true });
  }

  /** Commits changes to several tables atomically: all apply or none does. */
  async commitTransaction(changes: TableChange[]): Promise<void> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/transactions/commit', 'commitTransaction');
    await this.send({ method: 'POST', path: `${c.base}/transactions/commit`, body: { 'table-changes': changes }, mutation: true });
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
  async createView(namespace: Namespace, request: CreateViewRequest): Promise<LoadViewResult> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/namespaces/{namespace}/views', 'createView');
    const { body } = await this.send<LoadViewResult>({ method: 'POST', path: `${c.namespacePath(namespace)}/views`, body: request, mutation: true });
    return body;
  }

  /** Loads a view. */
  async loadView(identifier: TableIdentifier): Promise<LoadViewResult> {
    const c = await this.negotiated();
    c.require('GET /v1/{prefix}/namespaces/{namespace}/views/{view}', 'loadView');
    const { body } = await this.send<LoadViewResult>({ method: 'GET', path: c.viewPath(identifier) });
    return body;
  }

  /** Whether a view exists. */
  async viewExists(identifier: TableIdentifier): Promise<boolean> {
    const c = await this.negotiated();
    if (c.endpoints.has('HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}')) return this.exists({ method: 'HEAD', path: c.viewPath(identifier) });
    return this.loadView(identifier).then(() => true, falseIfNotFound);
  }

  /** Replaces a view's version (requirements + updates, as for tables). */
  async replaceView(identifier: TableIdentifier, change: { requirements?: TableRequirement[]; updates: TableUpdate[] }): Promise<LoadViewResult> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/namespaces/{namespace}/views/{view}', 'replaceView');
    const { body } = await this.send<LoadViewResult>({
      method: 'POST',
      path: c.viewPath(identifier),
      body: { identifier, requirements: change.requirements ?? [], updates: change.updates },
      mutation: true,
    });
    return body;
  }

  /** Drops a view. */
  async dropView(identifier: TableIdentifier): Promise<void> {
    const c = await this.negotiated();
    c.require('DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}', 'dropView');
    await this.send({ method: 'DELETE', path: c.viewPath(identifier), mutation: true });
  }

  /** Renames or moves a view. */
  async renameView(from: TableIdentifier, to: TableIdentifier): Promise<void> {
    const c = await this.negotiated();
    c.require('POST /v1/{prefix}/views/rename', 'renameView');
    await this.send({ method: 'POST', path: `${c.base}/views/rename`, body: { source: from, destination: to }, mutation: true });
  }

  // ---------------------------------------------------------------- internals

  private async listObjects(kind: 'tables' | 'views', namespace: Namespace, page: PageOptions): Promise<Page<TableIdentifier>> {
    const c = await this.negotiated();
    c.require(`GET /v1/{prefix}/namespaces/{namespace}/${kind}`, kind === 'tables' ? 'listTables' : 'listViews');
    const { body } = await this.send<{ identifiers: TableIdentifier[]; 'next-page-token'?: string | null }>({
      method: 'GET',
      path: `${c.namespacePath(namespace)}/${kind}`,
      query: { pageSize: page.pageSize, pageToken: page.pageToken },
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

/**
 * A stage-created table: its load result and how to commit it (the assert-create commit).
 *
 * @example
 * ```ts
 * const staged = await catalog.stageCreateTable(['db'], { name: 'ctas', schema });
 * await staged.commit([{ action: 'add-snapshot', snapshot }, { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshot['snapshot-id'] }]);
 * ```
 */
export class StagedTable {
  constructor(
    private readonly catalog: IcebergRestCatalog,
    readonly identifier: TableIdentifier,
    readonly result: LoadTableResult,
  ) {}

  /** Creates the table with these updates (e.g. the CTAS snapshot), asserting nobody created it meanwhile. */
  async commit(updates: TableUpdate[] = []): Promise<LoadTableResult> {
    const metadata = this.result.metadata;
    const base: TableUpdate[] = [
      { action: 'assign-uuid', uuid: metadata['table-uuid'] },
      { action: 'upgrade-format-version', 'format-version': metadata['format-version'] },
    ];
    for (const schema of metadata.schemas ?? []) base.push({ action: 'add-schema', schema });
    for (const spec of metadata['partition-specs'] ?? []) base.push({ action: 'add-spec', spec });
    for (const order of metadata['sort-orders'] ?? []) base.push({ action: 'add-sort-order', 'sort-order': order });
    base.push({ action: 'set-current-schema', 'schema-id': -1 });
    base.push({ action: 'set-default-spec', 'spec-id': -1 });
    base.push({ action: 'set-default-sort-order', 'sort-order-id': -1 });
    base.push({ action: 'set-location', location: metadata.location });
    if (metadata.properties && Object.keys(metadata.properties).length) base.push({ action: 'set-properties', updates: metadata.properties });
    return this.catalog.commitTable(this.identifier, { requirements: [{ type: 'assert-create' }], updates: [...base, ...updates] });
  }
}

/** The server's config, merged with the client's properties, plus helpers that build encoded paths. */
class NegotiatedConfig {
  readonly endpoints: ReadonlySet<string>;
  readonly properties: Record<string, string>;
  readonly base: string;
  readonly idempotencyKeys: boolean;
  private readonly separator: string;
  private readonly pathSeparator: string;

  constructor(
    readonly raw: CatalogConfig,
    client: Readonly<Record<string, string>>,
  ) {
    // Iceberg's precedence: server defaults < client properties < server overrides.
    this.properties = { ...(raw.defaults ?? {}), ...client, ...(raw.overrides ?? {}) };
    this.endpoints = new Set(raw.endpoints && raw.endpoints.length ? raw.endpoints : DEFAULT_ENDPOINTS);
    // The prefix is a path fragment chosen by the server (already encoded, e.g. `my%20wh`): used as is, as Iceberg
    // clients do; encoding it again would address another warehouse.
    const prefix = this.properties['prefix'];
    this.base = prefix ? `v1/${prefix.replace(/^\/+|\/+$/g, '')}` : 'v1';
    this.idempotencyKeys = raw['idempotency-key-lifetime'] !== undefined;
    // `namespace-separator` is given URL-encoded (default %1F). Paths join the encoded levels with the encoded
    // separator, so a server with separator %2E still tells the level `a.b` from the levels `a`, `b`.
    const separator = this.properties['namespace-separator'] || '%1F';
    this.pathSeparator = separator;
    this.separator = safeDecode(separator);
  }

  encodeNamespace(namespace: Namespace, forPath = true): string {
    // A caller's bug, not an answer of the catalog.
    if (namespace.length === 0) throw new TypeError('a namespace needs at least one level');
    // In a query parameter the levels are joined with the decoded separator (URLSearchParams encodes it).
    return forPath ? namespace.map(encodeURIComponent).join(this.pathSeparator) : namespace.join(this.separator);
  }

  namespacePath(namespace: Namespace): string {
    return `${this.base}/namespaces/${this.encodeNamespace(namespace)}`;
  }

  tablePath(id: TableIdentifier): string {
    return `${this.namespacePath(id.namespace)}/tables/${encodeURIComponent(id.name)}`;
  }

  viewPath(id: TableIdentifier): string {
    return `${this.namespacePath(id.namespace)}/views/${encodeURIComponent(id.name)}`;
  }

  require(endpoint: string, operation: string): void {
    if (!this.endpoints.has(endpoint)) throw new UnsupportedOperationError(`the catalog does not support ${operation} (it does not advertise "${endpoint}")`);
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function delegationHeader(mode: AccessDelegation | undefined): Record<string, string> {
  return mode ? { 'x-iceberg-access-delegation': mode } : {};
}

function falseIfNotFound(e: unknown): false {
  if (isNotFound(e)) return false;
  throw e;
}

/**
 * Turns a page-fetching function into an async iterator over all items.
 *
 * @example
 * ```ts
 * for await (const ns of paginate((token) => catalog.listNamespaces(undefined, { pageSize: 100, pageToken: token }))) console.log(ns);
 * ```
 */
export async function* paginate<T>(fetchPage: (token: string | undefined) => Promise<Page<T>>): AsyncIterable<T> {
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await fetchPage(token);
    yield* page.items;
    token = page.nextPageToken || undefined;
    // A server that hands out the same token twice would loop forever; stop with an error instead.
    if (token !== undefined) {
      if (seen.has(token)) throw new CatalogError({ message: 'the server repeated a page token', status: 0, type: 'InvalidResponse', protocol: 'iceberg', request: '' });
      seen.add(token);
    }
  } while (token !== undefined);
}

/**
 * A client for the Lance REST Namespace API (namespace and table metadata operations), on the same transport and
 * auth providers as the Iceberg client.
 */
import { ConfigurationError, isNotFound } from '../errors.js';
import { paginate } from '../iceberg/catalog.js';
import type { Page } from '../iceberg/types.js';
import { buildTransport } from '../options.js';
import type {
  LanceNamespaceOptions,
  CreateNamespaceMode,
  RegisterTableMode,
  DescribeTableResponse,
  DeclareTableResponse,
  TableLocationResponse,
} from './types.js';
import type { AuthProvider } from '../auth/provider.js';
import type { HttpTransport, TransportRequest } from '../transport/http-transport.js';
import type {
  LanceBatchCreateTableVersionsResponse,
  LanceBranchContents,
  LanceBatchDeleteTableVersionsResponse,
  LanceCreateMaterializedViewResponse,
  LanceCreateTableVersionResponse,
  LanceMaterializedViewKind,
  LanceMaterializedViewUdtfEntry,
  LanceListTableBranchesResponse,
  LanceDescribeTableVersionResponse,
  LanceListTableVersionsResponse,
  LanceRestoreTableResponse,
  LanceTableVersion,
} from '@lakegate/protocol';

export type {
  LanceNamespaceOptions,
  CreateNamespaceMode,
  RegisterTableMode,
  DescribeTableResponse,
  DeclareTableResponse,
  TableLocationResponse,
} from './types.js';

/**
 * A Lance REST namespace client.
 *
 * @example
 * ```ts
 * const lance = new LanceNamespace({ uri: 'http://127.0.0.1:8181/lance/default', properties: { credential: 'id:secret' } });
 * await lance.createNamespace(['team']);
 * const { location, storage_options } = await lance.declareTable(['team', 'embeddings'], { vendCredentials: true });
 * ```
 */
export class LanceNamespace {
  readonly delimiter: string;
  private readonly transport: HttpTransport;

  constructor(options: LanceNamespaceOptions);
  /** @internal */
  constructor(options: LanceNamespaceOptions, parent: LanceNamespace, auth: AuthProvider);
  constructor(options: LanceNamespaceOptions, parent?: LanceNamespace, auth?: AuthProvider) {
    if (parent && auth) {
      this.transport = parent.transport.withAuth(auth);
      this.delimiter = parent.delimiter;
      return;
    }
    const built = buildTransport(options);
    this.transport = built.transport;
    const delimiter = options.delimiter ?? built.properties['delimiter'] ?? '$';
    if (delimiter === '') throw new ConfigurationError('the Lance id delimiter must not be empty');
    this.delimiter = delimiter;
  }

  /** A namespace client sharing this connection that authenticates with `auth` (e.g. a per-user session). */
  withAuth(auth: AuthProvider): LanceNamespace {
    return new LanceNamespace({}, this, auth);
  }

  // ---------------------------------------------------------------- namespaces

  /** One page of child namespace names under `parent` (the root when empty). */
  async listNamespaces(parent: string[] = [], page: { limit?: number; pageToken?: string } = {}): Promise<Page<string>> {
    const { body } = await this.send<{ namespaces?: string[]; page_token?: string | null }>({
      method: 'GET',
      path: this.path('namespace', parent, 'list'),
      query: { delimiter: this.delimiter, limit: page.limit, page_token: page.pageToken },
    });
    return { items: body?.namespaces ?? [], nextPageToken: body?.page_token ?? undefined };
  }

  /** Every child namespace name under `parent`, following page tokens. */
  namespaces(parent: string[] = [], limit?: number): AsyncIterable<string> {
    return paginate((token) => this.listNamespaces(parent, { ...(limit ? { limit } : {}), ...(token ? { pageToken: token } : {}) }));
  }

  /** Creates a namespace. */
  async createNamespace(
    id: string[],
    options: { mode?: CreateNamespaceMode; properties?: Record<string, string> } = {},
  ): Promise<{ properties?: Record<string, string> | null }> {
    const { body } = await this.send<{ properties?: Record<string, string> | null }>({
      method: 'POST',
      path: this.path('namespace', id, 'create'),
      body: { id, ...(options.mode ? { mode: options.mode } : {}), ...(options.properties ? { properties: options.properties } : {}) },
    });
    return body ?? {};
  }

  /** A namespace's properties. */
  async describeNamespace(id: string[]): Promise<{ properties?: Record<string, string> | null }> {
    const { body } = await this.send<{ properties?: Record<string, string> | null }>({
      method: 'POST',
      path: this.path('namespace', id, 'describe'),
      body: { id },
      idempotent: true,
    });
    return body ?? {};
  }

  /** Whether a namespace exists. */
  async namespaceExists(id: string[]): Promise<boolean> {
    return this.send({ method: 'POST', path: this.path('namespace', id, 'exists'), body: { id }, idempotent: true }).then(() => true, falseIfNotFound);
  }

  /** Drops a namespace (`behavior: 'cascade'` also drops its tables where the server allows it). */
  async dropNamespace(id: string[], options: { mode?: 'fail' | 'skip'; behavior?: 'restrict' | 'cascade' } = {}): Promise<void> {
    await this.send({ method: 'POST', path: this.path('namespace', id, 'drop'), body: { id, ...options } });
  }

  // ---------------------------------------------------------------- tables

  /** One page of table names in a namespace. */
  async listTables(namespace: string[], page: { limit?: number; pageToken?: string } = {}): Promise<Page<string>> {
    const { body } = await this.send<{ tables?: string[]; page_token?: string | null }>({
      method: 'GET',
      path: this.path('namespace', namespace, 'table/list'),
      query: { delimiter: this.delimiter, limit: page.limit, page_token: page.pageToken },
    });
    return { items: body?.tables ?? [], nextPageToken: body?.page_token ?? undefined };
  }

  /** Every table name in a namespace, following page tokens. */
  tables(namespace: string[], limit?: number): AsyncIterable<string> {
    return paginate((token) => this.listTables(namespace, { ...(limit ? { limit } : {}), ...(token ? { pageToken: token } : {}) }));
  }

  /**
   * One page of ListAllTables: every table of the warehouse the caller may see, across namespaces, as full ids
   * (namespace levels and name). The server joins them with the delimiter; they are split here.
   */
  async listAllTables(page: { limit?: number; pageToken?: string } = {}): Promise<Page<string[]>> {
    const { body } = await this.send<{ tables?: string[]; page_token?: string | null }>({
      method: 'GET',
      path: 'v1/table',
      query: { delimiter: this.delimiter, limit: page.limit, page_token: page.pageToken },
    });
    return { items: (body?.tables ?? []).map((id) => id.split(this.delimiter)), nextPageToken: body?.page_token ?? undefined };
  }

  /** Every table id of the warehouse the caller may see, following page tokens. */
  allTables(limit?: number): AsyncIterable<string[]> {
    return paginate((token) => this.listAllTables({ ...(limit ? { limit } : {}), ...(token ? { pageToken: token } : {}) }));
  }

  /**
   * A table's location and storage options; with `vendCredentials` the options carry short-lived credentials
   * scoped to the table (refresh by describing again — see the Lance storage-options provider).
   */
  async describeTable(
    id: string[],
    options: { vendCredentials?: boolean; withTableUri?: boolean; loadDetailedMetadata?: boolean; version?: number; signal?: AbortSignal } = {},
  ): Promise<DescribeTableResponse> {
    const body: Record<string, unknown> = { id };
    if (options.vendCredentials !== undefined) body['vend_credentials'] = options.vendCredentials;
    if (options.withTableUri !== undefined) body['with_table_uri'] = options.withTableUri;
    if (options.loadDetailedMetadata !== undefined) body['load_detailed_metadata'] = options.loadDetailedMetadata;
    if (options.version !== undefined) body['version'] = options.version;
    const response = await this.send<DescribeTableResponse>({
      method: 'POST',
      path: this.path('table', id, 'describe'),
      body,
      idempotent: true,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return response.body ?? {};
  }

  /** Whether a table exists. */
  async tableExists(id: string[]): Promise<boolean> {
    return this.send({ method: 'POST', path: this.path('table', id, 'exists'), body: { id }, idempotent: true }).then(() => true, falseIfNotFound);
  }

  /** Declares a new table: the server reserves it and says where to write the dataset. */
  async declareTable(id: string[], options: { location?: string; vendCredentials?: boolean } = {}): Promise<DeclareTableResponse> {
    const body: Record<string, unknown> = { id };
    if (options.location !== undefined) body['location'] = options.location;
    if (options.vendCredentials !== undefined) body['vend_credentials'] = options.vendCredentials;
    const response = await this.send<DeclareTableResponse>({ method: 'POST', path: this.path('table', id, 'declare'), body });
    return response.body ?? {};
  }

  /** Registers an existing Lance dataset at `location` under `id`. */
  async registerTable(
    id: string[],
    location: string,
    options: { mode?: RegisterTableMode; properties?: Record<string, string> } = {},
  ): Promise<TableLocationResponse> {
    const response = await this.send<TableLocationResponse>({
      method: 'POST',
      path: this.path('table', id, 'register'),
      body: { id, location, ...(options.mode ? { mode: options.mode } : {}), ...(options.properties ? { properties: options.properties } : {}) },
    });
    return response.body ?? {};
  }

  /** Drops a table and its data. */
  async dropTable(id: string[]): Promise<TableLocationResponse> {
    const response = await this.send<TableLocationResponse>({ method: 'POST', path: this.path('table', id, 'drop'), body: { id } });
    return response.body ?? {};
  }

  /** Removes a table from the namespace, keeping its data. */
  async deregisterTable(id: string[]): Promise<TableLocationResponse> {
    const response = await this.send<TableLocationResponse>({ method: 'POST', path: this.path('table', id, 'deregister'), body: { id } });
    return response.body ?? {};
  }

  /** Renames a table, optionally into another namespace. */
  async renameTable(id: string[], newName: string, newNamespace?: string[]): Promise<void> {
    await this.send({
      method: 'POST',
      path: this.path('table', id, 'rename'),
      body: { id, new_table_name: newName, ...(newNamespace ? { new_namespace_id: newNamespace } : {}) },
    });
  }

  /**
   * Makes the manifest staged at `manifestPath` version `version` of a table whose versions the catalog manages
   * (`managed_versioning`); a taken version is a conflict error (read the latest and retry).
   */
  async createTableVersion(
    id: string[],
    version: number,
    manifestPath: string,
    options: { manifestSize?: number; namingScheme?: 'V1' | 'V2'; metadata?: Record<string, string>; branch?: string } = {},
  ): Promise<LanceTableVersion> {
    const body: Record<string, unknown> = { id, version, manifest_path: manifestPath };
    if (options.branch !== undefined) body['branch'] = options.branch;
    if (options.manifestSize !== undefined) body['manifest_size'] = options.manifestSize;
    if (options.namingScheme !== undefined) body['naming_scheme'] = options.namingScheme;
    if (options.metadata !== undefined) body['metadata'] = options.metadata;
    const response = await this.send<LanceCreateTableVersionResponse>({ method: 'POST', path: this.path('table', id, 'version/create'), body });
    return response.body!.version;
  }

  /** A page of a table's versions, oldest first unless `descending` (`limit: 1, descending: true` is the latest). */
  async listTableVersions(id: string[], page: { limit?: number; pageToken?: string; descending?: boolean } = {}): Promise<Page<LanceTableVersion>> {
    const { body } = await this.send<LanceListTableVersionsResponse>({
      method: 'POST',
      path: this.path('table', id, 'version/list'),
      query: { delimiter: this.delimiter, limit: page.limit, page_token: page.pageToken, descending: page.descending },
      idempotent: true,
    });
    return { items: body?.versions ?? [], nextPageToken: body?.page_token ?? undefined };
  }

  /** One version of a table (the latest when `version` is omitted). */
  async describeTableVersion(id: string[], version?: number): Promise<LanceTableVersion> {
    const response = await this.send<LanceDescribeTableVersionResponse>({
      method: 'POST',
      path: this.path('table', id, 'version/describe'),
      body: { id, ...(version === undefined ? {} : { version }) },
      idempotent: true,
    });
    return response.body!.version;
  }

  /** Forgets version records in `[start, end)` ranges (end -1: to the latest); returns how many were forgotten. */
  async deleteTableVersions(id: string[], ranges: Array<{ start: number; end: number }>): Promise<number> {
    const response = await this.send<LanceBatchDeleteTableVersionsResponse>({
      method: 'POST',
      path: this.path('table', id, 'version/delete'),
      body: { id, ranges: ranges.map((r) => ({ start_version: r.start, end_version: r.end })) },
    });
    return Number(response.body?.deleted_count ?? 0);
  }

  /**
   * Restores a table whose versions the catalog manages to an earlier version: the catalog makes its next version a
   * copy of that one's state (a new manifest; no data is copied). Returns the uuid of the Restore transaction.
   */
  async restoreTable(id: string[], version: number): Promise<string | undefined> {
    const response = await this.send<LanceRestoreTableResponse>({ method: 'POST', path: this.path('table', id, 'restore'), body: { id, version } });
    return response.body?.transaction_id;
  }

  /** Versions of several tables (and branches), created all or none (BatchCreateTableVersions); answered in order. */
  async batchCreateTableVersions(
    entries: Array<{ id: string[]; version: number; manifestPath: string; branch?: string; namingScheme?: 'V1' | 'V2' }>,
  ): Promise<LanceTableVersion[]> {
    const body = {
      entries: entries.map((e) => ({
        id: e.id,
        version: e.version,
        manifest_path: e.manifestPath,
        ...(e.branch !== undefined ? { branch: e.branch } : {}),
        ...(e.namingScheme ? { naming_scheme: e.namingScheme } : {}),
      })),
    };
    const response = await this.send<LanceBatchCreateTableVersionsResponse>({ method: 'POST', path: 'v1/table/version/batch-create', body });
    return response.body?.versions ?? [];
  }

  /** A page of a managed table's branches other than main, by name, with the parent each was created from. */
  async listTableBranches(
    id: string[],
    page: { limit?: number; pageToken?: string } = {},
  ): Promise<{ branches: Record<string, LanceBranchContents>; nextPageToken: string | undefined }> {
    const { body } = await this.send<LanceListTableBranchesResponse>({
      method: 'POST',
      path: this.path('table', id, 'branches/list'),
      query: { delimiter: this.delimiter, limit: page.limit, page_token: page.pageToken },
      idempotent: true,
    });
    return { branches: body?.branches ?? {}, nextPageToken: body?.page_token ?? undefined };
  }

  /**
   * Creates a branch of a managed table from a version (its latest when absent) of another branch (main when absent):
   * the catalog's Lance writes it and commits its first version. 409 when the name is taken.
   */
  async createTableBranch(id: string[], name: string, from: { branch?: string; version?: number } = {}): Promise<void> {
    await this.send({
      method: 'POST',
      path: this.path('table', id, 'branches/create'),
      body: {
        id,
        name,
        ...(from.branch !== undefined ? { from_branch: from.branch } : {}),
        ...(from.version !== undefined ? { from_version: from.version } : {}),
      },
    });
  }

  /** Deletes a branch of a managed table: the catalog forgets its versions, and its ref and files go (409 while another branch was created from it). */
  async deleteTableBranch(id: string[], name: string): Promise<void> {
    await this.send({ method: 'POST', path: this.path('table', id, 'branches/delete'), body: { id, name } });
  }

  // ---------------------------------------------------------------- materialized views

  /**
   * Creates a materialized view (lance-namespace 0.13): the catalog stores its definition on a declared table with no
   * data (version 0), which DescribeTable answers in the `materialized_view.*` properties. The engine that computes the
   * view writes its data as a client: the catalog refreshes nothing (RefreshMaterializedView is a 406). 409 when taken.
   */
  async createMaterializedView(
    id: string[],
    definition: { kind: LanceMaterializedViewKind; sourceQuery: string; outputSchemaBase64: string; udtfSpec?: LanceMaterializedViewUdtfEntry },
  ): Promise<LanceCreateMaterializedViewResponse> {
    const { body } = await this.send<LanceCreateMaterializedViewResponse>({
      method: 'POST',
      path: this.path('materialized_view', id, 'create'),
      body: {
        id,
        kind: definition.kind,
        source_query: definition.sourceQuery,
        output_schema: definition.outputSchemaBase64,
        ...(definition.udtfSpec !== undefined ? { udtf_spec: definition.udtfSpec } : {}),
      },
    });
    return body;
  }

  // ---------------------------------------------------------------- internals

  /** `v1/{kind}/{id}/{op}` with the id joined by the delimiter; the root namespace is the delimiter itself. */
  private path(kind: 'namespace' | 'table' | 'materialized_view', id: string[], op: string): string {
    for (const level of id) {
      if (level === '' || level.includes(this.delimiter)) {
        throw new RangeError(`invalid Lance id level ${JSON.stringify(level)}: empty or containing the delimiter "${this.delimiter}"`);
      }
    }
    if (kind !== 'namespace' && id.length === 0) throw new RangeError('a table id needs at least a name');
    const joined = id.length === 0 ? this.delimiter : id.join(this.delimiter);
    return `v1/${kind}/${encodeURIComponent(joined)}/${op}`;
  }

  private send<T>(request: Omit<TransportRequest, 'errorModel'>) {
    const query = request.query ?? { delimiter: this.delimiter };
    return this.transport.send<T>({ ...request, query, errorModel: 'lance' });
  }
}

function falseIfNotFound(e: unknown): false {
  if (isNotFound(e)) return false;
  throw e;
}

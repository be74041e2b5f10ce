/**
 * A client for the Lance REST Namespace API (namespace and table metadata operations), on the same transport and
 * auth providers as the Iceberg client. The calls live by responsibility in namespaces.ts, tables.ts, versions.ts and
 * table-changes.ts; this class holds the connection and lends them its delimiter and transport (calls.ts).
 */
import { ConfigurationError } from '../errors.js';
import { paginate } from '../iceberg/paging.js';
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
import type { HttpTransport } from '../transport/http-transport.js';
import type { LanceCalls } from './calls.js';
import * as namespaces from './namespaces.js';
import * as tables from './tables.js';
import * as versions from './versions.js';
import * as tags from './tags.js';
import * as changes from './table-changes.js';
import type {
  LanceAddColumnsEntry,
  LanceAlterTableAddColumnsResponse,
  LanceBranchContents,
  LanceCreateMaterializedViewResponse,
  LanceMaterializedViewKind,
  LanceMaterializedViewUdtfEntry,
  LanceTableVersion,
  LanceTagContents,
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
  private readonly calls: LanceCalls;

  constructor(options: LanceNamespaceOptions);
  /** @internal */
  constructor(options: LanceNamespaceOptions, parent: LanceNamespace, auth: AuthProvider);
  constructor(options: LanceNamespaceOptions, parent?: LanceNamespace, auth?: AuthProvider) {
    if (parent && auth) {
      this.transport = parent.transport.withAuth(auth);
      this.delimiter = parent.delimiter;
    } else {
      const built = buildTransport(options);
      this.transport = built.transport;
      const delimiter = options.delimiter ?? built.properties['delimiter'] ?? '$';
      if (delimiter === '') throw new ConfigurationError('the Lance id delimiter must not be empty');
      this.delimiter = delimiter;
    }
    this.calls = {
      delimiter: this.delimiter,
      path: (kind, id, op) => this.path(kind, id, op),
      send: (request) => this.transport.send({ ...request, query: request.query ?? { delimiter: this.delimiter }, errorModel: 'lance' }),
    };
  }

  /** A namespace client sharing this connection that authenticates with `auth` (e.g. a per-user session). */
  withAuth(auth: AuthProvider): LanceNamespace {
    return new LanceNamespace({}, this, auth);
  }

  // ---------------------------------------------------------------- namespaces

  /** One page of child namespace names under `parent` (the root when empty). */
  listNamespaces(parent: string[] = [], page: { limit?: number; pageToken?: string } = {}): Promise<Page<string>> {
    return namespaces.listNamespaces(this.calls, parent, page);
  }

  /** Every child namespace name under `parent`, following page tokens. */
  namespaces(parent: string[] = [], limit?: number): AsyncIterable<string> {
    return paginate((token) => this.listNamespaces(parent, { ...(limit ? { limit } : {}), ...(token ? { pageToken: token } : {}) }));
  }

  /** Creates a namespace. */
  createNamespace(
    id: string[],
    options: { mode?: CreateNamespaceMode; properties?: Record<string, string> } = {},
  ): Promise<{ properties?: Record<string, string> | null }> {
    return namespaces.createNamespace(this.calls, id, options);
  }

  /** A namespace's properties. */
  describeNamespace(id: string[]): Promise<{ properties?: Record<string, string> | null }> {
    return namespaces.describeNamespace(this.calls, id);
  }

  /** Whether a namespace exists. */
  namespaceExists(id: string[]): Promise<boolean> {
    return namespaces.namespaceExists(this.calls, id);
  }

  /** Drops a namespace (`behavior: 'cascade'` also drops its tables where the server allows it). */
  dropNamespace(id: string[], options: { mode?: 'fail' | 'skip'; behavior?: 'restrict' | 'cascade' } = {}): Promise<void> {
    return namespaces.dropNamespace(this.calls, id, options);
  }

  // ---------------------------------------------------------------- tables

  /** One page of table names in a namespace. */
  listTables(namespace: string[], page: { limit?: number; pageToken?: string } = {}): Promise<Page<string>> {
    return tables.listTables(this.calls, namespace, page);
  }

  /** Every table name in a namespace, following page tokens. */
  tables(namespace: string[], limit?: number): AsyncIterable<string> {
    return paginate((token) => this.listTables(namespace, { ...(limit ? { limit } : {}), ...(token ? { pageToken: token } : {}) }));
  }

  /**
   * One page of ListAllTables: every table of the warehouse the caller may see, across namespaces, as full ids
   * (namespace levels and name). The server joins them with the delimiter; they are split here.
   */
  listAllTables(page: { limit?: number; pageToken?: string } = {}): Promise<Page<string[]>> {
    return tables.listAllTables(this.calls, page);
  }

  /** Every table id of the warehouse the caller may see, following page tokens. */
  allTables(limit?: number): AsyncIterable<string[]> {
    return paginate((token) => this.listAllTables({ ...(limit ? { limit } : {}), ...(token ? { pageToken: token } : {}) }));
  }

  /**
   * A table's location and storage options; with `vendCredentials` the options carry short-lived credentials
   * scoped to the table (refresh by describing again — see the Lance storage-options provider).
   */
  describeTable(id: string[], options: tables.DescribeTableOptions = {}): Promise<DescribeTableResponse> {
    return tables.describeTable(this.calls, id, options);
  }

  /** Whether a table exists. */
  tableExists(id: string[]): Promise<boolean> {
    return tables.tableExists(this.calls, id);
  }

  /** Declares a new table: the server reserves it and says where to write the dataset. */
  declareTable(id: string[], options: { location?: string; vendCredentials?: boolean } = {}): Promise<DeclareTableResponse> {
    return tables.declareTable(this.calls, id, options);
  }

  /** Registers an existing Lance dataset at `location` under `id`. */
  registerTable(
    id: string[],
    location: string,
    options: { mode?: RegisterTableMode; properties?: Record<string, string> } = {},
  ): Promise<TableLocationResponse> {
    return tables.registerTable(this.calls, id, location, options);
  }

  /** Drops a table and its data. */
  dropTable(id: string[]): Promise<TableLocationResponse> {
    return tables.removeTable(this.calls, id, 'drop');
  }

  /** Removes a table from the namespace, keeping its data. */
  deregisterTable(id: string[]): Promise<TableLocationResponse> {
    return tables.removeTable(this.calls, id, 'deregister');
  }

  /** Renames a table, optionally into another namespace. */
  renameTable(id: string[], newName: string, newNamespace?: string[]): Promise<void> {
    return tables.renameTable(this.calls, id, newName, newNamespace);
  }

  /**
   * Adds columns to a table whose versions the catalog manages (AlterTableAddColumns, lance-namespace 0.13): the
   * catalog writes them through the Lance library as one new version, and answers it. Each entry has exactly one of
   * `expression` (SQL evaluated once over the existing rows) or `computed` (added all-null, the expression kept for a
   * refresh, e.g. LanceDB's `refreshColumn`); the two are not mixed in one call. A taken name or an expression the
   * table cannot evaluate is a 400, a `virtual_column` (or a server without the Lance library) a 406.
   */
  addColumns(id: string[], columns: LanceAddColumnsEntry[], options: { branch?: string } = {}): Promise<LanceAlterTableAddColumnsResponse> {
    return changes.addColumns(this.calls, id, columns, options);
  }

  // ---------------------------------------------------------------- versions and branches

  /**
   * Makes the manifest staged at `manifestPath` version `version` of a table whose versions the catalog manages
   * (`managed_versioning`); a taken version is a conflict error (read the latest and retry).
   */
  createTableVersion(
    id: string[],
    version: number,
    manifestPath: string,
    options: { manifestSize?: number; namingScheme?: 'V1' | 'V2'; metadata?: Record<string, string>; branch?: string } = {},
  ): Promise<LanceTableVersion> {
    return versions.createTableVersion(this.calls, id, version, manifestPath, options);
  }

  /** A page of a table's versions, oldest first unless `descending` (`limit: 1, descending: true` is the latest). */
  listTableVersions(id: string[], page: { limit?: number; pageToken?: string; descending?: boolean } = {}): Promise<Page<LanceTableVersion>> {
    return versions.listTableVersions(this.calls, id, page);
  }

  /** One version of a table (the latest when `version` is omitted). */
  describeTableVersion(id: string[], version?: number): Promise<LanceTableVersion> {
    return versions.describeTableVersion(this.calls, id, version);
  }

  /** Forgets version records in `[start, end)` ranges (end -1: to the latest); returns how many were forgotten. */
  deleteTableVersions(id: string[], ranges: Array<{ start: number; end: number }>): Promise<number> {
    return versions.deleteTableVersions(this.calls, id, ranges);
  }

  /**
   * Restores a table whose versions the catalog manages to an earlier version: the catalog makes its next version a
   * copy of that one's state (a new manifest; no data is copied). Returns the uuid of the Restore transaction.
   */
  restoreTable(id: string[], version: number): Promise<string | undefined> {
    return versions.restoreTable(this.calls, id, version);
  }

  /** Versions of several tables (and branches), created all or none (BatchCreateTableVersions); answered in order. */
  batchCreateTableVersions(
    entries: Array<{ id: string[]; version: number; manifestPath: string; branch?: string; namingScheme?: 'V1' | 'V2' }>,
  ): Promise<LanceTableVersion[]> {
    return versions.batchCreateTableVersions(this.calls, entries);
  }

  /** A page of a managed table's branches other than main, by name, with the parent each was created from. */
  listTableBranches(
    id: string[],
    page: { limit?: number; pageToken?: string } = {},
  ): Promise<{ branches: Record<string, LanceBranchContents>; nextPageToken: string | undefined }> {
    return versions.listTableBranches(this.calls, id, page);
  }

  /**
   * Creates a branch of a managed table from a version (its latest when absent) of another branch (main when absent):
   * the catalog's Lance writes it and commits its first version. 409 when the name is taken.
   */
  createTableBranch(id: string[], name: string, from: { branch?: string; version?: number } = {}): Promise<void> {
    return versions.createTableBranch(this.calls, id, name, from);
  }

  /** Deletes a branch of a managed table: the catalog forgets its versions, and its ref and files go (409 while another branch was created from it). */
  deleteTableBranch(id: string[], name: string): Promise<void> {
    return versions.deleteTableBranch(this.calls, id, name);
  }

  // ---------------------------------------------------------------- tags

  /** A page of the table's tags by name (the dataset's `_refs/tags/`, registered datasets included). */
  listTableTags(
    id: string[],
    page: { limit?: number; pageToken?: string } = {},
  ): Promise<{ tags: Record<string, LanceTagContents>; nextPageToken: string | undefined }> {
    return tags.listTableTags(this.calls, id, page);
  }

  /** The version (and branch, absent for main) a tag names; 404 code 8 when the table has no such tag. */
  getTableTagVersion(id: string[], tag: string): Promise<{ version: number; branch?: string }> {
    return tags.getTableTagVersion(this.calls, id, tag);
  }

  /** Tags a version of main (the server's Lance writes the tag); 409 code 9 when taken, 404 code 11 without the version. */
  createTableTag(id: string[], tag: string, version: number): Promise<void> {
    return tags.putTableTag(this.calls, id, tag, version, 'create');
  }

  /** Moves a tag to another version of main. */
  updateTableTag(id: string[], tag: string, version: number): Promise<void> {
    return tags.putTableTag(this.calls, id, tag, version, 'update');
  }

  /** Deletes a tag (the version it named stays). */
  deleteTableTag(id: string[], tag: string): Promise<void> {
    return tags.deleteTableTag(this.calls, id, tag);
  }

  // ---------------------------------------------------------------- materialized views

  /**
   * Creates a materialized view (lance-namespace 0.13): the catalog stores its definition on a declared table with no
   * data (version 0), which DescribeTable answers in the `materialized_view.*` properties. The engine that computes the
   * view writes its data as a client: the catalog refreshes nothing (RefreshMaterializedView is a 406). 409 when taken.
   */
  createMaterializedView(
    id: string[],
    definition: { kind: LanceMaterializedViewKind; sourceQuery: string; outputSchemaBase64: string; udtfSpec?: LanceMaterializedViewUdtfEntry },
  ): Promise<LanceCreateMaterializedViewResponse> {
    return changes.createMaterializedView(this.calls, id, definition);
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
}

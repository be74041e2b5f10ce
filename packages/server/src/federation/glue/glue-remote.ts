/**
 * The RemoteCatalog port over the AWS Glue Data Catalog (docs/federation.md), on the AWS SDK v3 Glue client. Glue
 * keeps only the pointer: an Iceberg table is a Glue table with Parameters.table_type=ICEBERG and metadata_location,
 * a namespace is a Glue database (one level). So Lakegate writes the metadata files itself, with the warehouse's
 * storage profile, as for its own tables, and swaps the pointer as Iceberg's GlueCatalog does: UpdateTable with
 * previous_metadata_location set and the table's VersionId, which Glue checks (optimistic concurrency). A writer that
 * goes to Glue directly and one that goes through Lakegate therefore never lose each other's commits: the loser gets
 * ConcurrentModificationException, answered as the Iceberg 409 so that its client retries on the new base.
 * Every call is bounded by the warehouse's timeout (an abort signal per call; no SDK retry past it).
 */
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteTableCommand,
  GetDatabaseCommand,
  GetDatabasesCommand,
  GetTableCommand,
  GetTablesCommand,
  GlueClient,
  type Table,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { CatalogError } from '../../errors/catalog-error.js';
import type {
  FederationSettings,
  RemoteCatalog,
  RemoteCatalogKind,
  RemoteCredential,
  RemoteIdentifier,
  RemoteMetadataFiles,
  RemoteTable,
  StagedRemoteTable,
} from '../../catalog/ports/remote-catalog.js';
import { isCreateRequirements } from '../../catalog/metadata/table-requirements.js';
import { PointerTables } from '../pointer-tables.js';
import { type GlueSubject, glueError, invalid } from './glue-errors.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const ICEBERG = 'ICEBERG';

const isIceberg = (t: Table | undefined) => (t?.Parameters?.table_type ?? '').toUpperCase() === ICEBERG;

export class GlueRemote implements RemoteCatalog {
  private readonly client: GlueClient;
  private readonly timeoutMs: number;
  /** The metadata files, read (once per location) and written with the warehouse's storage. */
  private readonly tables: PointerTables;

  constructor(
    private readonly settings: FederationSettings,
    credential: RemoteCredential,
    files: RemoteMetadataFiles | undefined,
  ) {
    this.timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.tables = new PointerTables('Glue', files, invalid);
    const credentials =
      settings.accessKeyId !== undefined && credential.secretAccessKey !== undefined
        ? {
            accessKeyId: settings.accessKeyId,
            secretAccessKey: credential.secretAccessKey,
            ...(credential.sessionToken === undefined ? {} : { sessionToken: credential.sessionToken }),
          }
        : undefined;
    this.client = new GlueClient({ region: settings.region ?? 'us-east-1', endpoint: settings.uri, maxAttempts: 2, ...(credentials ? { credentials } : {}) });
  }

  /** One Glue call, bounded by the timeout; its failure as Lakegate's code. */
  private async call<T>(what: string, subject: GlueSubject, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await run(AbortSignal.timeout(this.timeoutMs));
    } catch (e) {
      throw glueError(e, what, subject, this.timeoutMs);
    }
  }

  private get catalog() {
    return this.settings.catalogId === undefined ? {} : { CatalogId: this.settings.catalogId };
  }

  private database(levels: readonly string[]): string {
    if (levels.length !== 1)
      throw new CatalogError(
        levels.length === 0 ? 'ERR_VALIDATION' : 'ERR_NAMESPACE_NOT_FOUND',
        `A Glue catalog has one namespace level (its databases): ${levels.join('.')}`,
      );
    return levels[0]!;
  }

  private async getTable(namespace: string[], name: string): Promise<{ table: Table; versionId: string | undefined; metadataLocation: string }> {
    const DatabaseName = this.database(namespace);
    const { Table: table } = await this.call('GetTable', 'table', (abortSignal) =>
      this.client.send(new GetTableCommand({ ...this.catalog, DatabaseName, Name: name }), { abortSignal }),
    );
    if (!table) throw invalid('GetTable answered no table');
    if (!isIceberg(table)) throw invalid(`${namespace[0]}.${name} is not an Iceberg table (Parameters.table_type is not ICEBERG)`);
    const metadataLocation = table.Parameters?.metadata_location;
    if (typeof metadataLocation !== 'string' || metadataLocation === '') throw invalid(`${namespace[0]}.${name} has no metadata_location`);
    return { table, versionId: table.VersionId, metadataLocation };
  }

  async check(): Promise<void> {
    await this.call('GetDatabases', 'namespace', (abortSignal) =>
      this.client.send(new GetDatabasesCommand({ ...this.catalog, MaxResults: 1 }), { abortSignal }),
    );
  }

  async listNamespaces(parent: string[]): Promise<string[][]> {
    if (parent.length > 0) {
      await this.call('GetDatabase', 'namespace', (abortSignal) =>
        this.client.send(new GetDatabaseCommand({ ...this.catalog, Name: this.database(parent) }), { abortSignal }),
      );
      return [];
    }
    const out: string[][] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.call('GetDatabases', 'namespace', (abortSignal) =>
        this.client.send(new GetDatabasesCommand({ ...this.catalog, NextToken }), { abortSignal }),
      );
      for (const d of page.DatabaseList ?? []) if (typeof d.Name === 'string') out.push([d.Name]);
      NextToken = page.NextToken || undefined;
    } while (NextToken !== undefined);
    return out;
  }

  async createNamespace(levels: string[], properties: Record<string, string>): Promise<void> {
    if (levels.length !== 1) throw new CatalogError('ERR_VALIDATION', `A Glue catalog has one namespace level (its databases): ${levels.join('.')}`);
    const { location, ...rest } = properties;
    const DatabaseInput = { Name: levels[0]!, Parameters: rest, ...(location === undefined ? {} : { LocationUri: location }) };
    await this.call('CreateDatabase', 'namespace', (abortSignal) =>
      this.client.send(new CreateDatabaseCommand({ ...this.catalog, DatabaseInput }), { abortSignal }),
    );
  }

  async listTables(namespace: string[]): Promise<RemoteIdentifier[]> {
    const DatabaseName = this.database(namespace);
    const out: RemoteIdentifier[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.call('GetTables', 'namespace', (abortSignal) =>
        this.client.send(new GetTablesCommand({ ...this.catalog, DatabaseName, NextToken }), { abortSignal }),
      );
      // Glue holds Hive, Delta and other tables too: only Iceberg tables are federated.
      for (const t of page.TableList ?? []) if (isIceberg(t) && typeof t.Name === 'string') out.push({ namespace: [DatabaseName], name: t.Name });
      NextToken = page.NextToken || undefined;
    } while (NextToken !== undefined);
    return out;
  }

  async loadTable(namespace: string[], name: string): Promise<RemoteTable> {
    const { metadataLocation } = await this.getTable(namespace, name);
    return PointerTables.answer(await this.tables.load(metadataLocation));
  }

  private defaultLocation(database: string, name: string): string {
    return `${this.tables.root}/${database}/${name}`;
  }

  /** Registers the Glue table pointing at a first metadata file (Glue refuses a second of the name: ERR_TABLE_EXISTS). */
  private async register(DatabaseName: string, name: string, written: { metadataLocation: string; location: string }): Promise<void> {
    const TableInput = {
      Name: name,
      TableType: 'EXTERNAL_TABLE',
      Parameters: { table_type: ICEBERG, metadata_location: written.metadataLocation },
      StorageDescriptor: { Location: written.location },
    };
    await this.call('CreateTable', 'table', (abortSignal) =>
      this.client.send(new CreateTableCommand({ ...this.catalog, DatabaseName, TableInput }), { abortSignal }),
    );
  }

  /** Writes the first metadata file, then registers the Glue table pointing at it (Glue refuses a second of the name). */
  async createTable(namespace: string[], request: Record<string, unknown>): Promise<RemoteTable> {
    const DatabaseName = this.database(namespace);
    return this.tables.createRegistered(
      request,
      (name) => this.defaultLocation(DatabaseName, name),
      (name, written) => this.register(DatabaseName, name, written),
    );
  }

  /**
   * A stage-create (CTAS): the would-be first metadata, nothing written and nothing registered in Glue. The database
   * must exist and the name be free now (a table of any type holds it); the create transaction's commit checks again.
   */
  async stageTable(namespace: string[], request: Record<string, unknown>): Promise<StagedRemoteTable> {
    const DatabaseName = this.database(namespace);
    const name = String(request.name);
    let existing: Table | undefined;
    try {
      ({ Table: existing } = await this.call('GetTable', 'table', (abortSignal) =>
        this.client.send(new GetTableCommand({ ...this.catalog, DatabaseName, Name: name }), { abortSignal }),
      ));
    } catch (e) {
      if (!(e instanceof CatalogError && e.code === 'ERR_TABLE_NOT_FOUND')) throw e;
    }
    if (existing) throw new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${DatabaseName}.${name}`);
    const location = typeof request.location === 'string' ? request.location : this.defaultLocation(DatabaseName, name);
    return this.tables.stage(request, location);
  }

  /**
   * The client's requirements checked against the metadata Glue points at now, the updates applied, a new metadata file
   * written, and the pointer swapped only if the Glue table is still the version read (VersionId).
   */
  async commitTable(namespace: string[], name: string, requirements: readonly unknown[], updates: readonly unknown[]): Promise<RemoteTable> {
    if (isCreateRequirements(requirements)) {
      // A create transaction's commit: the first metadata file, then CreateTable, which Glue refuses for a name taken
      // meanwhile (409, the file deleted again: pointer-tables.ts).
      const DatabaseName = this.database(namespace);
      const created = await this.tables.createByCommit(requirements, updates, this.defaultLocation(DatabaseName, name), (written) =>
        this.register(DatabaseName, name, written),
      );
      return PointerTables.answer(created);
    }
    const { table, versionId, metadataLocation } = await this.getTable(namespace, name);
    const base = await this.tables.load(metadataLocation);
    const written = await this.tables.next(base, requirements, updates);
    if (!written) return PointerTables.answer(base);
    const TableInput = {
      Name: name,
      TableType: table.TableType ?? 'EXTERNAL_TABLE',
      ...(table.Description === undefined ? {} : { Description: table.Description }),
      Parameters: { ...table.Parameters, table_type: ICEBERG, metadata_location: written.metadataLocation, previous_metadata_location: metadataLocation },
      StorageDescriptor: { ...table.StorageDescriptor, Location: written.location },
    };
    await this.call('UpdateTable', 'table', (abortSignal) =>
      this.client.send(
        new UpdateTableCommand({ ...this.catalog, DatabaseName: namespace[0]!, TableInput, ...(versionId === undefined ? {} : { VersionId: versionId }) }),
        { abortSignal },
      ),
    );
    return PointerTables.answer(written);
  }

  async dropTable(namespace: string[], name: string): Promise<void> {
    await this.getTable(namespace, name);
    await this.call('DeleteTable', 'table', (abortSignal) =>
      this.client.send(new DeleteTableCommand({ ...this.catalog, DatabaseName: namespace[0]!, Name: name }), { abortSignal }),
    );
  }
}

export const glueKind: RemoteCatalogKind = { kind: 'glue', connect: (settings, credential, files) => new GlueRemote(settings, credential, files) };

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
import { CreateDatabaseCommand, CreateTableCommand, DeleteTableCommand, GetDatabaseCommand, GetDatabasesCommand, GetTableCommand, GetTablesCommand, GlueClient, type Table, UpdateTableCommand } from '@aws-sdk/client-glue';
import { CatalogError } from '../../errors/catalog-error.js';
import { applyTableUpdatesDetailed, checkTableRequirements, nextMetadataLocation, newTableMetadata, parseTableMetadata, stripTrailingSlash, type TableMetadata, withMetadataLog } from '../../catalog/metadata/index.js';
import { readMetadataFile, writeMetadataFile } from '../../catalog/metadata-files.js';
import type { FederationSettings, RemoteCatalog, RemoteCatalogKind, RemoteCredential, RemoteIdentifier, RemoteMetadataFiles, RemoteTable } from '../../catalog/ports/remote-catalog.js';
import { type GlueSubject, glueError, invalid } from './glue-errors.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const ICEBERG = 'ICEBERG';

const isIceberg = (t: Table | undefined) => (t?.Parameters?.table_type ?? '').toUpperCase() === ICEBERG;

/** The AWS regional endpoint, when the settings do not override it. */
export const glueEndpoint = (region: string) => `https://glue.${region}.amazonaws.com`;

export class GlueRemote implements RemoteCatalog {
  private readonly client: GlueClient;
  private readonly timeoutMs: number;
  /** Metadata already read, by metadata location (an immutable file: read once; bounded, cleared when full). */
  private readonly read = new Map<string, RemoteTable>();

  constructor(
    private readonly settings: FederationSettings,
    credential: RemoteCredential,
    private readonly files: RemoteMetadataFiles | undefined,
  ) {
    this.timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const credentials = settings.accessKeyId !== undefined && credential.secretAccessKey !== undefined ? { accessKeyId: settings.accessKeyId, secretAccessKey: credential.secretAccessKey, ...(credential.sessionToken === undefined ? {} : { sessionToken: credential.sessionToken }) } : undefined;
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
    if (levels.length !== 1) throw new CatalogError(levels.length === 0 ? 'ERR_VALIDATION' : 'ERR_NAMESPACE_NOT_FOUND', `A Glue catalog has one namespace level (its databases): ${levels.join('.')}`);
    return levels[0]!;
  }

  private storageFiles(): RemoteMetadataFiles {
    if (!this.files) throw new TypeError('a Glue remote without metadata files was asked for a table');
    return this.files;
  }

  private async getTable(namespace: string[], name: string): Promise<{ table: Table; versionId: string | undefined; metadataLocation: string }> {
    const DatabaseName = this.database(namespace);
    const { Table: table } = await this.call('GetTable', 'table', (abortSignal) => this.client.send(new GetTableCommand({ ...this.catalog, DatabaseName, Name: name }), { abortSignal }));
    if (!table) throw invalid('GetTable answered no table');
    if (!isIceberg(table)) throw invalid(`${namespace[0]}.${name} is not an Iceberg table (Parameters.table_type is not ICEBERG)`);
    const metadataLocation = table.Parameters?.metadata_location;
    if (typeof metadataLocation !== 'string' || metadataLocation === '') throw invalid(`${namespace[0]}.${name} has no metadata_location`);
    return { table, versionId: table.VersionId, metadataLocation };
  }

  /** The metadata file at a location Glue named, read with the warehouse's storage and checked to be Iceberg metadata. */
  private async readTable(metadataLocation: string): Promise<RemoteTable & { metadata: TableMetadata }> {
    // Glue may name any location: outside the warehouse's storage nothing is read with its credentials (the mirror
    // refuses such a table as well; here it is refused before the read).
    if (!this.storageFiles().allows(metadataLocation)) throw new CatalogError('ERR_FORBIDDEN', `The Glue table's metadata file lies outside this warehouse's storage: Lakegate does not serve it`);
    let json: string;
    let metadata: TableMetadata;
    try {
      const file = await readMetadataFile(await this.storageFiles().storage(), metadataLocation);
      json = file.json;
      metadata = parseTableMetadata(file.metadata);
    } catch (e) {
      if (e instanceof CatalogError && (e.code === 'ERR_UNAVAILABLE' || e.code === 'ERR_FORBIDDEN')) throw e;
      throw invalid(`the metadata file at ${metadataLocation} is not valid Iceberg table metadata (${(e as Error).message.slice(0, 300)})`);
    }
    const table = { metadataLocation, metadataJson: json, uuid: metadata['table-uuid'], location: metadata.location, metadata };
    if (this.read.size >= 10_000) this.read.clear();
    this.read.set(metadataLocation, table);
    return table;
  }

  private async loadWithMetadata(metadataLocation: string): Promise<RemoteTable & { metadata: TableMetadata }> {
    return this.read.get(metadataLocation) as (RemoteTable & { metadata: TableMetadata }) | undefined ?? this.readTable(metadataLocation);
  }

  private async write(metadataLocation: string, metadata: TableMetadata): Promise<RemoteTable & { metadata: TableMetadata }> {
    const json = await writeMetadataFile(await this.storageFiles().storage(), metadataLocation, metadata);
    return { metadataLocation, metadataJson: json, uuid: metadata['table-uuid'], location: metadata.location, metadata };
  }

  private static answer(t: RemoteTable): RemoteTable {
    return { metadataLocation: t.metadataLocation, metadataJson: t.metadataJson, uuid: t.uuid, location: t.location };
  }

  async check(): Promise<void> {
    await this.call('GetDatabases', 'namespace', (abortSignal) => this.client.send(new GetDatabasesCommand({ ...this.catalog, MaxResults: 1 }), { abortSignal }));
  }

  async listNamespaces(parent: string[]): Promise<string[][]> {
    if (parent.length > 0) {
      await this.call('GetDatabase', 'namespace', (abortSignal) => this.client.send(new GetDatabaseCommand({ ...this.catalog, Name: this.database(parent) }), { abortSignal }));
      return [];
    }
    const out: string[][] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.call('GetDatabases', 'namespace', (abortSignal) => this.client.send(new GetDatabasesCommand({ ...this.catalog, NextToken }), { abortSignal }));
      for (const d of page.DatabaseList ?? []) if (typeof d.Name === 'string') out.push([d.Name]);
      NextToken = page.NextToken || undefined;
    } while (NextToken !== undefined);
    return out;
  }

  async createNamespace(levels: string[], properties: Record<string, string>): Promise<void> {
    if (levels.length !== 1) throw new CatalogError('ERR_VALIDATION', `A Glue catalog has one namespace level (its databases): ${levels.join('.')}`);
    const { location, ...rest } = properties;
    const DatabaseInput = { Name: levels[0]!, Parameters: rest, ...(location === undefined ? {} : { LocationUri: location }) };
    await this.call('CreateDatabase', 'namespace', (abortSignal) => this.client.send(new CreateDatabaseCommand({ ...this.catalog, DatabaseInput }), { abortSignal }));
  }

  async listTables(namespace: string[]): Promise<RemoteIdentifier[]> {
    const DatabaseName = this.database(namespace);
    const out: RemoteIdentifier[] = [];
    let NextToken: string | undefined;
    do {
      const page = await this.call('GetTables', 'namespace', (abortSignal) => this.client.send(new GetTablesCommand({ ...this.catalog, DatabaseName, NextToken }), { abortSignal }));
      // Glue holds Hive, Delta and other tables too: only Iceberg tables are federated.
      for (const t of page.TableList ?? []) if (isIceberg(t) && typeof t.Name === 'string') out.push({ namespace: [DatabaseName], name: t.Name });
      NextToken = page.NextToken || undefined;
    } while (NextToken !== undefined);
    return out;
  }

  async loadTable(namespace: string[], name: string): Promise<RemoteTable> {
    const { metadataLocation } = await this.getTable(namespace, name);
    return GlueRemote.answer(await this.loadWithMetadata(metadataLocation));
  }

  /** Writes the first metadata file, then registers the Glue table pointing at it (Glue refuses a second of the name). */
  async createTable(namespace: string[], request: Record<string, unknown>): Promise<RemoteTable> {
    const DatabaseName = this.database(namespace);
    const name = String(request.name);
    const location = typeof request.location === 'string' ? stripTrailingSlash(request.location) : `${stripTrailingSlash(this.storageFiles().root)}/${DatabaseName}/${name}`;
    const metadata = newTableMetadata({ schema: request.schema, partitionSpec: request['partition-spec'], sortOrder: request['write-order'], location, properties: request.properties, nowMs: Date.now() } as Parameters<typeof newTableMetadata>[0]);
    const written = await this.write(nextMetadataLocation(metadata, null, crypto.randomUUID()), metadata);
    const TableInput = { Name: name, TableType: 'EXTERNAL_TABLE', Parameters: { table_type: ICEBERG, metadata_location: written.metadataLocation }, StorageDescriptor: { Location: location } };
    await this.call('CreateTable', 'table', (abortSignal) => this.client.send(new CreateTableCommand({ ...this.catalog, DatabaseName, TableInput }), { abortSignal }));
    return GlueRemote.answer(written);
  }

  /**
   * The client's requirements checked against the metadata Glue points at now, the updates applied, a new metadata file
   * written, and the pointer swapped only if the Glue table is still the version read (VersionId).
   */
  async commitTable(namespace: string[], name: string, requirements: readonly unknown[], updates: readonly unknown[]): Promise<RemoteTable> {
    const { table, versionId, metadataLocation } = await this.getTable(namespace, name);
    const base = await this.loadWithMetadata(metadataLocation);
    checkTableRequirements(base.metadata, requirements);
    const { metadata } = applyTableUpdatesDetailed(base.metadata, updates, { nowMs: Date.now(), newUuid: () => crypto.randomUUID() });
    if (metadata === base.metadata) return GlueRemote.answer(base);
    const next = withMetadataLog(base.metadata, metadataLocation, metadata);
    const written = await this.write(nextMetadataLocation(next, metadataLocation, crypto.randomUUID()), next);
    const TableInput = {
      Name: name,
      TableType: table.TableType ?? 'EXTERNAL_TABLE',
      ...(table.Description === undefined ? {} : { Description: table.Description }),
      Parameters: { ...table.Parameters, table_type: ICEBERG, metadata_location: written.metadataLocation, previous_metadata_location: metadataLocation },
      StorageDescriptor: { ...table.StorageDescriptor, Location: next.location },
    };
    await this.call('UpdateTable', 'table', (abortSignal) =>
      this.client.send(new UpdateTableCommand({ ...this.catalog, DatabaseName: namespace[0]!, TableInput, ...(versionId === undefined ? {} : { VersionId: versionId }) }), { abortSignal }),
    );
    return GlueRemote.answer(written);
  }

  async dropTable(namespace: string[], name: string): Promise<void> {
    await this.getTable(namespace, name);
    await this.call('DeleteTable', 'table', (abortSignal) => this.client.send(new DeleteTableCommand({ ...this.catalog, DatabaseName: namespace[0]!, Name: name }), { abortSignal }));
  }
}

export const glueKind: RemoteCatalogKind = { kind: 'glue', connect: (settings, credential, files) => new GlueRemote(settings, credential, files) };

/**
 * The RemoteCatalog port over a Hive Metastore (docs/federation.md), through its Thrift API (hms-client.ts). HMS keeps
 * only the pointer, as Glue does: an Iceberg table is an HMS table with parameters table_type=ICEBERG and
 * metadata_location, a namespace is an HMS database (one level). Lakegate writes the metadata files itself with the
 * warehouse's storage profile (pointer-tables.ts) and swaps the pointer as Iceberg's HiveTableOperations does when it
 * runs without HMS locks (Hive 4, HIVE-26882): alter_table_with_environment_context carrying
 * expected_parameter_key=metadata_location and expected_parameter_value=<the base pointer>, which HMS compares and
 * swaps inside its own transaction: the loser of a race with another writer that sends the expected value gets "The
 * table has been modified", answered as the Iceberg 409. It takes no HMS table lock (docs/federation.md says why and
 * what that leaves open: an Iceberg writer with HMS locks on sends its alter without an expected value, trusting its
 * lock, so it could overwrite a Lakegate commit that lands between its check and its alter).
 * Every call is bounded by the warehouse's timeout.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type {
  FederationSettings,
  RemoteCatalog,
  RemoteCatalogKind,
  RemoteIdentifier,
  RemoteMetadataFiles,
  RemoteTable,
} from '../../catalog/ports/remote-catalog.js';
import { PointerTables } from '../pointer-tables.js';
import { HmsClient } from './hms-client.js';
import { type HmsCodes, hmsError, invalid } from './hms-errors.js';
import { database, icebergTable, isIcebergTable, METADATA_LOCATION, stringList, tableList, tableName, tableParameters, withPointer } from './hive-structs.js';
import { asStruct, list, str, stringMap, struct, T, type ThriftStruct, type ThriftValue } from './thrift-values.js';

const DEFAULT_TIMEOUT_MS = 10_000;
/** Table names asked per get_table_objects_by_name_req. */
const BATCH = 100;
/** The owner HMS records for a table Lakegate creates. */
const OWNER = 'lakegate';

/** `thrift://host:port` (settings.ts checked it) as the socket's address. */
export function thriftAddress(uri: string): { host: string; port: number } {
  const url = new URL(uri);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 9083) };
}

export class HiveRemote implements RemoteCatalog {
  private readonly client: HmsClient;
  private readonly tables: PointerTables;

  constructor(settings: FederationSettings, files: RemoteMetadataFiles | undefined) {
    const { host, port } = thriftAddress(settings.uri);
    this.client = new HmsClient(host, port, settings.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.tables = new PointerTables('Hive', files, invalid);
  }

  private async call(method: string, args: Array<[number, ThriftValue]>, codes: HmsCodes = {}): Promise<ThriftValue | undefined> {
    try {
      return await this.client.call(method, args);
    } catch (e) {
      throw hmsError(e, codes);
    }
  }

  private database(levels: readonly string[]): string {
    if (levels.length !== 1)
      throw new CatalogError(
        levels.length === 0 ? 'ERR_VALIDATION' : 'ERR_NAMESPACE_NOT_FOUND',
        `A Hive metastore has one namespace level (its databases): ${levels.join('.')}`,
      );
    return levels[0]!;
  }

  private async requireDatabase(db: string): Promise<void> {
    await this.call('get_database', [[1, str(db)]], { 1: 'ERR_NAMESPACE_NOT_FOUND' });
  }

  /** The HMS table (whole) and its pointer; a missing table in a missing database is a missing namespace. */
  private async getTable(namespace: string[], name: string): Promise<{ table: ThriftStruct; metadataLocation: string }> {
    const db = this.database(namespace);
    let result: ThriftValue | undefined;
    try {
      result = await this.call(
        'get_table_req',
        [
          [
            1,
            struct([
              [1, str(db)],
              [2, str(name)],
            ]),
          ],
        ],
        { 2: 'ERR_TABLE_NOT_FOUND' },
      );
    } catch (e) {
      if (e instanceof CatalogError && e.code === 'ERR_TABLE_NOT_FOUND') await this.requireDatabase(db);
      throw e;
    }
    const table = asStruct(asStruct(result)?.get(1));
    if (!table) throw invalid('get_table_req answered no table');
    if (!isIcebergTable(table)) throw invalid(`${db}.${name} is not an Iceberg table (its table_type parameter is not ICEBERG)`);
    const metadataLocation = tableParameters(table)[METADATA_LOCATION];
    if (metadataLocation === undefined || metadataLocation === '') throw invalid(`${db}.${name} has no metadata_location`);
    return { table, metadataLocation };
  }

  async check(): Promise<void> {
    await this.call('get_all_databases', []);
  }

  async listNamespaces(parent: string[]): Promise<string[][]> {
    if (parent.length > 0) {
      await this.requireDatabase(this.database(parent));
      return [];
    }
    return stringList(await this.call('get_all_databases', [])).map((name) => [name]);
  }

  async createNamespace(levels: string[], properties: Record<string, string>): Promise<void> {
    if (levels.length !== 1) throw new CatalogError('ERR_VALIDATION', `A Hive metastore has one namespace level (its databases): ${levels.join('.')}`);
    await this.call('create_database', [[1, database(levels[0]!, properties)]], { 1: 'ERR_NAMESPACE_EXISTS', 2: 'ERR_VALIDATION' });
  }

  /** The database's tables whose parameters say Iceberg (HMS holds Hive, Kudu and other tables too). */
  async listTables(namespace: string[]): Promise<RemoteIdentifier[]> {
    const db = this.database(namespace);
    await this.requireDatabase(db);
    const names = stringList(await this.call('get_all_tables', [[1, str(db)]]));
    const out: RemoteIdentifier[] = [];
    for (let i = 0; i < names.length; i += BATCH) {
      const request = struct([
        [1, str(db)],
        [2, list(T.STRING, names.slice(i, i + BATCH).map(str))],
      ]);
      const result = await this.call('get_table_objects_by_name_req', [[1, request]], { 3: 'ERR_NAMESPACE_NOT_FOUND' });
      for (const table of tableList(asStruct(result)?.get(1))) {
        const name = tableName(table);
        if (name !== undefined && isIcebergTable(table)) out.push({ namespace: [db], name });
      }
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async loadTable(namespace: string[], name: string): Promise<RemoteTable> {
    const { metadataLocation } = await this.getTable(namespace, name);
    return PointerTables.answer(await this.tables.load(metadataLocation));
  }

  /** Writes the first metadata file, then registers the HMS table pointing at it (HMS refuses a second of the name). */
  async createTable(namespace: string[], request: Record<string, unknown>): Promise<RemoteTable> {
    const db = this.database(namespace);
    const name = String(request.name);
    const location = typeof request.location === 'string' ? request.location : `${this.tables.root}/${db}/${name}`;
    const written = await this.tables.create(request, location);
    const table = icebergTable(
      db,
      name,
      OWNER,
      written.metadata.schemas.find((s) => s['schema-id'] === written.metadata['current-schema-id']),
      written.location,
      written.metadataLocation,
    );
    await this.call('create_table', [[1, table]], { 1: 'ERR_TABLE_EXISTS', 2: 'ERR_VALIDATION', 4: 'ERR_NAMESPACE_NOT_FOUND' });
    return PointerTables.answer(written);
  }

  /**
   * The client's requirements checked against the metadata HMS points at now, the updates applied, a new metadata file
   * written, and the pointer swapped only if HMS still points at the base (compared by HMS itself).
   */
  async commitTable(namespace: string[], name: string, requirements: readonly unknown[], updates: readonly unknown[]): Promise<RemoteTable> {
    const { table, metadataLocation } = await this.getTable(namespace, name);
    const base = await this.tables.load(metadataLocation);
    const written = await this.tables.next(base, requirements, updates);
    if (!written) return PointerTables.answer(base);
    const schema = written.metadata.schemas.find((s) => s['schema-id'] === written.metadata['current-schema-id']);
    const context = struct([
      [1, stringMap({ expected_parameter_key: METADATA_LOCATION, expected_parameter_value: metadataLocation, DO_NOT_UPDATE_STATS: 'true' })],
    ]);
    await this.call('alter_table_with_environment_context', [
      [1, str(namespace[0]!)],
      [2, str(name)],
      [3, withPointer(table, schema, written.location, written.metadataLocation, metadataLocation)],
      [4, context],
    ]);
    return PointerTables.answer(written);
  }

  /** Unregisters the table; its files stay (the purge, if asked, is Lakegate's: federation/mirror.ts). */
  async dropTable(namespace: string[], name: string): Promise<void> {
    await this.getTable(namespace, name);
    await this.call(
      'drop_table',
      [
        [1, str(namespace[0]!)],
        [2, str(name)],
        [3, { type: T.BOOL, value: false }],
      ],
      { 1: 'ERR_TABLE_NOT_FOUND' },
    );
  }

  close(): void {
    this.client.close();
  }
}

export const hiveKind: RemoteCatalogKind = { kind: 'hive', connect: (settings, _credential, files) => new HiveRemote(settings, files) };

/**
 * The RemoteCatalog port over a Hive Metastore (docs/federation.md), through its Thrift API (hms-client.ts). HMS keeps
 * only the pointer, as Glue does: an Iceberg table is an HMS table with parameters table_type=ICEBERG and
 * metadata_location, a namespace is an HMS database (one level). Lakegate writes the metadata files itself with the
 * warehouse's storage profile (pointer-tables.ts). A commit holds HMS's exclusive table lock as Iceberg's
 * HiveTableOperations does (hms-lock.ts; federation.lock-enabled, default on), reads the table under it, and swaps the
 * pointer with alter_table_with_environment_context carrying expected_parameter_key=metadata_location and
 * expected_parameter_value=<the base pointer>, which HMS compares and swaps inside its own transaction (Hive 4,
 * HIVE-26882): the lock excludes the Iceberg writers that lock (they alter without an expected value), the compare
 * the ones that do not (iceberg.engine.hive.lock-enabled=false); the loser of a race gets "The table has been
 * modified", answered as the Iceberg 409. Every call is bounded by the warehouse's timeout.
 */
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
import { type LoadedTable, PointerTables } from '../pointer-tables.js';
import { HmsClient } from './hms-client.js';
import { gssapiMechanism, loadKerberos } from './sasl-gssapi.js';
import { plainMechanism } from './sasl-transport.js';
import { type HmsCodes, hmsError, invalid } from './hms-errors.js';
import { checkLocking, type HeldLock, type TableLockOptions, withTableLock } from './hms-lock.js';
import { database, icebergTable, isIcebergTable, METADATA_LOCATION, stringList, tableList, tableName, tableParameters, withPointer } from './hive-structs.js';
import { asStruct, list, str, stringMap, struct, T, type ThriftStruct, type ThriftValue } from './thrift-values.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** Well below HMS's default metastore.txn.timeout (300 s), past which it drops a lock not heartbeaten. */
const DEFAULT_HEARTBEAT_MS = 60_000;
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
  /** The table lock each commit takes; undefined with federation.lock-enabled false. */
  private readonly lock: TableLockOptions | undefined;
  /** federation.auth kerberos: the connection test first checks that the optional `kerberos` package loads. */
  private readonly kerberos: boolean;

  constructor(settings: FederationSettings, files: RemoteMetadataFiles | undefined, heartbeatMs = DEFAULT_HEARTBEAT_MS, credential: RemoteCredential = {}) {
    const { host, port } = thriftAddress(settings.uri);
    const tls =
      settings.tls === true
        ? { ca: settings.tlsCa, servername: settings.tlsServerName, cert: settings.tlsClientCert, key: credential.tlsClientKey }
        : undefined;
    const { username } = settings;
    const { password } = credential;
    this.kerberos = settings.auth === 'kerberos';
    const [service, principalHost] = (settings.kerberosPrincipal ?? 'hive/_HOST').split('@')[0]!.split('/') as [string, string];
    const sasl =
      settings.auth === 'password' && username !== undefined && password !== undefined
        ? () => plainMechanism(username, password)
        : this.kerberos
          ? () => gssapiMechanism(loadKerberos, service, principalHost === '_HOST' ? host : principalHost)
          : undefined;
    this.client = new HmsClient(host, port, settings.timeoutMs ?? DEFAULT_TIMEOUT_MS, tls, sasl);
    this.tables = new PointerTables('Hive', files, invalid);
    this.lock = settings.lockEnabled === false ? undefined : { acquireTimeoutMs: settings.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, heartbeatMs };
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
    if (this.kerberos) await loadKerberos();
    await this.call('get_all_databases', []);
    if (this.lock) await checkLocking(this.client);
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

  private defaultLocation(db: string, name: string): string {
    return `${this.tables.root}/${db}/${name}`;
  }

  /** Registers the HMS table pointing at a first metadata file (HMS refuses a second of the name: ERR_TABLE_EXISTS). */
  private async register(db: string, name: string, written: LoadedTable): Promise<void> {
    const schema = written.metadata.schemas.find((s) => s['schema-id'] === written.metadata['current-schema-id']);
    const table = icebergTable(db, name, OWNER, schema, written.location, written.metadataLocation);
    await this.call('create_table', [[1, table]], { 1: 'ERR_TABLE_EXISTS', 2: 'ERR_VALIDATION', 4: 'ERR_NAMESPACE_NOT_FOUND' });
  }

  /** Writes the first metadata file, then registers the HMS table pointing at it (HMS refuses a second of the name). */
  async createTable(namespace: string[], request: Record<string, unknown>): Promise<RemoteTable> {
    const db = this.database(namespace);
    // The metastore is asked before the first metadata file is written: unreachable or untrusted, nothing is left behind.
    await this.requireDatabase(db);
    return this.tables.createRegistered(
      request,
      (name) => this.defaultLocation(db, name),
      (name, written) => this.register(db, name, written),
    );
  }

  /**
   * A stage-create (CTAS): the would-be first metadata, nothing written and nothing registered in HMS. The database
   * must exist and the name be free now (a table of any type holds it); the create transaction's commit checks again.
   */
  async stageTable(namespace: string[], request: Record<string, unknown>): Promise<StagedRemoteTable> {
    const db = this.database(namespace);
    const name = String(request.name);
    await this.requireDatabase(db);
    const found = await this.call(
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
    ).then(
      () => true,
      (e: unknown) => {
        if (e instanceof CatalogError && e.code === 'ERR_TABLE_NOT_FOUND') return false;
        throw e;
      },
    );
    if (found) throw new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${db}.${name}`);
    const location = typeof request.location === 'string' ? request.location : this.defaultLocation(db, name);
    return this.tables.stage(request, location);
  }

  /**
   * Under the table lock (unless disabled): the client's requirements checked against the metadata HMS points at now,
   * the updates applied, a new metadata file written, and the pointer swapped only if HMS still points at the base
   * (compared by HMS itself).
   */
  async commitTable(namespace: string[], name: string, requirements: readonly unknown[], updates: readonly unknown[]): Promise<RemoteTable> {
    const db = this.database(namespace);
    // A create transaction's commit: the first metadata file, then create_table, which HMS refuses for a name taken
    // meanwhile (409, the file deleted again: pointer-tables.ts). No lock: there is no table to lock yet.
    if (isCreateRequirements(requirements))
      return PointerTables.answer(
        await this.tables.createByCommit(requirements, updates, this.defaultLocation(db, name), (written) => this.register(db, name, written)),
      );
    if (!this.lock) return this.commitUnder(namespace, name, requirements, updates, undefined);
    return withTableLock(this.client, db, name, this.lock, (held) => this.commitUnder(namespace, name, requirements, updates, held));
  }

  private async commitUnder(
    namespace: string[],
    name: string,
    requirements: readonly unknown[],
    updates: readonly unknown[],
    held: HeldLock | undefined,
  ): Promise<RemoteTable> {
    const { table, metadataLocation } = await this.getTable(namespace, name);
    const base = await this.tables.load(metadataLocation);
    const written = await this.tables.next(base, requirements, updates);
    if (!written) return PointerTables.answer(base);
    const schema = written.metadata.schemas.find((s) => s['schema-id'] === written.metadata['current-schema-id']);
    const context = struct([
      [1, stringMap({ expected_parameter_key: METADATA_LOCATION, expected_parameter_value: metadataLocation, DO_NOT_UPDATE_STATS: 'true' })],
    ]);
    held?.assertHeld();
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

export const hiveKind: RemoteCatalogKind = { kind: 'hive', connect: (settings, credential, files) => new HiveRemote(settings, files, undefined, credential) };

/**
 * Federation (issue 57): stage-create (CTAS) on the remote kinds that keep only the metadata pointer, Glue and Hive,
 * at the adapter (the Glue client and the metastore's Thrift calls stubbed by an in-memory remote; the metadata files
 * in memory storage). A stage-create writes and registers nothing; the create transaction's commit writes the first
 * metadata file and registers the pointer to it; a table registered at the remote meanwhile is a commit conflict and
 * leaves no file behind. A replace (`REPLACE TABLE … AS SELECT`: `assert-table-uuid`, the new schema and snapshot in
 * one commit) is an ordinary commit there: the updates applied to the metadata the remote points at, a new file, the
 * pointer swapped; a table re-created under the name meanwhile fails the requirement (409) and nothing is written.
 * (The whole path through the front, to a real Glue and a real HMS, replaces included: test/interop/federation-glue
 * and federation-hive.test.ts.)
 */
import { CreateTableCommand, GetTableCommand, type Table, UpdateTableCommand } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { createTransactionCommit, replaceCommit, simpleSchema } from '../support/iceberg-http.js';
import type { RemoteCatalog, RemoteMetadataFiles } from '../../packages/server/src/catalog/ports/remote-catalog.js';
import { parseJson } from '../../packages/server/src/catalog/json.js';
import { MemoryObjectStorage } from '../../packages/server/src/storage/memory/memory-object-storage.js';
import { GlueRemote } from '../../packages/server/src/federation/glue/glue-remote.js';
import { HiveRemote } from '../../packages/server/src/federation/hive/hive-remote.js';
import { HmsException, HmsTransportError } from '../../packages/server/src/federation/hive/hms-client.js';
import { tableName, tableParameters, withPointer } from '../../packages/server/src/federation/hive/hive-structs.js';
import { asStringMap, asStruct, asString, type ThriftStruct, str, struct, type ThriftValue } from '../../packages/server/src/federation/hive/thrift-values.js';

const ROOT = 'mem://lake/warehouse';

/** The remote's pointers: database -> table -> metadata_location ('' for a table that is not Iceberg). */
type Pointers = Map<string, Map<string, string>>;

interface Subject {
  remote: RemoteCatalog;
  storage: MemoryObjectStorage;
  pointers: Pointers;
  /** The next pointer registration fails so (after the metadata file was written). */
  failNextRegister(kind: 'exists' | 'down'): void;
}

function files(storage: MemoryObjectStorage): RemoteMetadataFiles {
  return { root: ROOT, allows: (l) => l.startsWith(`${ROOT}/`), storage: async () => storage };
}

function glue(): Subject {
  const storage = new MemoryObjectStorage();
  const pointers: Pointers = new Map([['sales', new Map()]]);
  let failure: 'exists' | 'down' | undefined;
  /** Glue's VersionId per table, which UpdateTable checks. */
  const versions = new Map<string, number>();
  const remote = new GlueRemote({ kind: 'glue', uri: 'http://127.0.0.1:9', region: 'us-east-1' }, {}, files(storage));
  const awsError = (name: string, message: string, status = 400) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
  const send = async (command: unknown): Promise<unknown> => {
    if (command instanceof GetTableCommand) {
      const { DatabaseName, Name } = command.input;
      const db = pointers.get(DatabaseName!);
      if (!db) throw awsError('EntityNotFoundException', `Database ${DatabaseName} not found.`);
      const pointer = db.get(Name!);
      if (pointer === undefined) throw awsError('EntityNotFoundException', `Table ${Name} not found.`);
      const table: Table = { Name, DatabaseName, Parameters: pointer ? { table_type: 'ICEBERG', metadata_location: pointer } : { table_type: 'HIVE' } };
      return { Table: { ...table, VersionId: String(versions.get(Name!) ?? 0) } };
    }
    if (command instanceof UpdateTableCommand) {
      const { DatabaseName, TableInput, VersionId } = command.input;
      const name = TableInput!.Name!;
      if (VersionId !== String(versions.get(name) ?? 0))
        throw awsError('ConcurrentModificationException', 'Update table failed due to concurrent modifications.');
      pointers.get(DatabaseName!)!.set(name, TableInput!.Parameters!.metadata_location!);
      versions.set(name, (versions.get(name) ?? 0) + 1);
      return {};
    }
    if (command instanceof CreateTableCommand) {
      const { DatabaseName, TableInput } = command.input;
      if (failure) {
        const f = failure;
        failure = undefined;
        if (f === 'down') throw awsError('InternalServiceException', 'down', 503);
        pointers.get(DatabaseName!)!.set(TableInput!.Name!, 'mem://elsewhere/metadata/00000-other.metadata.json');
      }
      const db = pointers.get(DatabaseName!);
      if (!db) throw awsError('EntityNotFoundException', `Database ${DatabaseName} not found.`);
      if (db.has(TableInput!.Name!)) throw awsError('AlreadyExistsException', 'Table already exists.');
      db.set(TableInput!.Name!, TableInput!.Parameters!.metadata_location!);
      return {};
    }
    throw new Error(`unexpected Glue call ${(command as object).constructor.name}`);
  };
  (remote as unknown as { client: { send: typeof send } }).client = { send };
  return { remote, storage, pointers, failNextRegister: (k) => (failure = k) };
}

function hive(): Subject {
  const storage = new MemoryObjectStorage();
  const pointers: Pointers = new Map([['sales', new Map()]]);
  let failure: 'exists' | 'down' | undefined;
  /** The tables as registered (create_table, alter_table), answered with the pointer the test may have moved. */
  const tables = new Map<string, ThriftStruct>();
  const remote = new HiveRemote({ kind: 'hive', uri: 'thrift://127.0.0.1:9', lockEnabled: false }, files(storage));
  const call = async (method: string, args: Array<[number, ThriftValue]>): Promise<ThriftValue | undefined> => {
    if (method === 'get_database') {
      const name = asString(args[0]![1]);
      if (!pointers.has(name!)) throw new HmsException(method, 1, `database ${name} not found`);
      return undefined;
    }
    if (method === 'get_table_req') {
      const request = asStruct(args[0]![1])!;
      const [db, name] = [asString(request.get(1)), asString(request.get(2))];
      if (!pointers.get(db!)?.has(name!)) throw new HmsException(method, 2, `${db}.${name} table not found`);
      const registered = tables.get(name!);
      // GetTableResult { table }: as registered, pointing where the remote points now (else only its name: a stage-create reads no more).
      if (registered) return struct([[1, withPointer(registered, simpleSchema, `${ROOT}/sales/${name}`, pointers.get(db!)!.get(name!)!, '')]]);
      return struct([[1, struct([[1, str(name!)]])]]);
    }
    if (method === 'create_table') {
      const table = asStruct(args[0]![1])!;
      const name = tableName(table)!;
      if (failure) {
        const f = failure;
        failure = undefined;
        if (f === 'down') throw new HmsTransportError('no answer within 500 ms', 'timeout');
        pointers.get('sales')!.set(name, 'mem://elsewhere/metadata/00000-other.metadata.json');
      }
      if (pointers.get('sales')!.has(name)) throw new HmsException(method, 1, `Table hive.sales.${name} already exists`);
      pointers.get('sales')!.set(name, tableParameters(table).metadata_location!);
      tables.set(name, table);
      return undefined;
    }
    if (method === 'alter_table_with_environment_context') {
      const [name, table] = [asString(args[1]![1])!, asStruct(args[2]![1])!];
      // HMS 4's compare: the environment context's expected metadata_location must still be the table's.
      const expected = asStringMap(asStruct(args[3]![1])!.get(1)).expected_parameter_value;
      if (expected !== undefined && expected !== pointers.get('sales')!.get(name)) throw new HmsException(method, 1, 'The table has been modified');
      pointers.get('sales')!.set(name, tableParameters(table).metadata_location!);
      tables.set(name, table);
      return undefined;
    }
    throw new Error(`unexpected metastore call ${method}`);
  };
  (remote as unknown as { client: { call: typeof call } }).client = { call };
  return { remote, storage, pointers, failNextRegister: (k) => (failure = k) };
}

const request = { name: 'ctas', schema: simpleSchema, properties: { owner: 'etl' } };

/** A table made at the remote by a stage-create and its create transaction's commit. */
async function created(remote: RemoteCatalog, name: string) {
  const staged = await remote.stageTable!(['sales'], { ...request, name });
  const commit = createTransactionCommit(JSON.parse(staged.metadataJson));
  return remote.commitTable(['sales'], name, commit.requirements, commit.updates);
}

describe.each([
  ['Glue', glue],
  ['Hive', hive],
])('a %s remote', (_kind, make) => {
  it('stage-creates without writing or registering anything, and the create transaction commit creates it there', async () => {
    const { remote, storage, pointers } = make();
    const staged = await remote.stageTable!(['sales'], request);
    const metadata = JSON.parse(staged.metadataJson);
    expect(staged.location).toBe(`${ROOT}/sales/ctas`);
    expect(metadata).toMatchObject({ location: `${ROOT}/sales/ctas`, 'table-uuid': staged.uuid, properties: { owner: 'etl' } });
    expect(storage.objects.size).toBe(0);
    expect(pointers.get('sales')!.has('ctas')).toBe(false);

    const commit = createTransactionCommit(metadata);
    const created = await remote.commitTable(['sales'], 'ctas', commit.requirements, [
      ...commit.updates,
      { action: 'set-properties', updates: { owner: 'etl' } },
    ]);
    expect(created.uuid).toBe(staged.uuid);
    expect(created.location).toBe(`${ROOT}/sales/ctas`);
    expect(created.metadataLocation.startsWith(`${ROOT}/sales/ctas/metadata/`)).toBe(true);
    expect(pointers.get('sales')!.get('ctas')).toBe(created.metadataLocation);
    expect([...storage.objects.keys()]).toEqual([created.metadataLocation]);
    expect(JSON.parse(new TextDecoder().decode(storage.objects.get(created.metadataLocation)!.data))).toMatchObject({
      'table-uuid': staged.uuid,
      properties: { owner: 'etl' },
    });
  });

  it('answers 409 (commit conflict) when the table was created at the remote meanwhile, and leaves no file behind', async () => {
    const { remote, storage, pointers, failNextRegister } = make();
    const staged = await remote.stageTable!(['sales'], request);
    failNextRegister('exists');
    const commit = createTransactionCommit(JSON.parse(staged.metadataJson));
    const refused = await remote.commitTable(['sales'], 'ctas', commit.requirements, commit.updates).catch((e: { code?: string }) => e);
    expect(refused).toMatchObject({ code: 'ERR_COMMIT_CONFLICT' });
    expect(pointers.get('sales')!.get('ctas')).toBe('mem://elsewhere/metadata/00000-other.metadata.json');
    expect(storage.objects.size).toBe(0);
  });

  it('keeps the metadata file when the remote did not answer the registration (it may have made it)', async () => {
    const { remote, storage, failNextRegister } = make();
    const staged = await remote.stageTable!(['sales'], request);
    failNextRegister('down');
    const commit = createTransactionCommit(JSON.parse(staged.metadataJson));
    const failed = await remote.commitTable(['sales'], 'ctas', commit.requirements, commit.updates).catch((e: { code?: string }) => e);
    expect(failed).toMatchObject({ code: 'ERR_UNAVAILABLE' });
    expect(storage.objects.size).toBe(1);
  });

  it('refuses a stage-create of a name taken at the remote (409) or in a missing database (404), and a location outside the storage (403)', async () => {
    const { remote, storage, pointers } = make();
    pointers.get('sales')!.set('taken', '');
    await expect(remote.stageTable!(['sales'], { ...request, name: 'taken' })).rejects.toMatchObject({ code: 'ERR_TABLE_EXISTS' });
    await expect(remote.stageTable!(['nope'], request)).rejects.toMatchObject({ code: 'ERR_NAMESPACE_NOT_FOUND' });
    const staged = await remote.stageTable!(['sales'], request);
    const commit = createTransactionCommit(JSON.parse(staged.metadataJson), 'mem://other-bucket/ctas');
    await expect(remote.commitTable(['sales'], 'ctas', commit.requirements, commit.updates)).rejects.toMatchObject({ code: 'ERR_FORBIDDEN' });
    expect(storage.objects.size).toBe(0);
    expect(pointers.get('sales')!.has('ctas')).toBe(false);
  });

  it('replaces a table (RTAS) in one commit, and answers 409 for a table re-created under its name meanwhile, writing nothing', async () => {
    const { remote, storage, pointers } = make();
    const table = await created(remote, 'ctas');
    const base = JSON.parse(table.metadataJson);
    const replace = replaceCommit(base);
    const replaced = await remote.commitTable(['sales'], 'ctas', replace.requirements, replace.updates);
    expect(replaced.uuid).toBe(table.uuid);
    expect(pointers.get('sales')!.get('ctas')).toBe(replaced.metadataLocation);
    const metadata = parseJson(replaced.metadataJson) as any; // 63-bit snapshot ids as BigInt
    expect(String(metadata['current-snapshot-id'])).toBe(String(replace.snapshotId));
    expect(metadata.schemas.find((s: any) => s['schema-id'] === metadata['current-schema-id']).fields.map((f: any) => f.name)).toEqual(['label']);
    expect(metadata.properties).toMatchObject({ via: 'rtas' });
    expect(metadata['metadata-log'].map((e: any) => e['metadata-file'])).toEqual([table.metadataLocation]);

    // Dropped and re-created at the remote: the name points at another table, whose uuid the replace does not assert.
    const other = await created(remote, 'other');
    pointers.get('sales')!.set('ctas', other.metadataLocation);
    const files = storage.objects.size;
    const again = replaceCommit(JSON.parse(replaced.metadataJson));
    const refused = await remote.commitTable(['sales'], 'ctas', again.requirements, again.updates).catch((e: { code?: string }) => e);
    expect(refused).toMatchObject({ code: 'ERR_COMMIT_CONFLICT' });
    expect(pointers.get('sales')!.get('ctas')).toBe(other.metadataLocation);
    expect(storage.objects.size).toBe(files);
  });
});

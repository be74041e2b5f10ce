/**
 * The RemoteCatalog port's contract (test/support/remote-catalog-contract.ts) on the Hive Metastore adapter
 * (federation/hive/hive-remote.ts), with a real Hive standalone metastore 4.0.1 (embedded Derby) and a local
 * directory as the warehouse's storage (Lakegate writes the metadata files; HMS keeps the pointer). Then what is
 * Hive's own: the Iceberg parameters and previous_metadata_location on the HMS table, the compare-and-swap HMS does
 * on metadata_location (a writer that moved the pointer meanwhile wins; the adapter answers ERR_COMMIT_CONFLICT),
 * non-Iceberg HMS tables not listed and a 502 to load, one namespace level, and the failure codes (down: 503, fast).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HiveRemote } from '../../packages/server/src/federation/hive/hive-remote.js';
import { icebergTable, tableParameters, TABLE, withPointer } from '../../packages/server/src/federation/hive/hive-structs.js';
import { asStruct, str, struct, stringMap } from '../../packages/server/src/federation/hive/thrift-values.js';
import { LocalFileStorage } from '../../packages/server/src/storage/file/local-file-storage.js';
import type { FederationSettings } from '../../packages/server/src/catalog/ports/remote-catalog.js';
import { startHiveMetastore, type HiveMetastore } from '../support/hive-metastore.js';
import { remoteCatalogContract } from '../support/remote-catalog-contract.js';
import { simpleSchema } from '../support/iceberg-http.js';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  );

let metastore: HiveMetastore;
let dir = '';
const storage = new LocalFileStorage();
const settings = (): FederationSettings => ({ kind: 'hive', uri: metastore.uri, timeoutMs: 10_000 });
const make = () => new HiveRemote(settings(), { root: `file://${dir}`, allows: (l) => l.startsWith(`file://${dir}/`), storage: async () => storage });

/** The HMS table as the metastore holds it (the test's own Thrift view). */
async function hmsTable(db: string, name: string) {
  const client = metastore.client();
  try {
    const result = await client.call('get_table_req', [
      [
        1,
        struct([
          [1, str(db)],
          [2, str(name)],
        ]),
      ],
    ]);
    return asStruct(asStruct(result)?.get(1))!;
  } finally {
    client.close();
  }
}

beforeAll(async () => {
  metastore = await startHiveMetastore();
  dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-hive-'));
}, 20 * 60_000);

afterAll(async () => {
  await metastore?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

remoteCatalogContract('Hive Metastore 4.0.1 with Lakegate-written metadata files', make);

describe('the Hive adapter', () => {
  it('keeps the Iceberg pointer in the HMS table parameters and swaps it with previous_metadata_location', async () => {
    const remote = make();
    await remote.createNamespace(['h1'], { comment: 'federated' });
    const created = await remote.createTable(['h1'], { name: 't', schema: simpleSchema });
    expect(created.metadataLocation.startsWith(`file://${dir}/h1/t/metadata/00000-`)).toBe(true);
    const before = await hmsTable('h1', 't');
    expect(tableParameters(before)).toMatchObject({ table_type: 'ICEBERG', metadata_location: created.metadataLocation, EXTERNAL: 'TRUE' });
    const committed = await remote.commitTable(
      ['h1'],
      't',
      [{ type: 'assert-table-uuid', uuid: created.uuid }],
      [{ action: 'set-properties', updates: { a: 'b' } }],
    );
    expect(committed.metadataLocation).toMatch(/\/metadata\/00001-[0-9a-f-]+\.metadata\.json$/);
    const after = await hmsTable('h1', 't');
    expect(tableParameters(after)).toMatchObject({
      table_type: 'ICEBERG',
      metadata_location: committed.metadataLocation,
      previous_metadata_location: created.metadataLocation,
    });
    const meta = JSON.parse(committed.metadataJson);
    expect(meta['metadata-log'].map((e: { 'metadata-file': string }) => e['metadata-file'])).toEqual([created.metadataLocation]);
    expect((await make().loadTable(['h1'], 't')).metadataJson).toBe(committed.metadataJson);
  });

  it('loses to a writer that moved the pointer meanwhile: HMS compares metadata_location, the adapter answers ERR_COMMIT_CONFLICT', async () => {
    await make().createTable(['h1'], { name: 'race', schema: simpleSchema });
    const base = await make().loadTable(['h1'], 'race');
    const foreign = `${base.location}/metadata/foreign.metadata.json`;
    // Another engine commits on the same HMS while Lakegate writes its next metadata file (after Lakegate read the base).
    let interfere = true;
    const racing = new Proxy(storage, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (prop !== 'writeNew') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<LocalFileStorage['writeNew']>) => {
          if (interfere) {
            interfere = false;
            const other = metastore.client();
            const ctx = struct([[1, stringMap({ expected_parameter_key: 'metadata_location', expected_parameter_value: base.metadataLocation })]]);
            await other.call('alter_table_with_environment_context', [
              [1, str('h1')],
              [2, str('race')],
              [3, withPointer(await hmsTable('h1', 'race'), simpleSchema, base.location, foreign, base.metadataLocation)],
              [4, ctx],
            ]);
            other.close();
          }
          return target.writeNew(...args);
        };
      },
    });
    const remote = new HiveRemote(settings(), { root: `file://${dir}`, allows: (l) => l.startsWith(`file://${dir}/`), storage: async () => racing });
    const lost = remote.commitTable(['h1'], 'race', [], [{ action: 'set-properties', updates: { late: 'yes' } }]);
    expect(await codeOf(lost)).toBe('ERR_COMMIT_CONFLICT');
    expect(interfere).toBe(false);
    expect(tableParameters(await hmsTable('h1', 'race'))).toMatchObject({ metadata_location: foreign, previous_metadata_location: base.metadataLocation });
  });

  it('federates Iceberg tables only: a Hive table is not listed, and loading it is ERR_REMOTE_INVALID', async () => {
    const client = metastore.client();
    const plain = asStruct(icebergTable('h1', 'hive_t', 'someone', simpleSchema, `file://${dir}/h1/hive_t`, 'unused'))!;
    plain.set(TABLE.parameters, stringMap({ EXTERNAL: 'TRUE', classification: 'parquet' }));
    await client.call('create_table', [[1, { type: 12, value: plain }]]);
    client.close();
    const remote = make();
    expect((await remote.listTables(['h1'])).map((t) => t.name)).not.toContain('hive_t');
    expect(await codeOf(remote.loadTable(['h1'], 'hive_t'))).toBe('ERR_REMOTE_INVALID');
  });

  it('has one namespace level: nested namespaces are refused, and none are listed below a database', async () => {
    const remote = make();
    expect(await codeOf(remote.createNamespace(['h1', 'sub'], {}))).toBe('ERR_VALIDATION');
    expect(await remote.listNamespaces(['h1'])).toEqual([]);
    expect(await codeOf(remote.listNamespaces(['missing']))).toBe('ERR_NAMESPACE_NOT_FOUND');
    expect(await codeOf(remote.loadTable(['missing'], 't'))).toBe('ERR_NAMESPACE_NOT_FOUND');
  });

  it('reads no metadata file outside the warehouse storage: ERR_FORBIDDEN before any read', async () => {
    const client = metastore.client();
    await client.call('create_table', [[1, icebergTable('h1', 'outside', 'someone', simpleSchema, `file://${dir}/h1/outside`, 'file:///etc/passwd')]]);
    client.close();
    const error = await make()
      .loadTable(['h1'], 'outside')
      .then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
    expect(error?.code).toBe('ERR_FORBIDDEN');
    expect(error?.message).not.toContain('root:');
  });

  it('fails fast on a closed port: ERR_UNAVAILABLE', async () => {
    const remote = new HiveRemote({ kind: 'hive', uri: 'thrift://127.0.0.1:9', timeoutMs: 1000 }, undefined);
    const started = Date.now();
    expect(await codeOf(remote.check())).toBe('ERR_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

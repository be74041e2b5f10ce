/**
 * The RemoteCatalog port's contract (test/support/remote-catalog-contract.ts) on the Hive Metastore adapter
 * (federation/hive/hive-remote.ts), with a real Hive standalone metastore 4.0.1 (on PostgreSQL, with its transaction
 * tables) and a local directory as the warehouse's storage (Lakegate writes the metadata files; HMS keeps the
 * pointer). Then what is Hive's own: the Iceberg parameters and previous_metadata_location on the HMS table, the
 * compare-and-swap HMS does on metadata_location (a writer that moved the pointer meanwhile wins; the adapter answers
 * ERR_COMMIT_CONFLICT), HMS's table lock (a commit waits for another writer's lock and then commits on top of its
 * change, gives up with ERR_COMMIT_CONFLICT past lock-timeout-ms, heartbeats while it holds the lock, always releases
 * it), non-Iceberg HMS tables not listed and a 502 to load, one namespace level, and the failure codes (down: 503, fast).
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
import { releaseTableLock, tableLocks, takeTableLock } from '../support/hms-locks.js';
import { remoteCatalogContract } from '../support/remote-catalog-contract.js';
import { simpleSchema } from '../support/iceberg-http.js';
import { waitFor } from '../support/wait-for.js';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  );

let metastore: HiveMetastore;
let dir = '';
const storage = new LocalFileStorage();
const settings = (): FederationSettings => ({ kind: 'hive', uri: metastore.uri, timeoutMs: 10_000 });
/** The storage kit; Hadoop (Iceberg Java's HiveCatalog) writes local locations as file:/path, Lakegate as file:///path. */
const files = (over: LocalFileStorage = storage) => ({
  root: `file://${dir}`,
  allows: (l: string) => l.startsWith(`file://${dir}/`) || l.startsWith(`file:${dir}/`),
  storage: async () => over,
});
const make = (extra: Partial<FederationSettings> = {}) => new HiveRemote({ ...settings(), ...extra }, files());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** The storage, with every new file's write held back by MS (a commit that lasts). */
const slowStorage = (ms: number) =>
  new Proxy(storage, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (prop !== 'writeNew') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: Parameters<LocalFileStorage['writeNew']>) => {
        await sleep(ms);
        return target.writeNew(...args);
      };
    },
  });

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

remoteCatalogContract('Hive Metastore 4.0.1 with Lakegate-written metadata files', () => make());

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
    const remote = new HiveRemote(settings(), files(racing));
    const lost = remote.commitTable(['h1'], 'race', [], [{ action: 'set-properties', updates: { late: 'yes' } }]);
    expect(await codeOf(lost)).toBe('ERR_COMMIT_CONFLICT');
    expect(interfere).toBe(false);
    expect(tableParameters(await hmsTable('h1', 'race'))).toMatchObject({ metadata_location: foreign, previous_metadata_location: base.metadataLocation });
  });

  it("waits for another writer's HMS table lock, then commits on top of that writer's change", async () => {
    const created = await make().createTable(['h1'], { name: 'locked', schema: simpleSchema });
    const holder = metastore.client();
    const lock = await takeTableLock(holder, 'h1', 'locked');
    let settled = false;
    const lakegate = make()
      .commitTable(['h1'], 'locked', [{ type: 'assert-table-uuid', uuid: created.uuid }], [{ action: 'set-properties', updates: { lakegate: 'yes' } }])
      .finally(() => (settled = true));
    // Lakegate's lock request is queued behind the holder's (state 2, waiting): read until it is, not after a fixed wait.
    const locks = await waitFor(
      'the waiting lock',
      () => tableLocks(holder, 'h1', 'locked'),
      (ls) => ls.length === 2,
    );
    expect(locks.map((l) => l.state).sort()).toEqual([1, 2]);
    await sleep(500);
    expect(settled).toBe(false);
    expect(tableParameters(await hmsTable('h1', 'locked')).metadata_location).toBe(created.metadataLocation);
    // The holder commits under its lock (as HiveCatalog does), then releases it.
    const theirs = await make({ lockEnabled: false }).commitTable(['h1'], 'locked', [], [{ action: 'set-properties', updates: { holder: 'yes' } }]);
    await releaseTableLock(holder, lock);
    const ours = await lakegate;
    expect(JSON.parse(ours.metadataJson).properties).toMatchObject({ holder: 'yes', lakegate: 'yes' });
    expect(tableParameters(await hmsTable('h1', 'locked'))).toMatchObject({
      metadata_location: ours.metadataLocation,
      previous_metadata_location: theirs.metadataLocation,
    });
    expect(await tableLocks(holder, 'h1', 'locked')).toEqual([]);
    holder.close();
  });

  it("runs Lakegate's own concurrent commits to one table one at a time under the lock, over one connection, none lost", async () => {
    await make().createTable(['h1'], { name: 'many', schema: simpleSchema });
    const remote = make();
    const keys = ['k0', 'k1', 'k2', 'k3', 'k4'];
    await Promise.all(keys.map((k) => remote.commitTable(['h1'], 'many', [], [{ action: 'set-properties', updates: { [k]: 'yes' } }])));
    const loaded = JSON.parse((await make().loadTable(['h1'], 'many')).metadataJson) as { properties: Record<string, string>; 'metadata-log': unknown[] };
    expect(Object.keys(loaded.properties)).toEqual(expect.arrayContaining(keys));
    expect(loaded['metadata-log']).toHaveLength(keys.length);
    const watcher = metastore.client();
    expect(await tableLocks(watcher, 'h1', 'many')).toEqual([]);
    watcher.close();
  });

  it('gives up past lock-timeout-ms with ERR_COMMIT_CONFLICT, committing nothing and leaving no lock behind', async () => {
    const created = await make().createTable(['h1'], { name: 'busy', schema: simpleSchema });
    const holder = metastore.client();
    const lock = await takeTableLock(holder, 'h1', 'busy');
    const started = Date.now();
    const error = await make({ lockTimeoutMs: 700 })
      .commitTable(['h1'], 'busy', [], [{ action: 'set-properties', updates: { late: 'yes' } }])
      .then(
        () => undefined,
        (e: Error & { code?: string }) => e,
      );
    expect(error?.code).toBe('ERR_COMMIT_CONFLICT');
    expect(error?.message).toMatch(/locked by another writer.*700 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(tableParameters(await hmsTable('h1', 'busy')).metadata_location).toBe(created.metadataLocation);
    expect((await tableLocks(holder, 'h1', 'busy')).map((l) => l.agent)).toEqual(['test-writer']);
    await releaseTableLock(holder, lock);
    holder.close();
  });

  it('heartbeats the lock while a commit holds it, and releases it after a failed commit too', async () => {
    await make().createTable(['h1'], { name: 'slow', schema: simpleSchema });
    const watcher = metastore.client();
    const slow = new HiveRemote(settings(), files(slowStorage(5000)), 300);
    const commit = slow.commitTable(['h1'], 'slow', [], [{ action: 'set-properties', updates: { slow: 'yes' } }]);
    // The lock, once taken (read until it is: a loaded metastore may take a while), is held through the 5 s write.
    const first = await waitFor(
      'the commit lock',
      () => tableLocks(watcher, 'h1', 'slow'),
      (ls) => ls.length === 1,
    );
    await sleep(1200);
    const second = await tableLocks(watcher, 'h1', 'slow');
    expect(first).toHaveLength(1);
    expect(first[0]!.agent).toMatch(/^lakegate:/);
    expect(second[0]!.lastHeartbeat!).toBeGreaterThan(first[0]!.lastHeartbeat!);
    await commit;
    expect(await tableLocks(watcher, 'h1', 'slow')).toEqual([]);
    const failed = make().commitTable(['h1'], 'slow', [{ type: 'assert-table-uuid', uuid: 'not-this-table' }], []);
    expect(await codeOf(failed)).toBe('ERR_COMMIT_CONFLICT');
    expect(await tableLocks(watcher, 'h1', 'slow')).toEqual([]);
    watcher.close();
  });

  it(
    "loses no commit racing Iceberg Java's HiveCatalog with HMS locks on: every acknowledged append and every Lakegate commit is there",
    async () => {
      await make().createNamespace(['hrace'], {});
      await make().createTable(['hrace'], { name: 'raced', schema: simpleSchema });
      const appends = 6;
      let javaDone = false;
      const java = metastore.icebergWriter('hrace', 'raced', ['append', String(appends)]).finally(() => (javaDone = true));
      const lakegate = make();
      const ours: string[] = [];
      let conflicts = 0;
      // Lakegate commits (each a property of its own) for as long as the Java writer runs, and at least as often.
      for (let i = 0; !javaDone || i < appends; i++) {
        const key = `lakegate-${i}`;
        for (let attempt = 0; ; attempt++) {
          try {
            await lakegate.commitTable(['hrace'], 'raced', [], [{ action: 'set-properties', updates: { [key]: 'yes' } }]);
            break;
          } catch (e) {
            if ((e as { code?: string }).code !== 'ERR_COMMIT_CONFLICT' || attempt >= 50) throw e;
            conflicts++;
          }
        }
        ours.push(key);
        await sleep(100);
      }
      const { acks } = await java;
      expect(acks).toHaveLength(appends);
      const read = await metastore.icebergWriter('hrace', 'raced', ['read']);
      expect(read.files.map((f) => path.basename(f)).sort()).toEqual(acks.map((a) => `${a}.parquet`).sort());
      expect(Object.keys(read.properties)).toEqual(expect.arrayContaining(ours));
      const loaded = JSON.parse((await make().loadTable(['hrace'], 'raced')).metadataJson) as { properties: Record<string, string>; snapshots: unknown[] };
      expect(Object.keys(loaded.properties)).toEqual(expect.arrayContaining(ours));
      expect(loaded.snapshots).toHaveLength(appends);
      console.log(`raced: ${appends} HiveCatalog appends, ${ours.length} Lakegate commits (${conflicts} retried)`);
    },
    10 * 60_000,
  );

  it('takes no lock with lock-enabled false (for a metastore without lock tables): the swap alone decides', async () => {
    await make().createTable(['h1'], { name: 'nolock', schema: simpleSchema });
    const holder = metastore.client();
    const lock = await takeTableLock(holder, 'h1', 'nolock');
    const committed = await make({ lockEnabled: false }).commitTable(['h1'], 'nolock', [], [{ action: 'set-properties', updates: { a: 'b' } }]);
    expect(tableParameters(await hmsTable('h1', 'nolock')).metadata_location).toBe(committed.metadataLocation);
    await releaseTableLock(holder, lock);
    holder.close();
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

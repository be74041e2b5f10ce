/**
 * A Hive Metastore without its transaction tables (issue 57): HMS 4.0.1 on PostgreSQL whose transaction and lock
 * tables (HIVE_LOCKS, NEXT_LOCK_ID, TXNS, ...) are dropped from its database once a warehouse with HMS locks on was
 * created against it (test/support/hive-metastore.ts dropTransactionTables: what a metastore on a DataNucleus-made
 * schema, or one whose transaction tables were never made, looks like). Its lock, check_lock and show_locks calls fail
 * inside HMS (TxnHandler), everything else works. Proves, with a `lakegate serve` in front:
 * - a commit through a warehouse with locks on (the default) is a 502 BadGatewayException in the Iceberg error model
 *   naming the cause and federation.lock-enabled, not a 500 and never a Java stack; nothing is written (no metadata
 *   file, the HMS pointer unchanged); it is in the remote's failure history and the status check says the same;
 * - creating another such warehouse with locks on is a 400 naming federation.lock-enabled, and nothing is stored;
 * - with "lock-enabled": false (PUT …/federation) commits go through: HMS's expected-parameter compare on
 *   metadata_location (alter_table_with_environment_context, as Iceberg's HiveCatalog with
 *   iceberg.engine.hive.lock-enabled=false) decides, so concurrent commits through Lakegate on one base have exactly one
 *   winner and every acknowledged commit is in the table, and a writer straight to HMS that moves the pointer between
 *   Lakegate's read and its swap wins (Lakegate's commit is the Iceberg 409, the writer's pointer kept).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { HiveRemote } from '../../packages/server/src/federation/hive/hive-remote.js';
import { tableParameters, withPointer } from '../../packages/server/src/federation/hive/hive-structs.js';
import { asStruct, str, stringMap, struct } from '../../packages/server/src/federation/hive/thrift-values.js';
import { LocalFileStorage } from '../../packages/server/src/storage/file/local-file-storage.js';
import { startHiveMetastore, type HiveMetastore } from '../support/hive-metastore.js';
import { appendUpdates, httpSender, simpleSchema, type Send } from '../support/iceberg-http.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

let server: ServerProcess;
let send: Send;
let metastore: HiveMetastore;
let root = '';
const TABLE_PATH = '/v1/lockless/namespaces/fed/tables/events';
const FEDERATION = '/management/v1/warehouses/lockless/federation';

beforeAll(async () => {
  metastore = await startHiveMetastore();
  server = await startServer();
  send = httpSender(server.url, await server.token());
  root = `file://${server.dataDir}/hive-lockless`;
  // Created while the metastore can still lock (its connection test shows the locks), with a table and a commit.
  const created = await send('POST', '/management/v1/warehouses', warehouse('lockless', { kind: 'hive', uri: metastore.uri }));
  expect(created.status, stringifyJson(created.body)).toBe(201);
  expect((await send('POST', '/v1/lockless/namespaces', { namespace: ['fed'] })).status).toBe(200);
  const table = await send('POST', '/v1/lockless/namespaces/fed/tables', { name: 'events', schema: simpleSchema });
  expect(table.status, stringifyJson(table.body)).toBe(200);
  expect((await commit(table.body.metadata)).status).toBe(200);
  await metastore.dropTransactionTables();
}, 20 * 60_000);

afterAll(async () => {
  await server?.stop();
  await metastore?.destroy();
}, 60_000);

function warehouse(name: string, federation: Record<string, unknown>) {
  return { name, 'storage-root': `${root}/${name}`, 'storage-profile': { type: 'file' }, federation };
}

/** An append on the table's current snapshot (requirement: main is still that snapshot). */
function commit(metadata: any) {
  const append = appendUpdates(metadata);
  return send('POST', TABLE_PATH, { requirements: append.requirements, updates: append.updates });
}

const hms: HiveMetastore['call'] = (method, args) => metastore.call(method, args);
const hmsTable = () => metastore.table('fed', 'events');
const pointer = async () => tableParameters(await hmsTable()).metadata_location!;
const load = async () => {
  const res = await send('GET', TABLE_PATH);
  expect(res.status, stringifyJson(res.body)).toBe(200);
  return res.body;
};
const metadataFiles = (location: string) => readdirSync(fileURLToPath(`${location}/metadata`)).sort();

describe('a federated warehouse on a Hive Metastore without its transaction tables', () => {
  it('answers a commit with HMS locks on as a 502 naming federation.lock-enabled, writing nothing', async () => {
    const base = await load();
    const before = { pointer: await pointer(), files: metadataFiles(base.metadata.location) };
    expect(before.pointer).toBe(base['metadata-location']);
    const refused = await commit(base.metadata);
    expect(refused.status, stringifyJson(refused.body)).toBe(502);
    expect(refused.body.error).toMatchObject({ type: 'BadGatewayException', code: 502 });
    const message: string = refused.body.error.message;
    expect(message).toMatch(/^The Hive metastore could not lock fed\.events \(/);
    expect(message).toContain('set federation.lock-enabled to false');
    // The metastore's reason, without the Java stack HMS puts in its exception's message.
    expect(message).not.toMatch(/\n|\tat |\bat org\.apache\./);
    expect({ pointer: await pointer(), files: metadataFiles(base.metadata.location) }).toEqual(before);

    // The remote's failure history has it in the same words; the status check says the metastore cannot lock.
    const history = await send('GET', `${FEDERATION}/failures`);
    expect(history.status).toBe(200);
    expect(history.body.failures).toContainEqual(
      expect.objectContaining({ operation: 'commit-table', error: expect.objectContaining({ code: 502, message }) }),
    );
    const status = await send('GET', `${FEDERATION}/status`);
    expect(status.body).toMatchObject({ ok: false, error: { type: 'BadGatewayException', code: 502 } });
    expect(status.body.error.message).toContain('set federation.lock-enabled to false');
    // And in /metrics, where deploy/prometheus-alerts.yml's LakegateFederationRemoteFailing watches it.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const counted = /^lakegate_federation_remote_failures_total\{warehouse="lockless",operation="commit-table",code="ERR_REMOTE_INVALID"\} (\d+)$/m.exec(
      metrics,
    );
    expect(Number(counted?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('refuses another warehouse with HMS locks on: a 400 naming federation.lock-enabled, nothing stored', async () => {
    const refused = await send('POST', '/management/v1/warehouses', warehouse('locking', { kind: 'hive', uri: metastore.uri }));
    expect(refused.status, stringifyJson(refused.body)).toBe(400);
    expect(refused.body.error.message).toContain('federation.lock-enabled');
    expect(refused.body.error.message).not.toMatch(/\n|\tat /);
    const names = (await send('GET', '/management/v1/warehouses')).body.warehouses.map((w: { name: string }) => w.name);
    expect(names).not.toContain('locking');
  });

  it('commits with lock-enabled false: HMS compares metadata_location, one winner per base, every acknowledged commit kept', async () => {
    const changed = await send('PUT', FEDERATION, { federation: { kind: 'hive', uri: metastore.uri, 'lock-enabled': false } });
    expect(changed.status, stringifyJson(changed.body)).toBe(200);
    expect((await send('GET', `${FEDERATION}/status`)).body.ok).toBe(true);
    const first = await load();
    const one = await commit(first.metadata);
    expect(one.status, stringifyJson(one.body)).toBe(200);
    expect(await pointer()).toBe(one.body['metadata-location']);
    expect(tableParameters(await hmsTable()).previous_metadata_location).toBe(first['metadata-location']);

    // Rounds of four commits at once on one base: exactly one wins each round (409 CommitFailedException for the rest).
    const won: string[] = [];
    for (let round = 0; round < 5; round++) {
      const base = await load();
      const answers = await Promise.all([0, 1, 2, 3].map(() => commit(base.metadata)));
      const winners = answers.filter((a) => a.status === 200);
      expect(winners, answers.map((a) => a.status).join(', ')).toHaveLength(1);
      for (const a of answers.filter((x) => x.status !== 200)) expect(a.body.error).toMatchObject({ type: 'CommitFailedException', code: 409 });
      won.push(String(winners[0]!.body.metadata['current-snapshot-id']));
      expect(await pointer()).toBe(winners[0]!.body['metadata-location']);
    }
    const snapshots = (await load()).metadata.snapshots.map((s: { 'snapshot-id': unknown }) => String(s['snapshot-id']));
    for (const id of won) expect(snapshots).toContain(id);
  });

  it('loses to a writer straight to HMS that moves the pointer between its read and its swap (409, the writer kept)', async () => {
    // The adapter itself (federation/hive/hive-remote.ts, lock-enabled false) on this metastore, its storage holding the
    // writer's turn: Lakegate has read the table and writes its metadata file when the writer alters the table, as
    // Iceberg's HiveCatalog without HMS locks does (expected metadata_location = the base it read).
    const dir = `${server.dataDir}/hive-lockless/adapter`;
    const storage = new LocalFileStorage();
    const kit = (over: LocalFileStorage) => ({ root: `file://${dir}`, allows: (l: string) => l.startsWith(`file://${dir}/`), storage: async () => over });
    const settings = { kind: 'hive' as const, uri: metastore.uri, timeoutMs: 10_000, lockEnabled: false };
    await new HiveRemote(settings, kit(storage)).createNamespace(['raw'], {});
    await new HiveRemote(settings, kit(storage)).createTable(['raw'], { name: 'race', schema: simpleSchema });
    const base = await new HiveRemote(settings, kit(storage)).loadTable(['raw'], 'race');
    const foreign = `${base.location}/metadata/foreign.metadata.json`;
    let interfere = true;
    const racing = new Proxy(storage, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (prop !== 'writeNew') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<LocalFileStorage['writeNew']>) => {
          if (interfere) {
            interfere = false;
            const table = asStruct(
              asStruct(
                await hms('get_table_req', [
                  [
                    1,
                    struct([
                      [1, str('raw')],
                      [2, str('race')],
                    ]),
                  ],
                ]),
              )?.get(1),
            )!;
            await hms('alter_table_with_environment_context', [
              [1, str('raw')],
              [2, str('race')],
              [3, withPointer(table, simpleSchema, base.location, foreign, base.metadataLocation)],
              [4, struct([[1, stringMap({ expected_parameter_key: 'metadata_location', expected_parameter_value: base.metadataLocation })]])],
            ]);
          }
          return target.writeNew(...args);
        };
      },
    });
    const lost = new HiveRemote(settings, kit(racing)).commitTable(['raw'], 'race', [], [{ action: 'set-properties', updates: { late: 'yes' } }]);
    expect(
      await lost.then(
        () => 'committed',
        (e: { code?: string }) => e.code,
      ),
    ).toBe('ERR_COMMIT_CONFLICT');
    expect(interfere).toBe(false);
    const after = asStruct(
      asStruct(
        await hms('get_table_req', [
          [
            1,
            struct([
              [1, str('raw')],
              [2, str('race')],
            ]),
          ],
        ]),
      )?.get(1),
    )!;
    expect(tableParameters(after)).toMatchObject({ metadata_location: foreign, previous_metadata_location: base.metadataLocation });
  });
});

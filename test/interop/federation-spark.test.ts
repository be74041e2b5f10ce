/**
 * Spark through a federated warehouse (issue 57): Spark 4.1 + Iceberg 1.11's REST catalog (peers/spark/federation.py,
 * one Spark session for the file) talks only to a "front" Lakegate server process whose warehouse `fed` federates
 * (kind iceberg-rest) the default warehouse of a "remote" Lakegate server process (the existing catalog), with a
 * remote principal's client credentials as the federation secret. Storage: the remote's `file:` warehouse, which both
 * servers and Spark share (the front's warehouse has the same storage root; Spark reads and writes through
 * HadoopFileIO, no credential vending). Through the front, as a principal granted on `fed` only: a namespace, a table,
 * INSERTs, a MERGE (update + insert) and a DELETE, read back with the rows written. Checked besides: the table lives in
 * the remote (loaded straight from it over HTTP: same metadata location and current snapshot); the front's
 * authorization applies (a second front principal without a grant is refused by Spark with ForbiddenException, for a
 * read and an INSERT, and the remote's table is unchanged); a CTAS (stage-create at the remote, then the create
 * transaction's commit there) reads back the source's rows, and the remote holds the new table; the front's audit trail
 * records the operations under the Spark principals (the CTAS's create and owner grant too), the remote's under the
 * front's federation principal only.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { peerScript } from '../support/peers.js';
import { type CreatedPrincipal, createGrantedPrincipal, createPrincipal, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { SparkSession } from '../support/spark-session.js';
import { runAsync } from '../support/temp.js';

/** For failure messages: catalog answers carry 63-bit ids as BigInt. */
const show = (body: unknown) => JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
const TABLE = 'front.sales.orders';
let remote: ServerProcess;
let front: ServerProcess;
let remoteAdmin: Send;
let frontAdmin: Send;
let writer: CreatedPrincipal;
let outsider: CreatedPrincipal;
let spark: SparkSession;

beforeAll(async () => {
  const install = runAsync('bash', [peerScript('spark.sh')]);
  remote = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  remoteAdmin = httpSender(remote.url, await remote.token());
  // The remote's principal the front federates with: granted on the remote's default warehouse only.
  const federator = await createGrantedPrincipal(remote, 'front-lakegate', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'default' });
  const warehouses = await remoteAdmin('GET', '/management/v1/warehouses');
  const remoteRoot = warehouses.body.warehouses.find((w: { name: string }) => w.name === 'default')['storage-root'] as string;
  front = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  frontAdmin = httpSender(front.url, await front.token());
  const created = await frontAdmin('POST', '/management/v1/warehouses', {
    name: 'fed',
    'storage-root': remoteRoot,
    'storage-profile': { type: 'file' },
    federation: { kind: 'iceberg-rest', uri: remote.url, warehouse: 'default', 'client-id': federator.id, 'timeout-ms': 10_000 },
    'federation-secret': { 'client-secret': federator.secret },
  });
  expect(created.status, show(created.body)).toBe(201);
  writer = await createGrantedPrincipal(front, 'spark-fed-writer', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'fed' });
  outsider = await createPrincipal(front, 'spark-fed-outsider');
  const installed = await install;
  expect(installed.status, installed.stderr).toBe(0);
  spark = await SparkSession.start(path.join(REPO_ROOT, 'peers', 'spark', 'federation.py'), {
    CATALOG_URI: front.url,
    CATALOG_WAREHOUSE: 'fed',
    CATALOG_CREDENTIALS: JSON.stringify({ front: writer.credential, outsider: outsider.credential }),
  });
}, 15 * 60_000);
afterAll(async () => {
  await spark?.stop();
  await front?.stop();
  await remote?.stop();
});

const sql = async (text: string): Promise<unknown[][]> => (await spark.run({ cmd: 'sql', sql: text })).rows;
const atRemote = () => remoteAdmin('GET', '/v1/default/namespaces/sales/tables/orders');

describe('Spark 4.1 + Iceberg 1.11 through a federated warehouse (the remote: another Lakegate)', () => {
  it('creates, inserts, merges, deletes and reads back through the front; the table lives in the remote', async () => {
    await sql('CREATE NAMESPACE front.sales');
    await sql(`CREATE TABLE ${TABLE} (id BIGINT, item STRING, qty INT) USING iceberg TBLPROPERTIES ('format-version'='2')`);
    await sql(`INSERT INTO ${TABLE} VALUES (1, 'apple', 3), (2, 'pear', 5), (3, 'plum', 7)`);
    await sql(`INSERT INTO ${TABLE} VALUES (4, 'fig', 1)`);
    await sql(
      `MERGE INTO ${TABLE} t USING (SELECT 2 AS id, 'pear' AS item, 50 AS qty UNION ALL SELECT 5, 'kiwi', 9) s ON t.id = s.id ` +
        'WHEN MATCHED THEN UPDATE SET t.qty = s.qty WHEN NOT MATCHED THEN INSERT *',
    );
    await sql(`DELETE FROM ${TABLE} WHERE id = 3`);
    const expected = [
      [1, 'apple', 3],
      [2, 'pear', 50],
      [4, 'fig', 1],
      [5, 'kiwi', 9],
    ];
    expect(await sql(`SELECT id, item, qty FROM ${TABLE} ORDER BY id`)).toEqual(expected);
    const snapshots = await sql(`SELECT CAST(snapshot_id AS STRING), operation FROM ${TABLE}.snapshots ORDER BY committed_at`);
    expect(snapshots.map((s) => s[1])).toEqual(['append', 'append', 'overwrite', 'overwrite']);

    // The remote holds the table: the same metadata location and current snapshot as the front answers.
    const remoteTable = await atRemote();
    expect(remoteTable.status, show(remoteTable.body)).toBe(200);
    const frontTable = await frontAdmin('GET', '/v1/fed/namespaces/sales/tables/orders');
    expect(frontTable.status, show(frontTable.body)).toBe(200);
    expect(remoteTable.body['metadata-location']).toBe(frontTable.body['metadata-location']);
    // Spark's ids as strings (a 63-bit id is not a JSON-safe number); the catalog answers them as BigInt.
    expect(String(remoteTable.body.metadata['current-snapshot-id'])).toBe(snapshots.at(-1)![0]);
    expect(remoteTable.body.metadata.snapshots).toHaveLength(4);
    expect(remoteTable.body['metadata-location']).toContain(remote.warehouseRoot);
    // The front keeps no table of its own: its warehouse is the remote's.
    expect((await remoteAdmin('GET', '/v1/default/namespaces')).body.namespaces).toContainEqual(['sales']);
  });

  it("applies the front's authorization: a principal without a grant is refused by Spark, the remote unchanged", async () => {
    const before = (await atRemote()).body['metadata-location'];
    for (const statement of [`SELECT * FROM outsider.sales.orders`, `INSERT INTO outsider.sales.orders VALUES (9, 'intruder', 1)`]) {
      const got = await spark.run({ cmd: 'refused', sql: statement });
      expect(got.refused, `${statement}: ${show(got)}`).toBe(true);
      expect(got.error, statement).toMatch(/ForbiddenException/);
    }
    const after = await atRemote();
    expect(after.body['metadata-location']).toBe(before);
    expect(await sql(`SELECT count(*) FROM ${TABLE}`)).toEqual([[4]]);
  });

  it('creates a table by CREATE TABLE … AS SELECT (stage-create) through the front: the rows read back, the table at the remote', async () => {
    const source = await sql(`SELECT id, item, qty FROM ${TABLE} ORDER BY id`);
    await sql(`CREATE TABLE front.sales.orders_copy USING iceberg AS SELECT * FROM ${TABLE}`);
    expect(await sql('SELECT id, item, qty FROM front.sales.orders_copy ORDER BY id')).toEqual(source);
    // The remote created it (the create transaction's commit went there): the same metadata and snapshot as the front's.
    const copyAtRemote = await remoteAdmin('GET', '/v1/default/namespaces/sales/tables/orders_copy');
    expect(copyAtRemote.status, show(copyAtRemote.body)).toBe(200);
    const copyAtFront = await frontAdmin('GET', '/v1/fed/namespaces/sales/tables/orders_copy');
    expect(copyAtFront.body['metadata-location']).toBe(copyAtRemote.body['metadata-location']);
    expect(copyAtRemote.body.metadata.snapshots).toHaveLength(1);
    expect(copyAtRemote.body['metadata-location']).toContain(remote.warehouseRoot);
  });

  it("records the operations in the front's audit trail, under the Spark principals; the remote sees the front's principal", async () => {
    const events = (await frontAdmin('GET', '/management/v1/audit?limit=500')).body.events as Array<Record<string, any>>;
    const by = (p: CreatedPrincipal) => events.filter((e) => e.actor === `service:${p.id}`).map((e) => [e.type, e.action, e.object]);
    const written = by(writer);
    expect(written, show(events)).toContainEqual(['access.owner-granted', 'namespace:own', 'fed/sales']);
    expect(written).toContainEqual(['access.allowed', 'table:create', 'fed/sales.orders']);
    expect(written).toContainEqual(['access.allowed', 'table:create', 'fed/sales.orders_copy']);
    expect(written).toContainEqual(['access.owner-granted', 'table:own', 'fed/sales.orders_copy']);
    // Two INSERTs, the MERGE and the DELETE: one commit each (the CTAS's commit is authorized on the namespace).
    expect(
      written.filter(([type, action, object]) => type === 'access.allowed' && action === 'table:write-data' && object === 'fed/sales.orders'),
    ).toHaveLength(4);
    const refused = by(outsider).filter(([type]) => type === 'access.denied');
    expect(refused.length, show(events)).toBeGreaterThanOrEqual(2);
    expect(refused.every(([, , object]) => object === 'fed/sales.orders')).toBe(true);
    // The remote authorized every call as the front's federation principal, never as a Spark principal.
    const atRemoteAudit = (await remoteAdmin('GET', '/management/v1/audit?limit=500')).body.events as Array<Record<string, any>>;
    const remoteActors = new Set(atRemoteAudit.filter((e) => e.object === 'default/sales.orders').map((e) => e.actor));
    expect(remoteActors.size, show(atRemoteAudit)).toBeGreaterThan(0);
    expect(
      [...remoteActors].every((a) => a.startsWith('service:front-lakegate-')),
      show([...remoteActors]),
    ).toBe(true);
  });
});

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
 *
 * Replacing (issue 57): `REPLACE TABLE … AS SELECT` and `CREATE OR REPLACE TABLE … AS SELECT` through the front (Spark
 * loads the table, then commits the replacement with `assert-table-uuid` in one commit, which the front authorizes as a
 * local replace, `table:write-data` on the table, and sends to the remote as its own commit): the remote keeps the same
 * table (uuid, history) with the new schema and the new snapshot current; CREATE OR REPLACE of a missing table creates
 * it (stage-create); a principal granted read only is refused (ForbiddenException) and the remote is unchanged; the
 * front records the replace as a local one (`table:write-data` allowed, a `table.committed` event by the Spark principal).
 *
 * Vended credentials (issue 57): a second federated warehouse `fedlake` on the same front federates the remote's MinIO
 * warehouse `lake`; a second Spark catalog of the same session reaches it with `vended-credentials` and holds no storage
 * key: the front vends, from its own storage profile (MinIO STS), credentials scoped to the remote table's location,
 * reported to expire within Iceberg's refresh window so that Spark fetches them again through the front's
 * `client.refresh-credentials-endpoint`; the remote's table in MinIO holds what Spark wrote.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { READ_ONLY, READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { requestLog } from '../support/request-log.js';
import { clientToken, type CreatedPrincipal, createGrantedPrincipal, createPrincipal, type ServerProcess, startServer } from '../support/server-process.js';
import { SparkSession } from '../support/spark-session.js';
import { runAsync } from '../support/temp.js';

/** For failure messages: catalog answers carry 63-bit ids as BigInt. */
const show = (body: unknown) => JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v));
const TABLE = 'front.sales.orders';
const BUCKET = 'lakegate-fed-spark';
/** Reported lifetime of what the front vends: inside Iceberg's 5-minute refresh window, so Spark refreshes through the front. */
const REPORTED_LIFETIME_SECONDS = 240;
let minio: Minio;
let remote: ServerProcess;
let front: ServerProcess;
let remoteAdmin: Send;
let frontAdmin: Send;
let writer: CreatedPrincipal;
let outsider: CreatedPrincipal;
let reader: CreatedPrincipal;
let lakeWriter: CreatedPrincipal;
let spark: SparkSession;

beforeAll(async () => {
  const install = runAsync('bash', [peerScript('spark.sh')]);
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  remote = await startServer({ env: { LAKEGATE_LOG_LEVEL: 'warn' } });
  remoteAdmin = httpSender(remote.url, await remote.token());
  // The remote's principal the front federates with: granted on the remote's default warehouse only.
  const federator = await createGrantedPrincipal(remote, 'front-lakegate', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'default' });
  const warehouses = await remoteAdmin('GET', '/management/v1/warehouses');
  const remoteRoot = warehouses.body.warehouses.find((w: { name: string }) => w.name === 'default')['storage-root'] as string;
  // The remote's MinIO warehouse, and its principal for the front's second federated warehouse.
  const lake = await remoteAdmin('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', BUCKET));
  expect(lake.status, show(lake.body)).toBe(201);
  const lakeFederator = await createGrantedPrincipal(remote, 'front-lakegate-s3', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'lake' });
  // Info: the request log shows Spark's credential refreshes.
  front = await startServer({
    env: { LAKEGATE_LOG_LEVEL: 'info', LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS: String(REPORTED_LIFETIME_SECONDS) },
  });
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
  reader = await createGrantedPrincipal(front, 'spark-fed-reader', READ_ONLY, { type: 'warehouse', warehouse: 'fed' });
  // The front's warehouse on MinIO: the remote's storage root, the front's own storage profile and keys (it vends from them).
  const fedLake = await frontAdmin('POST', '/management/v1/warehouses', {
    ...minioWarehouse(minio, 'fedlake', BUCKET),
    federation: { kind: 'iceberg-rest', uri: remote.url, warehouse: 'lake', 'client-id': lakeFederator.id, 'timeout-ms': 10_000 },
    'federation-secret': { 'client-secret': lakeFederator.secret },
  });
  expect(fedLake.status, show(fedLake.body)).toBe(201);
  lakeWriter = await createGrantedPrincipal(front, 'spark-fed-lake-writer', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'fedlake' });
  const installed = await install;
  expect(installed.status, installed.stderr).toBe(0);
  spark = await SparkSession.shared('federation', {
    CATALOG_URI: front.url,
    CATALOG_WAREHOUSE: 'fed',
    CATALOG_CREDENTIALS: JSON.stringify({ front: writer.credential, outsider: outsider.credential, reader: reader.credential }),
    CATALOG_VENDED: JSON.stringify({ lake: { warehouse: 'fedlake', credential: lakeWriter.credential } }),
  });
}, 15 * 60_000);
afterAll(async () => {
  await spark?.stop();
  await front?.stop();
  await remote?.stop();
  await minio?.stop();
});

const sql = async (text: string): Promise<unknown[][]> => (await spark.run({ cmd: 'sql', sql: text })).rows;
/** An S3 client holding one credential the front vended (a `storage-credentials` entry). */
const vendedClient = (credential: { config: Record<string, string> }) =>
  new S3Client({
    endpoint: minio.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: credential.config['s3.access-key-id']!,
      secretAccessKey: credential.config['s3.secret-access-key']!,
      sessionToken: credential.config['s3.session-token']!,
    },
  });
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

  it('replaces a table by REPLACE TABLE … AS SELECT through the front: the same table at the remote, new schema and snapshot', async () => {
    const before = (await remoteAdmin('GET', '/v1/default/namespaces/sales/tables/orders_copy')).body;
    await sql(`REPLACE TABLE front.sales.orders_copy USING iceberg AS SELECT id, upper(item) AS item FROM ${TABLE} WHERE id <= 2`);
    expect(await sql('SELECT * FROM front.sales.orders_copy ORDER BY id')).toEqual([
      [1, 'APPLE'],
      [2, 'PEAR'],
    ]);
    const after = await remoteAdmin('GET', '/v1/default/namespaces/sales/tables/orders_copy');
    expect(after.status, show(after.body)).toBe(200);
    // A replace keeps the table (its uuid and history) and makes the new schema and snapshot current.
    expect(after.body.metadata['table-uuid']).toBe(before.metadata['table-uuid']);
    expect(after.body['metadata-location']).not.toBe(before['metadata-location']);
    const schema = after.body.metadata.schemas.find((s: any) => s['schema-id'] === after.body.metadata['current-schema-id']);
    expect(schema.fields.map((f: any) => f.name)).toEqual(['id', 'item']);
    expect(after.body.metadata.snapshots).toHaveLength(2);
    expect(String(after.body.metadata['current-snapshot-id'])).not.toBe(String(before.metadata['current-snapshot-id']));
    const atFront = await frontAdmin('GET', '/v1/fed/namespaces/sales/tables/orders_copy');
    expect(atFront.body['metadata-location']).toBe(after.body['metadata-location']);
  });

  it('replaces an existing table and creates a missing one by CREATE OR REPLACE TABLE … AS SELECT through the front', async () => {
    const before = (await remoteAdmin('GET', '/v1/default/namespaces/sales/tables/orders_copy')).body.metadata;
    await sql(`CREATE OR REPLACE TABLE front.sales.orders_copy USING iceberg AS SELECT id, qty * 10 AS qty FROM ${TABLE}`);
    expect(await sql('SELECT * FROM front.sales.orders_copy ORDER BY id')).toEqual([
      [1, 30],
      [2, 500],
      [4, 10],
      [5, 90],
    ]);
    const replaced = (await remoteAdmin('GET', '/v1/default/namespaces/sales/tables/orders_copy')).body.metadata;
    expect(replaced['table-uuid']).toBe(before['table-uuid']);
    expect(replaced.snapshots).toHaveLength(3);
    await sql(`CREATE OR REPLACE TABLE front.sales.orders_new USING iceberg AS SELECT id FROM ${TABLE} WHERE id > 3`);
    expect(await sql('SELECT id FROM front.sales.orders_new ORDER BY id')).toEqual([[4], [5]]);
    const created = await remoteAdmin('GET', '/v1/default/namespaces/sales/tables/orders_new');
    expect(created.status, show(created.body)).toBe(200);
    expect(created.body.metadata.snapshots).toHaveLength(1);
  });

  it('refuses a replace to a principal that may only read the table (as a local replace), the remote unchanged', async () => {
    const before = (await remoteAdmin('GET', '/v1/default/namespaces/sales/tables/orders_copy')).body['metadata-location'];
    expect(await sql('SELECT count(*) FROM reader.sales.orders_copy')).toEqual([[4]]);
    for (const statement of [
      `REPLACE TABLE reader.sales.orders_copy USING iceberg AS SELECT id FROM reader.sales.orders`,
      `CREATE OR REPLACE TABLE reader.sales.orders_copy USING iceberg AS SELECT id FROM reader.sales.orders`,
      `REPLACE TABLE outsider.sales.orders_copy USING iceberg AS SELECT 1 AS id`,
    ]) {
      const got = await spark.run({ cmd: 'refused', sql: statement });
      expect(got.refused, `${statement}: ${show(got)}`).toBe(true);
      expect(got.error, statement).toMatch(/ForbiddenException/);
    }
    expect((await remoteAdmin('GET', '/v1/default/namespaces/sales/tables/orders_copy')).body['metadata-location']).toBe(before);
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
    // The replaces: each a commit authorized as a local one, on the table; the reader's refused on it.
    const replaces = written.filter(
      ([type, action, object]) => type === 'access.allowed' && action === 'table:write-data' && object === 'fed/sales.orders_copy',
    );
    expect(replaces).toHaveLength(2);
    expect(by(reader)).toContainEqual(['access.denied', 'table:write-data', 'fed/sales.orders_copy']);
    const changes = (await frontAdmin('GET', '/management/v1/events?warehouse=fed&limit=1000')).body.events as Array<Record<string, any>>;
    const copyChanges = changes.filter((e) => e.subject === 'sales/orders_copy').map((e) => [e.type, e.data.caller?.principal]);
    expect(copyChanges, show(changes)).toEqual([
      ['io.lakegate.table.created', writer.id],
      ['io.lakegate.table.committed', writer.id],
      ['io.lakegate.table.committed', writer.id],
    ]);
    const refused = by(outsider).filter(([type]) => type === 'access.denied');
    expect(refused.length, show(events)).toBeGreaterThanOrEqual(2);
    expect(refused.every(([, , object]) => object === 'fed/sales.orders' || object === 'fed/sales.orders_copy')).toBe(true);
    // The remote authorized every call as the front's federation principal, never as a Spark principal.
    const atRemoteAudit = (await remoteAdmin('GET', '/management/v1/audit?limit=500')).body.events as Array<Record<string, any>>;
    const remoteActors = new Set(atRemoteAudit.filter((e) => e.object === 'default/sales.orders').map((e) => e.actor));
    expect(remoteActors.size, show(atRemoteAudit)).toBeGreaterThan(0);
    expect(
      [...remoteActors].every((a) => a.startsWith('service:front-lakegate-')),
      show([...remoteActors]),
    ).toBe(true);
  });

  it('reads and writes a remote table on MinIO with credentials the front vends: scoped to the table, refreshed through the front', async () => {
    await sql('CREATE NAMESPACE lake.v');
    await sql('CREATE TABLE lake.v.events (id BIGINT, note STRING) USING iceberg');
    await sql(`INSERT INTO lake.v.events VALUES (1, 'a'), (2, 'b')`);
    await sql(`INSERT INTO lake.v.events VALUES (3, 'c')`);
    await sql('CREATE TABLE lake.v.events_copy USING iceberg AS SELECT * FROM lake.v.events WHERE id > 1');
    await sql(`REPLACE TABLE lake.v.events_copy USING iceberg AS SELECT id, upper(note) AS note FROM lake.v.events`);
    expect(await sql('SELECT id, note FROM lake.v.events ORDER BY id')).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(await sql('SELECT id, note FROM lake.v.events_copy ORDER BY id')).toEqual([
      [1, 'A'],
      [2, 'B'],
      [3, 'C'],
    ]);
    // The remote holds the tables in MinIO, and the data files Spark wrote are there, under each table's location.
    for (const name of ['events', 'events_copy']) {
      const atRemoteLake = await remoteAdmin('GET', `/v1/lake/namespaces/v/tables/${name}`);
      expect(atRemoteLake.status, show(atRemoteLake.body)).toBe(200);
      const location = atRemoteLake.body.metadata.location as string;
      expect(location.startsWith(`s3://${BUCKET}/wh/`), location).toBe(true);
      const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${location.slice(`s3://${BUCKET}/`.length)}/data/` }));
      expect(
        (listed.Contents ?? []).some((o) => o.Key!.endsWith('.parquet')),
        name,
      ).toBe(true);
    }

    // Spark held no key: it fetched every credential from the front (the refresh endpoint the load answered), as lakeWriter.
    const log = requestLog(await front.settledOutput());
    for (const name of ['events', 'events_copy']) {
      const refreshes = log.filter((r) => r.method === 'GET' && r.path === `/v1/fedlake/namespaces/v/tables/${name}/credentials`);
      expect(refreshes.length, name).toBeGreaterThan(0);
      expect(refreshes.every((r) => r.status === 200 && r.actor === `service:${lakeWriter.id}`)).toBe(true);
    }

    // What the front vends for the remote table: prefix-scoped to its location, with a refresh endpoint at the front.
    const asWriter = httpSender(front.url, await clientToken(front.url, lakeWriter.credential));
    const loaded = await asWriter('GET', '/v1/fedlake/namespaces/v/tables/events', undefined, { 'x-iceberg-access-delegation': 'vended-credentials' });
    expect(loaded.status, show(loaded.body)).toBe(200);
    const location = loaded.body.metadata.location as string;
    const [credential] = loaded.body['storage-credentials'];
    expect(credential.prefix).toBe(location);
    expect(loaded.body.config['client.refresh-credentials-endpoint']).toBe('v1/fedlake/namespaces/v/tables/events/credentials');
    const vended = vendedClient(credential);
    const key = location.slice(`s3://${BUCKET}/`.length);
    const own = await vended.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${key}/` }));
    expect((own.Contents ?? []).length).toBeGreaterThan(0);
    await expect(vended.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'wh/' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(vended.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wh/v/elsewhere/x', Body: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });

    // The caller's privilege at the front decides the mode: a reader of the front's warehouse gets read-only credentials.
    const lakeReader = await createGrantedPrincipal(front, 'spark-fed-lake-reader', READ_ONLY, { type: 'warehouse', warehouse: 'fedlake' });
    const asReader = httpSender(front.url, await clientToken(front.url, lakeReader.credential));
    const forReader = await asReader('GET', '/v1/fedlake/namespaces/v/tables/events', undefined, { 'x-iceberg-access-delegation': 'vended-credentials' });
    expect(forReader.status, show(forReader.body)).toBe(200);
    const [readOnly] = forReader.body['storage-credentials'];
    const readClient = vendedClient(readOnly);
    expect(((await readClient.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${key}/` }))).Contents ?? []).length).toBeGreaterThan(0);
    await expect(readClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${key}/data/intruder.parquet`, Body: 'x' }))).rejects.toMatchObject({
      name: 'AccessDenied',
    });
  });
});

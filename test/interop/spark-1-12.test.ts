/**
 * Spark 4.1 with the Iceberg 1.12 runtime (issue 58) against Lakegate on MinIO, beside the 1.11 proofs (spark.test.ts,
 * remote-signing.test.ts, planning-spark.test.ts stay on 1.11). One Spark session for every check here
 * (peers/spark/iceberg_1_12.py, driven step by step), holding no storage key, with three catalogs on one warehouse:
 * `lake` (vended credentials), `signed` (remote signing: 1.12's signer resolves `rest.remote-signing.endpoint`, or the
 * deprecated `signer.endpoint` Lakegate still advertises for 1.11) and `planned` (scan-planning-mode=server); a fourth,
 * `signed_default`, signs on a warehouse whose profile has `remote-signing-endpoint: default`, whose table config names
 * no sign endpoint: 1.12 signs through the one it derives.
 *
 * Proven: create, insert, MERGE and read; writes and reads signed by the catalog (every S3 request through the table's
 * POST …/sign, none with a credential); a read planned by the catalog (POST …/plan); an INSERT whose one task pauses
 * past its vended credential's refresh point, so Iceberg 1.12 refreshes it through GET …/credentials mid-write; a view
 * created and read by Spark, and the view's table loaded by 1.12's own RESTCatalog with LoadContext.referencedBy (Spark
 * 4.1's integration never passes one), which sends `referenced-by` on loadTable and loadView: Lakegate accepts it and
 * authorizes the caller itself (docs/compatibility.md); catalog-supplied labels set through the management API and
 * parsed by 1.12's RESTCatalog (BaseTable's SupportsLabels), empty ones for a table without.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { type LoggedRequest, requestLog } from '../support/request-log.js';
import { type CreatedPrincipal, createGrantedPrincipal, grantTo, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { SparkSession } from '../support/spark-session.js';
import { runAsync } from '../support/temp.js';

const BUCKET = 'lakegate-spark-112';
/** A warehouse without STS whose profile has `remote-signing-endpoint: default`: its table config names no sign endpoint. */
const BUCKET_DEFAULT_SIGNING = 'lakegate-spark-112-signing';
const NS = 'v112';
/** Iceberg Java refreshes vended S3 credentials 5 minutes before their reported expiry. */
const REFRESH_WINDOW_SECONDS = 300;
/** So a vended credential enters that window 15 s after the server hands it out. */
const REFRESH_AFTER_SECONDS = 15;
const ENV = { LAKEGATE_ICEBERG_VERSION: '1.12.0' };
const tables = `/v1/lake/namespaces/${NS}/tables`;

let minio: Minio;
let server: ServerProcess;
let send: Send;
let engine: CreatedPrincipal;
let spark: SparkSession;

beforeAll(async () => {
  const install = await runAsync('bash', [peerScript('spark.sh')], { env: { ...process.env, ...ENV } });
  expect(install.status, install.stderr).toBe(0);
  expect(install.stdout).toContain('spark-jars-1.12.0');
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  await minio.createBucket(BUCKET_DEFAULT_SIGNING);
  server = await startServer({
    env: { LAKEGATE_LOG_LEVEL: 'info', LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS: String(REFRESH_WINDOW_SECONDS + REFRESH_AFTER_SECONDS) },
  });
  send = httpSender(server.url, await server.token());
  const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', BUCKET));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const signing = minioWarehouse(minio, 'signlake', BUCKET_DEFAULT_SIGNING) as { 'storage-profile': Record<string, unknown> };
  signing['storage-profile']['sts-enabled'] = false;
  signing['storage-profile']['remote-signing-endpoint'] = 'default';
  const createdSigning = await send('POST', '/management/v1/warehouses', signing);
  expect(createdSigning.status, JSON.stringify(createdSigning.body)).toBe(201);
  engine = await createGrantedPrincipal(server, 'spark112', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'lake' });
  await grantTo(server, engine.id, READ_WRITE_ALL, { type: 'warehouse', warehouse: 'signlake' });
  spark = await SparkSession.start(`${REPO_ROOT}/peers/spark/iceberg_1_12.py`, {
    ...ENV,
    CATALOG_URI: server.url,
    CATALOG_WAREHOUSE: 'lake',
    CATALOG_CREDENTIAL: engine.credential,
    CATALOG_SIGNED_DEFAULT_WAREHOUSE: 'signlake',
  });
}, 15 * 60_000);
afterAll(async () => {
  await spark?.stop();
  await server?.stop();
  await minio?.stop();
});

const sql = async (query: string): Promise<string[][]> => (await spark.run({ cmd: 'sql', query })).rows as string[][];

/** The requests the server completed while `work` ran. */
async function during<T>(work: () => Promise<T>): Promise<{ result: T; log: LoggedRequest[] }> {
  const before = requestLog(await server.settledOutput()).length;
  const result = await work();
  return { result, log: requestLog(await server.settledOutput()).slice(before) };
}

describe('Spark 4.1 + Iceberg 1.12', () => {
  it('is the 1.12 runtime', async () => {
    const v = await spark.run({ cmd: 'version' });
    expect(v.iceberg).toMatch(/^1\.12\.0/);
    expect(v.spark).toMatch(/^4\.1\./);
  });

  it('creates, inserts, merges and reads with vended credentials', async () => {
    await sql(`CREATE NAMESPACE IF NOT EXISTS lake.${NS}`);
    await sql(`CREATE TABLE lake.${NS}.events (id BIGINT, v STRING) USING iceberg TBLPROPERTIES ('format-version'='2')`);
    await sql(`INSERT INTO lake.${NS}.events VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
    await sql(
      `MERGE INTO lake.${NS}.events t USING (SELECT 2 AS id, 'B' AS v UNION ALL SELECT 4, 'd') s ON t.id = s.id ` +
        'WHEN MATCHED THEN UPDATE SET t.v = s.v WHEN NOT MATCHED THEN INSERT *',
    );
    expect(await sql(`SELECT id, v FROM lake.${NS}.events ORDER BY id`)).toEqual([
      ['1', 'a'],
      ['2', 'B'],
      ['3', 'c'],
      ['4', 'd'],
    ]);
    const loaded = await send('GET', `${tables}/events`);
    expect(loaded.body.metadata.snapshots.map((s: any) => s.summary.operation)).toEqual(['append', 'overwrite']);
  });

  it('writes and reads through remote signing, every S3 request signed by the catalog', async () => {
    const { result, log } = await during(async () => {
      await sql(`CREATE TABLE signed.${NS}.signed_events (id BIGINT, v STRING) USING iceberg`);
      await sql(`INSERT INTO signed.${NS}.signed_events VALUES (10, 'x'), (11, 'y')`);
      await sql(`INSERT INTO signed.${NS}.signed_events SELECT id, v FROM signed.${NS}.events`);
      return sql(`SELECT count(*), sum(id) FROM signed.${NS}.signed_events`);
    });
    expect(result).toEqual([['6', '31']]);
    const signs = log.filter((r) => r.method === 'POST' && r.path.endsWith('/sign'));
    expect(signs.length, 'sign requests').toBeGreaterThan(3);
    for (const r of signs) expect([r.path, r.status]).toEqual([`${tables}/${r.path.split('/').at(-2)}/sign`, 200]);
    expect(new Set(signs.map((r) => r.path.split('/').at(-2)))).toEqual(new Set(['signed_events', 'events']));
    // No credential was vended to the signed catalog: no refresh, no credentials call.
    expect(log.filter((r) => r.path.endsWith('/credentials'))).toEqual([]);
  });

  it('signs through the endpoint it derives itself (rest.remote-signing.endpoint) when the config names none', async () => {
    const { result, log } = await during(async () => {
      await sql('CREATE NAMESPACE IF NOT EXISTS signed_default.derived');
      await sql('CREATE TABLE signed_default.derived.t (id BIGINT) USING iceberg');
      await sql('INSERT INTO signed_default.derived.t VALUES (1), (2), (3)');
      return sql('SELECT sum(id) FROM signed_default.derived.t');
    });
    expect(result).toEqual([['6']]);
    const loaded = await send('GET', '/v1/signlake/namespaces/derived/tables/t', undefined, { 'x-iceberg-access-delegation': 'remote-signing' });
    expect(loaded.body.config['s3.remote-signing-enabled']).toBe('true');
    for (const key of ['rest.remote-signing.endpoint', 'signer.endpoint', 's3.signer.endpoint']) expect(loaded.body.config[key], key).toBeUndefined();
    // 1.11 and PyIceberg would call v1/aws/s3/sign here; 1.12 calls the table's own sign operation.
    const signs = log.filter((r) => r.method === 'POST' && r.path.endsWith('/sign'));
    expect(signs.length, 'sign requests').toBeGreaterThan(2);
    for (const r of signs) expect([r.path, r.status]).toEqual(['/v1/signlake/namespaces/derived/tables/t/sign', 200]);
  });

  it('reads a table planned by the catalog', async () => {
    const { result, log } = await during(() => sql(`SELECT id, v FROM planned.${NS}.events ORDER BY id`));
    expect(result).toEqual([
      ['1', 'a'],
      ['2', 'B'],
      ['3', 'c'],
      ['4', 'd'],
    ]);
    const plans = log.filter((r) => r.method === 'POST' && r.path === `${tables}/events/plan`);
    expect(plans.length, 'plan requests').toBeGreaterThanOrEqual(1);
    for (const r of plans) expect(r.status).toBe(200);
  });

  it('refreshes an expiring vended credential in the middle of a write', async () => {
    const { result, log } = await during(() =>
      spark.run({ cmd: 'paused_insert', table: `lake.${NS}.events`, first: 100, last: 200, pause_seconds: REFRESH_AFTER_SECONDS + 5 }),
    );
    expect(result.seconds).toBeGreaterThanOrEqual(REFRESH_AFTER_SECONDS);
    const refreshes = log.filter((r) => r.method === 'GET' && r.path === `${tables}/events/credentials`);
    expect(refreshes.length, 'credential refreshes').toBeGreaterThanOrEqual(1);
    for (const r of refreshes) expect(r.status).toBe(200);
    expect(await sql(`SELECT count(*) FROM lake.${NS}.events WHERE v = 'paused'`)).toEqual([['100']]);
  });

  it('reads a view, and loads its table with referenced-by through the 1.12 RESTCatalog', async () => {
    await sql(`CREATE VIEW lake.${NS}.big_events AS SELECT id, v FROM lake.${NS}.events WHERE id >= 3`);
    expect(await sql(`SELECT count(*) FROM lake.${NS}.big_events`)).toEqual([['102']]);
    const { result, log } = await during(() => spark.run({ cmd: 'load_via_view', table: `${NS}.events`, views: [`${NS}.big_events`] }));
    expect(result.rows).toBe(104);
    expect(result.views).toEqual([`direct.${NS}.big_events`]);
    const loads = log.filter((r) => r.method === 'GET' && (r.path === `${tables}/events` || r.path === `/v1/lake/namespaces/${NS}/views/big_events`));
    expect(loads.map((r) => [r.path, r.status])).toEqual([
      [`${tables}/events`, 200],
      [`/v1/lake/namespaces/${NS}/views/big_events`, 200],
    ]);
    for (const r of loads) expect(new URL(r.url, server.url).searchParams.get('referenced-by')).toBe(`${NS}\u001fbig_events`);
  });

  it("answers catalog-supplied labels that 1.12's RESTCatalog parses (SupportsLabels), and none for a table without", async () => {
    // Its own namespace and table, so it also runs alone (-t labels).
    await sql(`CREATE NAMESPACE IF NOT EXISTS lake.${NS}`);
    await sql(`CREATE TABLE lake.${NS}.labelled (id bigint, email string) USING iceberg`);
    // No labels in the answer: 1.12 gives the table empty labels.
    expect((await spark.run({ cmd: 'table_labels', table: `${NS}.labelled` })).labels).toEqual({ 'object-labels': {}, fields: [] });
    const labels = { 'object-labels': { owner: 'team-sales', classification: 'internal' }, fields: [{ 'field-id': 2, labels: { pii: 'email' } }] };
    const set = await send('PUT', `/management/v1/warehouses/lake/namespaces/${NS}/tables/labelled/labels`, labels);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await spark.run({ cmd: 'table_labels', table: `${NS}.labelled` })).labels).toEqual(labels);
    // Spark's own reads of the labelled table are unchanged.
    await sql(`INSERT INTO lake.${NS}.labelled VALUES (1, 'a@example.com')`);
    expect(await sql(`SELECT count(*) FROM lake.${NS}.labelled`)).toEqual([['1']]);
  });

  it('leaves no storage key in the log, and Spark never held the warehouse key', async () => {
    const output = await server.settledOutput();
    expect(output).not.toContain(MINIO_ROOT.secretAccessKey);
    expect(output).not.toMatch(/"s3\.secret-access-key":"[^*]/);
  });
});

/**
 * The Spark executor of managed compaction (issue 59, "beyond one machine"; catalog/ports/compaction-executor.ts):
 * a real server process with `compactionExecutor: spark` hands rewrite-manifests and rewrite-data-files to
 * `spark-submit` (Spark 4.1 + Iceberg 1.11, the PySpark venv and runtime jars of scripts/peers/spark.sh), which calls
 * Iceberg's own rewrite_manifests / rewrite_data_files procedures through a private listener of the catalog's Iceberg
 * surface, authenticated by a credential minted for the job. The table is the one compaction-spark.test.ts builds
 * (Spark's small INSERTs into a table partitioned by region, a merge-on-read DELETE). Checked: fewer files and the
 * same rows read back by another Spark session, the snapshot a `replace` made by Spark (its summary names Spark's
 * application) and committed through Lakegate (the table's `table.committed` change event for it), the job's record,
 * audit record (executor spark) and /metrics; a z-order (`sort-order: {"zorder": ...}`) run as Spark's
 * `sort_order => 'zorder(id, v)'`; and a Spark failure reported as the job's failure, without the secret.
 */
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { type CreatedPrincipal, createGrantedPrincipal, type ServerProcess, startServer } from '../support/server-process.js';
import { SparkSession } from '../support/spark-session.js';
import { runAsync } from '../support/temp.js';

const BUCKET = 'lakegate-compaction-spark-executor';
const TABLE = 'lake.comp.events';
const BASE = '/management/v1/warehouses/lake/namespaces/comp/tables';
const show = (body: unknown) => JSON.stringify(body, (_k, v) => (typeof v === 'bigint' ? String(v) : v));

let minio: Minio;
let server: ServerProcess;
let send: Send;
let token: string;
let engine: CreatedPrincipal;
let spark: SparkSession;

beforeAll(async () => {
  const install = await runAsync('bash', [peerScript('spark.sh')]);
  expect(install.status, install.stderr).toBe(0);
  const [python, jarDir] = install.stdout.trim().split('\n') as [string, string];
  const bin = python.replace(/\/python$/, '');
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer({
    env: {
      LAKEGATE_LOG_LEVEL: 'warn',
      LAKEGATE_COMPACTION_EXECUTOR: 'spark',
      LAKEGATE_SPARK_SUBMIT: `${bin}/spark-submit`,
      LAKEGATE_SPARK_EXECUTOR_JARS: [`${jarDir}/iceberg-spark-runtime-4.1_2.13-1.11.0.jar`, `${jarDir}/iceberg-aws-bundle-1.11.0.jar`].join(','),
      LAKEGATE_SPARK_SUBMIT_ARGS:
        '--driver-memory 1g --conf spark.ui.enabled=false --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 --conf spark.sql.shuffle.partitions=2',
      PYSPARK_PYTHON: python,
      JAVA_HOME: process.env.LAKEGATE_SPARK_JAVA_HOME ?? '/usr/lib/jvm/java-17-openjdk-amd64',
    },
  });
  token = await server.token();
  send = httpSender(server.url, token);
  const lake = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', BUCKET));
  expect(lake.status, show(lake.body)).toBe(201);
  engine = await createGrantedPrincipal(server, 'spark-writer', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'lake' });
  spark = await SparkSession.shared('compaction', { CATALOG_URI: server.url, CATALOG_WAREHOUSE: 'lake', CATALOG_CREDENTIAL: engine.credential });
}, 25 * 60_000);
afterAll(async () => {
  await spark?.stop();
  await server?.stop();
  await minio?.stop();
});

it(
  "Spark's rewrite_manifests and rewrite_data_files, run by the catalog's job, commit through Lakegate: fewer files, the same rows",
  async () => {
    const written = await spark.run({ cmd: 'write', table: TABLE, inserts: 12 });
    expect(written.data_files).toBe(12);
    expect(written.delete_files).toBeGreaterThan(0);
    const events = async () =>
      (await send('GET', '/management/v1/events?warehouse=lake&limit=1000')).body.events as Array<{ type: string; subject?: string; data: any }>;
    const committedBefore = (await events()).filter((e) => e.type.endsWith('table.committed')).length;

    const merged = await send('POST', `${BASE}/events/maintenance`, { actions: ['rewrite-manifests'] });
    expect(merged.status, show(merged.body)).toBe(200);
    expect(merged.body.manifests).toMatchObject({ outcome: 'committed' });
    expect(merged.body.manifests['rewritten-manifests']).toBeGreaterThanOrEqual(written.data_manifests);
    const remanifested = await spark.run({ cmd: 'read', table: TABLE });
    expect(remanifested.rows).toEqual(written.rows);
    expect(remanifested.operation).toBe('replace');
    expect(remanifested.snapshot).toBe(merged.body.manifests['snapshot-id']);
    expect(remanifested.data_manifests).toBeLessThan(written.data_manifests);

    const done = await send('POST', `${BASE}/events/maintenance`, { actions: ['rewrite-data-files'], 'target-file-size-bytes': 64 * 1024 * 1024 });
    expect(done.status, show(done.body)).toBe(200);
    expect(done.body.compaction).toMatchObject({
      outcome: 'committed',
      'rewritten-data-files': 12,
      'added-data-files': 2,
      'target-file-size-bytes': 64 * 1024 * 1024,
    });

    const after = await spark.run({ cmd: 'read', table: TABLE });
    expect(after.rows).toEqual(written.rows);
    expect(after.operation).toBe('replace');
    expect(after.snapshot).toBe(done.body.compaction['snapshot-id']);
    expect(after.data_files).toBe(2);

    // Spark made both snapshots (Iceberg names the engine in the summary: the catalog's own do not) and Lakegate
    // committed them: they are in the catalog's metadata, each with the catalog's change event.
    const metadata = (await send('GET', '/v1/lake/namespaces/comp/tables/events')).body.metadata;
    for (const id of [merged.body.manifests['snapshot-id'], done.body.compaction['snapshot-id']]) {
      const snapshot = metadata.snapshots.find((s: { 'snapshot-id': unknown }) => String(s['snapshot-id']) === id);
      expect(snapshot?.summary, show(snapshot?.summary)).toMatchObject({ operation: 'replace', 'engine-name': 'spark' });
    }
    const committed = (await events()).filter((e) => e.type.endsWith('table.committed'));
    expect(committed.length - committedBefore).toBeGreaterThanOrEqual(2);
    expect(show(committed.slice(committedBefore))).toContain(done.body.compaction['snapshot-id']);

    const job = (await send('GET', `${BASE}/events/maintenance`)).body;
    expect(job).toMatchObject({ state: 'done', progress: { phase: 'done', 'files-rewritten': 12 } });
    const audit = (await send('GET', '/management/v1/audit?limit=200')).body.events as Array<{ type: string; detail?: Record<string, unknown> }>;
    const completed = audit.filter((e) => e.type === 'maintenance.completed').map((e) => e.detail);
    expect(completed).toContainEqual(expect.objectContaining({ executor: 'spark', compaction: 'committed', rewrittenFiles: 12, addedFiles: 2 }));
    expect(completed).toContainEqual(expect.objectContaining({ executor: 'spark', manifestRewrite: 'committed' }));
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(Number(/lakegate_compaction_files_rewritten_total\{trigger="on-demand"\} (\d+)/.exec(metrics)?.[1])).toBe(12);

    // Nothing left: the catalog's plan finds no group, and Spark is not started.
    const again = await send('POST', `${BASE}/events/maintenance`, { actions: ['rewrite-data-files'], 'target-file-size-bytes': 64 * 1024 * 1024 });
    expect(again.body.compaction.outcome).toBe('nothing-to-do');
  },
  20 * 60_000,
);

it(
  "passes a z-order to Spark's rewrite_data_files as sort_order zorder(...): committed by Spark, the same rows",
  async () => {
    const table = 'lake.comp.zordered';
    const written = await spark.run({ cmd: 'write', table, inserts: 6 });
    const schema = (await send('GET', '/v1/lake/namespaces/comp/tables/zordered')).body.metadata.schemas[0].fields as Array<{ id: number; name: string }>;
    const idOf = (name: string) => schema.find((f) => f.name === name)!.id;
    const done = await send('POST', `${BASE}/zordered/maintenance`, {
      actions: ['rewrite-data-files'],
      'sort-order': { zorder: { 'source-ids': [idOf('id'), idOf('v')] } },
    });
    expect(done.status, show(done.body)).toBe(200);
    expect(done.body.compaction).toMatchObject({ outcome: 'committed', strategy: 'zorder', 'rewritten-data-files': 6 });
    const after = await spark.run({ cmd: 'read', table });
    expect(after.rows).toEqual(written.rows);
    expect(after.operation).toBe('replace');
    expect(after.snapshot).toBe(done.body.compaction['snapshot-id']);
    const metadata = (await send('GET', '/v1/lake/namespaces/comp/tables/zordered')).body.metadata;
    const snapshot = metadata.snapshots.find((s: { 'snapshot-id': unknown }) => String(s['snapshot-id']) === done.body.compaction['snapshot-id']);
    expect(snapshot?.summary).toMatchObject({ operation: 'replace', 'engine-name': 'spark' });
    // A column the catalog cannot z-order is a 400 before Spark starts.
    const refused = await send('POST', `${BASE}/zordered/maintenance`, { actions: ['rewrite-data-files'], 'sort-order': { zorder: { 'source-ids': [999] } } });
    expect(refused.status, show(refused.body)).toBe(400);
  },
  20 * 60_000,
);

it(
  "reports Spark's failure as the job's (502 with Spark's reason, no secret) and leaves the table as it was",
  async () => {
    const table = 'lake.comp.broken';
    const written = await spark.run({ cmd: 'write', table, inserts: 4 });
    const loaded = (await send('GET', '/v1/lake/namespaces/comp/tables/broken')).body;
    // One live data file gone from the bucket: the catalog's plan (metadata only) still finds groups; Spark cannot read it.
    const [, bucket, prefix] = /^s3:\/\/([^/]+)\/(.*)$/.exec(loaded.metadata.location as string)!;
    const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/data/` }));
    const victim = (listed.Contents ?? []).map((o) => o.Key!).find((k) => k.endsWith('.parquet') && !k.includes('delete'));
    expect(victim).toBeDefined();
    await minio.root.send(new DeleteObjectCommand({ Bucket: bucket, Key: victim }));

    const failed = await send('POST', `${BASE}/broken/maintenance`, { actions: ['rewrite-data-files'] });
    expect(failed.status, show(failed.body)).toBe(502);
    const message = String(failed.body.error.message);
    expect(message).toMatch(/^the Spark job \(rewrite-data-files of comp\.broken\) failed, exit status 1: \S/);
    expect(message).not.toMatch(/bearer/i);
    const job = (await send('GET', `${BASE}/broken/maintenance`)).body;
    expect(job).toMatchObject({ state: 'failed', progress: { phase: 'failed', error: message } });
    expect((await send('GET', '/v1/lake/namespaces/comp/tables/broken')).body['metadata-location']).toBe(loaded['metadata-location']);
    expect(written.rows.length).toBeGreaterThan(0);
  },
  20 * 60_000,
);

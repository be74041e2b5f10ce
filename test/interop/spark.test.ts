/**
 * Spark (PySpark 4.1 + Iceberg 1.11 Spark runtime) on a Lakegate warehouse in
 * MinIO, holding no storage keys of its own: it writes with vended, prefix-scoped
 * credentials only. The server reports those credentials as expiring soon
 * (LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS = 300 s + REFRESH_AFTER_SECONDS),
 * and the job (peers/spark/vended_ctas.py) holds back its writes for longer than
 * REFRESH_AFTER_SECONDS in one INSERT and in a CREATE TABLE … AS SELECT, so
 * Iceberg's VendedCredentialsProvider must fetch new credentials through the
 * table's `client.refresh-credentials-endpoint` mid-job: for the existing
 * table, and for the staged CTAS table between its stage-create and its commit.
 */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, startMinio, minioWarehouse } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { READ_WRITE_ALL } from '../support/access.js';
import { type CreatedPrincipal, createGrantedPrincipal, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';
import { runSparkJob } from '../support/spark-session.js';

const BUCKET = 'lakegate-spark';
const NAMESPACE = 'spark';
/** Iceberg Java refreshes vended S3 credentials 5 minutes before their reported expiry. */
const REFRESH_WINDOW_SECONDS = 300;
/** So a vended credential enters that window 15 s after the server hands it out. */
const REFRESH_AFTER_SECONDS = 15;
const ROWS_PER_BATCH = 1000;
const BATCHES = 3;

let minio: Minio;
let server: ServerProcess;
let send: Send;
/** Spark's principal: not an admin; it holds what the job does in the warehouse (create, write, drop). */
let engine: CreatedPrincipal;

beforeAll(async () => {
  // Install (or reuse) the venv and jars first: a cold install takes minutes, and nothing is running yet.
  const install = await runAsync('bash', [peerScript('spark.sh')]);
  expect(install.status, install.stderr).toBe(0);

  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer({
    env: { LAKEGATE_LOG_LEVEL: 'info', LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS: String(REFRESH_WINDOW_SECONDS + REFRESH_AFTER_SECONDS) },
  });
  // The admin sets up the warehouse; Spark and its credential refreshes authenticate as a non-admin engine principal.
  send = httpSender(server.url, await server.token());
  const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', BUCKET));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  engine = await createGrantedPrincipal(server, 'spark', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'lake' });
});
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

interface LoggedRequest {
  method: string;
  /** Path and query as logged (secret-bearing query values scrubbed). */
  url: string;
  status?: number;
}

/**
 * The requests the server logged, in arrival order, with their response status: one "request completed"
 * line per request names it (`req`) and its status; it arrived `responseTime` ms before the line's `time`.
 */
function requestLog(output: string): LoggedRequest[] {
  const requests: Array<LoggedRequest & { receivedAt: number }> = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: any;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (entry.msg !== 'request completed' || !entry.req?.url || !entry.req?.method) continue;
    requests.push({
      method: entry.req.method,
      url: entry.req.url,
      status: entry.res?.statusCode,
      receivedAt: Number(entry.time) - Number(entry.responseTime ?? 0),
    });
  }
  // Stable: requests that arrived within the same millisecond keep their completion order.
  return requests.sort((a, b) => a.receivedAt - b.receivedAt);
}

const pathOf = (r: LoggedRequest) => r.url.split('?')[0]!;
const tables = `/v1/lake/namespaces/${NAMESPACE}/tables`;

describe('Spark with vended S3 credentials', () => {
  it('creates, inserts and runs a CTAS, refreshing expiring credentials mid-job', async () => {
    const env = {
      CATALOG_URI: server.url,
      CATALOG_WAREHOUSE: 'lake',
      SPARK_NAMESPACE: NAMESPACE,
      REFRESH_AFTER_SECONDS: String(REFRESH_AFTER_SECONDS),
      INSERT_BATCHES: String(BATCHES),
      ROWS_PER_BATCH: String(ROWS_PER_BATCH),
      CATALOG_CREDENTIAL: engine.credential,
      CATALOG_OAUTH2_SERVER_URI: `${server.url}/v1/oauth/tokens`,
    };
    const started = Date.now();
    const run = await runSparkJob('vended_ctas', env, { timeoutMs: 10 * 60_000 });
    const seconds = Math.round((Date.now() - started) / 1000);
    const lines = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
    const summary = lines.find((l) => l.summary);
    const context = `spark job (${seconds}s, exit ${run.status}):\n${run.stdout}\n${run.stderr.slice(-20_000)}`;
    expect(summary, context).toMatchObject({ ok: true, failed: 0 });
    expect(run.status, context).toBe(0);

    // The job succeeded: every row arrived, in the table and in its CTAS copy.
    const total = BATCHES * ROWS_PER_BATCH;
    const sum = (total * (total - 1)) / 2;
    expect(summary!.counts.events).toEqual({ rows: total, sum_id: sum, batches: BATCHES });
    expect(summary!.counts.events_ctas).toEqual({ rows: total, sum_id: sum, batches: BATCHES });

    // Refreshes happened, through our endpoint, and succeeded.
    const log = requestLog(await server.settledOutput());
    const refreshes = (table: string) => log.filter((r) => r.method === 'GET' && pathOf(r) === `${tables}/${table}/credentials`);
    for (const r of [...refreshes('events'), ...refreshes('events_ctas')]) expect(r.status, r.url).toBe(200);
    const index = (pred: (r: LoggedRequest) => boolean) => log.findIndex(pred);
    const createEvents = index((r) => r.method === 'POST' && pathOf(r) === tables);
    const ctasCommit = index((r) => r.method === 'POST' && pathOf(r) === `${tables}/events_ctas`);
    // The CTAS's stage-create is the last create-table POST before its commit.
    const stageCreate = log.slice(0, ctasCommit).findLastIndex((r) => r.method === 'POST' && pathOf(r) === tables);
    expect(createEvents, 'create-table POST').toBeGreaterThanOrEqual(0);
    expect(ctasCommit, 'CTAS commit POST').toBeGreaterThan(0);
    expect(stageCreate, 'CTAS stage-create POST').toBeGreaterThan(createEvents);
    const between = (from: number, to: number, table: string) =>
      log.slice(from + 1, to).filter((r) => r.method === 'GET' && pathOf(r) === `${tables}/${table}/credentials`).length;
    const duringInserts = between(createEvents, stageCreate, 'events');
    const duringCtas = between(stageCreate, ctasCommit, 'events_ctas');
    console.info(
      `spark job ${seconds}s; credential refreshes: events ${refreshes('events').length} (during the INSERTs ${duringInserts}), ` +
        `events_ctas ${refreshes('events_ctas').length} (between stage-create and commit ${duringCtas}); ` +
        `auth ${server.credential ? `oauth2, ${log.filter((r) => r.method === 'POST' && pathOf(r) === '/v1/oauth/tokens').length} token requests` : 'off'}`,
    );
    expect(duringInserts, 'refreshes of the existing table during the paused INSERT').toBeGreaterThanOrEqual(1);
    expect(duringCtas, 'refreshes of the staged table inside the CTAS').toBeGreaterThanOrEqual(1);

    // The data really is in MinIO under each table's own prefix.
    const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `wh/${NAMESPACE}/` }));
    const parquet = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.parquet'));
    expect(parquet.some((k) => k.startsWith(`wh/${NAMESPACE}/events-`) || k.startsWith(`wh/${NAMESPACE}/events/`))).toBe(true);
    expect(parquet.some((k) => k.startsWith(`wh/${NAMESPACE}/events_ctas`))).toBe(true);

    // No secret in the server log: neither the warehouse's own key nor a vended one.
    const current = await send('GET', `${tables}/events_ctas`, undefined, { 'x-iceberg-access-delegation': 'vended-credentials' });
    const vended = current.body['storage-credentials'][0].config;
    const output = await server.settledOutput();
    expect(output).not.toContain(MINIO_ROOT.secretAccessKey);
    if (server.credential) expect(output).not.toContain(server.credential.slice(server.credential.indexOf(':') + 1));
    expect(output).not.toContain(vended['s3.secret-access-key']);
    expect(output).not.toContain(vended['s3.session-token']);
    expect(output).not.toMatch(/"s3\.secret-access-key":"[^*]/);
    // And Spark never saw the warehouse's keys.
    expect(run.stdout + run.stderr).not.toContain(MINIO_ROOT.secretAccessKey);
  });
});

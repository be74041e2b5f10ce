/**
 * DuckDB 1.5.5 with its iceberg, avro and httpfs extensions (PyPI wheels, loaded from their files; nothing
 * downloaded at run time) on a Lakegate warehouse in MinIO, through `CREATE SECRET (TYPE iceberg, …)` and
 * `ATTACH … (TYPE iceberg, ENDPOINT …)`, holding no storage keys of its own: only the credentials Lakegate
 * vends. Each test runs one DuckDB session (peers/duckdb/duckdb_session.py) and reads the server's request log.
 *
 * When DuckDB 1.5.5 gets new vended credentials (seen below, and in the httpfs / iceberg extension sources): not
 * on the reported expiry (s3.session-token-expires-at-ms is ignored). Outside a transaction every statement loads
 * the table again (fresh credentials anyway); inside one, the loaded table's credentials are kept. A table's vended
 * credentials become a DuckDB secret with a refresh hook (catalog, schema, table); httpfs calls it only when storage
 * refuses a request with 401/403, and the iceberg extension 1.5.5 then loads the table again (GET …/tables/{t});
 * the failed request is retried once. Its list of known endpoints has no loadCredentials, so it never calls
 * GET …/credentials even though /v1/config advertises it (later duckdb-iceberg sources add that path).
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READ_ONLY, READ_WRITE_ALL } from '../support/access.js';
import { httpSender, type Send } from '../support/iceberg-http.js';
import { MINIO_ROOT, type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { pythonVenv } from '../support/peers.js';
import { describeRequests, type LoggedRequest, requestsDuring } from '../support/request-log.js';
import { type CreatedPrincipal, createPrincipal, grantTo, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';

const BUCKET = 'lakegate-duckdb';
/** Vended credentials are reported to expire this soon (MinIO keeps them valid for 900 s). */
const REPORTED_LIFETIME_SECONDS = 2;
const SCRIPT = path.join(REPO_ROOT, 'peers', 'duckdb', 'duckdb_session.py');

let minio: Minio;
let server: ServerProcess;
let send: Send;
let python: string;
let engine: CreatedPrincipal;

beforeAll(async () => {
  python = await pythonVenv(
    'duckdb',
    'peers/duckdb/requirements.txt',
    'import duckdb, duckdb_extension_iceberg, duckdb_extension_avro, duckdb_extension_httpfs',
  );
  minio = await startMinio();
  await minio.createBucket(BUCKET);
  server = await startServer({
    env: {
      LAKEGATE_LOG_LEVEL: 'info',
      LAKEGATE_REPORTED_CREDENTIAL_LIFETIME_SECONDS: String(REPORTED_LIFETIME_SECONDS),
      // Every vend is a new STS credential (no reuse), so a refresh after a revocation gets a live one.
      LAKEGATE_CREDENTIAL_CACHE_MAX_SECONDS: '0',
    },
  });
  send = httpSender(server.url, await server.token());
  const created = await send('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', BUCKET));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  engine = await createPrincipal(server, 'duckdb-engine');
  // Deny by default: this principal may do everything in the warehouse.
  await grantTo(server, engine.id, READ_WRITE_ALL, { type: 'warehouse', warehouse: 'lake' });
});
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

type Step = { sql: string; may_fail?: boolean } | { pause: string };
interface StepResult {
  step: number | 'attach';
  ok?: boolean;
  rows?: unknown[][];
  error?: string;
  paused?: string;
}

/** One DuckDB session of principal `as` running `steps`; at each pause, `onPause(name)` runs before the session goes on. */
async function duckdb(steps: Step[], onPause: (name: string) => Promise<void> = async () => undefined, as: CreatedPrincipal = engine) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LAKEGATE_URI: server.url,
    LAKEGATE_WAREHOUSE: 'lake',
    LAKEGATE_CLIENT_ID: as.id,
    LAKEGATE_CLIENT_SECRET: as.secret,
    DUCKDB_STEPS: JSON.stringify(steps),
  };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_') || k.startsWith('DUCKDB_S3')) delete env[k];
  const child = spawn(python, [SCRIPT], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const results: StepResult[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  for await (const line of createInterface({ input: child.stdout })) {
    stdout += `${line}\n`;
    if (!line.startsWith('{')) continue;
    const result = JSON.parse(line) as StepResult;
    results.push(result);
    if (result.paused !== undefined) {
      await onPause(result.paused);
      child.stdin.write('\n');
    }
  }
  const status = await exited;
  clearTimeout(timer);
  child.stdin.end();
  const context = `duckdb exited ${status}:\n${stdout}\n${stderr.slice(-5000)}`;
  return { results, status, context, output: stdout + stderr };
}

/** The rows of each SQL step, in order; fails with the session's output unless every step succeeded. */
function rowsOf(run: Awaited<ReturnType<typeof duckdb>>): unknown[][][] {
  expect(run.status, run.context).toBe(0);
  return run.results.filter((r) => typeof r.step === 'number' && r.paused === undefined).map((r) => r.rows!);
}

const tables = '/v1/lake/namespaces/duck/tables';
/** method, URL and response status of each HTTP request in DuckDB's log (never its headers: they hold tokens). */
const HTTP_LOG = String.raw`SELECT regexp_extract(message, '''type'': (\w+)', 1), regexp_extract(message, '''url'': ''([^'']+)''', 1), regexp_extract(message, '''status'': (\w+)', 1) FROM duckdb_logs WHERE type = 'HTTP' ORDER BY timestamp`;
const refreshes = (requests: LoggedRequest[], table: string) => requests.filter((r) => r.method === 'GET' && r.path === `${tables}/${table}/credentials`);

describe('DuckDB 1.5.5 on a Lakegate warehouse in MinIO, with vended credentials only', () => {
  it('creates a schema and tables, inserts, runs a CTAS and reads back exactly', async () => {
    const { result: run, requests } = await requestsDuring(server, () =>
      duckdb([
        { sql: 'CREATE SCHEMA lake.duck' },
        { sql: 'CREATE TABLE lake.duck.orders (id BIGINT, customer VARCHAR, amount DECIMAL(10,2), day DATE)' },
        {
          sql: "INSERT INTO lake.duck.orders VALUES (1, 'ada', 12.50, DATE '2026-01-01'), (2, 'bo', 3.25, DATE '2026-01-02'), (3, 'ada', 0.75, DATE '2026-01-03')",
        },
        { sql: 'SELECT * FROM lake.duck.orders ORDER BY id' },
        { sql: 'CREATE TABLE lake.duck.totals AS SELECT customer, sum(amount) AS total, count(*) AS n FROM lake.duck.orders GROUP BY customer' },
        { sql: 'SELECT * FROM lake.duck.totals ORDER BY customer' },
      ]),
    );
    const rows = rowsOf(run);
    expect(rows[2]).toEqual([[3]]);
    expect(rows[3]).toEqual([
      [1, 'ada', '12.50', '2026-01-01'],
      [2, 'bo', '3.25', '2026-01-02'],
      [3, 'ada', '0.75', '2026-01-03'],
    ]);
    expect(rows[5]).toEqual([
      ['ada', '13.25', 2],
      ['bo', '3.25', 1],
    ]);

    // All as the engine principal; appends go through the multi-table transactions endpoint.
    const catalog = requests.filter((r) => r.path.startsWith('/v1/lake/'));
    for (const r of catalog) expect(r.actor, `${r.method} ${r.url}`).toBe(`service:${engine.id}`);
    for (const r of catalog) expect(r.status, `${r.method} ${r.url}`).toBeLessThan(500);
    const calls = catalog.map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(calls, describeRequests(requests).join('\n')).toEqual(expect.arrayContaining([`POST ${tables} 200`, `POST /v1/lake/transactions/commit 204`]));
    expect(refreshes(requests, 'orders')).toEqual([]);

    // The files are in MinIO under each table's own prefix.
    const listed = await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'wh/duck/' }));
    const parquet = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => k.endsWith('.parquet'));
    expect(parquet.some((k) => k.startsWith('wh/duck/orders-'))).toBe(true);
    expect(parquet.some((k) => k.startsWith('wh/duck/totals-'))).toBe(true);

    // /v1/config advertises loadCredentials (DuckDB refreshes only through an advertised endpoint).
    const config = await send('GET', '/v1/config?warehouse=lake');
    expect(config.body.endpoints).toContain('GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials');
    // No secret in the server log or DuckDB's output.
    const vended = (await send('GET', `${tables}/orders`, undefined, { 'x-iceberg-access-delegation': 'vended-credentials' })).body.config;
    for (const log of [await server.settledOutput(), run.output]) {
      expect(log).not.toContain(MINIO_ROOT.secretAccessKey);
      expect(log).not.toContain(engine.secret);
      expect(log).not.toContain(vended['s3.secret-access-key']);
    }
  });

  it('keeps using credentials past their reported expiry inside a transaction: no refresh on expiry alone', async () => {
    const { result: run, requests } = await requestsDuring(server, () =>
      duckdb(
        [
          { sql: 'BEGIN' },
          { sql: 'SELECT count(*) FROM lake.duck.orders' },
          { pause: 'past-reported-expiry' },
          { sql: "INSERT INTO lake.duck.orders VALUES (4, 'cy', 1.00, DATE '2026-01-04')" },
          { sql: 'COMMIT' },
          { sql: 'SELECT count(*), sum(amount) FROM lake.duck.orders' },
        ],
        () => new Promise((r) => setTimeout(r, REPORTED_LIFETIME_SECONDS * 1000 + 1500)),
      ),
    );
    const rows = rowsOf(run);
    expect(rows[1]).toEqual([[3]]);
    expect(rows.at(-1)).toEqual([[4, '17.50']]);
    expect(refreshes(requests, 'orders')).toEqual([]);
  });

  it('re-vends when storage refuses its credentials mid-transaction (revoked in MinIO): 403, a table load, the write retried', async () => {
    let beforeRevoke: Record<string, string> = {};
    const { result: run, requests } = await requestsDuring(server, () =>
      duckdb(
        [
          // DuckDB's own HTTP log (debug level) says which storage request failed and what DuckDB did next.
          { sql: "CALL enable_logging(level = 'debug')" },
          { sql: 'BEGIN' },
          { sql: 'SELECT count(*) FROM lake.duck.orders' },
          { pause: 'revoke' },
          { sql: "INSERT INTO lake.duck.orders VALUES (5, 'di', 2.00, DATE '2026-01-05')" },
          { sql: 'COMMIT' },
          { sql: HTTP_LOG },
          { sql: "SELECT count(*) FROM duckdb_logs WHERE message LIKE 'Refreshing Iceberg vended credentials%'" },
          { sql: 'SELECT id, customer FROM lake.duck.orders WHERE id >= 4 ORDER BY id' },
        ],
        async () => {
          beforeRevoke = (await send('GET', `${tables}/orders`, undefined, { 'x-iceberg-access-delegation': 'vended-credentials' })).body.config;
          await minio.revokeTemporaryCredentials();
        },
      ),
    );
    const rows = rowsOf(run);
    expect(rows.at(-1)).toEqual([
      [4, 'cy'],
      [5, 'di'],
    ]);
    // DuckDB: the data file PUT is refused (403), the table is loaded again for new credentials, the PUT retried.
    const http = (rows.at(-3) as string[][]).map(([method, url, status]) => `${method} ${url!.replace(/^http:\/\/[^/]+/, '')} ${status}`);
    const refused = http.findIndex((h) => /^PUT \/lakegate-duckdb\/wh\/duck\/orders-[^ ]+\/data\/[^ ]+\.parquet Forbidden_403$/.test(h));
    expect(refused, http.join('\n')).toBeGreaterThanOrEqual(0);
    const file = http[refused]!.split(' ')[1];
    expect(http.slice(refused + 1, refused + 3), http.join('\n')).toEqual([`GET ${tables}/orders OK_200`, `PUT ${file} OK_200`]);
    expect(rows.at(-2)).toEqual([[1]]); // "Refreshing Iceberg vended credentials for secret …"
    // Lakegate saw that re-vend as a table load by the engine; DuckDB 1.5.5 never calls …/credentials.
    console.info(
      `duckdb after a revocation (DuckDB's view):\n${http.slice(refused - 1, refused + 3).join('\n')}\nLakegate's view:\n${describeRequests(requests).join('\n')}`,
    );
    expect(refreshes(requests, 'orders')).toEqual([]);
    const loads = requests.filter((r) => r.method === 'GET' && r.path === `${tables}/orders` && r.actor === `service:${engine.id}`);
    expect(loads.length).toBeGreaterThanOrEqual(3); // the SELECT, the re-vend, the last SELECT

    // The revocation was real: a credential vended just before it is refused by MinIO now.
    const revoked = new S3Client({
      endpoint: minio.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: {
        accessKeyId: beforeRevoke['s3.access-key-id']!,
        secretAccessKey: beforeRevoke['s3.secret-access-key']!,
        sessionToken: beforeRevoke['s3.session-token']!,
      },
    });
    await expect(revoked.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'wh/duck/orders-' }))).rejects.toMatchObject({
      $metadata: { httpStatusCode: 403 },
    });
    revoked.destroy();
  });

  it("gives a reader's session read-only credentials: it reads, and its INSERT is refused by MinIO even after a re-vend", async () => {
    const reader = await createPrincipal(server, 'duckdb-reader');
    await grantTo(server, reader.id, READ_ONLY, { type: 'namespace', warehouse: 'lake', namespace: ['duck'] });
    const files = async () => ((await minio.root.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'wh/duck/orders-' }))).Contents ?? []).length;
    const before = await files();
    const { result: run, requests } = await requestsDuring(server, () =>
      duckdb(
        [
          { sql: 'SELECT count(*) FROM lake.duck.orders' },
          { sql: "CALL enable_logging(level = 'debug')" },
          { sql: "INSERT INTO lake.duck.orders VALUES (6, 'ed', 1.00, DATE '2026-01-06')", may_fail: true },
          { sql: HTTP_LOG },
        ],
        undefined,
        reader,
      ),
    );
    expect(run.status, run.context).toBe(0);
    expect(run.results.find((r) => r.step === 0)?.rows).toEqual([[5]]);
    const insert = run.results.find((r) => r.step === 2)!;
    console.info(`duckdb reader INSERT: ${insert.error}\n${describeRequests(requests).join('\n')}`);
    expect(insert.ok).toBe(false);
    expect(insert.error).toMatch(/Forbidden \(HTTP code 403\)/);
    // DuckDB's view: the PUT refused, the table loaded again for new credentials (read-only again), the PUT refused again.
    const http = (run.results.find((r) => r.step === 3)!.rows as string[][]).map(
      ([method, url, status]) => `${method} ${url!.replace(/^http:\/\/[^/]+/, '')} ${status}`,
    );
    const refused = http.findIndex((h) => / Forbidden_403$/.test(h));
    expect(http.slice(refused, refused + 3), http.join('\n')).toEqual([http[refused], `GET ${tables}/orders OK_200`, http[refused]]);
    expect(http.filter((h) => h.startsWith('PUT ') && !h.endsWith('Forbidden_403'))).toEqual([]);
    expect(http[refused]).toMatch(/^PUT \/lakegate-duckdb\/wh\/duck\/orders-[^ ]+\/data\/[^ ]+\.parquet Forbidden_403$/);
    // Refused by storage, not by the catalog: the table loads succeeded (read-only credentials), nothing was committed.
    const calls = requests.filter((r) => r.path.startsWith('/v1/lake/'));
    expect(calls.filter((r) => r.method === 'GET' && r.path === `${tables}/orders`).every((r) => r.status === 200 && r.actor === `service:${reader.id}`)).toBe(
      true,
    );
    expect(calls.some((r) => r.method === 'POST')).toBe(false);
    expect(await files()).toBe(before);
  });
});

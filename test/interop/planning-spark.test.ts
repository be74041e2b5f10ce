/**
 * Spark 4.1 + Iceberg 1.11 (scripts/peers/spark.sh) with server-side scan planning (peers/spark/server_planning.py):
 * a catalog with scan-planning-mode=server plans through POST …/plan (and …/tasks: the server answers plan tasks
 * beyond one manifest here) and reads the same rows as a client-mode catalog, on a v2 table partitioned by
 * (category, days(ts)) with merge-on-read deletes and an update (position delete files attached by the server).
 * The warehouse is on MinIO and the Spark session holds no storage key: the client catalog writes and reads with
 * vended credentials, the server-mode catalog reads with the read-only credentials of the plan answers.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { type CreatedPrincipal, createGrantedPrincipal, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';
import { runSparkJob } from '../support/spark-session.js';

let server: ServerProcess;
let minio: Minio;
let engine: CreatedPrincipal;

beforeAll(async () => {
  const install = await runAsync('bash', [peerScript('spark.sh')]);
  expect(install.status, install.stderr).toBe(0);
  // One data manifest in the first call: every larger scan goes through plan tasks.
  minio = await startMinio();
  await minio.createBucket('lakegate-planning');
  server = await startServer({ env: { LAKEGATE_PLANNING_INLINE_MANIFESTS: '1', LAKEGATE_PLANNING_MANIFESTS_PER_TASK: '2' } });
  const created = await httpSender(server.url, await server.token())('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', 'lakegate-planning'));
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  engine = await createGrantedPrincipal(server, 'spark-planner', [...READ_WRITE_ALL, 'table:read-data'], { type: 'warehouse', warehouse: 'lake' });
}, 15 * 60_000);
afterAll(async () => {
  await server?.stop();
  await minio?.stop();
});

const metric = (text: string, name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);

it(
  'Spark in server mode reads the same rows as in client mode, with position deletes attached by the server',
  async () => {
    const run = await runSparkJob(
      'server_planning',
      { CATALOG_URI: server.url, CATALOG_WAREHOUSE: 'lake', CATALOG_CREDENTIAL: engine.credential, VENDED: '1' },
      { timeoutMs: 10 * 60_000 },
    );
    const lines = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, any>);
    const summary = lines.find((l) => l.summary);
    const context = `spark job (exit ${run.status}):\n${run.stdout}\n${run.stderr.slice(-20_000)}`;
    expect(summary, context).toMatchObject({ ok: true, failed: 0 });
    expect(summary!.delete_files, context).toBeGreaterThan(0);
    for (const [name, q] of Object.entries(summary!.queries as Record<string, { equal: boolean; rows: number }>))
      expect(q.equal, `${name}: ${JSON.stringify(q)}`).toBe(true);
    expect(summary!.queries.all.rows).toBe(27);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(metrics, 'lakegate_planning_requests_total', 'kind="plan"')).toBeGreaterThanOrEqual(Object.keys(summary!.queries).length);
    expect(metric(metrics, 'lakegate_planning_requests_total', 'kind="tasks"')).toBeGreaterThan(0);
    // The plans vended read-only credentials: the planner holds write-data, so its loadTable credentials are
    // read-write, and the only read-mode vending is the plan answers' (audited as credentials.vended, mode read).
    const audit = await httpSender(server.url, await server.token())('GET', '/management/v1/audit?limit=1000');
    const events = audit.body.events as Array<{ type: string; actor: string; detail: { mode?: string } }>;
    expect(events.filter((e) => e.type === 'table.plan').length).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'credentials.vended' && e.detail.mode === 'read' && e.actor.includes(engine.id)).length).toBeGreaterThan(0);
  },
  15 * 60_000,
);

/**
 * The reference multi-replica deployment (docs/deployment.md): HAProxy (Debian's package, scripts/peers/haproxy.sh)
 * running deploy/haproxy.cfg, addresses rewritten, round robin over two `lakegate serve` replicas on one PostgreSQL,
 * async planning forced on above one data manifest. Every call goes through the proxy:
 * - PyIceberg 0.12 plans on the server (synchronously: it raises on `submitted`), reads and commits;
 * - async plans are submitted, fetched and cancelled on whichever replica the proxy picks, and both replicas
 *   served plan calls (their /metrics), with no 404 (issue 51: plans lived in one process);
 * - a replica SIGKILLed while it plans async plans: every plan still completes through the proxy, the survivor taking
 *   over the dead one's plans once their leases lapse (none answered failed), with the files a plan of the table gives;
 * - a replica SIGTERMed under load drains (readiness 503, Connection: close, in-flight requests finish) and no
 *   request fails;
 * - a replica SIGKILLed under commits loses no acknowledged commit.
 */
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { appendUpdates, httpSender, type Send, simpleSchema } from '../support/iceberg-http.js';
import { pyicebergPython } from '../support/peers.js';
import { exited, requestsOn, useReplicasBehindProxy } from '../support/replicas-proxy.js';
import { clientToken, REPO_ROOT } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';
import { type TestManifest, writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { auditTrail } from '../support/request-log.js';

// The manifest cache off: every async plan reads its manifests, so a replica SIGKILLed after a burst of plans dies
// with plans still running and waiting (the takeover test below).
const deployment = useReplicasBehindProxy({ LAKEGATE_PLANNING_ASYNC_MANIFESTS: '1', LAKEGATE_PLANNING_MANIFEST_CACHE_ENTRIES: '0' });
const replicas = deployment.replicas;
const WAREHOUSE = 'planned';
let proxyUrl = '';
let credential = '';
let send: Send;
let prefix = '';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const planCalls = (r: NonNullable<(typeof replicas)[number]>) => requestsOn(r, '/plan');

beforeAll(async () => {
  proxyUrl = deployment.proxyUrl;
  credential = deployment.credential;
  send = httpSender(proxyUrl, await clientToken(proxyUrl, credential));
  const created = await send('POST', '/management/v1/warehouses', {
    name: WAREHOUSE,
    'storage-root': `file://${deployment.dataDir}/planned`,
    'storage-profile': { type: 'file' },
    properties: { 'scan-planning-mode': 'server' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  prefix = (await send('GET', `/v1/config?warehouse=${WAREHOUSE}`)).body.overrides.prefix;
}, 60_000);

it('PyIceberg plans on the server, reads and commits through the proxy', async () => {
  const run = await runAsync(pyicebergPython(), [path.join(REPO_ROOT, 'peers/python/replicas_pyiceberg.py')], {
    env: { ...process.env, CATALOG_URI: proxyUrl, CATALOG_WAREHOUSE: WAREHOUSE, CATALOG_CREDENTIAL: credential },
    timeoutMs: 5 * 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number | boolean>;
  expect(out).toEqual({ planned_rows: 10, planned_ids_ok: true, rows_after_commit: 15, filtered_rows: 7, snapshots: 2 });
  // PyIceberg's plan was answered by the server (some replica counted it).
  expect((await Promise.all(replicas.map((r) => planCalls(r!)))).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
}, 360_000);

it('async plans submitted through the proxy are fetched and cancelled on either replica', async () => {
  const T = `/v1/${prefix}/namespaces/replicas/tables/events`;
  const before = await Promise.all(replicas.map((r) => planCalls(r!)));
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await send('POST', `${T}/plan`, {});
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status).toBe('submitted');
    ids.push(r.body['plan-id']);
  }
  const statuses: number[] = [];
  const cancelled = new Set(ids.slice(0, 5));
  for (const id of cancelled) expect((await send('DELETE', `${T}/plan/${id}`)).status).toBe(204);
  const completed = new Map<string, string[]>();
  for (let round = 0; round < 5 || completed.size < ids.length - cancelled.size; round++) {
    expect(round).toBeLessThan(100);
    for (const id of ids) {
      const r = await send('GET', `${T}/plan/${id}`);
      statuses.push(r.status);
      if (cancelled.has(id)) {
        expect(r.status).toBe(404);
        continue;
      }
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(['submitted', 'completed']).toContain(r.body.status);
      if (r.body.status === 'completed') completed.set(id, r.body['plan-tasks'] ?? []);
    }
    await sleep(100);
  }
  // Each completed plan's tasks expand (on whichever replica) to the table's two data files.
  for (const tasks of completed.values()) {
    const files: string[] = [];
    for (const task of tasks) {
      const page = await send('POST', `${T}/tasks`, { 'plan-task': task });
      expect(page.status).toBe(200);
      for (const t of page.body['file-scan-tasks'] ?? []) files.push(t['data-file']['file-path']);
    }
    expect(new Set(files).size).toBe(2);
  }
  const after = await Promise.all(replicas.map((r) => planCalls(r!)));
  // Round robin: both replicas answered plan calls (submits, fetches, cancels).
  expect(after[0]! - before[0]!).toBeGreaterThan(10);
  expect(after[1]! - before[1]!).toBeGreaterThan(10);
}, 180_000);

it('a replica SIGKILLed while planning async plans: the other takes its plans over, and every plan completes', async () => {
  // A table of many manifests (one data file each): a plan reads them all, so plans queue up on each replica.
  const MANIFESTS = 300;
  const created = await send('POST', `/v1/${prefix}/namespaces/replicas/tables`, {
    name: 'manifold',
    schema: simpleSchema,
    properties: { 'format-version': '2' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const location = created.body.metadata.location as string;
  const manifests: TestManifest[] = [];
  for (let i = 0; i < MANIFESTS; i++) {
    const file = {
      path: `${location}/data/f${i}.parquet`,
      partition: [],
      records: 10,
      longBounds: [[1, i * 10, i * 10 + 9]] as Array<[number, number, number]>,
    };
    const manifest = `${location}/metadata/m${i}.avro`;
    const length = await writeManifest(manifest, [], [{ status: 1, snapshotId: 1n, sequenceNumber: 1, file }]);
    manifests.push({ path: manifest, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n });
  }
  const list = `${location}/metadata/snap-manifold.avro`;
  await writeManifestList(list, manifests);
  const append = appendUpdates(created.body.metadata, list);
  const T = `/v1/${prefix}/namespaces/replicas/tables/manifold`;
  expect((await send('POST', T, { requirements: append.requirements, updates: append.updates })).status).toBe(200);

  const ids: string[] = [];
  for (let i = 0; i < 30; i++) {
    const r = await send('POST', `${T}/plan`, {});
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.status).toBe('submitted');
    ids.push(r.body['plan-id']);
  }
  const victim = replicas[0]!.process;
  const survivor = replicas[1]!;
  try {
    victim.kill('SIGKILL');
    await exited(victim);
    const started = Date.now();
    const completed = new Map<string, string[]>();
    while (completed.size < ids.length) {
      // The dead replica's leases (30 s) lapse, then the survivor takes its plans over at their next fetch.
      expect(Date.now() - started).toBeLessThan(150_000);
      for (const id of ids) {
        if (completed.has(id)) continue;
        const r = await send('GET', `${T}/plan/${id}`);
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(['submitted', 'completed'], JSON.stringify(r.body)).toContain(r.body.status);
        if (r.body.status === 'completed') completed.set(id, r.body['plan-tasks'] ?? []);
      }
      await sleep(500);
    }
    const taken = new Set((await auditTrail(survivor)).filter((e) => e.type === 'table.plan.taken-over').map((e) => String(e.detail.planId)));
    // The kill interrupted some plans, and those were taken over (not failed); their answers are a fresh plan's.
    expect(taken.size).toBeGreaterThan(0);
    const takenOver = ids.find((id) => taken.has(id))!;
    const untouched = ids.find((id) => !taken.has(id));
    for (const id of [takenOver, ...(untouched ? [untouched] : [])]) {
      const files = new Set<string>();
      for (const task of completed.get(id)!) {
        const page = await send('POST', `${T}/tasks`, { 'plan-task': task });
        expect(page.status).toBe(200);
        for (const t of page.body['file-scan-tasks'] ?? []) files.add(t['data-file']['file-path']);
      }
      expect(files.size).toBe(MANIFESTS);
    }
  } finally {
    // Back up, so that the next test starts from two replicas.
    await deployment.startReplica(0);
    await deployment.bothUp();
  }
}, 300_000);

/** Clients loading and committing through the proxy until `stop()`: every answer is counted. */
function load(table: string, clients: number) {
  const outcomes = { ok: 0, failed: [] as string[] };
  const acked = new Map<string, number>();
  let stopped = false;
  const running = Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; !stopped; i++) {
      const key = `writer-${c}`;
      try {
        const loaded = await send('GET', `/v1/${prefix}/namespaces/replicas/tables/${table}`);
        const committed = await send('POST', `/v1/${prefix}/namespaces/replicas/tables/${table}`, {
          requirements: [],
          updates: [{ action: 'set-properties', updates: { [key]: String(i) } }],
        });
        for (const r of [loaded, committed]) {
          if (r.status === 200) outcomes.ok++;
          else outcomes.failed.push(`${r.status} ${JSON.stringify(r.body)}`);
        }
        if (committed.status === 200) acked.set(key, i);
      } catch (e) {
        outcomes.failed.push(String(e));
      }
    }
  });
  return {
    outcomes,
    acked,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

it('a replica SIGTERMed under load drains: no request fails, and it exits cleanly', async () => {
  expect((await send('POST', `/v1/${prefix}/namespaces/replicas/tables`, { name: 'drain', schema: simpleSchema })).status).toBe(200);
  const traffic = load('drain', 4);
  await sleep(1500);
  const draining = replicas[1]!.process;
  try {
    draining.kill('SIGTERM');
    await exited(draining);
    await sleep(1500);
    await traffic.stop();
    expect(traffic.outcomes.failed).toEqual([]);
    expect(traffic.outcomes.ok).toBeGreaterThan(20);
    expect(draining.exitCode).toBe(0);
  } finally {
    // Back up whatever happened, so that the next test starts from two replicas (not from a failure's leftovers).
    await traffic.stop();
    await deployment.startReplica(1);
    await deployment.bothUp();
  }
}, 180_000);

it('a replica SIGKILLed under commits loses no acknowledged commit', async () => {
  expect((await send('POST', `/v1/${prefix}/namespaces/replicas/tables`, { name: 'killed', schema: simpleSchema })).status).toBe(200);
  const traffic = load('killed', 4);
  await sleep(1500);
  const victim = replicas[0]!.process;
  victim.kill('SIGKILL');
  await exited(victim);
  await sleep(2000);
  await traffic.stop();
  expect(traffic.acked.size).toBe(4);
  const final = await send('GET', `/v1/${prefix}/namespaces/replicas/tables/killed`);
  expect(final.status).toBe(200);
  const props = final.body.metadata.properties as Record<string, string>;
  // Every writer's last acknowledged value is there (or a later one whose answer the kill took).
  for (const [key, value] of traffic.acked) expect(Number(props[key])).toBeGreaterThanOrEqual(value);
}, 180_000);

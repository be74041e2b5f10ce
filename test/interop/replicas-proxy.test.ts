/**
 * The reference multi-replica deployment (docs/deployment.md): HAProxy (Debian's package, scripts/peers/haproxy.sh)
 * running deploy/haproxy.cfg, addresses rewritten, round robin over two `lakegate serve` replicas on one PostgreSQL,
 * async planning forced on above one data manifest. Every call goes through the proxy:
 * - PyIceberg 0.12 plans on the server (synchronously: it raises on `submitted`), reads and commits;
 * - async plans are submitted, fetched and cancelled on whichever replica the proxy picks, and both replicas
 *   served plan calls (their /metrics), with no 404 (issue 51: plans lived in one process);
 * - a replica SIGTERMed under load drains (readiness 503, Connection: close, in-flight requests finish) and no
 *   request fails;
 * - a replica SIGKILLed under commits loses no acknowledged commit.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpSender, type Send, simpleSchema } from '../support/iceberg-http.js';
import { peerScript, pyicebergPython } from '../support/peers.js';
import { usePostgresCluster } from '../support/postgres-cluster.js';
import { clientToken, REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { freePort, runAsync, tempDir } from '../support/temp.js';

const cluster = usePostgresCluster('lakegate-pg-replicas-');
const data = tempDir('lakegate-replicas-');
const ENV = {
  // Every replica needs the same key: it opens the others' plan tasks, page tokens and stored secrets.
  LAKEGATE_SECRET_KEY: randomBytes(32).toString('base64'),
  LAKEGATE_PLANNING_ASYNC_MANIFESTS: '1',
  LAKEGATE_SHUTDOWN_DRAIN_SECONDS: '3',
  LAKEGATE_TRUSTED_PROXIES: '127.0.0.1',
  LAKEGATE_LOG_LEVEL: 'warn',
};
const WAREHOUSE = 'planned';
let database = '';
const ports: number[] = [];
const replicas: Array<ServerProcess | undefined> = [undefined, undefined];
let proxy: ChildProcess | undefined;
let proxyLog = '';
let proxyUrl = '';
let credential = '';
let send: Send;
let prefix = '';

let proxyPort = 0;
const startReplica = async (i: number) => {
  // The proxy's URL is every replica's public URL: the token issuer's identifier, so a token any replica issued is valid on all.
  replicas[i] = await startServer({ database, dataDir: data.dir, port: ports[i], env: { ...ENV, LAKEGATE_PUBLIC_URL: `http://127.0.0.1:${proxyPort}` }, workers: 1 });
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exited = (p: ChildProcess) => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => p.once('exit', () => r())));

/** Both replicas answer through the proxy (its health checks marked them up): probes land on each. */
async function bothUp(): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const before = await Promise.all(replicas.map((r) => requests(r!, '/v1/config')));
    for (let k = 0; k < 6; k++) await fetch(`${proxyUrl}/v1/config`).catch(() => undefined);
    const after = await Promise.all(replicas.map((r) => requests(r!, '/v1/config')));
    if (after.every((n, j) => n > before[j]!)) return;
    await sleep(500);
  }
  throw new Error(`the proxy did not see both replicas up:\n${proxyLog}`);
}

/** Requests a replica counted (its own /metrics) on routes containing `part`. */
async function requests(r: ServerProcess, part: string): Promise<number> {
  const text = await (await fetch(`${r.url}/metrics`)).text();
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('lakegate_http_requests_total{')) continue;
    const route = /route="([^"]*)"/.exec(line)?.[1] ?? '';
    if (route.includes(part)) n += Number(line.split(' ').at(-1));
  }
  return n;
}
const planCalls = (r: ServerProcess) => requests(r, '/plan');

beforeAll(async () => {
  execInstall();
  database = cluster.database('replicas');
  ports.push(await freePort(), await freePort());
  proxyPort = await freePort();
  // One after the other: the first migrates and creates the admin principal and the default warehouse.
  await startReplica(0);
  await startReplica(1);
  credential = replicas[0]!.credential;
  const cfg = readFileSync(path.join(REPO_ROOT, 'deploy/haproxy.cfg'), 'utf8')
    .replace(/^(\s*)bind .*$/m, `$1bind 127.0.0.1:${proxyPort}`)
    .replace(/^(\s*)server replica1 \S+/m, `$1server replica1 127.0.0.1:${ports[0]}`)
    .replace(/^(\s*)server replica2 \S+/m, `$1server replica2 127.0.0.1:${ports[1]}`)
    .replace(/^(\s*)log global\n/m, '');
  const cfgFile = path.join(data.dir, 'haproxy.cfg');
  writeFileSync(cfgFile, cfg);
  proxy = spawn('haproxy', ['-db', '-f', cfgFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  proxy.stdout!.on('data', (d: Buffer) => (proxyLog += d.toString()));
  proxy.stderr!.on('data', (d: Buffer) => (proxyLog += d.toString()));
  proxyUrl = `http://127.0.0.1:${proxyPort}`;
  for (let i = 0; i < 60 && !(await fetch(`${proxyUrl}/readyz`).then((r) => r.status === 200).catch(() => false)); i++) await sleep(500);
  await bothUp();
  send = httpSender(proxyUrl, await clientToken(proxyUrl, credential));
  const created = await send('POST', '/management/v1/warehouses', { name: WAREHOUSE, 'storage-root': `file://${data.dir}/planned`, 'storage-profile': { type: 'file' }, properties: { 'scan-planning-mode': 'server' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  prefix = (await send('GET', `/v1/config?warehouse=${WAREHOUSE}`)).body.overrides.prefix;
}, 300_000);

afterAll(async () => {
  proxy?.kill('SIGTERM');
  if (proxy) await exited(proxy);
  for (const r of replicas) await r?.stop('SIGKILL');
  data.cleanup();
});

function execInstall(): void {
  // Debian's haproxy, installed once (needs root, as the other Debian peers).
  const out = execFileSync('bash', [peerScript('haproxy.sh'), 'install'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  expect(out.trim()).toMatch(/haproxy$/);
}

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
        const committed = await send('POST', `/v1/${prefix}/namespaces/replicas/tables/${table}`, { requirements: [], updates: [{ action: 'set-properties', updates: { [key]: String(i) } }] });
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
  draining.kill('SIGTERM');
  await exited(draining);
  await sleep(1500);
  await traffic.stop();
  expect(traffic.outcomes.failed).toEqual([]);
  expect(traffic.outcomes.ok).toBeGreaterThan(20);
  expect(draining.exitCode).toBe(0);
  await startReplica(1);
  await bothUp();
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

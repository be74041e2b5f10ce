// Benchmark: a scan of 10⁶ data files in 10⁴ manifests planned through the reference multi-replica deployment
// (docs/deployment.md): two `lakegate serve` replicas on one PostgreSQL behind HAProxy running deploy/haproxy.cfg,
// async planning forced on (LAKEGATE_PLANNING_ASYNC_MANIFESTS=1), a granted non-admin caller. Issue 51 asks for it.
//
// Iceberg Java 1.11 writes the table (bench/java/PlanningBench.java, the table bench/planning-java.mjs plans in process)
// into the default warehouse's directory and times its own client-side planning of each filter; the table is then
// registered through the proxy, and for each filter the bench does what Iceberg Java's REST client does:
// planTableScan (answered `submitted`), fetchPlanningResult until `completed` (each poll on either replica), then
// fetchScanTasks of every plan task, CONCURRENCY at a time (round robin over both replicas). It checks that the files
// planned equal Java's, and reports the wall time from the plan call to the last file, each replica's peak RSS
// (VmHWM) and which replica answered what.
// Usage: node bench/planning-proxy.mjs [--manifests 10000] [--files 100] [--concurrency 4] [--only TEXT] (build first).
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchFlag } from './lib/args.mjs';
import { FIXTURE_SCRIPT, startLakegate, startPostgresCluster } from './lib/servers.mjs';
import { REPO_ROOT, freePort, log, onExit, procRssMiB, sleep, stopChild, tempDir } from './lib/proc.mjs';

const MANIFESTS = Number(benchFlag('--manifests', 10_000));
const FILES = Number(benchFlag('--files', 100));
const CONCURRENCY = Number(benchFlag('--concurrency', 4));
const TOTAL = MANIFESTS * FILES;

const data = tempDir('lakegate-bench-proxy-');
const nsDir = path.join(data, 'warehouse', 'bench_ns');
fs.mkdirSync(nsDir, { recursive: true });

// 1. Iceberg Java writes the table where the default warehouse keeps namespace bench_ns, and plans it itself.
const lib = execFileSync('bash', [FIXTURE_SCRIPT, 'lib'], { encoding: 'utf8' }).trim().split('\n').at(-1);
const javaHome = process.env.LAKEGATE_SPARK_JAVA_HOME ?? '/usr/lib/jvm/java-17-openjdk-amd64';
const classes = path.join(data, 'classes');
execFileSync(path.join(javaHome, 'bin/javac'), ['-cp', `${lib}/*`, '-d', classes, path.join(REPO_ROOT, 'bench/java/PlanningBench.java')]);
log(`Iceberg Java writes ${MANIFESTS} manifests × ${FILES} files`);
const java = JSON.parse(
  execFileSync(path.join(javaHome, 'bin/java'), ['-Xmx2g', '-cp', `${classes}:${lib}/*`, 'PlanningBench', nsDir, String(MANIFESTS), String(FILES)], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .trim()
    .split('\n')
    .at(-1),
);
log(`written in ${java.writeSeconds} s`);
const metadataDir = path.join(nsDir, 't', 'metadata');
const newest = fs
  .readdirSync(metadataDir)
  .filter((f) => /^v\d+\.metadata\.json$/.test(f))
  .sort((a, b) => Number(/\d+/.exec(b)[0]) - Number(/\d+/.exec(a)[0]))[0];

// 2. PostgreSQL, two replicas, HAProxy.
const pg = await startPostgresCluster();
const database = pg.createDatabase('proxy');
const proxyPort = await freePort();
const proxyUrl = `http://127.0.0.1:${proxyPort}`;
const env = {
  LAKEGATE_SECRET_KEY: randomBytes(32).toString('base64'),
  LAKEGATE_PUBLIC_URL: proxyUrl,
  LAKEGATE_TRUSTED_PROXIES: '127.0.0.1',
  LAKEGATE_PLANNING_ASYNC_MANIFESTS: '1',
};
const first = await startLakegate({ dataDir: data, database, env, name: 'replica1' });
const second = await startLakegate({ dataDir: data, database, env, name: 'replica2', credential: first.credential });
const replicas = [first, second];
onExit(() => replicas.forEach((r) => r.child.kill('SIGKILL')));
const haproxy = execFileSync('bash', [path.join(REPO_ROOT, 'scripts/peers/haproxy.sh'), 'install'], { encoding: 'utf8' }).trim();
const cfg = fs
  .readFileSync(path.join(REPO_ROOT, 'deploy/haproxy.cfg'), 'utf8')
  .replace(/^(\s*)bind .*$/m, `$1bind 127.0.0.1:${proxyPort}`)
  .replace(/^(\s*)server replica1 \S+/m, `$1server replica1 127.0.0.1:${first.port}`)
  .replace(/^(\s*)server replica2 \S+/m, `$1server replica2 127.0.0.1:${second.port}`)
  .replace(/^(\s*)log global\n/m, '');
fs.writeFileSync(path.join(data, 'haproxy.cfg'), cfg);
const proxy = spawn(haproxy, ['-db', '-f', path.join(data, 'haproxy.cfg')], { stdio: 'ignore' });
onExit(() => proxy.kill('SIGKILL'));
for (
  let i = 0;
  i < 60 &&
  !(await fetch(`${proxyUrl}/readyz`).then(
    (r) => r.ok,
    () => false,
  ));
  i++
)
  await sleep(500);
await sleep(2500); // both replicas' health checks (rise 2, inter 1 s)

const headers = { ...first.headers, 'content-type': 'application/json' };
async function call(method, route, body) {
  const res = await fetch(`${proxyUrl}${first.base}${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} -> ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}
await call('POST', '/namespaces', { namespace: ['bench_ns'] });
await call('POST', '/namespaces/bench_ns/register', { name: 't', 'metadata-location': `file://${path.join(metadataDir, newest)}` });

const requests = async (r) => {
  const text = await (await fetch(`${r.url}/metrics`)).text();
  const out = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('lakegate_http_requests_total{')) continue;
    const route = /route="([^"]*)"/.exec(line)?.[1] ?? '';
    const op = route.endsWith('/plan') ? 'plan' : route.includes('/plan/') ? 'fetch' : route.endsWith('/tasks') ? 'tasks' : undefined;
    if (op) out[op] = (out[op] ?? 0) + Number(line.split(' ').at(-1));
  }
  return out;
};

async function scan(filter) {
  const t0 = performance.now();
  const planned = await call('POST', '/namespaces/bench_ns/tables/t/plan', filter === true ? {} : { filter });
  let answer = planned;
  let polls = 0;
  while (answer.status === 'submitted') {
    await sleep(100);
    polls++;
    answer = await call('GET', `/namespaces/bench_ns/tables/t/plan/${encodeURIComponent(planned['plan-id'])}`);
  }
  if (answer.status !== 'completed') throw new Error(`plan ${answer.status}: ${JSON.stringify(answer).slice(0, 300)}`);
  let files = answer['file-scan-tasks']?.length ?? 0;
  const queue = [...(answer['plan-tasks'] ?? [])];
  const tasks = queue.length;
  const worker = async () => {
    for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
      const page = await call('POST', '/namespaces/bench_ns/tables/t/tasks', { 'plan-task': task });
      files += page['file-scan-tasks'].length;
      queue.push(...(page['plan-tasks'] ?? []));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { ms: performance.now() - t0, files, polls, tasks, submitted: planned.status === 'submitted' };
}

const filters = [
  ['partition-selective (p = 42)', { type: 'eq', term: 'p', value: 42 }],
  [`metrics-selective (id < ${TOTAL * 10})`, { type: 'lt', term: 'id', value: TOTAL * 10 }],
  ['full scan', true],
];
const rows = [];
// --only TEXT: the filters whose name contains TEXT (e.g. "full").
const only = benchFlag('--only', '');
for (const [name, filter] of filters.filter(([n]) => n.includes(only))) {
  const cold = await scan(filter);
  const repeat = await scan(filter);
  const j = java.results.find((r) => r.name === name);
  if (cold.files !== j.files || repeat.files !== j.files)
    throw new Error(`${name}: Lakegate planned ${cold.files}/${repeat.files} files, Iceberg Java ${j.files}`);
  rows.push({ name, cold, repeat, java: j });
  log(`${name}: ${cold.files} files, ${cold.ms.toFixed(0)} ms then ${repeat.ms.toFixed(0)} ms (Java ${j.coldMs} / ${j.repeatMs} ms)`);
}
const served = await Promise.all(replicas.map(requests));
const rss = replicas.map((r) =>
  Math.round(
    Math.max(
      ...r
        .pids()
        .map((pid) => procRssMiB(pid))
        .filter(Number.isFinite),
    ),
  ),
);

console.log(
  `\n### ${TOTAL} data files in ${MANIFESTS} manifests through HAProxy and two replicas on PostgreSQL (async planning forced on, ${CONCURRENCY} task fetches at once, Node ${process.version}, ${os.cpus().length} CPUs)\n`,
);
console.log('| filter | files | plan: polls, plan tasks | through the proxy, first / repeat | Iceberg Java 1.11 client-side, cold / repeat |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows)
  console.log(
    `| ${r.name} | ${r.cold.files} | ${r.cold.submitted ? 'submitted' : 'completed at once'}, ${r.cold.polls} polls, ${r.cold.tasks} tasks | ${(r.cold.ms / 1000).toFixed(2)} s / ${(r.repeat.ms / 1000).toFixed(2)} s | ${(r.java.coldMs / 1000).toFixed(2)} s / ${(r.java.repeatMs / 1000).toFixed(2)} s |`,
  );
console.log(`\nPeak RSS: replica 1 ${rss[0]} MiB, replica 2 ${rss[1]} MiB. Requests answered (plan, fetchPlanningResult, fetchScanTasks):`);
served.forEach((s, i) => console.log(`- replica ${i + 1}: ${s.plan ?? 0} / ${s.fetch ?? 0} / ${s.tasks ?? 0}`));
proxy.kill('SIGTERM');
for (const r of replicas) await stopChild(r.child);
pg.stop();
fs.rmSync(data, { recursive: true, force: true });

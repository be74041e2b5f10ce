// Benchmark: catalog-managed Lance versions. CreateTableVersion commits/s (and p99) on one table and spread over
// 16 tables, as Lance commits (read the latest with ListTableVersions(limit=1), stage the manifest, CreateTableVersion,
// retry on 409); and the server CPU per request of ListTableVersions(limit=1, descending) against DescribeTable.
// One Lakegate process (--workers 1) on SQLite, or on PostgreSQL with --database URL; authentication off so that
// only the catalog work is measured; a local file warehouse (manifests of 1 KiB written to /tmp).
// Usage: node bench/lance-versions.mjs [--seconds N] [--database postgres://…]. Prints a Markdown table.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SECONDS = Number(arg('--seconds', '3'));
const DATABASE = arg('--database', undefined);
const MANIFEST = Buffer.alloc(1024, 7);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startLakegate(dir) {
  const port = await freePort();
  const args = [path.join(ROOT, 'packages/cli/bin/lakegate.js'), 'serve', '--port', String(port), '--data-dir', dir, '--workers', '1'];
  if (DATABASE) args.push('--database', DATABASE);
  const child = spawn(process.execPath, args, { env: { ...process.env, LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_AUTH: 'disabled' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`lakegate did not start:\n${err}`);
}

const L = (url) => `${url}/lance/default/v1`;
async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** CPU seconds (user + system) of a process so far. */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

/** One committer as Lance commits: latest, stage, create; a 409 means another won: read the latest again. */
async function committer(url, table, location, until, stats, id) {
  let n = 0;
  while (Date.now() < until) {
    const started = performance.now();
    const latest = await post(`${L(url)}/table/b%24${table}/version/list?descending=true&limit=1`);
    const next = (latest.body.versions[0]?.version ?? 0) + 1;
    const staged = path.join(fileURLToPath(location), '_versions', `${next}.manifest-${process.pid}-${id}-${n++}`);
    writeFileSync(staged, MANIFEST);
    const created = await post(`${L(url)}/table/b%24${table}/version/create`, { version: next, manifest_path: staged.slice(1), manifest_size: MANIFEST.length });
    if (created.status === 200) {
      stats.ok++;
      stats.latencies.push(performance.now() - started);
    } else if (created.status === 409) {
      stats.conflicts++;
      rmSync(staged, { force: true });
    } else throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  }
}

async function commitCell(server, tables, connections) {
  const until = Date.now() + SECONDS * 1000;
  const stats = { ok: 0, conflicts: 0, latencies: [] };
  const cpu0 = cpuSeconds(server.child.pid);
  await Promise.all(Array.from({ length: connections }, (_, i) => committer(server.url, tables[i % tables.length].name, tables[i % tables.length].location, until, stats, i)));
  const cpu = cpuSeconds(server.child.pid) - cpu0;
  return { commitsPerSecond: stats.ok / SECONDS, conflicts: stats.conflicts, p50: percentile(stats.latencies, 50), p99: percentile(stats.latencies, 99), cpuUsPerCommit: (cpu / stats.ok) * 1e6 };
}

async function readCell(server, url, connections) {
  const until = Date.now() + SECONDS * 1000;
  let ok = 0;
  const cpu0 = cpuSeconds(server.child.pid);
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const r = await post(url, {});
        if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
        ok++;
      }
    }),
  );
  return { perSecond: ok / SECONDS, cpuUsPerRequest: ((cpuSeconds(server.child.pid) - cpu0) / ok) * 1e6 };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-lance-'));
const server = await startLakegate(dir);
try {
  await post(`${L(server.url)}/namespace/b/create`);
  const tables = [];
  for (let i = 0; i < 17; i++) {
    const name = `t${String(i).padStart(2, '0')}`;
    const { body } = await post(`${L(server.url)}/table/b%24${name}/declare`);
    mkdirSync(path.join(fileURLToPath(body.location), '_versions'), { recursive: true });
    tables.push({ name, location: body.location });
  }
  const rows = [];
  for (const [label, set, conns] of [
    ['one table', [tables[0]], 1],
    ['one table', [tables[0]], 16],
    ['16 tables', tables.slice(1), 16],
  ]) {
    const r = await commitCell(server, set, conns);
    rows.push(`| CreateTableVersion, ${label} | ${conns} | ${r.commitsPerSecond.toFixed(0)} commits/s | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.conflicts} | ${r.cpuUsPerCommit.toFixed(0)} |`);
  }
  const list = await readCell(server, `${L(server.url)}/table/b%24t00/version/list?descending=true&limit=1`, 16);
  const describe = await readCell(server, `${L(server.url)}/table/b%24t00/describe`, 16);
  rows.push(`| ListTableVersions(limit=1, descending) | 16 | ${list.perSecond.toFixed(0)} req/s | | | | ${list.cpuUsPerRequest.toFixed(0)} |`);
  rows.push(`| DescribeTable | 16 | ${describe.perSecond.toFixed(0)} req/s | | | | ${describe.cpuUsPerRequest.toFixed(0)} |`);
  console.log(`Lakegate ${DATABASE ? 'PostgreSQL' : 'SQLite'}, ${SECONDS} s per cell, ${os.cpus().length} vCPUs (load generator on the same machine)\n`);
  console.log('| operation | conns | throughput | p50 ms | p99 ms | 409s (retried) | server CPU µs/req |');
  console.log('|---|--:|--:|--:|--:|--:|--:|');
  for (const r of rows) console.log(r);
  console.log(`\nListTableVersions(limit=1) / DescribeTable CPU per request: ${(list.cpuUsPerRequest / describe.cpuUsPerRequest).toFixed(2)}x`);
} finally {
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

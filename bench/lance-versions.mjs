// Benchmark: catalog-managed Lance versions. CreateTableVersion commits/s (and p99) on one table and spread over
// 16 tables, as Lance commits (read the latest with ListTableVersions(limit=1), stage the manifest, CreateTableVersion,
// retry on 409); and the server CPU per request of ListTableVersions(limit=1, descending) against DescribeTable.
// One Lakegate server (--workers 1 unless --workers N) on SQLite, or on PostgreSQL with --database URL (or --postgres: a
// throwaway cluster of scripts/peers/postgres.sh); authentication off so that only the catalog work is measured; a
// local file warehouse (manifests of 1 KiB written to /tmp). Server CPU: every process of the server (its workers),
// not PostgreSQL's.
// Usage: node bench/lance-versions.mjs [--seconds N] [--database postgres://… | --postgres] [--workers N]. Prints a Markdown table.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchFlag } from './lib/args.mjs';
import { quantile } from './lib/load.mjs';
import { cpuSecondsOf, processTree, stopChild, tempDir } from './lib/proc.mjs';
import { startLakegate, startPostgresCluster } from './lib/servers.mjs';

const SECONDS = Number(benchFlag('--seconds', '3'));
const WORKERS = Number(benchFlag('--workers', '1'));
const PG = process.argv.includes('--postgres') ? await startPostgresCluster() : undefined;
const DATABASE = PG ? PG.createDatabase('lance') : benchFlag('--database', undefined);
/** CPU seconds of the server's processes (the primary and its workers). */
const serverCpu = (server) => cpuSecondsOf(processTree(server.child.pid));
const MANIFEST = Buffer.alloc(1024, 7);

const L = (url) => `${url}/lance/default/v1`;
async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** One committer as Lance commits: latest, stage, create; a 409 means another won: read the latest again. */
async function committer(url, table, location, until, stats, id) {
  let n = 0;
  while (Date.now() < until) {
    const started = performance.now();
    const latest = await post(`${L(url)}/table/b%24${table}/version/list?descending=true&limit=1`);
    const next = (latest.body.versions[0]?.version ?? 0) + 1;
    const staged = path.join(fileURLToPath(location), '_versions', `${next}.manifest-${process.pid}-${id}-${n++}`);
    writeFileSync(staged, MANIFEST);
    const created = await post(`${L(url)}/table/b%24${table}/version/create`, {
      version: next,
      manifest_path: staged.slice(1),
      manifest_size: MANIFEST.length,
    });
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
  const cpu0 = serverCpu(server);
  await Promise.all(
    Array.from({ length: connections }, (_, i) => committer(server.url, tables[i % tables.length].name, tables[i % tables.length].location, until, stats, i)),
  );
  const cpu = serverCpu(server) - cpu0;
  return {
    commitsPerSecond: stats.ok / SECONDS,
    conflicts: stats.conflicts,
    p50: quantile(stats.latencies, 50),
    p99: quantile(stats.latencies, 99),
    cpuUsPerCommit: (cpu / stats.ok) * 1e6,
  };
}

async function readCell(server, url, connections) {
  const until = Date.now() + SECONDS * 1000;
  let ok = 0;
  const cpu0 = serverCpu(server);
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const r = await post(url, {});
        if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
        ok++;
      }
    }),
  );
  return { perSecond: ok / SECONDS, cpuUsPerRequest: ((serverCpu(server) - cpu0) / ok) * 1e6 };
}

const server = await startLakegate({ auth: 'disabled', dataDir: tempDir('lakegate-bench-lance-'), database: DATABASE, workers: WORKERS });
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
    rows.push(
      `| CreateTableVersion, ${label} | ${conns} | ${r.commitsPerSecond.toFixed(0)} commits/s | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.conflicts} | ${r.cpuUsPerCommit.toFixed(0)} |`,
    );
  }
  const list = await readCell(server, `${L(server.url)}/table/b%24t00/version/list?descending=true&limit=1`, 16);
  const describe = await readCell(server, `${L(server.url)}/table/b%24t00/describe`, 16);
  rows.push(`| ListTableVersions(limit=1, descending) | 16 | ${list.perSecond.toFixed(0)} req/s | | | | ${list.cpuUsPerRequest.toFixed(0)} |`);
  rows.push(`| DescribeTable | 16 | ${describe.perSecond.toFixed(0)} req/s | | | | ${describe.cpuUsPerRequest.toFixed(0)} |`);
  console.log(
    `Lakegate ${DATABASE ? 'PostgreSQL' : 'SQLite'}, --workers ${WORKERS}, ${SECONDS} s per cell, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, ${os.cpus().length} vCPUs (load generator on the same machine)\n`,
  );
  console.log('| operation | conns | throughput | p50 ms | p99 ms | 409s (retried) | server CPU µs/req |');
  console.log('|---|--:|--:|--:|--:|--:|--:|');
  for (const r of rows) console.log(r);
  console.log(`\nListTableVersions(limit=1) / DescribeTable CPU per request: ${(list.cpuUsPerRequest / describe.cpuUsPerRequest).toFixed(2)}x`);
} finally {
  await stopChild(server.child);
  PG?.stop();
}

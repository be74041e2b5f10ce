#!/usr/bin/env node
/**
 * Paired A/B comparison of two Lakegate builds on a noisy machine: A (another commit, built in a
 * temporary export of it) and B (this checkout, or another commit). Both servers run for the
 * whole comparison, pinned to the same server CPU (the load generator on CPU 0); for each
 * operation they take turns, A B B A A B …, so each pair of neighbouring runs saw nearly the same
 * machine. Reported per operation: the median over pairs of B/A server CPU per request and of
 * B/A throughput, with their range: a change is real when the whole range is on one side of 1.
 *
 *   node bench/ab.mjs --base REV [--head REV] [--ops loadTable,config,listTables] [--conns 64]
 *                     [--pairs 8] [--duration 3] [--database sqlite|postgres] [--principal granted|admin]
 *                     [--base-node-args=ARGS] [--head-node-args=ARGS] [--warmup S] [--log-level L]
 *                     [--base-env K=V,K=V] [--head-env K=V,K=V]
 *
 * --base-node-args / --head-node-args: Node options (space-separated) for A's or B's server process, e.g.
 * `--base HEAD --head-node-args=--max-semi-space-size=32` compares a V8 setting on one build.
 * --base-env / --head-env: extra environment for A's or B's server, e.g. `--base HEAD --head HEAD
 * --head-env OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318` compares tracing off and on (docs/benchmarks.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, runCell, warmup } from './lib/load.mjs';
import { cpuSets, fail, log, REPO_ROOT, setOwnAffinity, sleep, stopChild } from './lib/proc.mjs';
import { requestFactory, seed } from './lib/seed.mjs';
import { startLakegate, startPostgresCluster } from './lib/servers.mjs';
import { benchArgs, usage } from './lib/args.mjs';

const { values: opt } = benchArgs(import.meta.url, {
  options: {
    base: { type: 'string' },
    head: { type: 'string' },
    ops: { type: 'string', default: 'config,loadTable,listTables' },
    conns: { type: 'string', default: '64' },
    pairs: { type: 'string', default: '8' },
    duration: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '4' },
    database: { type: 'string', default: 'sqlite' },
    principal: { type: 'string', default: 'granted' },
    'base-node-args': { type: 'string', default: '' },
    'head-node-args': { type: 'string', default: '' },
    'base-env': { type: 'string', default: '' },
    'head-env': { type: 'string', default: '' },
    'log-level': { type: 'string', default: 'warn' },
  },
  strict: true,
});
if (!opt.base) {
  console.error(`--base REV is required\n\n${usage(import.meta.url)}`);
  process.exit(2);
}

/** A build of `rev` in a temporary export (node_modules borrowed from this checkout, with its own workspace links). */
function buildRevision(rev) {
  const sha = execFileSync('git', ['rev-parse', '--short', rev], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const dir = path.join(os.tmpdir(), `lakegate-ab-${sha}`);
  if (!fs.existsSync(path.join(dir, 'packages', 'cli', 'dist', 'main.js'))) {
    log(`exporting and building ${rev} (${sha}) in ${dir}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('bash', ['-c', `git archive ${sha} | tar -x -C '${dir}'`], { cwd: REPO_ROOT });
    const nm = path.join(dir, 'node_modules');
    fs.mkdirSync(nm);
    for (const entry of fs.readdirSync(path.join(REPO_ROOT, 'node_modules'))) {
      if (entry === '@lakegate') continue;
      fs.symlinkSync(path.join(REPO_ROOT, 'node_modules', entry), path.join(nm, entry));
    }
    fs.mkdirSync(path.join(nm, '@lakegate'));
    for (const pkg of fs.readdirSync(path.join(REPO_ROOT, 'node_modules', '@lakegate')))
      fs.symlinkSync(path.join('..', '..', 'packages', pkg), path.join(nm, '@lakegate', pkg));
    // A workspace's own node_modules (versions that differ from the root's, e.g. the server's OpenTelemetry SDK).
    for (const pkg of fs.readdirSync(path.join(REPO_ROOT, 'packages'))) {
      const own = path.join(REPO_ROOT, 'packages', pkg, 'node_modules');
      const target = path.join(dir, 'packages', pkg, 'node_modules');
      if (fs.existsSync(own) && fs.existsSync(path.dirname(target)) && !fs.existsSync(target)) fs.symlinkSync(own, target);
    }
    const r = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-b', 'packages/cli'], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) fail(`building ${rev} failed:\n${r.stdout}${r.stderr}`);
  }
  return { dir, sha };
}

async function main() {
  const ops = opt.ops.split(',');
  const conns = Number(opt.conns);
  const pairs = Number(opt.pairs);
  const duration = Number(opt.duration);
  const a = buildRevision(opt.base);
  let b;
  if (opt.head) b = buildRevision(opt.head);
  else {
    log('building this checkout (tsc -b packages/cli)');
    const r = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-b', 'packages/cli'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (r.status !== 0) fail(`build failed:\n${r.stdout}${r.stderr}`);
    b = { dir: REPO_ROOT, sha: `${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim()}+worktree` };
  }
  const sets = cpuSets('pinned');
  setOwnAffinity(sets?.client);
  let pg;
  if (opt.database === 'postgres') pg = await startPostgresCluster({ cpus: sets?.server });
  const nodeArgs = (list) => list.split(/\s+/).filter(Boolean);
  const envOf = (list) =>
    Object.fromEntries(
      list
        .split(',')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
  const start = (build, name, args, env) =>
    startLakegate({
      repo: build.dir,
      name,
      nodeArgs: args,
      env,
      cpus: sets?.server,
      principal: opt.principal,
      logLevel: opt['log-level'],
      ...(pg ? { database: pg.createDatabase(name), extraPids: pg.pids } : {}),
    });
  const servers = {
    A: await start(a, 'A', nodeArgs(opt['base-node-args']), envOf(opt['base-env'])),
    B: await start(b, 'B', nodeArgs(opt['head-node-args']), envOf(opt['head-env'])),
  };
  for (const s of Object.values(servers)) await seed(s, 16);
  const rows = [];
  try {
    for (const op of ops) {
      const make = { A: requestFactory(servers.A, op), B: requestFactory(servers.B, op) };
      for (const k of ['A', 'B']) await warmup(servers[k], make[k], Number(opt.warmup), Number(opt.warmup) * 2);
      const runs = { A: [], B: [] };
      for (let i = 0; i < pairs; i++) {
        const order = i % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
        for (const k of order) {
          await sleep(200);
          const r = await runCell(servers[k], make[k], conns, duration);
          if (r.errors) log(`${k} ${op}: ${r.errors} errors, e.g. ${r.errorSamples[0] ?? Object.keys(r.errorKinds)[0]}`);
          runs[k].push(r);
        }
        const [ra, rb] = [runs.A.at(-1), runs.B.at(-1)];
        log(
          `${op} pair ${i + 1}: A ${ra.throughput.toFixed(0)} req/s ${ra.serverCpuPerReqUs.toFixed(0)} µs/req | B ${rb.throughput.toFixed(0)} req/s ${rb.serverCpuPerReqUs.toFixed(0)} µs/req | other ${Math.max(ra.otherCpu, rb.otherCpu).toFixed(2)} cores`,
        );
      }
      const cpuRatios = runs.B.map((r, i) => r.serverCpuPerReqUs / runs.A[i].serverCpuPerReqUs);
      const tpRatios = runs.B.map((r, i) => r.throughput / runs.A[i].throughput);
      rows.push({
        op,
        aCpu: median(runs.A.map((r) => r.serverCpuPerReqUs)),
        bCpu: median(runs.B.map((r) => r.serverCpuPerReqUs)),
        aTp: median(runs.A.map((r) => r.throughput)),
        bTp: median(runs.B.map((r) => r.throughput)),
        cpu: { med: median(cpuRatios), min: Math.min(...cpuRatios), max: Math.max(...cpuRatios) },
        tp: { med: median(tpRatios), min: Math.min(...tpRatios), max: Math.max(...tpRatios) },
        other: median([...runs.A, ...runs.B].map((r) => r.otherCpu)),
      });
    }
  } finally {
    await Promise.all(Object.values(servers).map((s) => stopChild(s.child)));
    pg?.stop();
  }
  const f = (x) => x.toFixed(3);
  process.stdout.write(
    `\nA = ${a.sha}${opt['base-node-args'] ? ` (node ${opt['base-node-args']})` : ''}, B = ${b.sha}${opt['head-node-args'] ? ` (node ${opt['head-node-args']})` : ''}${opt['base-env'] ? ` A env ${opt['base-env']}` : ''}${opt['head-env'] ? ` B env ${opt['head-env']}` : ''}; ${opt.database}, ${opt.principal} principal, ${conns} connections, ${pairs} pairs of ${duration} s, pinned (generator CPU ${sets?.client ?? '-'}, servers CPU ${sets?.server ?? '-'})\n`,
  );
  process.stdout.write(
    '| operation | A µs/req | B µs/req | B/A CPU per req, median (min–max) | A req/s | B req/s | B/A req/s, median (min–max) | other CPU |\n|---|--:|--:|--:|--:|--:|--:|--:|\n',
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.op} | ${r.aCpu.toFixed(0)} | ${r.bCpu.toFixed(0)} | ${f(r.cpu.med)} (${f(r.cpu.min)}–${f(r.cpu.max)}) | ${r.aTp.toFixed(0)} | ${r.bTp.toFixed(0)} | ${f(r.tp.med)} (${f(r.tp.min)}–${f(r.tp.max)}) | ${r.other.toFixed(2)} |\n`,
    );
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);

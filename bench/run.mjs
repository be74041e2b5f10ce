#!/usr/bin/env node
/**
 * Lakegate (SQLite, PostgreSQL, --workers) vs. the Apache Iceberg REST fixture server vs. the
 * Fastify floor and the bare Node limit: throughput, p50/p99 latency and server CPU per request of config, loadTable,
 * listTables and commit at 1, 16 and 64 concurrent keep-alive connections.
 *
 *   npm run bench                  full run (both CPU layouts), writes docs/benchmarks.md
 *   npm run bench -- --quick       short cells, pinned layout only, prints only (unless --out)
 *   node bench/run.mjs --help      all options
 *
 * Plain Node ESM, no dependencies. It starts every server itself (Lakegate on fresh data dirs, a
 * throwaway PostgreSQL cluster through scripts/peers/postgres.sh, the fixture through
 * scripts/peers/iceberg-java.sh, the Fastify floor and the bare server replaying Lakegate's recorded responses), seeds
 * them identically, runs every (operation x concurrency x server) cell with the closed-loop load
 * generator of bench/lib/load.mjs, stops them and writes the report (bench/lib/report.mjs).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCell, waitQuiet, warmup } from './lib/load.mjs';
import { alone, cpuSets, fail, keepTempDirs, log, NCPU, procRssMiB, REPO_ROOT, setOwnAffinity, sleep, stopChild } from './lib/proc.mjs';
import { mergeReport } from './lib/doc-merge.mjs';
import { fmtMs, fmtRate, markdown, printTables } from './lib/report.mjs';
import { ALL_OPS, READ_OPS, recordResponses, requestFactory, seed } from './lib/seed.mjs';
import { startBare, startFastifyFloor, startFixture, startLakegate, startPostgresCluster } from './lib/servers.mjs';
import { machine } from './lib/machine.mjs';

const DEFAULT_DOC = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
const ALL_SERVERS = ['lakegate', 'lakegate-pg', 'lakegate-workers', 'fixture', 'fastify', 'bare'];
/** Servers that replay Lakegate's recorded answers to the read operations. */
const REPLAYS = ['fastify', 'bare'];

const HELP = `usage: node bench/run.mjs [options]

  --quick               1.5 s cells, 1 run each, 0.5 s warm-up, pinned layout only; prints, no doc unless --out
  --duration S          seconds per measured cell (default 3)
  --repeat N            runs per cell, the servers in rotating order; the run with the least CPU use by
                          other processes is reported (default 3)
  --warmup S            least unmeasured warm-up per server and operation, at 16 connections (default 4)
  --warmup-max S        longest warm-up: it runs in 2 s slices until a slice is no longer >5% faster
                          than the best before it, or this much time has passed (default 20)
  --concurrency LIST    connection counts (default 1,16,64)
  --ops LIST            config,loadTable,listTables,commit (default all; config is the baseline:
                          GET /v1/config, the cheapest request each server answers)
  --servers LIST        ${ALL_SERVERS.join(',')}
                          (default: all; lakegate-workers runs only in the
                          shared layout; fastify (the Fastify floor) and bare replay the responses
                          of lakegate, which they need)
  --workers N           processes of lakegate-workers (default: the machine's cores, ${NCPU})
  --layout L            pinned | shared | both (default both; --quick: pinned)
                          pinned: load generator on CPU 0, each server (and its PostgreSQL) on the other CPU(s)
                          shared: no pinning, everything floats over all CPUs
  --quiet-wait S        before each group of cells wait up to S seconds for a 1 s window in which other
                          processes use < 0.25 cores (default 10; --quick: 0)
  --auth MODE           Lakegate's LAKEGATE_AUTH: required (default) or disabled (anonymous)
  --principal P         granted (default): requests carry a token of a non-admin principal holding
                          read-write grants on the warehouse, so every request is authorized;
                          admin: the admin principal (authorization short-cuts for admins)
  --commit-tables N     tables the commit cells spread over, connection i -> table i mod N (default 16)
  --fixture-uri URI     JDBC URI of the fixture's backend ({dir}: its temp dir)
                          (default jdbc:sqlite:{dir}/catalog.db?journal_mode=WAL)
  --out FILE            markdown report (default docs/benchmarks.md; --quick: none)
  --no-doc              do not write the markdown report
  --json FILE           where to write the raw results as JSON (default: a file in the temp dir)
  --report FILE         run nothing: render the report again from the JSON of an earlier run
  --cpu-prof DIR        run Lakegate with --cpu-prof, profiles land in DIR when it stops
                          (lakegate-pg, bare and fastify each in DIR/<name>)
                          (summarise one with: node bench/profile.mjs FILE --last S)
  --perf-map            run the Lakegate servers with --perf-basic-prof, so that Linux perf names
                          their JavaScript frames (perf record -g -C <server CPU> while a cell runs)
  --no-build            do not run "tsc -b packages/cli" first
  --keep                keep the temporary data directories
  -h, --help`;

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    repeat: { type: 'string' },
    warmup: { type: 'string' },
    'warmup-max': { type: 'string' },
    concurrency: { type: 'string', default: '1,16,64' },
    ops: { type: 'string', default: ALL_OPS.join(',') },
    servers: { type: 'string', default: ALL_SERVERS.join(',') },
    workers: { type: 'string', default: String(NCPU) },
    layout: { type: 'string' },
    'commit-tables': { type: 'string', default: '16' },
    'quiet-wait': { type: 'string' },
    auth: { type: 'string', default: 'required' },
    principal: { type: 'string', default: 'granted' },
    'fixture-uri': { type: 'string', default: 'jdbc:sqlite:{dir}/catalog.db?journal_mode=WAL' },
    out: { type: 'string' },
    'no-doc': { type: 'boolean', default: false },
    json: { type: 'string' },
    report: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'perf-map': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opt.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
keepTempDirs(opt.keep);

const list = (s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const CONFIG = {
  quick: opt.quick,
  duration: Number(opt.duration ?? (opt.quick ? 1.5 : 3)),
  repeat: Number(opt.repeat ?? (opt.quick ? 1 : 3)),
  warmup: Number(opt.warmup ?? (opt.quick ? 0.5 : 4)),
  warmupMax: Number(opt['warmup-max'] ?? (opt.quick ? 0.5 : 20)),
  concurrency: list(opt.concurrency).map(Number),
  ops: list(opt.ops),
  servers: list(opt.servers),
  workers: Number(opt.workers),
  commitTables: Number(opt['commit-tables']),
  auth: opt.auth,
  principal: opt.principal,
  quietWait: Number(opt['quiet-wait'] ?? (opt.quick ? 0 : 10)),
  fixtureUri: opt['fixture-uri'],
  layouts: (() => {
    const l = opt.layout ?? (opt.quick ? 'pinned' : 'both');
    if (l === 'both') return ['pinned', 'shared'];
    if (l === 'pinned' || l === 'shared') return [l];
    fail(`--layout must be pinned, shared or both, not ${l}`);
  })(),
  out: opt['no-doc'] ? undefined : (opt.out ?? (opt.quick ? undefined : DEFAULT_DOC)),
};
for (const o of CONFIG.ops) if (!ALL_OPS.includes(o)) fail(`unknown operation ${o}`);
for (const s of CONFIG.servers) if (!ALL_SERVERS.includes(s)) fail(`unknown server ${s}`);
for (const s of REPLAYS)
  if (CONFIG.servers.includes(s) && !CONFIG.servers.includes('lakegate')) fail(`${s} replays the responses of lakegate: list lakegate too`);
for (const c of CONFIG.concurrency) if (!Number.isInteger(c) || c < 1 || c > 1024) fail(`bad concurrency ${c}`);
if (!(CONFIG.duration > 0 && CONFIG.duration <= 120)) fail('--duration must be in (0, 120]');
if (!(CONFIG.warmup >= 0 && CONFIG.warmup <= 60)) fail('--warmup must be in [0, 60]');
if (CONFIG.auth !== 'required' && CONFIG.auth !== 'disabled') fail('--auth must be required or disabled');
if (CONFIG.principal !== 'granted' && CONFIG.principal !== 'admin') fail('--principal must be granted or admin');
if (!(CONFIG.quietWait >= 0 && CONFIG.quietWait <= 120)) fail('--quiet-wait must be in [0, 120]');
if (!Number.isInteger(CONFIG.repeat) || CONFIG.repeat < 1 || CONFIG.repeat > 10) fail('--repeat must be 1..10');
if (!Number.isInteger(CONFIG.workers) || CONFIG.workers < 1 || CONFIG.workers > 64) fail('--workers must be 1..64');
// `lakegate serve --workers` is not on main yet (its unfinished cluster work is kept apart): refuse the server rather than fail mid-run.
if (!(CONFIG.warmupMax >= CONFIG.warmup && CONFIG.warmupMax <= 120)) fail('--warmup-max must be in [--warmup, 120]');
if (!Number.isInteger(CONFIG.commitTables) || CONFIG.commitTables < 1 || CONFIG.commitTables > 256) fail('--commit-tables must be 1..256');

/** The servers measured in a layout: several Lakegate processes on one pinned core measure nothing new. */
const serversOf = (layout) => CONFIG.servers.filter((s) => !(s === 'lakegate-workers' && layout === 'pinned'));
/** The operations a server runs: the replaying servers only replay the read operations. */
const opsOf = (server) => (REPLAYS.includes(server) ? CONFIG.ops.filter((o) => READ_OPS.includes(o)) : CONFIG.ops);

async function startAll(layout, sets) {
  const servers = {};
  const cpus = sets?.server;
  const lgOptions = { cpus, auth: CONFIG.auth, principal: CONFIG.principal, nodeArgs: opt['perf-map'] ? ['--perf-basic-prof'] : [] };
  const wanted = serversOf(layout);
  let pg;
  if (wanted.includes('lakegate-pg')) pg = await startPostgresCluster({ cpus });
  const starters = {
    lakegate: () => startLakegate({ ...lgOptions, cpuProf: opt['cpu-prof'] }),
    'lakegate-pg': () =>
      startLakegate({
        ...lgOptions,
        name: 'lakegate-pg',
        database: pg.createDatabase(),
        extraPids: pg.pids,
        cpuProf: opt['cpu-prof'] && path.join(opt['cpu-prof'], 'lakegate-pg'),
      }),
    'lakegate-workers': () => startLakegate({ ...lgOptions, name: 'lakegate-workers', workers: CONFIG.workers }),
    fixture: () => startFixture({ cpus, uri: CONFIG.fixtureUri }),
  };
  await Promise.all(
    wanted
      .filter((s) => !REPLAYS.includes(s))
      .map(async (s) => {
        servers[s] = await starters[s]();
        log(`started ${s} on port ${servers[s].port}`);
      }),
  );
  return { servers, pg };
}

async function main() {
  if (opt.report) return rerender(opt.report);
  const cellsPerLayout = (l) => serversOf(l).reduce((a, s) => a + opsOf(s).length, 0) * CONFIG.concurrency.length * CONFIG.repeat;
  const totalCells = CONFIG.layouts.reduce((a, l) => a + cellsPerLayout(l), 0);
  const budgetS =
    CONFIG.layouts.length * (300 + CONFIG.ops.length * CONFIG.servers.length * (CONFIG.warmupMax + 5)) +
    totalCells * (CONFIG.duration * 2 + 10) +
    CONFIG.layouts.length * CONFIG.ops.length * CONFIG.concurrency.length * CONFIG.repeat * (CONFIG.quietWait + 2);
  const watchdog = setTimeout(() => {
    log(`time budget of ${Math.round(budgetS)} s exceeded: stopping`);
    process.exit(3);
  }, budgetS * 1000);

  if (!opt['no-build']) {
    log('building (tsc -b packages/cli)');
    const r = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-b', 'packages/cli'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (r.status !== 0) log(`build failed, using the existing dist:\n${(r.stdout ?? '') + (r.stderr ?? '')}`);
  }
  if (!fs.existsSync(path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js'))) fail('packages/cli/dist is missing: run "npx tsc -b packages/cli"');

  const m = machine(REPO_ROOT);
  log(
    `${m.nproc} CPUs, ${m.memGiB.toFixed(1)} GiB, node ${m.node}, ${m.java}; ${totalCells} cells of ${CONFIG.duration} s (time limit ${Math.round(budgetS)} s)`,
  );
  const results = [];
  const seeds = [];
  const warmups = [];
  const quietWaits = [];

  for (const layout of CONFIG.layouts) {
    const sets = cpuSets(layout);
    if (layout === 'pinned' && !sets) log('pinning unavailable (taskset missing or 1 CPU): running unpinned');
    setOwnAffinity(sets?.client);
    log(`layout ${layout}${sets ? `: generator on CPU ${sets.client}, servers on CPU ${sets.server}` : ''}; starting servers`);
    let started;
    try {
      started = await startAll(layout, sets);
      const { servers } = started;
      for (const s of Object.keys(servers)) {
        const info = await seed(servers[s], CONFIG.commitTables);
        seeds.push({ server: s, layout, authenticated: servers[s].authenticated, principal: servers[s].principal, ...info });
        log(`seeded ${s} (loadTable ${info.loadBytes} B, listTables ${info.listBytes} B)`);
      }
      const replays = serversOf(layout).filter((s) => REPLAYS.includes(s));
      if (replays.length > 0) {
        const recorded = await recordResponses(
          servers.lakegate,
          CONFIG.ops.filter((o) => READ_OPS.includes(o)),
        );
        const lg = seeds.find((x) => x.server === 'lakegate' && x.layout === layout);
        for (const s of replays) {
          servers[s] = await (s === 'bare' ? startBare : startFastifyFloor)({
            cpus: sets?.server,
            recorded,
            base: servers.lakegate.base,
            cpuProf: opt['cpu-prof'] && path.join(opt['cpu-prof'], s),
          });
          servers[s].headers = servers.lakegate.headers;
          seeds.push({ server: s, layout, authenticated: false, loadBytes: lg.loadBytes, listBytes: lg.listBytes });
          log(`${s} replays lakegate's responses`);
        }
      }
      const order0 = serversOf(layout).filter((s) => servers[s]);
      for (const op of CONFIG.ops) {
        const inOp = order0.filter((s) => opsOf(s).includes(op));
        const makers = Object.fromEntries(inOp.map((s) => [s, requestFactory(servers[s], op, CONFIG.commitTables)]));
        for (const s of inOp) {
          const w = await alone(servers, s, () => warmup(servers[s], makers[s], CONFIG.warmup, CONFIG.warmupMax));
          warmups.push({ layout, server: s, op, ...w });
          if (w.seconds > 0) log(`${layout} ${op} ${s}: warmed up for ${w.seconds.toFixed(0)} s, last slice ${fmtRate(w.last)} req/s`);
        }
        for (const c of CONFIG.concurrency) {
          for (let rep = 0; rep < CONFIG.repeat; rep++) {
            // Every server once per repetition, back to back, starting one further along each time.
            const order = inOp.map((_, i) => inOp[(i + rep) % inOp.length]);
            const q = await waitQuiet(Object.values(servers), CONFIG.quietWait);
            quietWaits.push(q);
            if (!q.quiet) log(`machine still busy after ${q.waited.toFixed(0)} s: measuring anyway`);
            for (const s of order) {
              await sleep(200);
              const r = await alone(servers, s, () => runCell(servers[s], makers[s], c, CONFIG.duration));
              Object.assign(r, { layout, rep, op });
              results.push(r);
              log(
                `${layout} ${op.padEnd(10)} c=${String(c).padEnd(2)} #${rep + 1} ${s.padEnd(16)} ${fmtRate(r.throughput).padStart(7)} req/s  p50 ${fmtMs(r.p50)} ms  p99 ${fmtMs(r.p99)} ms  ${Number.isFinite(r.serverCpuPerReqUs) ? r.serverCpuPerReqUs.toFixed(0) : '–'} µs/req  errors ${r.errors}  (srv ${r.serverCpu.toFixed(2)}, gen ${r.clientCpu.toFixed(2)}, other ${r.otherCpu.toFixed(2)} cores)`,
              );
              if (r.errors && r.errorSamples[0]) log(`  e.g. ${r.errorSamples[0].replace(/[\r\n]/g, ' ').slice(0, 200)}`);
            }
          }
        }
      }
    } finally {
      if (started) {
        const { servers, pg } = started;
        for (const s of Object.keys(servers)) {
          const seedRow = seeds.find((x) => x.server === s && x.layout === layout);
          // The peak of the largest process (for --workers: of one worker; the primary only forks and watches).
          if (seedRow)
            seedRow.peakRssMiB = Math.max(
              ...servers[s]
                .pids()
                .map((p) => procRssMiB(p))
                .filter(Number.isFinite),
            );
        }
        await Promise.all(Object.values(servers).map((x) => stopChild(x.child)));
        pg?.stop();
      }
    }
  }
  setOwnAffinity(undefined);
  clearTimeout(watchdog);

  printTables(CONFIG, results);
  if (CONFIG.out) {
    fs.mkdirSync(path.dirname(CONFIG.out), { recursive: true });
    writeReport(CONFIG.out, markdown(CONFIG, m, results, seeds, warmups, quietWaits));
    log(`wrote ${path.relative(process.cwd(), CONFIG.out) || CONFIG.out}`);
  }
  const jsonPath = opt.json ?? path.join(os.tmpdir(), `lakegate-bench-${m.date.replace(/[:]/g, '')}.json`);
  fs.writeFileSync(jsonPath, `${JSON.stringify({ machine: m, config: CONFIG, seeds, warmups, quietWaits, results }, null, 2)}\n`);
  log(`raw results: ${jsonPath}`);
}

/** Replaces the generated part of the report, keeping the sections written by hand (bench/lib/doc-merge.mjs). */
function writeReport(file, generated) {
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  fs.writeFileSync(file, mergeReport(existing, generated));
}

/** --report: the stdout table and the markdown again, from a saved run. */
function rerender(file) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { out, ...saved } = data.config;
  const config = { ...CONFIG, ...saved, out: opt['no-doc'] ? undefined : (opt.out ?? DEFAULT_DOC) };
  printTables(config, data.results);
  if (config.out) {
    writeReport(config.out, markdown(config, data.machine, data.results, data.seeds, data.warmups, data.quietWaits ?? []));
    log(`wrote ${path.relative(process.cwd(), config.out) || config.out}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);

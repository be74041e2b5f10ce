#!/usr/bin/env node
/**
 * Benchmark: what authorization costs on loadTable and listTables, with 10,000 tables of which 10% are
 * visible to a non-admin caller through grants on individual tables.
 *
 *   node bench/authz.mjs            full run, writes docs/benchmarks-authz.md
 *   node bench/authz.mjs --quick    short cells, prints only (unless --out)
 *   node bench/authz.mjs --help     all options
 *
 * Plain Node ESM over the built dist/. It seeds one Lakegate (SQLite, authentication required) through its
 * HTTP API, then measures server processes on copies of that data dir, one at a time:
 *   builtin        authorizer=builtin (the default), decision cache at its default (authzCacheSeconds=2)
 *   builtin-nocache  the same with authzCacheSeconds=0: every request is decided anew
 *   openfga        authorizer=openfga on an OpenFGA (scripts/peers/openfga.sh, in-memory datastore), cache default
 *   openfga-nocache  the same with authzCacheSeconds=0
 * Each is measured as the admin (allowed by credential: no check at all, the allow-all baseline) and as the
 * reader (the non-admin holding table:read-metadata on 1,000 tables). Then it counts, in-process, the batched
 * checks (Authorizer.check calls), the SQL grant lookups and OpenFGA's BatchCheck requests of a full listing.
 * Every cell records the CPU that other processes used meanwhile (the machine is shared).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { requestCounts, startOpenFga } from './lib/openfga.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const LAKEGATE_BIN = path.join(ROOT, 'packages', 'cli', 'bin', 'lakegate.js');
const HELP = `usage: node bench/authz.mjs [options]
  --quick             2 s cells, 2,000 tables, no doc unless --out
  --tables N          tables to seed (default 10000; 10% get a grant)
  --duration S        seconds per loadTable / first-page cell (default 4)
  --walks N           full listings per walk cell, after one warm-up walk (default 3)
  --concurrency LIST  connections for loadTable (default 1,16)
  --seed-conns N      concurrent requests while seeding (default 16)
  --fga-batch N       checks per OpenFGA BatchCheck (server --max-checks-per-batch-check and
                        LAKEGATE_OPENFGA_BATCH_CHECK_SIZE; default 200, OpenFGA's own default is 50)
  --variants LIST     builtin,builtin-nocache,openfga,openfga-nocache (default all)
  --out FILE          markdown report (default docs/benchmarks-authz.md; --quick: none)
  --report FILE       run nothing: render the report from the JSON of an earlier run (--out to write it)
  --no-build          do not run tsc -b first
  -h, --help`;

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    tables: { type: 'string' },
    duration: { type: 'string' },
    walks: { type: 'string' },
    concurrency: { type: 'string', default: '1,16' },
    'seed-conns': { type: 'string', default: '16' },
    'fga-batch': { type: 'string', default: '200' },
    variants: { type: 'string', default: 'builtin,builtin-nocache,openfga,openfga-nocache' },
    out: { type: 'string' },
    report: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opt.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const CFG = {
  tables: Number(opt.tables ?? (opt.quick ? 2000 : 10000)),
  duration: Number(opt.duration ?? (opt.quick ? 2 : 4)),
  walks: Number(opt.walks ?? (opt.quick ? 2 : 3)),
  concurrency: opt.concurrency.split(',').map(Number),
  seedConns: Number(opt['seed-conns']),
  fgaBatch: Number(opt['fga-batch']),
  variants: opt.variants.split(','),
  out: opt.out ?? (opt.quick ? undefined : path.join(ROOT, 'docs', 'benchmarks-authz.md')),
};
if (!(CFG.tables >= 10 && CFG.tables <= 100_000)) fail('--tables must be 10..100000');
if (!(CFG.duration > 0 && CFG.duration <= 60)) fail('--duration must be in (0, 60]');
for (const v of CFG.variants) if (!['builtin', 'builtin-nocache', 'openfga', 'openfga-nocache'].includes(v)) fail(`unknown variant ${v}`);

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- processes, ports, CPU accounting -----------------------------------------------------------

const children = new Set();
const temps = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

const tempDir = (prefix) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
};
const freePort = () =>
  new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
function procCpu(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const x = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return (Number(x[11]) + Number(x[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}
function machineBusy() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f[0] + f[1] + f[2] + f[5] + f[6]) / CLK_TCK;
}
/** Runs fn and reports how many cores processes other than ours (the servers, OpenFGA, this one) used meanwhile. */
async function withNoise(pids, fn) {
  const ours = () => pids.reduce((s, p) => s + procCpu(p), 0);
  const [m0, o0, t0] = [machineBusy(), ours(), performance.now()];
  const result = await fn();
  const seconds = (performance.now() - t0) / 1000;
  result.noise = Math.max(0, (machineBusy() - m0 - (ours() - o0)) / seconds);
  return result;
}

async function startLakegate(dataDir, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [LAKEGATE_BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--workers', '1'], {
    env: { ...process.env, LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_AUTH: 'required', LAKEGATE_ACCESS_TOKEN_TTL_SECONDS: '86400', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.add(child);
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`lakegate exited:\n${err}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child };
    } catch {}
    await sleep(100);
  }
  throw new Error(`lakegate did not start:\n${err}`);
}
async function stopLakegate(s) {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
  children.delete(s.child);
}

async function token(url, clientId, secret) {
  const res = await fetch(`${url}/v1/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, scope: 'catalog' }),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}
async function call(url, method, p, tok, body, ok = [200, 201, 204]) {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` },
    body: body && JSON.stringify(body),
  });
  const text = await res.text();
  if (!ok.includes(res.status)) throw new Error(`${method} ${p} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}
/** Runs fn(i) for i in [0, n) with `conns` in flight; returns the elapsed seconds. */
async function pool(n, conns, fn) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: conns }, async () => {
      while (next < n) await fn(next++);
    }),
  );
  return (performance.now() - t0) / 1000;
}

// --- seeding ----------------------------------------------------------------------------------------

const NS = 'bench';
const tableName = (i) => `t${String(i).padStart(5, '0')}`;
const visible = (i) => i % 10 === 0;
const SCHEMA = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };

async function seedCatalog(dataDir) {
  const s = await startLakegate(dataDir, {});
  try {
    const admin = JSON.parse(fs.readFileSync(path.join(dataDir, 'admin-credentials.json'), 'utf8'));
    const adminTok = await token(s.url, admin.client_id, admin.client_secret);
    await call(s.url, 'POST', '/v1/default/namespaces', adminTok, { namespace: [NS] });
    const tableSeconds = await pool(CFG.tables, CFG.seedConns, (i) =>
      call(s.url, 'POST', `/v1/default/namespaces/${NS}/tables`, adminTok, { name: tableName(i), schema: SCHEMA }),
    );
    log(`seeded ${CFG.tables} tables in ${tableSeconds.toFixed(1)} s`);
    const reader = await call(s.url, 'POST', '/management/v1/principals', adminTok, { name: 'bench-reader' });
    return { admin, reader: { id: reader['client-id'], secret: reader['client-secret'] }, tableSeconds };
  } finally {
    await stopLakegate(s);
  }
}

/** The reader's role, its membership and a table:read-metadata grant on every 10th table, through the management API. */
async function seedGrants(url, adminTok, readerId) {
  await call(url, 'POST', '/management/v1/roles', adminTok, { name: 'bench-readers' }, [201, 409]);
  await call(url, 'POST', '/management/v1/roles/bench-readers/members', adminTok, { kind: 'principal', name: readerId }, [200, 201]);
  const granted = Array.from({ length: CFG.tables }, (_, i) => i).filter(visible);
  const seconds = await pool(granted.length, CFG.seedConns, (k) =>
    call(url, 'POST', '/management/v1/grants', adminTok, {
      role: 'bench-readers',
      privileges: ['table:read-metadata'],
      securable: { type: 'table', warehouse: 'default', namespace: [NS], name: tableName(granted[k]) },
    }),
  );
  log(`granted ${granted.length} tables in ${seconds.toFixed(1)} s`);
  return { grants: granted.length, seconds };
}

// --- measurements -------------------------------------------------------------------------------------

const quantile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

/** Closed loop for CFG.duration seconds; request i of a connection asks path(i). */
async function closedLoop(url, tok, conns, pathOf) {
  const lat = [];
  let errors = 0;
  let n = 0;
  const end = performance.now() + CFG.duration * 1000;
  await Promise.all(
    Array.from({ length: conns }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const res = await fetch(`${url}${pathOf(n++)}`, { headers: { authorization: `Bearer ${tok}` } });
        await res.arrayBuffer();
        if (res.status === 200) lat.push(performance.now() - t0);
        else errors += 1;
      }
    }),
  );
  lat.sort((a, b) => a - b);
  return { rps: lat.length / CFG.duration, p50: quantile(lat, 0.5), p99: quantile(lat, 0.99), n: lat.length, errors };
}

/** Follows page tokens to the end; returns the time and what it saw. */
async function walk(url, tok, pageSize) {
  const t0 = performance.now();
  let pageToken;
  let items = 0;
  let pages = 0;
  do {
    const q = new URLSearchParams(pageSize ? { pageSize: String(pageSize) } : {});
    if (pageToken || pageSize) q.set('pageToken', pageToken ?? ''); // an empty pageToken asks for paging (Iceberg spec)
    const body = await call(url, 'GET', `/v1/default/namespaces/${NS}/tables?${q}`, tok);
    items += body.identifiers.length;
    pages += 1;
    pageToken = body['next-page-token'] ?? undefined;
  } while (pageToken);
  return { ms: performance.now() - t0, items, pages };
}

async function walks(url, tok, pageSize, expectItems) {
  await walk(url, tok, pageSize); // warm-up
  const runs = [];
  for (let i = 0; i < CFG.walks; i++) runs.push(await walk(url, tok, pageSize));
  for (const r of runs) if (r.items !== expectItems) throw new Error(`walk saw ${r.items} tables, expected ${expectItems}`);
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  return { p50: quantile(ms, 0.5), max: ms.at(-1), pages: runs[0].pages, items: runs[0].items };
}

/** A cell that failed (e.g. 503 from an overloaded OpenFGA) is recorded as such, and the run goes on. */
async function cell(pids, fn) {
  try {
    return await withNoise(pids, fn);
  } catch (e) {
    log(`cell failed: ${e.message.slice(0, 300)}`);
    return { error: e.message.slice(0, 200) };
  }
}

async function measureCaller(url, tok, tables, expectItems, pids) {
  const out = { load: {}, firstPage: undefined, walk100: undefined, walk1000: undefined };
  const load = (i) => `/v1/default/namespaces/${NS}/tables/${tableName(tables[i % tables.length])}`;
  await closedLoop(url, tok, 4, load); // warm-up: JIT, sockets
  for (const conns of CFG.concurrency) out.load[conns] = await cell(pids, () => closedLoop(url, tok, conns, load));
  out.firstPage = await cell(pids, () => closedLoop(url, tok, 1, () => `/v1/default/namespaces/${NS}/tables?pageSize=100&pageToken=`));
  out.walk100 = await cell(pids, () => walks(url, tok, 100, expectItems));
  out.walk1000 = await cell(pids, () => walks(url, tok, undefined, expectItems));
  return out;
}

/** In-process: one full listing (pageSize 100) as the reader, counting batched checks, SQL grant lookups and OpenFGA requests. */
async function countCalls(dataDir, env, reader, fgaMetricsUrl) {
  const { buildLakegate, loadConfig, createLogger } = await import(path.join(ROOT, 'packages/server/dist/index.js'));
  const config = loadConfig({ env: { LAKEGATE_DATA_DIR: dataDir, LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_AUTH: 'required', ...env } });
  const lakegate = await buildLakegate({ config, logger: createLogger('warn') });
  try {
    const access = lakegate.services.access;
    const authorizer = access.deps.authorizer;
    const counts = { checkCalls: 0, checkQueries: 0, grantLookups: 0 };
    const check = authorizer.check.bind(authorizer);
    authorizer.check = (tenant, members, queries, ...rest) => {
      counts.checkCalls += 1;
      counts.checkQueries += queries.length;
      return check(tenant, members, queries, ...rest); // rest: a listing's memo (catalog/access/check-memo.ts)
    };
    const grantsOn = lakegate.store.access.grantsOn.bind(lakegate.store.access);
    lakegate.store.access.grantsOn = (...a) => {
      counts.grantLookups += 1;
      return grantsOn(...a);
    };
    const res = await lakegate.app.inject({
      method: 'POST',
      url: '/v1/oauth/tokens',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: reader.id, client_secret: reader.secret }).toString(),
    });
    const tok = res.json().access_token;
    const fgaBefore = fgaMetricsUrl ? await batchChecks(fgaMetricsUrl) : 0;
    let pageToken;
    let pages = 0;
    let items = 0;
    do {
      const q = new URLSearchParams({ pageSize: '100', pageToken: pageToken ?? '' });
      const r = await lakegate.app.inject({ method: 'GET', url: `/v1/default/namespaces/${NS}/tables?${q}`, headers: { authorization: `Bearer ${tok}` } });
      const body = r.json();
      items += body.identifiers.length;
      pages += 1;
      pageToken = body['next-page-token'] ?? undefined;
    } while (pageToken);
    const fgaBatchChecks = fgaMetricsUrl ? (await batchChecks(fgaMetricsUrl)) - fgaBefore : undefined;
    return { ...counts, pages, items, chunks: Math.ceil(CFG.tables / 100), fgaBatchChecks, fgaCalls: authorizer.calls ? { ...authorizer.calls } : undefined };
  } finally {
    await lakegate.close();
  }
}
async function batchChecks(metricsUrl) {
  return requestCounts(await (await fetch(metricsUrl)).text()).BatchCheck ?? 0;
}

// --- report -------------------------------------------------------------------------------------------

/** The markdown report of a run's data (also from the JSON of an earlier run: --report). */
function render({ CFG, started, cpu, node, quick, tablesArg, seeded, grantSeeding, results }) {
  const visibleCount = Math.floor((CFG.tables + 9) / 10);
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const pct = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%` : 'n/a');
  const LABEL = { builtin: 'built-in', 'builtin-nocache': 'built-in, no decision cache', openfga: 'OpenFGA', 'openfga-nocache': 'OpenFGA, no decision cache' };
  const loadRows = [];
  for (const [variant, r] of Object.entries(results)) {
    for (const conns of CFG.concurrency) {
      const a = { errors: 0, ...r.admin.load[conns] };
      const b = { errors: 0, ...r.reader.load[conns] };
      loadRows.push(
        `| ${LABEL[variant]} | ${conns} | ${f(a.rps, 0)} | ${f(a.p50)} | ${f(a.p99)} | ${f(b.rps, 0)} | ${f(b.p50)} | ${f(b.p99)} | ${pct(b.p50, a.p50)} | ${a.errors + b.errors} | ${f(a.noise, 2)} / ${f(b.noise, 2)} |`,
      );
    }
  }
  const listRows = [];
  for (const [variant, r] of Object.entries(results)) {
    for (const [who, m] of [
      ['admin', r.admin],
      ['reader', r.reader],
    ]) {
      const walkCell = (w, detail) => (w.error ? `failed: ${w.error}` : `${f(w.p50, 0)} (${w.pages} pages${detail ? `, ${w.items} tables` : ''})`);
      const noise = Math.max(...[m.firstPage, m.walk100, m.walk1000].map((x) => x.noise ?? 0));
      listRows.push(
        `| ${LABEL[variant]} | ${who} | ${m.firstPage.error ? `failed: ${m.firstPage.error}` : f(m.firstPage.p50)} | ${f(m.firstPage.p99)} | ${walkCell(m.walk100, true)} | ${walkCell(m.walk1000, false)} | ${f(noise, 2)} |`,
      );
    }
  }
  const countRows = Object.entries(results)
    .filter(([, r]) => r.counts)
    .map(([variant, r]) => {
      const c = r.counts;
      if (c.error) return `| ${LABEL[variant]} | failed: ${c.error} | | | | | | |`;
      const sql = variant.startsWith('openfga') ? '—' : String(c.grantLookups);
      const fgaReq = variant.startsWith('openfga')
        ? `${c.fgaBatchChecks} BatchCheck (adapter: ${c.fgaCalls?.batchCheck ?? '?'} BatchCheck, ${c.fgaCalls?.check ?? '?'} Check, ${c.fgaCalls?.read ?? '?'} Read)`
        : '—';
      return `| ${LABEL[variant]} | ${c.pages} | ${c.items} | ${c.chunks} | ${c.checkCalls} | ${f(c.checkQueries / Math.max(1, c.checkCalls), 0)} | ${sql} | ${fgaReq} |`;
    });

  const overhead = (variant) =>
    results[variant]
      ? CFG.concurrency
          .map((c) => `${pct(results[variant].reader.load[c].p50, results[variant].admin.load[c].p50)} at ${c} conn${c === 1 ? '' : 's'}`)
          .join(', ')
      : undefined;
  const met = results.builtin && CFG.concurrency.every((c) => results.builtin.reader.load[c].p50 < 1.1 * results.builtin.admin.load[c].p50);
  const outcome = [
    results.builtin ? `This run: the built-in authorizer adds ${overhead('builtin')} (aim ${met ? 'met' : 'not met'})` : '',
    results['builtin-nocache'] ? `; deciding every request anew, ${overhead('builtin-nocache')}` : '',
    results.openfga ? `. OpenFGA: ${overhead('openfga')}` : '',
    results['openfga-nocache'] ? `; deciding every request anew, ${overhead('openfga-nocache')}` : '',
    '.',
  ].join('');
  const cmd = `node bench/authz.mjs${quick ? ' --quick' : ''}${tablesArg ? ` --tables ${tablesArg}` : ''}`;
  const doc = `# Benchmark: authorization (loadTable, listTables)

Generated by \`${cmd}\` on ${started} (${cpu}, Node ${node}); re-run it rather than editing.

## Setup

One namespace with ${CFG.tables.toLocaleString('en')} tables (SQLite, file warehouse), seeded through the HTTP API with ${CFG.seedConns} concurrent
\`createTable\` requests: **${f(CFG.tables / seeded.tableSeconds, 0)} tables/s** (${f(seeded.tableSeconds, 1)} s). A non-admin principal (the
*reader*) holds \`table:read-metadata\` on every 10th table (${visibleCount.toLocaleString('en')} grants on individual tables,
made through \`POST /management/v1/grants\` with ${CFG.seedConns} in flight: built-in ${grantSeeding.builtin ? `**${f(grantSeeding.builtin.grants / grantSeeding.builtin.seconds, 0)} grants/s**` : 'n/a'}, OpenFGA ${grantSeeding.openfga ? `**${f(grantSeeding.openfga.grants / grantSeeding.openfga.seconds, 0)} grants/s**` : 'n/a'}).
Each server variant runs alone on its own copy of the seeded data dir (authentication required, log level warn):

- **built-in**: \`authorizer=builtin\`, decisions cached for \`authzCacheSeconds\` (default 2 s: memberships 1 s + decisions 1 s).
- **OpenFGA**: \`authorizer=openfga\` against OpenFGA v1.22.1 (\`scripts/peers/openfga.sh\`, in-memory datastore, same machine),
  \`--max-checks-per-batch-check ${CFG.fgaBatch}\` and \`LAKEGATE_OPENFGA_BATCH_CHECK_SIZE=${CFG.fgaBatch}\`; decisions cached for 2 s.
- **no decision cache**: the same with \`authzCacheSeconds=0\`: every request is decided anew (the cost of a decision itself).

Callers: the **admin** (admin role by credential: the service allows without asking the authorizer — the allow-all
baseline of each variant) and the **reader**. loadTable cycles over the reader's ${visibleCount.toLocaleString('en')} visible tables (for both callers),
closed loop, ${CFG.duration} s per cell after a warm-up; the load generator (Node fetch, keep-alive) shares the machine with the server
and OpenFGA. **noise** is the CPU (in cores) that processes other than ours used during the cell: the machine is shared
with other engineers' test runs, so compare rows whose noise is low.

## loadTable

| variant | conns | admin req/s | p50 ms | p99 ms | reader req/s | p50 ms | p99 ms | reader p50 vs admin | errors | noise (admin / reader) |
|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
${loadRows.join('\n')}

Aim: the built-in authorizer adds < 10% to loadTable p50 (the "built-in" rows). ${outcome}

## listTables

First page: \`GET …/namespaces/${NS}/tables?pageSize=100\`, closed loop at 1 connection. Walk: following page tokens to the
end (p50 of ${CFG.walks} walks), at \`pageSize=100\` and at the server's default page size (1,000). The admin sees all
${CFG.tables.toLocaleString('en')} tables; the reader ${visibleCount.toLocaleString('en')}, so its listing scans every table and filters them by chunks (a reader's page
holds at most the visible tables among at most 5,000 scanned, so pages can be short).

| variant | caller | first page p50 ms | p99 ms | walk, pageSize 100: ms | walk, default page size: ms | noise |
|---|---|--:|--:|--:|--:|--:|
${listRows.join('\n')}

## One batched check per chunk

Counted in-process over one full walk at \`pageSize=100\` as the reader: calls of the Authorizer port's \`check\` (each a
batch: the two visibility privileges of every table in a chunk of the catalog's order), the SQL grant lookups of the
built-in adapter (\`AccessControl.grantsOn\`, one query for up to 500 securables), and OpenFGA's BatchCheck requests
(from its Prometheus metrics, and the adapter's own count).

| variant | pages | tables seen | chunks of 100 scanned | check calls | queries per call | SQL grant lookups | OpenFGA requests |
|---|--:|--:|--:|--:|--:|--:|---|
${countRows.join('\n')}

## Re-running

\`\`\`sh
npm ci && npx tsc -b packages/cli        # the script builds too, unless --no-build
node bench/authz.mjs                     # ~10 min on 2 cores; builds OpenFGA first if it is not cached (~3.5 min)
node bench/authz.mjs --quick             # 2,000 tables, short cells, prints only
\`\`\`
`;
  return doc;
}

// --- main ---------------------------------------------------------------------------------------------

if (opt.report) {
  const doc = render(JSON.parse(fs.readFileSync(opt.report, 'utf8')));
  if (opt.out) fs.writeFileSync(opt.out, doc);
  process.stdout.write(doc);
  process.exit(0);
}

if (!opt['no-build']) {
  log('building (tsc -b packages/cli)');
  execFileSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: ROOT, stdio: 'inherit' });
}
const started = new Date();
const base = tempDir('lakegate-bench-authz-');
const seedDir = path.join(base, 'seed');
log(`seeding ${CFG.tables} tables`);
const seeded = await seedCatalog(seedDir);
const visibleTables = Array.from({ length: CFG.tables }, (_, i) => i).filter(visible);

const needsFga = CFG.variants.some((v) => v.startsWith('openfga'));
const fga = needsFga ? await startOpenFga(path.join(base, 'openfga'), { maxChecksPerBatchCheck: CFG.fgaBatch }) : undefined;

const results = {};
const grantSeeding = {};
/** Per adapter family, the data dir whose server made the grants (later variants of the family start from a copy of it). */
const familyDir = {};
let copies = 0;
for (const variant of CFG.variants) {
  const family = variant.startsWith('openfga') ? 'openfga' : 'builtin';
  const dir = path.join(base, `copy-${copies++}`);
  fs.cpSync(familyDir[family] ?? seedDir, dir, { recursive: true });
  const env = variant.startsWith('openfga')
    ? {
        LAKEGATE_AUTHORIZER: 'openfga',
        LAKEGATE_OPENFGA_URL: fga.url,
        LAKEGATE_OPENFGA_STORE_ID: fga.storeId,
        LAKEGATE_OPENFGA_BATCH_CHECK_SIZE: String(CFG.fgaBatch),
      }
    : {};
  if (variant.endsWith('-nocache')) env.LAKEGATE_AUTHZ_CACHE_SECONDS = '0';
  log(`${variant}: starting`);
  const s = await startLakegate(dir, env);
  try {
    const adminTok = await token(s.url, seeded.admin.client_id, seeded.admin.client_secret);
    if (!grantSeeding[family]) {
      grantSeeding[family] = await seedGrants(s.url, adminTok, seeded.reader.id);
      familyDir[family] = dir;
    }
    const readerTok = await token(s.url, seeded.reader.id, seeded.reader.secret);
    const pids = [process.pid, s.child.pid, ...(fga ? [fga.pid] : [])];
    log(`${variant}: admin`);
    const admin = await measureCaller(s.url, adminTok, visibleTables, CFG.tables, pids);
    log(`${variant}: reader`);
    const reader = await measureCaller(s.url, readerTok, visibleTables, visibleTables.length, pids);
    results[variant] = { admin, reader };
    fs.writeFileSync(path.join(os.tmpdir(), 'lakegate-bench-authz-partial.json'), JSON.stringify({ CFG, seeded, grantSeeding, results }, null, 2));
  } finally {
    await stopLakegate(s);
  }
  if (!variant.endsWith('-nocache')) {
    log(`${variant}: counting calls in-process`);
    const countDir = path.join(base, `count-${copies}`);
    fs.cpSync(dir, countDir, { recursive: true });
    results[variant].counts = await countCalls(countDir, env, seeded.reader, variant.startsWith('openfga') ? fga.metricsUrl : undefined).catch((e) => {
      log(`counting failed: ${e.message.slice(0, 300)}`);
      return { error: e.message.slice(0, 200) };
    });
  }
}

const data = {
  CFG,
  started: started.toISOString(),
  cpu: `${os.cpus().length} vCPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
  node: process.version,
  quick: opt.quick,
  tablesArg: opt.tables,
  seeded: { tableSeconds: seeded.tableSeconds },
  grantSeeding,
  results,
};
const json = path.join(os.tmpdir(), `lakegate-bench-authz-${Date.now()}.json`);
fs.writeFileSync(json, JSON.stringify(data, null, 2));
log(`raw results: ${json} (render again with --report ${json})`);
const doc = render(data);
if (CFG.out) fs.writeFileSync(CFG.out, doc);
process.stdout.write(doc);
process.exit(0);

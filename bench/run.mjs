#!/usr/bin/env node
/**
 * Lakegate vs. the Apache Iceberg REST fixture server: throughput and p50/p99 latency of
 * loadTable, listTables and commit at 1, 16 and 64 concurrent keep-alive connections.
 *
 *   npm run bench                  full run (both CPU layouts), writes docs/benchmarks.md
 *   npm run bench -- --quick       short cells, pinned layout only, prints only (unless --out)
 *   node bench/run.mjs --help      all options
 *
 * Plain Node ESM, no dependencies. It starts both servers itself (Lakegate on a fresh SQLite data
 * dir, the fixture through scripts/peers/iceberg-java.sh), seeds them identically, runs every
 * (operation x concurrency x server) cell with a small closed-loop HTTP/1.1 load generator on raw
 * sockets to 127.0.0.1, stops both servers and writes the report.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const REPO_ROOT = path.resolve(import.meta.dirname, '..');
const LAKEGATE_BIN = path.join(REPO_ROOT, 'packages', 'cli', 'bin', 'lakegate.js');
const FIXTURE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'peers', 'iceberg-java.sh');
const DEFAULT_DOC = path.join(REPO_ROOT, 'docs', 'benchmarks.md');

const HELP = `usage: node bench/run.mjs [options]

  --quick               1.5 s cells, 1 run each, 0.5 s warm-up, pinned layout only; prints, no doc unless --out
  --duration S          seconds per measured cell (default 3)
  --repeat N            runs per cell, Lakegate and fixture alternating; the run with the least
                          CPU use by other processes is reported (default 3)
  --warmup S            least unmeasured warm-up per server and operation, at 16 connections (default 4)
  --warmup-max S        longest warm-up: it runs in 2 s slices until a slice is no longer >5% faster
                          than the best before it, or this much time has passed (default 20)
  --concurrency LIST    connection counts (default 1,16,64)
  --ops LIST            config,loadTable,listTables,commit (default all; config is the baseline:
                          GET /v1/config, the cheapest request each server answers)
  --servers LIST        lakegate,fixture (default both; the ratio needs both)
  --layout L            pinned | shared | both (default both; --quick: pinned)
                          pinned: load generator on CPU 0, each server on the other CPU(s) (taskset)
                          shared: no pinning, everything floats over all CPUs
  --quiet-wait S        before each pair of cells wait up to S seconds for a 1 s window in which other
                          processes use < 0.25 cores (default 10; --quick: 0)
  --auth MODE           Lakegate's LAKEGATE_AUTH: required (its default; requests carry a bearer token
                          from its built-in issuer) or disabled (anonymous) (default required)
  --commit-tables N     tables the commit cells spread over, connection i -> table i mod N (default 16)
  --fixture-uri URI     JDBC URI of the fixture's backend ({dir}: its temp dir)
                          (default jdbc:sqlite:{dir}/catalog.db?journal_mode=WAL, see startFixture)
  --out FILE            markdown report (default docs/benchmarks.md; --quick: none)
  --no-doc              do not write the markdown report
  --json FILE           where to write the raw results as JSON (default: a file in the temp dir)
  --report FILE         run nothing: render the report again from the JSON of an earlier run
  --cpu-prof DIR        run Lakegate with --cpu-prof, profiles land in DIR when it stops
  --no-build            do not run "tsc -b packages/cli" first
  --keep                keep the temporary data directories
  -h, --help`;

// ---------------------------------------------------------------------------------------------
// options

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    repeat: { type: 'string' },
    warmup: { type: 'string' },
    'warmup-max': { type: 'string' },
    concurrency: { type: 'string', default: '1,16,64' },
    ops: { type: 'string', default: 'config,loadTable,listTables,commit' },
    servers: { type: 'string', default: 'lakegate,fixture' },
    layout: { type: 'string' },
    'commit-tables': { type: 'string', default: '16' },
    'quiet-wait': { type: 'string' },
    auth: { type: 'string', default: 'required' },
    'fixture-uri': { type: 'string', default: 'jdbc:sqlite:{dir}/catalog.db?journal_mode=WAL' },
    out: { type: 'string' },
    'no-doc': { type: 'boolean', default: false },
    json: { type: 'string' },
    report: { type: 'string' },
    'cpu-prof': { type: 'string' },
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

const ALL_OPS = ['config', 'loadTable', 'listTables', 'commit'];
const ALL_SERVERS = ['lakegate', 'fixture'];
const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
const CONFIG = {
  quick: opt.quick,
  duration: Number(opt.duration ?? (opt.quick ? 1.5 : 3)),
  repeat: Number(opt.repeat ?? (opt.quick ? 1 : 3)),
  warmup: Number(opt.warmup ?? (opt.quick ? 0.5 : 4)),
  warmupMax: Number(opt['warmup-max'] ?? (opt.quick ? 0.5 : 20)),
  concurrency: list(opt.concurrency).map(Number),
  ops: list(opt.ops),
  servers: list(opt.servers),
  commitTables: Number(opt['commit-tables']),
  auth: opt.auth,
  quietWait: Number(opt['quiet-wait'] ?? (opt.quick ? 0 : 10)),
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
for (const c of CONFIG.concurrency) if (!Number.isInteger(c) || c < 1 || c > 1024) fail(`bad concurrency ${c}`);
if (!(CONFIG.duration > 0 && CONFIG.duration <= 120)) fail('--duration must be in (0, 120]');
if (!(CONFIG.warmup >= 0 && CONFIG.warmup <= 60)) fail('--warmup must be in [0, 60]');
if (CONFIG.auth !== 'required' && CONFIG.auth !== 'disabled') fail('--auth must be required or disabled');
if (!(CONFIG.quietWait >= 0 && CONFIG.quietWait <= 120)) fail('--quiet-wait must be in [0, 120]');
if (!Number.isInteger(CONFIG.repeat) || CONFIG.repeat < 1 || CONFIG.repeat > 10) fail('--repeat must be 1..10');
if (!(CONFIG.warmupMax >= CONFIG.warmup && CONFIG.warmupMax <= 120)) fail('--warmup-max must be in [--warmup, 120]');
if (!Number.isInteger(CONFIG.commitTables) || CONFIG.commitTables < 1 || CONFIG.commitTables > 256) fail('--commit-tables must be 1..256');

let FIXTURE_URI = opt['fixture-uri'];
/** Hard bound on the requests of one cell (also the size of its latency buffer). */
const MAX_REQUESTS_PER_CELL = 2_000_000;
/** Every non-2xx/304 answer counts as an error; these are the ones counted as successes. */
const isSuccess = (status) => (status >= 200 && status < 300) || status === 304;

function fail(msg) {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// child processes and cleanup

const children = new Set();
const tempDirs = [];

function killAll(signal = 'SIGKILL') {
  for (const c of children) {
    if (c.exitCode === null && c.signalCode === null) {
      try {
        c.kill(signal);
      } catch {}
    }
  }
}
process.on('exit', () => {
  killAll('SIGKILL');
  if (!opt.keep) for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`${sig}: stopping servers`);
    process.exit(130);
  });
}

async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(t);
  children.delete(child);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function tempDir(prefix) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(d);
  return d;
}

const HAS_TASKSET = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
const NCPU = os.availableParallelism?.() ?? os.cpus().length;

/** The CPU sets of a layout: [client, servers] or null for no pinning. */
function cpuSets(layout) {
  if (layout !== 'pinned') return null;
  if (!HAS_TASKSET || NCPU < 2) return null;
  return { client: '0', server: NCPU === 2 ? '1' : `1-${NCPU - 1}` };
}

function setOwnAffinity(cpus) {
  if (!HAS_TASKSET) return;
  const all = `0-${NCPU - 1}`;
  execFileSync('taskset', ['-a', '-cp', cpus ?? all, String(process.pid)], { stdio: 'ignore' });
}

function spawnServer(name, cmd, args, env, cpus) {
  const [file, argv] = cpus ? ['taskset', ['-c', cpus, cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO_ROOT });
  children.add(child);
  let out = '';
  const keep = (d) => {
    out += d.toString();
    if (out.length > 64_000) out = out.slice(-32_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.output = () => out;
  child.benchName = name;
  return child;
}

/** Until `url` answers with one of `statuses` (Lakegate with authentication answers 401 before a token exists). */
async function waitReady(child, url, statuses = [200], timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${child.benchName} exited early (${child.exitCode ?? child.signalCode}):\n${child.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (statuses.includes(res.status)) return;
    } catch {}
    await sleep(200);
  }
  throw new Error(`${child.benchName} not ready after ${timeoutMs / 1000} s:\n${child.output()}`);
}

async function startLakegate(cpus) {
  const dir = tempDir('lakegate-bench-');
  const port = await freePort();
  const nodeArgs = [];
  if (opt['cpu-prof']) {
    fs.mkdirSync(opt['cpu-prof'], { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(opt['cpu-prof'])}`);
  }
  const child = spawnServer(
    'lakegate',
    process.execPath,
    [...nodeArgs, LAKEGATE_BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dir, '--log-level', 'warn'],
    { LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_AUTH: CONFIG.auth, LAKEGATE_ACCESS_TOKEN_TTL_SECONDS: '86400' },
    cpus,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, `${url}/v1/config`, [200, 401]);
  // With authentication (Lakegate's default) every request carries an access token of the admin
  // principal, from the built-in issuer (client_credentials), as an Iceberg client would send it.
  let token;
  const adminFile = path.join(dir, 'admin-credentials.json');
  if (CONFIG.auth === 'required' && fs.existsSync(adminFile)) {
    const credential = JSON.parse(fs.readFileSync(adminFile, 'utf8')).credential;
    const i = credential.indexOf(':');
    const res = await fetch(`${url}/v1/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: credential.slice(0, i), client_secret: credential.slice(i + 1), scope: 'catalog' }),
    });
    if (res.status !== 200) throw new Error(`lakegate: token request failed with ${res.status}: ${await res.text()}`);
    token = (await res.json()).access_token;
  }
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${url}/v1/config`, { headers });
  if (res.status !== 200) throw new Error(`lakegate: GET /v1/config -> ${res.status} ${await res.text()}`);
  const config = await res.json();
  const prefix = config.overrides?.prefix ?? config.defaults?.prefix;
  return { name: 'lakegate', child, port, base: prefix ? `/v1/${encodeURIComponent(prefix)}` : '/v1', config, dataDir: dir, headers, authenticated: Boolean(token) };
}

async function startFixture(cpus) {
  const dir = tempDir('iceberg-fixture-bench-');
  const port = await freePort();
  // The fixture's built-in default, jdbc:sqlite::memory:, gives every new pooled JDBC connection its
  // own empty database: beyond 2 concurrent requests it answers 500 "no such table: iceberg_tables"
  // (apache/iceberg#13366). Use what the upstream fixture image switched to instead (apache/iceberg#18044):
  // a file-backed SQLite database in WAL mode. Everything else stays at the fixture's defaults.
  const env = {
    CATALOG_REST_PORT: String(port),
    CATALOG_WAREHOUSE: dir,
    CATALOG_URI: FIXTURE_URI.replace('{dir}', dir),
    CATALOG_JDBC_SCHEMA__VERSION: 'V1',
  };
  const child = spawnServer('fixture', 'bash', [FIXTURE_SCRIPT, 'fixture'], env, cpus);
  await waitReady(child, `http://127.0.0.1:${port}/v1/config`);
  const config = await (await fetch(`http://127.0.0.1:${port}/v1/config`)).json();
  // The fixture sends no prefix (and overrides the namespace separator to %2E; our namespaces
  // have one level, so the separator never appears in a URL).
  const prefix = config.overrides?.prefix ?? config.defaults?.prefix;
  return { name: 'fixture', child, port, base: prefix ? `/v1/${encodeURIComponent(prefix)}` : '/v1', config, dataDir: dir, headers: {}, authenticated: false };
}

/** utime + stime of a process and all its threads, in seconds (Linux /proc). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();
function procCpuSeconds(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // fields 14 and 15 of stat(5)
  } catch {
    return NaN;
  }
}
/** Machine-wide CPU seconds from /proc/stat: busy (user+nice+system+irq+softirq) and steal. */
function machineCpu() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { busy: (f[0] + f[1] + f[2] + f[5] + f[6]) / CLK_TCK, steal: (f[7] ?? 0) / CLK_TCK };
  } catch {
    return { busy: NaN, steal: NaN };
  }
}
function procRssMiB(pid, key = 'VmHWM') {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// seeding (plain fetch; ids stay below 2^53 so JSON.parse is exact)

const NS = 'bench';
const COMMIT_NS = 'bench_commit';
const LIST_TABLES = 50;
const LOAD_TABLE = 't00';
const SNAPSHOTS = 5;

const seedSchema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: true },
    { id: 2, name: 'customer_id', type: 'long', required: false },
    { id: 3, name: 'ts', type: 'timestamptz', required: false },
    { id: 4, name: 'amount', type: 'decimal(18, 2)', required: false },
    { id: 5, name: 'currency', type: 'string', required: false },
    { id: 6, name: 'status', type: 'string', required: false },
    { id: 7, name: 'tags', type: { type: 'list', 'element-id': 9, element: 'string', 'element-required': false }, required: false },
    { id: 8, name: 'note', type: 'string', required: false },
  ],
};
const seedSpec = { 'spec-id': 0, fields: [{ 'source-id': 3, 'field-id': 1000, name: 'ts_day', transform: 'day' }] };

async function call(server, method, p, body) {
  const res = await fetch(`http://127.0.0.1:${server.port}${server.base}${p}`, {
    method,
    headers: { ...server.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!isSuccess(res.status)) throw new Error(`${server.name}: ${method} ${p} -> ${res.status} ${text.slice(0, 500)}`);
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

let snapshotSeq = 0;
function appendCommit(metadata) {
  snapshotSeq += 1;
  const id = 1_000_000_000_000_000 + (Date.now() % 1_000_000) * 1000 + snapshotSeq; // < 2^53
  const parent = metadata['current-snapshot-id'];
  const hasParent = parent !== undefined && parent !== null && parent !== -1;
  const snapshot = {
    'snapshot-id': id,
    'sequence-number': (metadata['last-sequence-number'] ?? 0) + 1,
    'timestamp-ms': Date.now(),
    'manifest-list': `${metadata.location}/metadata/snap-${id}-1-${crypto.randomUUID()}.avro`,
    summary: {
      operation: 'append',
      'added-data-files': '4',
      'added-records': '40000',
      'added-files-size': '1843200',
      'total-data-files': String(4 * snapshotSeq),
      'total-records': String(40000 * snapshotSeq),
    },
    'schema-id': metadata['current-schema-id'],
  };
  if (hasParent) snapshot['parent-snapshot-id'] = parent;
  return {
    requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': hasParent ? parent : null }],
    updates: [
      { action: 'add-snapshot', snapshot },
      { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
    ],
  };
}

async function seed(server) {
  await call(server, 'POST', '/namespaces', { namespace: [NS], properties: { owner: 'bench' } });
  await call(server, 'POST', '/namespaces', { namespace: [COMMIT_NS] });
  for (let i = 0; i < LIST_TABLES; i++) {
    const name = `t${String(i).padStart(2, '0')}`;
    await call(server, 'POST', `/namespaces/${NS}/tables`, {
      name,
      schema: seedSchema,
      'partition-spec': seedSpec,
      properties: { 'write.format.default': 'parquet', owner: 'bench' },
    });
  }
  // The loadTable target: a few appends and a property change, so its metadata looks lived-in.
  const tablePath = `/namespaces/${NS}/tables/${LOAD_TABLE}`;
  for (let i = 0; i < SNAPSHOTS; i++) {
    const { body } = await call(server, 'GET', tablePath);
    await call(server, 'POST', tablePath, appendCommit(body.metadata));
  }
  await call(server, 'POST', tablePath, {
    requirements: [],
    updates: [{ action: 'set-properties', updates: { 'commit.retry.num-retries': '4', 'write.parquet.compression-codec': 'zstd', comment: 'benchmark table' } }],
  });
  for (let i = 0; i < CONFIG.commitTables; i++) {
    await call(server, 'POST', `/namespaces/${COMMIT_NS}/tables`, { name: `c${String(i).padStart(2, '0')}`, schema: seedSchema });
  }
  // Sanity: the list holds all 50 tables on one page; the loaded table has its snapshots.
  const listed = await call(server, 'GET', `/namespaces/${NS}/tables`);
  if (listed.body.identifiers.length !== LIST_TABLES) throw new Error(`${server.name}: listTables returned ${listed.body.identifiers.length} tables, expected ${LIST_TABLES}`);
  const loaded = await call(server, 'GET', tablePath);
  if (loaded.body.metadata.snapshots?.length !== SNAPSHOTS) throw new Error(`${server.name}: loaded table has ${loaded.body.metadata.snapshots?.length} snapshots`);
  return { loadBytes: Buffer.byteLength(loaded.text), listBytes: Buffer.byteLength(listed.text) };
}

// ---------------------------------------------------------------------------------------------
// the load generator: one raw HTTP/1.1 keep-alive socket per virtual user, closed loop

class Conn {
  constructor(port) {
    this.port = port;
    this.sock = null;
    this.buf = null;
    this.pending = null;
  }

  open() {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: this.port });
      s.setNoDelay(true);
      const onErr = (e) => reject(e);
      s.once('error', onErr);
      s.once('connect', () => {
        s.off('error', onErr);
        this.sock = s;
        s.on('data', (d) => s === this.sock && this.onData(d));
        s.on('error', (e) => s === this.sock && this.fail(e));
        s.on('close', () => s === this.sock && this.fail(new Error('connection closed by server')));
        resolve();
      });
    });
  }

  send(req) {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.buf = null;
      this.sock.write(req);
    });
  }

  onData(d) {
    this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    let r;
    try {
      r = parseResponse(this.buf);
    } catch (e) {
      return this.fail(e);
    }
    if (r === null) return;
    const p = this.pending;
    this.pending = null;
    if (r.end !== this.buf.length) return this.fail(new Error('unexpected bytes after the response'));
    if (!isSuccess(r.status)) r.sample = this.buf.toString('utf8', r.bodyStart, Math.min(r.end, r.bodyStart + 300));
    this.buf = null;
    if (r.close) this.drop();
    p?.resolve(r);
  }

  fail(e) {
    this.drop();
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  drop() {
    const s = this.sock;
    this.sock = null;
    this.buf = null;
    s?.destroy();
  }
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

/** null while incomplete; else { status, bodyStart, end, close }. Content-Length and chunked bodies. */
function parseResponse(buf) {
  const he = buf.indexOf(CRLFCRLF);
  if (he < 0) return null;
  const head = buf.toString('latin1', 0, he);
  if (!head.startsWith('HTTP/1.')) throw new Error(`not an HTTP response: ${head.slice(0, 40)}`);
  const status = Number(head.slice(9, 12));
  let length = -1;
  let chunked = false;
  let close = head.startsWith('HTTP/1.0');
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim().toLowerCase();
    if (name === 'content-length') length = Number(value);
    else if (name === 'transfer-encoding') chunked = value.includes('chunked');
    else if (name === 'connection') close = value.includes('close') ? true : value.includes('keep-alive') ? false : close;
  }
  const bodyStart = he + 4;
  if (status === 304 || status === 204 || (status >= 100 && status < 200)) return { status, bodyStart, end: bodyStart, close };
  if (chunked) {
    let pos = bodyStart;
    for (;;) {
      const le = buf.indexOf(CRLF, pos);
      if (le < 0) return null;
      const size = parseInt(buf.toString('latin1', pos, le), 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      if (size === 0) {
        const te = buf.indexOf(CRLFCRLF, le);
        if (te === le) return { status, bodyStart, end: le + 4, close };
        if (te < 0) return null;
        return { status, bodyStart, end: te + 4, close };
      }
      pos = le + 2 + size + 2;
      if (pos > buf.length) return null;
    }
  }
  if (length >= 0) return buf.length < bodyStart + length ? null : { status, bodyStart, end: bodyStart + length, close };
  throw new Error('response without Content-Length or chunked encoding');
}

const extraHeaders = (headers) => Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
function getRequest(server, p) {
  return Buffer.from(`GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAccept: application/json\r\nUser-Agent: lakegate-bench\r\n${extraHeaders(server.headers)}\r\n`, 'latin1');
}
function postRequest(server, p, json) {
  const body = Buffer.from(json, 'utf8');
  const head = Buffer.from(
    `POST ${p} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nAccept: application/json\r\nUser-Agent: lakegate-bench\r\n${extraHeaders(server.headers)}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    'latin1',
  );
  return Buffer.concat([head, body]);
}

/** A function (connection index, per-connection counter) -> request bytes. */
function requestFactory(server, op) {
  const { base } = server;
  if (op === 'config') {
    const req = getRequest(server, '/v1/config');
    return () => req;
  }
  if (op === 'loadTable') {
    const req = getRequest(server, `${base}/namespaces/${NS}/tables/${LOAD_TABLE}`);
    return () => req;
  }
  if (op === 'listTables') {
    const req = getRequest(server, `${base}/namespaces/${NS}/tables`);
    return () => req;
  }
  // commit: set-properties, no requirements; connection i writes its own key on table i mod N.
  const paths = Array.from({ length: CONFIG.commitTables }, (_, i) => `${base}/namespaces/${COMMIT_NS}/tables/c${String(i).padStart(2, '0')}`);
  return (conn, n) =>
    postRequest(server, paths[conn % paths.length], `{"requirements":[],"updates":[{"action":"set-properties","updates":{"bench.writer-${conn}":"${n}"}}]}`);
}

/** One measured (or warm-up) cell: `concurrency` closed loops for `seconds`, at most MAX_REQUESTS_PER_CELL. */
async function runCell(server, op, concurrency, seconds, { record = true } = {}) {
  const make = requestFactory(server, op);
  const lat = record === true ? new Float64Array(MAX_REQUESTS_PER_CELL) : null;
  let ok = 0;
  let errors = 0;
  let started = 0;
  const statusCounts = {};
  const errorKinds = {};
  const errorSamples = [];
  const conns = Array.from({ length: concurrency }, () => new Conn(server.port));
  // Connect first, so connection set-up is not part of the measurement.
  await Promise.all(conns.map((c) => c.open()));

  const cpu0 = process.cpuUsage();
  const srvCpu0 = procCpuSeconds(server.child.pid);
  const m0 = machineCpu();
  const load1 = os.loadavg()[0];
  const t0 = performance.now();
  const endAt = t0 + seconds * 1000;
  let lastDone = t0;

  async function user(i) {
    const c = conns[i];
    let n = 0;
    while (performance.now() < endAt && started < MAX_REQUESTS_PER_CELL) {
      if (!c.sock) {
        try {
          await c.open();
        } catch (e) {
          errors++;
          errorKinds[e.code ?? 'connect'] = (errorKinds[e.code ?? 'connect'] ?? 0) + 1;
          await sleep(10);
          continue;
        }
      }
      started++;
      const req = make(i, n++);
      const ts = performance.now();
      try {
        const r = await c.send(req);
        const te = performance.now();
        lastDone = te;
        statusCounts[r.status] = (statusCounts[r.status] ?? 0) + 1;
        if (isSuccess(r.status)) {
          if (lat) lat[ok] = te - ts;
          ok++;
        } else {
          errors++;
          if (errorSamples.length < 3) errorSamples.push(`${r.status} ${r.sample}`);
        }
      } catch (e) {
        lastDone = performance.now();
        errors++;
        const k = e.code ?? e.message;
        errorKinds[k] = (errorKinds[k] ?? 0) + 1;
      }
    }
  }
  await Promise.all(conns.map((_, i) => user(i)));
  const elapsed = (Math.max(lastDone, endAt) - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const srvCpu = procCpuSeconds(server.child.pid) - srvCpu0;
  const m1 = machineCpu();
  for (const c of conns) c.drop();
  if (!record) return null;
  if (!lat) return { ok, errors, throughput: ok / elapsed };

  const sorted = lat.subarray(0, ok).sort();
  const q = (p) => (ok === 0 ? NaN : sorted[Math.min(ok - 1, Math.ceil((p / 100) * ok) - 1)]);
  return {
    server: server.name,
    op,
    concurrency,
    seconds: elapsed,
    ok,
    errors,
    throughput: ok / elapsed,
    p50: q(50),
    p99: q(99),
    max: ok ? sorted[ok - 1] : NaN,
    mean: ok ? sorted.reduce((a, b) => a + b, 0) / ok : NaN,
    statusCounts,
    errorKinds,
    errorSamples,
    clientCpu: (cpu.user + cpu.system) / 1e6 / elapsed, // cores used by the generator
    serverCpu: srvCpu / elapsed, // cores used by the server
    serverCpuPerReqUs: ok ? (srvCpu / ok) * 1e6 : NaN,
    // CPU that neither the server nor the generator used: other processes on the machine (noise).
    otherCpu: Math.max(0, (m1.busy - m0.busy - srvCpu - (cpu.user + cpu.system) / 1e6) / elapsed),
    steal: (m1.steal - m0.steal) / elapsed,
    load1,
  };
}

/**
 * Waits up to `maxSeconds` for a 1 s window in which processes other than the generator and the
 * servers use less than 0.25 cores. Returns the seconds waited and whether it got quiet.
 */
async function waitQuiet(servers, maxSeconds) {
  if (maxSeconds <= 0) return { waited: 0, quiet: true };
  const t0 = performance.now();
  const own = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6 + servers.reduce((a, srv) => a + procCpuSeconds(srv.child.pid), 0);
  };
  for (;;) {
    const m0 = machineCpu();
    const o0 = own();
    const w0 = performance.now();
    await sleep(1000);
    const other = (machineCpu().busy - m0.busy - (own() - o0)) / ((performance.now() - w0) / 1000);
    const waited = (performance.now() - t0) / 1000;
    if (other < 0.25) return { waited, quiet: true };
    if (waited >= maxSeconds) return { waited, quiet: false };
  }
}

/**
 * Unmeasured warm-up at 16 connections in 2 s slices (the JVM's JIT needs it; Lakegate gets the same):
 * at least CONFIG.warmup seconds, then until a slice is no longer more than 5% faster than the best
 * slice before it, at most CONFIG.warmupMax seconds.
 */
async function warmup(server, op) {
  if (CONFIG.warmupMax <= 0) return { seconds: 0, last: NaN };
  const slice = Math.min(2, CONFIG.warmupMax);
  let spent = 0;
  let best = 0;
  let last = NaN;
  while (spent < CONFIG.warmupMax) {
    const r = await runCell(server, op, 16, slice, { record: 'count' });
    spent += slice;
    last = r.throughput;
    const improving = last > best * 1.05;
    best = Math.max(best, last);
    if (spent >= CONFIG.warmup && !improving) break;
  }
  return { seconds: spent, last };
}

// ---------------------------------------------------------------------------------------------
// machine description

function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
}

function machine() {
  const javaCmd = process.env.JAVA_HOME && fs.existsSync(`${process.env.JAVA_HOME}/bin/java`) ? `${process.env.JAVA_HOME}/bin/java` : 'java';
  let commit = '';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    if (dirty) commit += ' (with uncommitted changes)';
  } catch {}
  const version = (p) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, p), 'utf8')).version;
    } catch {
      return '?';
    }
  };
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    commit,
    nproc: NCPU,
    cpuModel: os.cpus()[0]?.model ?? '?',
    memGiB: os.totalmem() / 2 ** 30,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java: sh(javaCmd, ['-version']).split('\n')[0],
    lakegate: version('packages/server/package.json'),
    iceberg: (/ICEBERG_VERSION=(\S+)/.exec(fs.readFileSync(FIXTURE_SCRIPT, 'utf8')) ?? [])[1] ?? '?',
    taskset: HAS_TASKSET,
  };
}

// ---------------------------------------------------------------------------------------------
// formatting

const fmtRate = (x) => (Number.isFinite(x) ? (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)) : '–');
const fmtMs = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) : '–');
const fmtRatio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–');
const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;

/**
 * The representative run of a cell. Lakegate and the fixture run back to back in each repetition;
 * of the repetitions, the one whose pair of runs saw the least CPU use by other processes (`noise`)
 * is reported, both servers from that same repetition, with its own p50/p99 (never mixed across
 * runs). Also: the throughput range and the errors summed over all repetitions.
 */
function pick(results, layout, server, op, c) {
  const cell = results.filter((r) => r.layout === layout && r.op === op && r.concurrency === c);
  const reps = cell.filter((r) => r.server === server);
  if (!reps.length) return undefined;
  const noiseOfRep = (rep) => Math.max(...cell.filter((r) => r.rep === rep).map((r) => r.otherCpu));
  const chosen = [...reps].sort((a, b) => noiseOfRep(a.rep) - noiseOfRep(b.rep) || a.rep - b.rep)[0];
  const tp = reps.map((r) => r.throughput);
  return {
    ...chosen,
    reps: reps.length,
    noise: noiseOfRep(chosen.rep),
    minThroughput: Math.min(...tp),
    maxThroughput: Math.max(...tp),
    errorsAll: reps.reduce((a, r) => a + r.errors, 0),
  };
}

function stdoutTable(results, layout) {
  const rows = [['op', 'conns', 'LG req/s', 'p50', 'p99', 'err', 'FX req/s', 'p50', 'p99', 'err', 'LG/FX', 'noise']];
  for (const op of CONFIG.ops) {
    for (const c of CONFIG.concurrency) {
      const a = pick(results, layout, 'lakegate', op, c);
      const b = pick(results, layout, 'fixture', op, c);
      rows.push([
        op,
        String(c),
        fmtRate(a?.throughput),
        fmtMs(a?.p50),
        fmtMs(a?.p99),
        a ? String(a.errorsAll) : '–',
        fmtRate(b?.throughput),
        fmtMs(b?.p50),
        fmtMs(b?.p99),
        b ? String(b.errorsAll) : '–',
        fmtRatio(a?.throughput, b?.throughput),
        Math.max(a?.noise ?? 0, b?.noise ?? 0).toFixed(2),
      ]);
    }
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((x, i) => (i < 2 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ')).join('\n');
}

function aims(results, layout) {
  const out = [];
  if (!CONFIG.ops.includes('loadTable')) return out;
  for (const c of CONFIG.concurrency) {
    const a = pick(results, layout, 'lakegate', 'loadTable', c);
    const b = pick(results, layout, 'fixture', 'loadTable', c);
    if (a && b) {
      const ratio = a.throughput / b.throughput;
      out.push({ aim: `loadTable throughput ≥ 2× fixture at ${plural(c, 'connection')}`, value: `${ratio.toFixed(2)}×`, met: ratio >= 2 && a.errorsAll === 0 });
    }
  }
  const maxC = Math.max(...CONFIG.concurrency);
  const a = pick(results, layout, 'lakegate', 'loadTable', CONFIG.concurrency.includes(64) ? 64 : maxC);
  if (a) out.push({ aim: `loadTable p99 < 10 ms at ${plural(a.concurrency, 'connection')}`, value: `${fmtMs(a.p99)} ms`, met: a.p99 < 10 && a.errorsAll === 0 });
  return out;
}

const LAYOUT_TEXT = {
  pinned: (sets) =>
    sets
      ? `**pinned**: the load generator runs on CPU ${sets.client} and the server under test on CPU ${sets.server} (\`taskset\`), so each side has ${NCPU === 2 ? 'one core' : 'cores'} of its own.${NCPU === 2 ? ' The JVM then sees one processor and picks its ergonomics for that (SerialGC instead of G1).' : ''}`
      : '**pinned** was requested but `taskset` or a second CPU is missing, so nothing was pinned.',
  shared: () => `**shared**: no pinning; the load generator and the server float over all ${NCPU} CPUs (the JVM sees ${NCPU} processors and can run request threads, JIT and GC in parallel; Node runs JavaScript on one thread either way).`,
};

function markdown(m, results, seeds, warmups, quietWaits, layouts) {
  const L = [];
  const p = (s = '') => L.push(s);
  const seedOf = (server) => seeds.find((s) => s.server === server);
  p('# Benchmarks: Lakegate vs. the Iceberg REST fixture server');
  p();
  p(`Generated by \`npm run bench\` (\`bench/run.mjs\`) on ${m.date}${m.commit ? ` at commit ${m.commit}` : ''}. Do not edit by hand: re-run the benchmark.`);
  p();
  p('## Machine');
  p();
  p(`- ${m.nproc} vCPUs (${m.cpuModel}), ${m.memGiB.toFixed(1)} GiB memory, ${m.kernel}`);
  const lgAuth = seeds.some((x) => x.server === 'lakegate' && x.authenticated);
  p(
    `- Node ${m.node}: Lakegate ${m.lakegate}, SQLite store in a fresh data dir under ${os.tmpdir()}, log level warn, ${lgAuth ? 'authentication required (its default): every request carries a bearer token of the admin principal from its built-in issuer and is verified; the fixture has no authentication' : 'anonymous (`LAKEGATE_AUTH=disabled`, or a build without authentication); the fixture has no authentication either'}`,
  );
  p(`- ${m.java}: Apache Iceberg ${m.iceberg} \`RESTCatalogServer\` (JdbcCatalog) via \`scripts/peers/iceberg-java.sh fixture\`, default JVM options, backend \`${FIXTURE_URI.replace('{dir}', '<temp dir>')}\` (why: see Method)`);
  p(`- The load generator and the servers share these ${m.nproc} vCPUs, and so does anything else running on the machine at the time. The \`noise\` column is the CPU (in cores) that other processes used during the reported runs (the larger of the two servers' runs); absolute numbers from cells with noise above ~0.2 are depressed, and the ratios of such rows deserve less trust.`);
  // Steal is invisible in `noise` (no process on the VM uses that CPU) but depresses every number just the same.
  const steals = results.map((r) => r.steal).filter(Number.isFinite);
  const meanSteal = steals.length ? steals.reduce((x, y) => x + y, 0) / steals.length : 0;
  if (meanSteal > 0.1) {
    p(
      `- **Hypervisor steal during this run**: the hypervisor took on average ${meanSteal.toFixed(2)} of the ${m.nproc} vCPUs (up to ${Math.max(...steals).toFixed(2)}; column \`steal\` in the CPU tables), time in which neither server nor the generator could run. Absolute numbers of this run are depressed and not comparable with a run without steal; with a server and the generator starved at different moments, even the Lakegate/fixture ratios are unreliable.`,
    );
  }
  p();
  p('## Method');
  p();
  p('- Both servers run for the whole layout. Cells run one at a time; for each (operation, connections) pair Lakegate and the fixture run back to back, alternating which goes first, so neighbouring numbers saw the same machine state.');
  p(
    `- Load generator: one closed loop per connection over raw HTTP/1.1 keep-alive sockets to 127.0.0.1 (no HTTP library, no pipelining, no compression asked for); a connection sends its next request as soon as the previous response is complete. Connections are opened before the clock starts. Each cell runs ${CONFIG.duration} s (at most ${MAX_REQUESTS_PER_CELL.toLocaleString('en-US')} requests); each Lakegate/fixture pair of cells is repeated ${plural(CONFIG.repeat, 'time')} and the tables report, for both servers, the repetition in which other processes used the least CPU (its own p50/p99, nothing averaged); the throughput range over all repetitions is in the CPU table.`,
  );
  const wu = (s) => {
    const ws = warmups.filter((w) => w.server === s && w.seconds > 0);
    return ws.length ? `${s} ${Math.min(...ws.map((w) => w.seconds))}–${Math.max(...ws.map((w) => w.seconds))} s` : `${s} none`;
  };
  p(
    `- Warm-up, not measured: before the first cell of each operation each server runs that operation at 16 connections in 2 s slices, at least ${CONFIG.warmup} s, until a slice is no longer >5% faster than the best before it (at most ${CONFIG.warmupMax} s). The JVM's JIT needs this; Lakegate gets the same. Took: ${CONFIG.servers.map(wu).join(', ')}.`,
  );
  if (CONFIG.quietWait > 0) {
    const busy = quietWaits.filter((q) => !q.quiet).length;
    p(
      `- Other load: before each pair of cells the benchmark waits up to ${CONFIG.quietWait} s for a 1 s window in which other processes use < 0.25 cores. ${busy ? `${busy} of ${quietWaits.length} pairs never got that quiet and ran anyway (see the \`noise\` column).` : `All ${quietWaits.length} pairs started on a quiet machine.`} Total waited: ${quietWaits.reduce((a, q) => a + q.waited, 0).toFixed(0)} s.`,
    );
  }
  p('- Latency: from writing a request to the last byte of its response. Throughput counts successful responses (2xx or 304) per second of the cell. Every other status and every socket error counts as an error (column `errors`, summed over the repetitions) and is excluded from latency and throughput.');
  p(`- Seeding (the same on both servers): namespace \`${NS}\` with ${LIST_TABLES} tables (8-column schema, day partition); its table \`${LOAD_TABLE}\` got ${SNAPSHOTS} append snapshots and a property update; namespace \`${COMMIT_NS}\` with ${CONFIG.commitTables} tables for commits.`);
  p(`  - **config** (baseline): \`GET /v1/config\`, the cheapest request each server answers: what the HTTP stack${lgAuth ? ' (and, for Lakegate, authentication)' : ''} alone costs on this machine.`);
  p(`  - **loadTable**: \`GET …/namespaces/${NS}/tables/${LOAD_TABLE}\`, no \`If-None-Match\` (full metadata every time). Response: ${CONFIG.servers.map((s) => `${s} ${seedOf(s)?.loadBytes} B`).join(', ')}.`);
  p(`  - **listTables**: \`GET …/namespaces/${NS}/tables\`, all ${LIST_TABLES} on one page. Response: ${CONFIG.servers.map((s) => `${s} ${seedOf(s)?.listBytes} B`).join(', ')}.`);
  p(
    `  - **commit**: \`POST …/namespaces/${COMMIT_NS}/tables/cNN\` with one \`set-properties\` update and no requirements, spread over ${CONFIG.commitTables} tables: connection *i* always sets key \`bench.writer-i\` on table *i* mod ${CONFIG.commitTables}. At 1 connection one table takes every commit, at 16 each table has one writer, at 64 each table has 4 concurrent writers, which conflict: Lakegate serialises commits to a table in-process, the fixture's \`CatalogHandlers\` retries a failed compare-and-swap with exponential backoff. Each commit writes a new metadata file; both cap the metadata log at 100 entries.`,
  );
  p(
    '- The fixture\'s own default backend, `jdbc:sqlite::memory:`, gives every new pooled JDBC connection a separate empty database, so beyond 2 concurrent requests it answers 500 `no such table: iceberg_tables` (apache/iceberg#13366). The benchmark therefore configures the backend the upstream fixture image now uses by default (apache/iceberg#18044): a file-backed SQLite database in WAL mode (`CATALOG_URI`, `CATALOG_JDBC_SCHEMA__VERSION=V1`); pool size and everything else stay at their defaults.',
  );
  p('- CPU layouts, each with freshly started and seeded servers:');
  for (const l of layouts) p(`  - ${LAYOUT_TEXT[l](cpuSets(l))}`);
  p('- `LG/FX` is Lakegate throughput divided by fixture throughput (above 1: Lakegate is faster); `LG/FX p99` the same for p99 latency (below 1: Lakegate is faster).');
  p();
  for (const layout of layouts) {
    p(`## Results: ${layout} layout`);
    p();
    p('| operation | conns | Lakegate req/s | p50 ms | p99 ms | errors | fixture req/s | p50 ms | p99 ms | errors | LG/FX req/s | LG/FX p99 | noise |');
    p('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const op of CONFIG.ops) {
      for (const c of CONFIG.concurrency) {
        const a = pick(results, layout, 'lakegate', op, c);
        const b = pick(results, layout, 'fixture', op, c);
        const noise = Math.max(a?.noise ?? 0, b?.noise ?? 0);
        p(
          `| ${op} | ${c} | ${fmtRate(a?.throughput)} | ${fmtMs(a?.p50)} | ${fmtMs(a?.p99)} | ${a?.errorsAll ?? '–'} | ${fmtRate(b?.throughput)} | ${fmtMs(b?.p50)} | ${fmtMs(b?.p99)} | ${b?.errorsAll ?? '–'} | ${fmtRatio(a?.throughput, b?.throughput)} | ${fmtRatio(a?.p99, b?.p99)} | ${noise.toFixed(2)} |`,
        );
      }
    }
    p();
    const a = aims(results, layout);
    if (a.length) {
      p(`Aims (${layout} layout):`);
      p();
      p('| aim | measured | met |');
      p('|---|--:|:-:|');
      for (const x of a) p(`| ${x.aim} | ${x.value} | ${x.met ? 'yes' : '**no**'} |`);
      p();
    }
    const errs = CONFIG.ops.flatMap((op) => CONFIG.concurrency.flatMap((c) => CONFIG.servers.map((s) => results.filter((r) => r.layout === layout && r.server === s && r.op === op && r.concurrency === c && r.errors > 0)))).filter((x) => x.length);
    if (errs.length) {
      p('Errors:');
      p();
      for (const reps of errs) {
        const r0 = reps[0];
        const count = {};
        for (const r of reps) {
          for (const [st, n] of Object.entries(r.statusCounts)) if (!isSuccess(Number(st))) count[`HTTP ${st}`] = (count[`HTTP ${st}`] ?? 0) + n;
          for (const [k, n] of Object.entries(r.errorKinds)) count[k] = (count[k] ?? 0) + n;
        }
        const sample = reps.find((r) => r.errorSamples[0])?.errorSamples[0];
        p(`- ${r0.server} ${r0.op} at ${r0.concurrency}: ${Object.entries(count).map(([k, n]) => `${n}× ${k}`).join(', ')}${sample ? ` — e.g. \`${sample.replace(/[`\r\n]/g, ' ').slice(0, 200)}\`` : ''}`);
      }
      p();
    }
    p('<details><summary>Throughput range and CPU use per cell</summary>');
    p();
    p('| operation | conns | server | req/s (reported) | req/s min–max | srv cores | srv CPU µs/req | gen cores | noise | steal |');
    p('|---|--:|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const op of CONFIG.ops)
      for (const c of CONFIG.concurrency)
        for (const s of CONFIG.servers) {
          const r = pick(results, layout, s, op, c);
          if (r)
            p(
              `| ${op} | ${c} | ${s} | ${fmtRate(r.throughput)} | ${fmtRate(r.minThroughput)}–${fmtRate(r.maxThroughput)} | ${r.serverCpu.toFixed(2)} | ${Number.isFinite(r.serverCpuPerReqUs) ? r.serverCpuPerReqUs.toFixed(0) : '–'} | ${r.clientCpu.toFixed(2)} | ${r.otherCpu.toFixed(2)} | ${r.steal.toFixed(2)} |`,
            );
        }
    p();
    p('`srv cores`: CPU time of the server process (all threads) per second of the cell; `srv CPU µs/req` the same per successful request; `gen cores` the load generator; `noise` CPU of everything else on the machine; `steal` time the hypervisor took from the VM.');
    p();
    p('</details>');
    p();
  }
  // What the p99 aim needs, from the data: a closed loop with N connections has mean latency N / throughput.
  const at64 = (server, op) => layouts.map((l) => pick(results, l, server, op, 64)).filter(Boolean);
  const lgLoad = at64('lakegate', 'loadTable');
  if (lgLoad.length) {
    const lgCfg = at64('lakegate', 'config');
    const fxCfg = at64('fixture', 'config');
    const show = (rs) => rs.map((r) => `${fmtRate(r.throughput)} req/s, mean latency ${fmtMs(64000 / r.throughput)} ms (${r.layout})`).join('; ');
    p('## Reading the p99 aim');
    p();
    p(
      `With 64 closed-loop connections each request queues behind the others: mean latency = 64 / throughput (Little's law), so p99 < 10 ms needs well over 6,400 loadTable/s from one Node process. Lakegate loadTable at 64 connections: ${show(lgLoad)}.${lgCfg.length ? ` Even \`GET /v1/config\`, which does no catalog work: ${show(lgCfg)}.` : ''}${fxCfg.length ? ` The fixture answers \`GET /v1/config\` at ${fxCfg.map((r) => `${fmtRate(r.throughput)} req/s (${r.layout})`).join(', ')} on the same machine, so the limit is Lakegate's fixed per-request cost (HTTP stack, hooks${lgAuth ? ', token verification' : ''}) as much as the machine.` : ''}`,
    );
    p();
  }
  const rss = seeds.filter((s) => Number.isFinite(s.peakRssMiB));
  if (rss.length) {
    p('## Memory');
    p();
    p(`Peak resident set size of each server process: ${rss.map((s) => `${s.server} ${s.peakRssMiB.toFixed(0)} MiB (${s.layout})`).join(', ')}.`);
    p();
  }
  p('## Re-running');
  p();
  p('`npm run bench` (full run, writes this file), `npm run bench -- --quick` (short smoke run, prints only), `node bench/run.mjs --help` for the options (layouts, durations, repetitions, operations, `--cpu-prof DIR` to profile Lakegate).');
  return L.join('\n');
}

// ---------------------------------------------------------------------------------------------
// main

async function main() {
  if (opt.report) return rerender(opt.report);
  const totalCells = CONFIG.layouts.length * CONFIG.ops.length * CONFIG.concurrency.length * CONFIG.servers.length * CONFIG.repeat;
  const budgetS =
    CONFIG.layouts.length * (240 + CONFIG.ops.length * CONFIG.servers.length * (CONFIG.warmupMax + 5)) +
    totalCells * (CONFIG.duration * 2 + 10) +
    (totalCells / CONFIG.servers.length) * (CONFIG.quietWait + 2);
  const watchdog = setTimeout(() => {
    log(`time budget of ${Math.round(budgetS)} s exceeded: stopping`);
    process.exit(3);
  }, budgetS * 1000);

  if (!opt['no-build']) {
    const tsc = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
    log('building (tsc -b packages/cli)');
    const r = spawnSync(tsc, ['-b', 'packages/cli'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (r.status !== 0) log(`build failed, using the existing dist:\n${(r.stdout ?? '') + (r.stderr ?? '')}`);
  }
  if (!fs.existsSync(path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js'))) fail('packages/cli/dist is missing: run "npx tsc -b packages/cli"');

  const m = machine();
  log(`${m.nproc} CPUs, ${m.memGiB.toFixed(1)} GiB, node ${m.node}, ${m.java}; ${totalCells} cells of ${CONFIG.duration} s (time limit ${Math.round(budgetS)} s)`);
  const results = [];
  const seeds = [];
  const warmups = [];
  const quietWaits = [];

  for (const layout of CONFIG.layouts) {
    const sets = cpuSets(layout);
    if (layout === 'pinned' && !sets) log('pinning unavailable (taskset missing or 1 CPU): running unpinned');
    setOwnAffinity(sets?.client);
    log(`layout ${layout}${sets ? `: generator on CPU ${sets.client}, servers on CPU ${sets.server}` : ''}; starting servers`);
    const servers = {};
    const starters = { lakegate: startLakegate, fixture: startFixture };
    try {
      await Promise.all(CONFIG.servers.map(async (s) => (servers[s] = await starters[s](sets?.server))));
      for (const s of CONFIG.servers) {
        const info = await seed(servers[s]);
        seeds.push({ server: s, layout, authenticated: servers[s].authenticated, ...info });
        log(`seeded ${s} (loadTable ${info.loadBytes} B, listTables ${info.listBytes} B)`);
      }
      for (const op of CONFIG.ops) {
        for (const s of CONFIG.servers) {
          const w = await warmup(servers[s], op);
          warmups.push({ layout, server: s, op, ...w });
          if (w.seconds > 0) log(`${layout} ${op} ${s}: warmed up for ${w.seconds.toFixed(0)} s, last slice ${fmtRate(w.last)} req/s`);
        }
        for (const c of CONFIG.concurrency) {
          for (let rep = 0; rep < CONFIG.repeat; rep++) {
            const order = rep % 2 === 0 ? CONFIG.servers : [...CONFIG.servers].reverse();
            const q = await waitQuiet(Object.values(servers), CONFIG.quietWait);
            quietWaits.push(q);
            if (!q.quiet) log(`machine still busy after ${q.waited.toFixed(0)} s: measuring anyway`);
            for (const s of order) {
              await sleep(200);
              const r = await runCell(servers[s], op, c, CONFIG.duration);
              Object.assign(r, { layout, rep });
              results.push(r);
              log(
                `${layout} ${op.padEnd(10)} c=${String(c).padEnd(2)} #${rep + 1} ${s.padEnd(8)} ${fmtRate(r.throughput).padStart(7)} req/s  p50 ${fmtMs(r.p50)} ms  p99 ${fmtMs(r.p99)} ms  errors ${r.errors}  (srv ${r.serverCpu.toFixed(2)}, gen ${r.clientCpu.toFixed(2)}, other ${r.otherCpu.toFixed(2)} cores)`,
              );
              if (r.errors && r.errorSamples[0]) log(`  e.g. ${r.errorSamples[0].replace(/[\r\n]/g, ' ').slice(0, 200)}`);
            }
          }
        }
      }
    } finally {
      for (const s of Object.keys(servers)) {
        const seedRow = seeds.find((x) => x.server === s && x.layout === layout);
        if (seedRow) seedRow.peakRssMiB = procRssMiB(servers[s].child.pid);
      }
      await Promise.all(Object.values(servers).map((x) => stopChild(x.child)));
    }
  }
  setOwnAffinity(undefined);
  clearTimeout(watchdog);

  printTables(results);
  if (CONFIG.out) {
    fs.mkdirSync(path.dirname(CONFIG.out), { recursive: true });
    fs.writeFileSync(CONFIG.out, `${markdown(m, results, seeds, warmups, quietWaits, CONFIG.layouts)}\n`);
    log(`wrote ${path.relative(process.cwd(), CONFIG.out) || CONFIG.out}`);
  }
  const jsonPath = opt.json ?? path.join(os.tmpdir(), `lakegate-bench-${m.date.replace(/[:]/g, '')}.json`);
  fs.writeFileSync(jsonPath, `${JSON.stringify({ machine: m, config: { ...CONFIG, fixtureUri: FIXTURE_URI }, seeds, warmups, quietWaits, results }, null, 2)}\n`);
  log(`raw results: ${jsonPath}`);
}

/** --report: the stdout table and the markdown again, from a saved run (same machine assumed for the layout text). */
function rerender(file) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { out, fixtureUri, ...saved } = data.config;
  Object.assign(CONFIG, saved, { out: opt['no-doc'] ? undefined : (opt.out ?? DEFAULT_DOC) });
  FIXTURE_URI = fixtureUri;
  printTables(data.results);
  if (CONFIG.out) {
    fs.writeFileSync(CONFIG.out, `${markdown(data.machine, data.results, data.seeds, data.warmups, data.quietWaits ?? [], CONFIG.layouts)}\n`);
    log(`wrote ${path.relative(process.cwd(), CONFIG.out) || CONFIG.out}`);
  }
}

function printTables(results) {
  for (const layout of CONFIG.layouts) {
    const sets = cpuSets(layout);
    process.stdout.write(`\n${layout} layout${sets ? ` (generator CPU ${sets.client}, server CPU ${sets.server})` : ''}; least-noisy of ${plural(CONFIG.repeat, 'run')}, latencies in ms, noise = other processes' CPU in cores\n`);
    process.stdout.write(`${stdoutTable(results, layout)}\n`);
    for (const a of aims(results, layout)) process.stdout.write(`  aim: ${a.aim}: ${a.value} -> ${a.met ? 'met' : 'NOT met'}\n`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);

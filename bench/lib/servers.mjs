/**
 * The servers the benchmarks measure: Lakegate (SQLite or PostgreSQL, one process or --workers N,
 * from this checkout or another build for A/B runs), the Apache Iceberg REST fixture (Java), the
 * bare Node limit (bench/bare-server.mjs) and the Fastify floor (bench/fastify-floor.mjs), both
 * replaying Lakegate's recorded responses.
 * Each server object: { name, child, port, base, headers, pids(), dataDir }.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { READ_WRITE_ALL } from './privileges.mjs';
import { freePort, onExit, peer, processTree, REPO_ROOT, spawnServer, tempDir, waitReady } from './proc.mjs';

export const FIXTURE_SCRIPT = path.join(REPO_ROOT, 'scripts', 'peers', 'iceberg-java.sh');
const PG_SCRIPT = path.join(REPO_ROOT, 'scripts', 'peers', 'postgres.sh');

/** What the benchmark principal holds on the warehouse (bench/lib/privileges.mjs, as the tests' writers): read, write, create, drop. */
export const BENCH_PRIVILEGES = READ_WRITE_ALL;

/** One JSON request (bearer `token` when given); throws on a status >= 300 not in `accept`; the parsed body or undefined. */
export async function sendJson(method, url, body, { token, headers = {}, accept = [] } = {}) {
  const res = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300 && !accept.includes(res.status)) throw new Error(`${method} ${url} -> ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

export async function clientToken(url, credential) {
  const i = credential.indexOf(':');
  const res = await fetch(`${url}/v1/oauth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credential.slice(0, i),
      client_secret: credential.slice(i + 1),
      scope: 'catalog',
    }),
  });
  if (res.status !== 200) throw new Error(`token request failed with ${res.status}: ${await res.text()}`);
  return (await res.json()).access_token;
}

/**
 * A non-admin service principal holding BENCH_PRIVILEGES on the warehouse through a role: how real
 * clients run against a deny-by-default catalog, so every request takes the authorization path.
 */
export async function grantedPrincipal(url, adminToken, warehouse, name = 'bench') {
  // accept 409: a reused data dir holds them already.
  const json = (u, method, token, body) => sendJson(method, u, body, { token, accept: [409] });
  const created = await json(`${url}/management/v1/principals`, 'POST', adminToken, { name });
  const credential = `${created['client-id']}:${created['client-secret']}`;
  const role = `${name}-role`;
  await json(`${url}/management/v1/roles`, 'POST', adminToken, { name: role });
  await json(`${url}/management/v1/roles/${role}/members`, 'POST', adminToken, { kind: 'principal', name: created['client-id'] });
  await json(`${url}/management/v1/grants`, 'POST', adminToken, { role, privileges: BENCH_PRIVILEGES, securable: { type: 'warehouse', warehouse } });
  return credential;
}

/**
 * `lakegate serve` on a fresh data dir. options: cpus (taskset list), database (postgres URL),
 * workers, auth ('required'|'disabled'), principal ('granted'|'admin'), repo (another checkout,
 * for A/B runs), cpuProf (dir), heapProf (dir: --heap-prof, a sampling heap profile written at exit), env, name, dataDir (reuse a seeded one),
 * node (the Node binary that runs the server; default this process's, e.g. another Node release for bench/signing-pairs.mjs).
 */
export async function startLakegate(options = {}) {
  const repo = options.repo ?? REPO_ROOT;
  const bin = path.join(repo, 'packages', 'cli', 'bin', 'lakegate.js');
  const dir = options.dataDir ?? tempDir('lakegate-bench-');
  const port = await freePort();
  const nodeArgs = [...(options.nodeArgs ?? [])];
  if (options.cpuProf) {
    fs.mkdirSync(options.cpuProf, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(options.cpuProf)}`);
  }
  if (options.heapProf) {
    fs.mkdirSync(options.heapProf, { recursive: true });
    nodeArgs.push('--heap-prof', `--heap-prof-dir=${path.resolve(options.heapProf)}`);
  }
  const args = [...nodeArgs, bin, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dir, '--log-level', options.logLevel ?? 'warn'];
  if (options.database) args.push('--database', options.database);
  // One process unless asked: the pinned layout gives the server one core.
  args.push('--workers', String(options.workers ?? 1));
  const auth = options.auth ?? 'required';
  const name = options.name ?? 'lakegate';
  const child = spawnServer(
    name,
    options.node ?? process.execPath,
    args,
    { LAKEGATE_LOG_LEVEL: options.logLevel ?? 'warn', LAKEGATE_AUTH: auth, LAKEGATE_ACCESS_TOKEN_TTL_SECONDS: '86400', ...options.env },
    options.cpus,
    { cwd: repo },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitReady(child, `${url}/v1/config`, [200, 401]);
  let token;
  let principal = 'anonymous';
  const adminFile = path.join(dir, 'admin-credentials.json');
  if (auth === 'required') {
    if (!fs.existsSync(adminFile)) throw new Error(`${name}: no ${adminFile}`);
    const admin = await clientToken(url, JSON.parse(fs.readFileSync(adminFile, 'utf8')).credential);
    if ((options.principal ?? 'granted') === 'admin') {
      token = admin;
      principal = 'admin';
    } else {
      const credential = options.credential ?? (await grantedPrincipal(url, admin, 'default'));
      token = await clientToken(url, credential);
      principal = 'granted';
      options.credential = credential;
    }
  }
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const res = await fetch(`${url}/v1/config`, { headers });
  if (res.status !== 200) throw new Error(`${name}: GET /v1/config -> ${res.status} ${await res.text()}`);
  const config = await res.json();
  const prefix = config.overrides?.prefix ?? config.defaults?.prefix;
  const extra = options.extraPids ?? (() => []);
  return {
    name,
    child,
    port,
    url,
    base: prefix ? `/v1/${encodeURIComponent(prefix)}` : '/v1',
    config,
    dataDir: dir,
    headers,
    token,
    authenticated: Boolean(token),
    principal,
    credential: options.credential,
    // The server's processes (the primary and its workers), plus e.g. its PostgreSQL cluster's.
    pids: () => [...processTree(child.pid), ...extra()],
  };
}

/** The Iceberg REST fixture (Java), on a file-backed SQLite JdbcCatalog in WAL mode (see docs/benchmarks.md for why). */
export async function startFixture({ cpus, uri = 'jdbc:sqlite:{dir}/catalog.db?journal_mode=WAL' } = {}) {
  const dir = tempDir('iceberg-fixture-bench-');
  const port = await freePort();
  const env = {
    CATALOG_REST_PORT: String(port),
    CATALOG_WAREHOUSE: dir,
    CATALOG_URI: uri.replace('{dir}', dir),
    CATALOG_JDBC_SCHEMA__VERSION: 'V1',
  };
  const child = spawnServer('fixture', 'bash', [FIXTURE_SCRIPT, 'fixture'], env, cpus);
  await waitReady(child, `http://127.0.0.1:${port}/v1/config`);
  const config = await (await fetch(`http://127.0.0.1:${port}/v1/config`)).json();
  // The fixture sends no prefix (and overrides the namespace separator to %2E; our namespaces have one level).
  const prefix = config.overrides?.prefix ?? config.defaults?.prefix;
  return {
    name: 'fixture',
    child,
    port,
    base: prefix ? `/v1/${encodeURIComponent(prefix)}` : '/v1',
    config,
    dataDir: dir,
    headers: {},
    authenticated: false,
    pids: () => processTree(child.pid),
  };
}

/**
 * The bare Node limit: a node:http server answering each recorded request path with the exact
 * status, headers and body Lakegate answered it with (`recorded`: { path: { status, headers, body } }).
 */
export async function startBare({ cpus, recorded, base, cpuProf }) {
  return startReplay('bare', 'bare-server.mjs', { cpus, recorded, base, cpuProf });
}

/** The Fastify floor (bench/fastify-floor.mjs): the same recorded answers through Fastify with Lakegate's route shapes. */
export async function startFastifyFloor({ cpus, recorded, base, cpuProf }) {
  return startReplay('fastify', 'fastify-floor.mjs', { cpus, recorded, base, cpuProf });
}

async function startReplay(name, script, { cpus, recorded, base, cpuProf }) {
  const dir = tempDir(`lakegate-${name}-`);
  const file = path.join(dir, 'responses.json');
  fs.writeFileSync(file, JSON.stringify(recorded));
  const port = await freePort();
  const nodeArgs = [];
  if (cpuProf) {
    fs.mkdirSync(cpuProf, { recursive: true });
    nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProf)}`);
  }
  const child = spawnServer(name, process.execPath, [...nodeArgs, path.join(REPO_ROOT, 'bench', script), file, String(port)], {}, cpus);
  // Up when it answers; 404 when this run recorded no config answer (--ops without config).
  await waitReady(child, `http://127.0.0.1:${port}/v1/config`, [200, 404]);
  return { name, child, port, base, headers: {}, authenticated: false, pids: () => processTree(child.pid) };
}

/**
 * A throwaway PostgreSQL cluster (scripts/peers/postgres.sh) under `cpus` (its processes inherit the
 * pinning), stopped at exit. Returns { url(db), pids(), stop() }.
 */
export async function startPostgresCluster({ cpus } = {}) {
  const dir = tempDir('lakegate-bench-pg-');
  const port = await freePort();
  const argv = ['bash', PG_SCRIPT, 'start', path.join(dir, 'cluster'), String(port)];
  const out = execFileSync(cpus ? 'taskset' : argv[0], cpus ? ['-c', cpus, ...argv] : argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    execFileSync('bash', [PG_SCRIPT, 'stop', path.join(dir, 'cluster')], { stdio: 'ignore' });
  };
  onExit(stop);
  const postmasterPid = () => {
    try {
      return Number(fs.readFileSync(path.join(dir, 'cluster', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  };
  let n = 0;
  return {
    url: out.trim().split('\n').at(-1).trim(),
    /** A fresh database of its own. */
    createDatabase(prefix = 'bench') {
      const name = `${prefix}_${n++}`;
      return execFileSync('bash', [PG_SCRIPT, 'createdb', path.join(dir, 'cluster'), String(port), name], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
        .trim()
        .split('\n')
        .at(-1)
        .trim();
    },
    pids: () => {
      const p = postmasterPid();
      return p ? processTree(p) : [];
    },
    dir: path.join(dir, 'cluster'),
    port,
    stop,
  };
}

/** The root user of the MinIO the S3 benchmarks start (never a real secret: a local, throw-away server). */
export const MINIO_ROOT = { user: 'lakegate-root', password: 'lakegate-root-bench-secret' };

/**
 * MinIO (scripts/peers/minio.sh: S3 and STS) in `dir` on free ports, with the bucket `bench`.
 * Returns { endpoint, stop() }; stop() never throws (the caller's finally calls it).
 */
export async function startMinio(dir) {
  const env = { MINIO_ROOT_USER: MINIO_ROOT.user, MINIO_ROOT_PASSWORD: MINIO_ROOT.password };
  peer('minio.sh', ['bin'], env);
  const endpoint = peer('minio.sh', ['start', dir, String(await freePort()), String(await freePort())], env);
  const stop = () => {
    try {
      peer('minio.sh', ['stop', dir], env);
    } catch {}
  };
  try {
    // Loaded here, not at the top: bench/run.mjs imports this module and needs no S3 client.
    const { CreateBucketCommand, S3Client } = await import('@aws-sdk/client-s3');
    const s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: MINIO_ROOT.user, secretAccessKey: MINIO_ROOT.password },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
    s3.destroy();
  } catch (e) {
    stop();
    throw e;
  }
  return { endpoint, stop };
}

/** The body that creates the warehouse `lake` on startMinio's bucket; `profile` adds to its storage profile. */
export const s3Warehouse = (endpoint, profile = {}) => ({
  name: 'lake',
  'storage-root': 's3://bench/wh',
  'storage-profile': { type: 's3', bucket: 'bench', region: 'us-east-1', endpoint, 'path-style-access': true, ...profile },
  'storage-secret': { 'access-key-id': MINIO_ROOT.user, 'secret-access-key': MINIO_ROOT.password },
});

// Benchmark: loadTable with vended S3 credentials (MinIO STS) — cache hit vs cache miss vs no vending.
// Starts MinIO (scripts/peers/minio.sh) and two Lakegate servers (SQLite, authentication off so that only
// vending differs): one with the credential cache on, one with it off (every load calls STS).
// Writes docs/benchmarks-vending.md. Usage: node bench/vending.mjs [--quick]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Client, CreateBucketCommand } from '@aws-sdk/client-s3';

const ROOT = path.resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const SECONDS = quick ? 2 : 4;
const ROOT_USER = 'lakegate-root';
const ROOT_PASSWORD = 'lakegate-root-bench-secret';

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function minio(...args) {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts/peers/minio.sh'), ...args], {
    env: { ...process.env, MINIO_ROOT_USER: ROOT_USER, MINIO_ROOT_PASSWORD: ROOT_PASSWORD },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1).trim();
}

async function startLakegate(dir, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'packages/cli/bin/lakegate.js'), 'serve', '--port', String(port), '--data-dir', dir, '--workers', '1'], {
    env: { ...process.env, LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_AUTH: 'disabled', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`lakegate did not start:\n${err}`);
}

async function json(url, method, body, headers = {}) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: body && JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status}: ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

async function seed(url, endpoint) {
  await json(`${url}/management/v1/warehouses`, 'POST', {
    name: 'lake',
    'storage-root': 's3://bench/wh',
    'storage-profile': { type: 's3', bucket: 'bench', region: 'us-east-1', endpoint, 'path-style-access': true, 'credential-lifetime-seconds': 900 },
    'storage-secret': { 'access-key-id': ROOT_USER, 'secret-access-key': ROOT_PASSWORD },
  });
  await json(`${url}/v1/lake/namespaces`, 'POST', { namespace: ['b'] });
  await json(`${url}/v1/lake/namespaces/b/tables`, 'POST', {
    name: 't',
    schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] },
  });
}

/** Closed loop: `conns` workers, each sends its next request when the previous one has completed; bounded by time. */
async function run(url, headers, conns, seconds) {
  const latencies = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: conns }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const res = await fetch(url, { headers });
        await res.arrayBuffer();
        if (res.status === 200) latencies.push(performance.now() - t0);
        else errors += 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { rps: latencies.length / seconds, p50: q(0.5), p99: q(0.99), n: latencies.length, errors };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-vending-'));
const servers = [];
try {
  minio('bin');
  const endpoint = minio('start', path.join(dir, 'minio'), String(await freePort()), String(await freePort()));
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD } });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  s3.destroy();
  const cached = await startLakegate(path.join(dir, 'cached'), {});
  const uncached = await startLakegate(path.join(dir, 'uncached'), { LAKEGATE_CREDENTIAL_CACHE_MAX_SECONDS: '0' });
  servers.push(cached, uncached);
  for (const s of servers) await seed(s.url, endpoint);
  const table = '/v1/lake/namespaces/b/tables/t';
  const vend = { 'x-iceberg-access-delegation': 'vended-credentials' };
  const rows = [];
  for (const conns of [1, 16]) {
    // Warm-up of each path (JIT, keep-alive sockets, first STS call).
    await run(`${cached.url}${table}`, vend, conns, 1);
    await run(`${uncached.url}${table}`, vend, conns, 1);
    const plain = await run(`${cached.url}${table}`, {}, conns, SECONDS);
    const hit = await run(`${cached.url}${table}`, vend, conns, SECONDS);
    const miss = await run(`${uncached.url}${table}`, vend, conns, SECONDS);
    rows.push({ conns, plain, hit, miss });
  }
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const lines = rows.map(
    ({ conns, plain, hit, miss }) =>
      `| ${conns} | ${f(plain.rps, 0)} | ${f(plain.p50)} | ${f(plain.p99)} | ${f(hit.rps, 0)} | ${f(hit.p50)} | ${f(hit.p99)} | ${f((hit.p50 / plain.p50 - 1) * 100, 1)}% | ${f(miss.rps, 0)} | ${f(miss.p50)} | ${f(miss.p99)} | ${plain.errors + hit.errors + miss.errors} |`,
  );
  const doc = `# Benchmark: loadTable with vended credentials

Generated by \`node bench/vending.mjs${quick ? ' --quick' : ''}\` on ${new Date().toISOString()} (${os.cpus().length} vCPUs, Node ${process.version}); re-run it rather than editing.

Setup: MinIO (S3 + STS, \`scripts/peers/minio.sh\`) and two Lakegate servers on SQLite with authentication off, so that
only vending differs. Each serves one S3 warehouse with one table. The load generator (Node fetch, keep-alive, closed
loop, ${SECONDS} s per cell) shares the machine's cores with MinIO and both servers.

- **no vending**: \`GET …/tables/t\` without \`X-Iceberg-Access-Delegation\`.
- **cache hit**: with \`X-Iceberg-Access-Delegation: vended-credentials\`; the credential is reused from the cache
  (per principal, prefix and mode, for at most half its life), so the cost is the cache lookup and signing the
  storage refresh token.
- **cache miss**: the same on a server with \`LAKEGATE_CREDENTIAL_CACHE_MAX_SECONDS=0\`: every load calls MinIO's STS
  (AssumeRole with a session policy).

| conns | no vending req/s | p50 ms | p99 ms | cache hit req/s | p50 ms | p99 ms | hit p50 overhead | cache miss req/s | p50 ms | p99 ms | errors |
|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
${lines.join('\n')}

Aim: a cache hit costs under 10% over a load without vending (compare the p50 columns).
`;
  writeFileSync(path.join(ROOT, 'docs/benchmarks-vending.md'), doc);
  console.log(doc);
} finally {
  for (const s of servers) s.child.kill('SIGTERM');
  try {
    minio('stop', path.join(dir, 'minio'));
  } catch {}
  rmSync(dir, { recursive: true, force: true });
}

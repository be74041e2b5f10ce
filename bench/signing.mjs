// Benchmark: the remote-signing operation (POST …/tables/{table}/sign) against the bare-Node limit for a response
// of the same size (bench/bare-server.mjs answering the recorded sign response), with authorization on: a
// non-admin principal holding table:write-data on the table signs a PutObject inside it.
// Starts MinIO (scripts/peers/minio.sh: the warehouse's S3, no STS used) and one Lakegate server (SQLite, one
// worker). Prints a Markdown table: req/s, p50, p99 and server CPU per request for both, and their ratio.
// Usage: node bench/signing.mjs [--quick] [--cpu-prof DIR]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { postRequest, requestOnce, runCell, warmup } from './lib/load.mjs';
import { REPO_ROOT, freePort, spawnServer, stopChild, tempDir, waitReady } from './lib/proc.mjs';

const quick = process.argv.includes('--quick');
// --cpu-prof DIR: the server writes a V8 CPU profile there on exit (summarise with bench/profile.mjs).
const profDir = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
const SECONDS = quick ? 2 : 5;
const CONCURRENCY = [1, 16, 64];
const ROOT_USER = 'lakegate-root';
const ROOT_PASSWORD = 'lakegate-root-bench-secret';

function minio(...args) {
  const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts/peers/minio.sh'), ...args], {
    env: { ...process.env, MINIO_ROOT_USER: ROOT_USER, MINIO_ROOT_PASSWORD: ROOT_PASSWORD },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.trim().split('\n').at(-1).trim();
}

async function json(url, method, body, token, headers = {}) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, body: body && JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status}: ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

async function token(url, id, secret) {
  const res = await fetch(`${url}/v1/oauth/tokens`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }) });
  if (!res.ok) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}

const dir = tempDir('lakegate-bench-signing-');
const children = [];
let minioDir;
try {
  minio('bin');
  minioDir = path.join(dir, 'minio');
  const endpoint = minio('start', minioDir, String(await freePort()), String(await freePort()));
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ROOT_USER, secretAccessKey: ROOT_PASSWORD } });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  s3.destroy();

  const port = await freePort();
  const dataDir = path.join(dir, 'lakegate');
  mkdirSync(dataDir);
  const lakegate = spawnServer('lakegate', process.execPath, [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`] : []), path.join(REPO_ROOT, 'packages/cli/bin/lakegate.js'), 'serve', '--port', String(port), '--data-dir', dataDir, '--workers', '1'], { LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_AUTH: 'required' });
  children.push(lakegate);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(lakegate, `${url}/healthz`);
  const adminCreds = JSON.parse(readFileSync(path.join(dataDir, 'admin-credentials.json'), 'utf8'));
  const admin = await token(url, adminCreds.client_id, adminCreds.client_secret);
  await json(`${url}/management/v1/warehouses`, 'POST', {
    name: 'lake',
    'storage-root': 's3://bench/wh',
    'storage-profile': { type: 's3', bucket: 'bench', region: 'us-east-1', endpoint, 'path-style-access': true, 'sts-enabled': false },
    'storage-secret': { 'access-key-id': ROOT_USER, 'secret-access-key': ROOT_PASSWORD },
  }, admin);
  await json(`${url}/v1/lake/namespaces`, 'POST', { namespace: ['b'] }, admin);
  const table = await json(`${url}/v1/lake/namespaces/b/tables`, 'POST', { name: 't', schema: { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] } }, admin);
  const engine = await json(`${url}/management/v1/principals`, 'POST', { name: 'bench-engine' }, admin);
  await json(`${url}/management/v1/roles`, 'POST', { name: 'bench-writer' }, admin);
  await json(`${url}/management/v1/roles/bench-writer/members`, 'POST', { kind: 'principal', name: engine['client-id'] }, admin);
  await json(`${url}/management/v1/grants`, 'POST', { role: 'bench-writer', privileges: ['table:write-data'], securable: { type: 'table', warehouse: 'lake', namespace: ['b'], name: 't' } }, admin);
  const engineToken = await token(url, engine['client-id'], engine['client-secret']);

  const key = `${table.metadata.location.replace('s3://bench/', '')}/data/00000-0-6f1c2e9a-1b7d-4c55-9a51-0e7c3b2d4f10-00001.parquet`;
  const body = JSON.stringify({ region: 'us-east-1', uri: `${endpoint}/bench/${key}`, method: 'PUT', headers: { 'Content-Type': ['application/octet-stream'], 'amz-sdk-invocation-id': ['c0ffee'], 'User-Agent': ['aws-sdk-java/2.33'] } });
  const signPath = '/v1/lake/namespaces/b/tables/t/sign';
  const srv = { name: 'lakegate', port, headers: { Authorization: `Bearer ${engineToken}` }, pids: () => [lakegate.pid] };
  const make = () => postRequest(srv, signPath, body);
  const sample = await requestOnce(port, make());
  if (sample.status !== 200) throw new Error(`sign answered ${sample.status}: ${sample.raw?.toString()}`);

  // The bare limit answers the very response Lakegate sent (status, headers, body) for the same request.
  const raw = sample.raw.toString('latin1');
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]);
  const responses = path.join(dir, 'responses.json');
  writeFileSync(responses, JSON.stringify({ [signPath]: { status: 200, headers, body: Buffer.from(raw.slice(split + 4), 'latin1').toString('base64') } }));
  const barePort = await freePort();
  const bare = spawnServer('bare', process.execPath, [path.join(REPO_ROOT, 'bench/bare-server.mjs'), responses, String(barePort)], {});
  children.push(bare);
  await waitReady(bare, `http://127.0.0.1:${barePort}/healthz`, [404]);
  const bareSrv = { ...srv, name: 'bare', port: barePort, pids: () => [bare.pid] };
  const makeBare = () => postRequest(bareSrv, signPath, body);

  await warmup(srv, make, 4, quick ? 4 : 10);
  await warmup(bareSrv, makeBare, 2, 4);
  const rows = [];
  for (const c of CONCURRENCY) {
    const lg = await runCell(srv, make, c, SECONDS);
    const br = await runCell(bareSrv, makeBare, c, SECONDS);
    rows.push({ c, lg, br });
  }
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const lines = rows.map(({ c, lg, br }) =>
    `| ${c} | ${f(lg.throughput, 0)} | ${f(lg.p50)} | ${f(lg.p99)} | ${f(lg.serverCpuPerReqUs, 1)} | ${f(br.throughput, 0)} | ${f(br.serverCpuPerReqUs, 1)} | ${f(lg.serverCpuPerReqUs / br.serverCpuPerReqUs)}x | ${f(1e6 / lg.serverCpuPerReqUs, 0)} | ${f(lg.otherCpu)} | ${lg.errors + br.errors} |`,
  );
  console.log(`Generated by \`node bench/signing.mjs${quick ? ' --quick' : ''}\` on ${new Date().toISOString()} (${os.cpus().length} vCPUs, Node ${process.version}), ${SECONDS} s per cell.

| conns | sign req/s | p50 ms | p99 ms | CPU µs/sign | bare req/s | bare CPU µs/req | CPU ratio | signs/s per core | other CPU (cores) | errors |
|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
${lines.join('\n')}`);
} finally {
  for (const c of children) await stopChild(c).catch(() => undefined);
  if (minioDir) {
    try {
      minio('stop', minioDir);
    } catch {}
  }
}

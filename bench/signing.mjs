// Benchmark: the remote-signing operation (POST …/tables/{table}/sign) against the bare-Node limit for a response
// of the same size (bench/bare-server.mjs answering the recorded sign response), with authorization on: a
// non-admin principal holding table:write-data on the table signs a PutObject inside it.
// Starts MinIO (scripts/peers/minio.sh: the warehouse's S3, no STS used) and one Lakegate server (SQLite, one
// worker). Prints a Markdown table: req/s, p50, p99 and server CPU per request for Lakegate, the bare limit and
// the Fastify floor (bench/fastify-floor.mjs: the same recorded answer through Fastify, its JSON body parser and
// Lakegate's route shape, no work of Lakegate's), and Lakegate's ratios to both.
// Usage: node bench/signing.mjs [--quick] [--cpu-prof DIR] [--conns 1,16,64] [--repo DIR] [--server-node-args 'ARGS'] [--loader node|wrk] [--pinned]
// --server-node-args: Node options for Lakegate's process only (space-separated), e.g.
// '--max-semi-space-size=64' to see what the young generation's scavenges do to p99 (docs/benchmarks-signing.md).
// --repo DIR: measure the Lakegate build of another checkout (an A/B pair of runs, bench/ab.mjs builds one).
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { postRequest, requestOnce, runCell, warmup } from './lib/load.mjs';
import { findWrk, runWrkCell } from './lib/wrk.mjs';
import { HAS_TASKSET, NCPU, REPO_ROOT, freePort, spawnServer, stopChild, tempDir, waitReady } from './lib/proc.mjs';
import { idSchema } from './lib/seed.mjs';
import { clientToken, s3Warehouse, sendJson, startFastifyFloor, startLakegate, startMinio } from './lib/servers.mjs';

const quick = process.argv.includes('--quick');
// --cpu-prof DIR: the server writes a V8 CPU profile there on exit (summarise with bench/profile.mjs).
const profDir = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
const SECONDS = quick ? 2 : 5;
const arg = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const CONCURRENCY = (arg('--conns') ?? '1,16,64').split(',').map(Number);
const repo = arg('--repo');
const serverNodeArgs = (arg('--server-node-args') ?? '').split(' ').filter(Boolean);
// --loader wrk: the measured cells are driven by wrk (bench/lib/wrk.mjs; Debian's `wrk`), which needs a fraction of
// the Node generator's CPU, so on a 2-CPU machine the servers' p99 is less the generator's own queueing.
const loader = arg('--loader') ?? 'node';
// --pinned (with --loader wrk): every server on the last CPU, wrk on the first (taskset), so the kernel never moves
// a server onto the load generator's CPU mid-cell; unpinned, the bare server's CPU per request varied by 20% between
// runs on a quiet machine, and so did every ratio to it.
const pinned = process.argv.includes('--pinned');
if (pinned && (loader !== 'wrk' || !HAS_TASKSET || NCPU < 2)) throw new Error('--pinned needs --loader wrk, taskset and 2 CPUs');
const serverCpus = pinned ? String(NCPU - 1) : undefined;
const loadCpus = pinned ? '0' : undefined;
if (loader !== 'node' && loader !== 'wrk') throw new Error('--loader is node or wrk');
if (loader === 'wrk' && !findWrk()) throw new Error('--loader wrk: wrk is not installed (apt-get install wrk)');

const dir = tempDir('lakegate-bench-signing-');
const children = [];
let minio;
try {
  minio = await startMinio(path.join(dir, 'minio'));
  const { endpoint } = minio;

  // Authorization on: the admin (its credential from the data dir) sets up; a non-admin engine signs.
  const lakegate = await startLakegate({
    auth: 'required',
    principal: 'admin',
    dataDir: path.join(dir, 'lakegate'),
    cpuProf: profDir,
    nodeArgs: serverNodeArgs,
    cpus: serverCpus,
    ...(repo ? { repo } : {}),
  });
  children.push(lakegate.child);
  const { url, port } = lakegate;
  const { token: admin } = lakegate;
  await sendJson('POST', `${url}/management/v1/warehouses`, s3Warehouse(endpoint, { 'sts-enabled': false }), { token: admin });
  await sendJson('POST', `${url}/v1/lake/namespaces`, { namespace: ['b'] }, { token: admin });
  const table = await sendJson('POST', `${url}/v1/lake/namespaces/b/tables`, { name: 't', schema: idSchema() }, { token: admin });
  const engine = await sendJson('POST', `${url}/management/v1/principals`, { name: 'bench-engine' }, { token: admin });
  await sendJson('POST', `${url}/management/v1/roles`, { name: 'bench-writer' }, { token: admin });
  await sendJson('POST', `${url}/management/v1/roles/bench-writer/members`, { kind: 'principal', name: engine['client-id'] }, { token: admin });
  await sendJson(
    'POST',
    `${url}/management/v1/grants`,
    { role: 'bench-writer', privileges: ['table:write-data'], securable: { type: 'table', warehouse: 'lake', namespace: ['b'], name: 't' } },
    { token: admin },
  );
  const engineToken = await clientToken(url, `${engine['client-id']}:${engine['client-secret']}`);

  const key = `${table.metadata.location.replace('s3://bench/', '')}/data/00000-0-6f1c2e9a-1b7d-4c55-9a51-0e7c3b2d4f10-00001.parquet`;
  const body = JSON.stringify({
    region: 'us-east-1',
    uri: `${endpoint}/bench/${key}`,
    method: 'PUT',
    headers: { 'Content-Type': ['application/octet-stream'], 'amz-sdk-invocation-id': ['c0ffee'], 'User-Agent': ['aws-sdk-java/2.33'] },
  });
  const signPath = '/v1/lake/namespaces/b/tables/t/sign';
  const srv = { name: 'lakegate', port, headers: { Authorization: `Bearer ${engineToken}` }, pids: () => [lakegate.child.pid] };
  const make = () => postRequest(srv, signPath, body);
  const sample = await requestOnce(port, make());
  if (sample.status !== 200) throw new Error(`sign answered ${sample.status}: ${sample.raw?.toString()}`);

  // The bare limit answers the very response Lakegate sent (status, headers, body) for the same request.
  const raw = sample.raw.toString('latin1');
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw
    .slice(0, split)
    .split('\r\n')
    .slice(1)
    .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]);
  const responses = path.join(dir, 'responses.json');
  writeFileSync(responses, JSON.stringify({ [signPath]: { status: 200, headers, body: Buffer.from(raw.slice(split + 4), 'latin1').toString('base64') } }));
  const barePort = await freePort();
  const bare = spawnServer('bare', process.execPath, [path.join(REPO_ROOT, 'bench/bare-server.mjs'), responses, String(barePort)], {}, serverCpus);
  children.push(bare);
  await waitReady(bare, `http://127.0.0.1:${barePort}/healthz`, [404]);
  const bareSrv = { ...srv, name: 'bare', port: barePort, pids: () => [bare.pid] };
  const makeBare = () => postRequest(bareSrv, signPath, body);
  const floor = await startFastifyFloor({
    recorded: { [signPath]: JSON.parse(readFileSync(responses, 'utf8'))[signPath] },
    base: '/v1/lake',
    cpus: serverCpus,
  });
  children.push(floor.child);
  const floorSrv = { ...srv, name: 'fastify', port: floor.port, pids: floor.pids };
  const makeFloor = () => postRequest(floorSrv, signPath, body);

  await warmup(srv, make, 4, quick ? 4 : 10);
  await warmup(bareSrv, makeBare, 2, 4);
  await warmup(floorSrv, makeFloor, 2, 4);
  const rows = [];
  for (const c of CONCURRENCY) {
    const cell = (server, makeReq) =>
      loader === 'wrk'
        ? runWrkCell(
            server,
            { method: 'POST', path: signPath, headers: { ...server.headers, 'Content-Type': 'application/json', Accept: 'application/json' }, body },
            c,
            SECONDS,
            { cpus: loadCpus },
          )
        : runCell(server, makeReq, c, SECONDS);
    const lg = await cell(srv, make);
    const br = await cell(bareSrv, makeBare);
    const fl = await cell(floorSrv, makeFloor);
    rows.push({ c, lg, br, fl });
  }
  const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const lines = rows.map(
    ({ c, lg, br, fl }) =>
      `| ${c} | ${f(lg.throughput, 0)} | ${f(lg.p50)} | ${f(lg.p99)} | ${f(lg.serverCpuPerReqUs, 1)} | ${f(br.throughput, 0)} | ${f(br.p99)} | ${f(br.serverCpuPerReqUs, 1)} | ${f(fl.p99)} | ${f(fl.serverCpuPerReqUs, 1)} | ${f(lg.serverCpuPerReqUs / br.serverCpuPerReqUs)}x | ${f(lg.serverCpuPerReqUs / fl.serverCpuPerReqUs)}x | ${f(1e6 / lg.serverCpuPerReqUs, 0)} | ${f(lg.otherCpu)} | ${lg.errors + br.errors + fl.errors} |`,
  );
  console.log(`Generated by \`node bench/signing.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}\` on ${new Date().toISOString()} (${os.cpus().length} vCPUs, Node ${process.version}), ${SECONDS} s per cell, load from ${loader === 'wrk' ? `wrk (one thread${pinned ? `; servers on CPU ${serverCpus}, wrk on CPU ${loadCpus}` : ''})` : 'the Node generator (bench/lib/load.mjs)'}.

| conns | sign req/s | p50 ms | p99 ms | CPU µs/sign | bare req/s | bare p99 ms | bare CPU µs/req | floor p99 ms | Fastify floor CPU µs/req | CPU ratio to bare | CPU ratio to floor | signs/s per core | other CPU (cores) | errors |
|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|
${lines.join('\n')}`);
} finally {
  for (const c of children) await stopChild(c).catch(() => undefined);
  minio?.stop();
}

#!/usr/bin/env node
/**
 * Paired cells of the remote-signing bench (bench/signing.mjs's setup and request) for comparing Node releases or
 * builds on a shared machine: every Lakegate server named runs for the whole comparison, each with its own Node
 * binary and checkout, set up alike on one MinIO (a non-admin principal with table:write-data signs a PutObject),
 * beside the bare server (bench/bare-server.mjs, answering the recorded sign response) under each Node named. The
 * cells take turns (A B C …, then … C B A), so neighbouring cells saw nearly the same machine; compare CPU per
 * request within a round, never across rounds. Prints each server's CPU µs per request per round, the median ratio
 * of every server to the first (and of each bare server to the first bare server) with its range, and each
 * Lakegate server's ratio to the bare server under its own Node.
 *
 *   node bench/signing-pairs.mjs --server NAME=NODE[:REPO] [--server …] [--rounds 4] [--seconds 3] [--conns 16,64]
 *                                [--json FILE]
 *
 * NODE: a Node binary, or a version whose binary is in $LAKEGATE_CACHE/node-VERSION/bin (scripts fetch 22, 24 and
 * 26 there for CI's matrix). REPO: a built checkout (default this one; bench/ab.mjs's export of a commit works).
 * Load from wrk (one thread, Debian's `wrk`); server CPU from /proc, as bench/signing.mjs --loader wrk.
 * e.g. node bench/signing-pairs.mjs --server n24=24.21.0 --server n26=26.12.1
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { benchArgs } from './lib/args.mjs';
import { median, postRequest, requestOnce, warmup } from './lib/load.mjs';
import { REPO_ROOT, fail, freePort, spawnServer, stopChild, tempDir, waitReady } from './lib/proc.mjs';
import { idSchema } from './lib/seed.mjs';
import { clientToken, s3Warehouse, sendJson, startLakegate, startMinio } from './lib/servers.mjs';
import { findWrk, runWrkCell } from './lib/wrk.mjs';

const { values: opt } = benchArgs(import.meta.url, {
  options: {
    server: { type: 'string', multiple: true },
    rounds: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '3' },
    conns: { type: 'string', default: '16,64' },
    json: { type: 'string' },
  },
});
if (!opt.server?.length) fail('--server NAME=NODE[:REPO] is needed (at least one)');
if (!findWrk()) fail('wrk is not installed (apt-get install wrk)');
const cache = process.env.LAKEGATE_CACHE ?? path.join(process.env.HOME ?? '/root', '.cache', 'lakegate');
const nodeBinary = (node) => (node.includes('/') ? node : path.join(cache, `node-${node}`, 'bin', 'node'));
const specs = opt.server.map((s) => {
  const m = /^([\w.@-]+)=([^:]+)(?::(.+))?$/.exec(s);
  if (!m) fail(`--server ${s}: expected NAME=NODE[:REPO]`);
  const node = nodeBinary(m[2]);
  if (!existsSync(node)) fail(`--server ${s}: no Node binary at ${node}`);
  return { name: m[1], node, repo: m[3] ? path.resolve(m[3]) : REPO_ROOT };
});
const ROUNDS = Number(opt.rounds);
const SECONDS = Number(opt.seconds);
const CONNS = opt.conns.split(',').map(Number);
const SIGN_PATH = '/v1/lake/namespaces/b/tables/t/sign';

/** One Lakegate server set up as bench/signing.mjs sets up its own: a table, and a non-admin engine that may write it. */
async function signingServer(spec, dir, endpoint) {
  const lg = await startLakegate({
    auth: 'required',
    principal: 'admin',
    dataDir: path.join(dir, spec.name),
    repo: spec.repo,
    name: spec.name,
    node: spec.node,
  });
  const { url, token: admin } = lg;
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
  const srv = { name: spec.name, node: spec.node, port: lg.port, headers: { Authorization: `Bearer ${engineToken}` }, pids: () => [lg.child.pid], body };
  const sample = await requestOnce(lg.port, postRequest(srv, SIGN_PATH, body));
  if (sample.status !== 200) throw new Error(`${spec.name}: sign answered ${sample.status}: ${sample.raw?.toString()}`);
  return { srv, child: lg.child, raw: sample.raw.toString('latin1') };
}

/** The recorded answer (status, headers, body) as bench/bare-server.mjs reads it. */
function recorded(raw) {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw
    .slice(0, split)
    .split('\r\n')
    .slice(1)
    .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]);
  return { [SIGN_PATH]: { status: 200, headers, body: Buffer.from(raw.slice(split + 4), 'latin1').toString('base64') } };
}

const dir = tempDir('lakegate-bench-signing-pairs-');
const children = [];
let minio;
try {
  minio = await startMinio(path.join(dir, 'minio'));
  const lakegates = [];
  let raw;
  for (const spec of specs) {
    const s = await signingServer(spec, dir, minio.endpoint);
    children.push(s.child);
    lakegates.push(s.srv);
    raw ??= s.raw;
  }
  const responses = path.join(dir, 'responses.json');
  writeFileSync(responses, JSON.stringify(recorded(raw)));
  const bares = [];
  for (const node of [...new Set(specs.map((s) => s.node))]) {
    const port = await freePort();
    const label = `bare@${specs.find((s) => s.node === node).name}`;
    const child = spawnServer(label, node, [path.join(REPO_ROOT, 'bench/bare-server.mjs'), responses, String(port)], {});
    children.push(child);
    await waitReady(child, `http://127.0.0.1:${port}/healthz`, [404]);
    bares.push({ name: label, node, port, headers: lakegates[0].headers, pids: () => [child.pid], body: lakegates[0].body });
  }
  const servers = [...lakegates, ...bares];
  for (const s of servers) await warmup(s, () => postRequest(s, SIGN_PATH, s.body), 4, 4);
  const cells = {};
  const started = new Date().toISOString();
  for (let r = 0; r < ROUNDS; r++)
    for (const c of CONNS)
      for (const s of r % 2 ? [...servers].reverse() : servers) {
        const req = {
          method: 'POST',
          path: SIGN_PATH,
          headers: { ...s.headers, 'Content-Type': 'application/json', Accept: 'application/json' },
          body: s.body,
        };
        const x = await runWrkCell(s, req, c, SECONDS);
        (cells[`${s.name} ${c}`] ??= []).push({ cpu: x.serverCpuPerReqUs, p99: x.p99, rps: x.throughput, other: x.otherCpu, errors: x.errors });
      }
  const f = (x, d = 1) => x.toFixed(d);
  const cpu = (name, c) => cells[`${name} ${c}`].map((x) => x.cpu);
  const ratios = (a, b) => a.map((x, i) => x / b[i]);
  const spread = (r) => `${f(median(r), 3)} (${f(Math.min(...r), 2)}–${f(Math.max(...r), 2)})`;
  console.log(`Generated by \`node bench/signing-pairs.mjs ${process.argv.slice(2).join(' ')}\`: ${ROUNDS} rounds of ${SECONDS} s wrk cells, ${started} – ${new Date().toISOString()}.
Servers: ${specs.map((s) => `${s.name} (${s.node}, ${s.repo})`).join('; ')}.

| server | conns | CPU µs/req per round | median | median ratio to ${lakegates[0].name} (range) | median ratio to its bare server (range) | p99 ms per round | other CPU (cores) per round | errors |
|--|--:|--|--:|--:|--:|--|--|--:|`);
  for (const c of CONNS)
    for (const s of servers) {
      const own = cpu(s.name, c);
      const first = s.name.startsWith('bare@') ? cpu(bares[0].name, c) : cpu(lakegates[0].name, c);
      const bare = bares.find((b) => b.node === s.node);
      console.log(
        `| ${s.name} | ${c} | ${own.map((x) => f(x)).join(' ')} | ${f(median(own))} | ${spread(ratios(own, first))} | ${s.name.startsWith('bare@') ? '' : spread(ratios(own, cpu(bare.name, c)))} | ${cells[`${s.name} ${c}`].map((x) => f(x.p99, 2)).join(' ')} | ${cells[`${s.name} ${c}`].map((x) => f(x.other, 2)).join(' ')} | ${cells[`${s.name} ${c}`].reduce((a, x) => a + x.errors, 0)} |`,
      );
    }
  if (opt.json) writeFileSync(opt.json, JSON.stringify(cells));
} finally {
  for (const c of children) await stopChild(c).catch(() => undefined);
  minio?.stop();
}

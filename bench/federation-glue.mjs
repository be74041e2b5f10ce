// Benchmark: loadTable of a table federated to AWS Glue (issue 57) through Lakegate against a Glue client's own load.
// The remote is moto's server as Glue (peers/moto, run as the tests run it); the warehouse's storage is a local
// directory. Lakegate (one process, SQLite, authentication on, the admin) federates a warehouse to it. "Glue directly"
// is what an Iceberg GlueCatalog does to load: GetTable (AWS SDK v3, keep-alive) and reading the metadata file it
// names. Sequential requests, blocks alternating between the two; latency per load as the client sees it.
// Usage: node bench/federation-glue.mjs [--rounds 5] [--block 200] [--max-staleness-ms 0]
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { benchFlag } from './lib/args.mjs';
import { Conn, getRequest, median, quantile } from './lib/load.mjs';
import { REPO_ROOT, freePort, log, spawnServer, stopChild, tempDir, waitReady } from './lib/proc.mjs';
import { idSchema } from './lib/seed.mjs';
import { sendJson, startLakegate } from './lib/servers.mjs';

const ROUNDS = Number(benchFlag('--rounds', '5'));
const BLOCK = Number(benchFlag('--block', '200'));
const STALENESS = Number(benchFlag('--max-staleness-ms', '0'));
const KEY = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

async function through(server, p) {
  const conn = new Conn(server.port);
  await conn.open();
  try {
    const lat = [];
    for (let i = 0; i < BLOCK; i++) {
      const t = process.hrtime.bigint();
      const res = await conn.send(getRequest(server, p));
      lat.push(Number(process.hrtime.bigint() - t) / 1000);
      if (res.status !== 200) throw new Error(`lakegate: HTTP ${res.status}`);
    }
    return lat;
  } finally {
    conn.drop();
  }
}

async function direct(glue) {
  const lat = [];
  for (let i = 0; i < BLOCK; i++) {
    const t = process.hrtime.bigint();
    const { Table } = await glue.send(new GetTableCommand({ DatabaseName: 'bench', Name: 't' }));
    JSON.parse(await readFile(new URL(Table.Parameters.metadata_location), 'utf8'));
    lat.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return lat;
}

const python = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'peers', 'python-venv.sh'), 'moto', 'peers/moto/requirements.txt', 'import moto, flask'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
})
  .trim()
  .split('\n')
  .at(-1);
const motoPort = await freePort();
const moto = spawnServer('moto', python, [path.join(REPO_ROOT, 'peers', 'moto', 'moto_glue_server.py'), '-H', '127.0.0.1', '-p', String(motoPort)], {});
const endpoint = `http://127.0.0.1:${motoPort}`;
await waitReady(moto, `${endpoint}/moto-api/`);
const lakegate = await startLakegate({ principal: 'admin' });
const glue = new GlueClient({ region: 'us-east-1', endpoint, credentials: KEY });
try {
  const root = `file://${tempDir('lakegate-bench-glue-')}`;
  const federation = {
    kind: 'glue',
    region: 'us-east-1',
    uri: endpoint,
    'access-key-id': KEY.accessKeyId,
    ...(STALENESS > 0 ? { 'max-staleness-ms': STALENESS } : {}),
  };
  await sendJson(
    'POST',
    `${lakegate.url}/management/v1/warehouses`,
    { name: 'fed', 'storage-root': root, 'storage-profile': { type: 'file' }, federation, 'federation-secret': { 'secret-access-key': KEY.secretAccessKey } },
    { token: lakegate.token },
  );
  await sendJson('POST', `${lakegate.url}/v1/fed/namespaces`, { namespace: ['bench'] }, { token: lakegate.token });
  await sendJson('POST', `${lakegate.url}/v1/fed/namespaces/bench/tables`, { name: 't', schema: idSchema() }, { token: lakegate.token });
  const name = STALENESS > 0 ? `through Lakegate, max-staleness-ms ${STALENESS}` : 'through Lakegate';
  const all = { [name]: [], 'Glue directly (GetTable + metadata file)': [] };
  const run = { [name]: () => through(lakegate, '/v1/fed/namespaces/bench/tables/t'), 'Glue directly (GetTable + metadata file)': () => direct(glue) };
  for (const k of Object.keys(run)) await run[k](); // warm-up (JIT, keep-alive, the mirror)
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? Object.keys(run).reverse() : Object.keys(run);
    for (const k of order) all[k].push(...(await run[k]()));
    log(`round ${round + 1}/${ROUNDS}`);
  }
  const row = (k) => `| ${k} | ${all[k].length} | ${median(all[k]).toFixed(0)} | ${quantile(all[k], 99).toFixed(0)} |`;
  console.log('| loadTable | requests | median µs | p99 µs |\n|---|---|---|---|');
  for (const k of Object.keys(all).reverse()) console.log(row(k));
  console.log(`\nthrough / direct (median): ${(median(all[name]) / median(all['Glue directly (GetTable + metadata file)'])).toFixed(2)}×`);
} finally {
  glue.destroy();
  await stopChild(lakegate.child);
  await stopChild(moto);
}

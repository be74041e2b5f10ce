// Benchmark: loadTable of a table federated to a Hive Metastore (issue 57) through Lakegate against a Hive client's
// own load. The remote is Hive's standalone metastore 4.0.1 (scripts/peers/hive-metastore.sh, on a PostgreSQL cluster of
// its own from scripts/peers/postgres.sh), the
// warehouse's storage a local directory. Lakegate (one process, SQLite, authentication on, the admin) federates a
// warehouse to it. "HMS directly" is what an Iceberg HiveCatalog does to load: get_table_req over one kept Thrift
// connection (the same client Lakegate uses, federation/hive/hms-client.ts) and reading the metadata file it names.
// Sequential requests, blocks alternating between the two; latency per load as the client sees it.
// Needs the server built (npm run build). Usage: node bench/federation-hive.mjs [--rounds 5] [--block 200] [--max-staleness-ms 0]
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HmsClient } from '../packages/server/dist/federation/hive/hms-client.js';
import { METADATA_LOCATION, tableParameters } from '../packages/server/dist/federation/hive/hive-structs.js';
import { asStruct, str, struct } from '../packages/server/dist/federation/hive/thrift-values.js';
import { benchFlag } from './lib/args.mjs';
import { Conn, getRequest, median, quantile } from './lib/load.mjs';
import { REPO_ROOT, freePort, log, stopChild, tempDir } from './lib/proc.mjs';
import { idSchema } from './lib/seed.mjs';
import { sendJson, startLakegate } from './lib/servers.mjs';

const ROUNDS = Number(benchFlag('--rounds', '5'));
const BLOCK = Number(benchFlag('--block', '200'));
const STALENESS = Number(benchFlag('--max-staleness-ms', '0'));

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

async function direct(client) {
  const lat = [];
  for (let i = 0; i < BLOCK; i++) {
    const t = process.hrtime.bigint();
    const result = await client.call('get_table_req', [
      [
        1,
        struct([
          [1, str('bench')],
          [2, str('t')],
        ]),
      ],
    ]);
    const table = asStruct(asStruct(result).get(1));
    JSON.parse(await readFile(new URL(tableParameters(table)[METADATA_LOCATION]), 'utf8'));
    lat.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return lat;
}

const script = path.join(REPO_ROOT, 'scripts', 'peers', 'hive-metastore.sh');
const hmsDir = tempDir('lakegate-bench-hms-');
const pgScript = path.join(REPO_ROOT, 'scripts', 'peers', 'postgres.sh');
const pgDir = path.join(hmsDir, 'postgres');
const pgPort = String(await freePort());
const lastLine = (out) => out.trim().split('\n').at(-1);
execFileSync('bash', [pgScript, 'start', pgDir, pgPort], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
const database = lastLine(
  execFileSync('bash', [pgScript, 'createdb', pgDir, pgPort, 'hive_metastore'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
);
const hmsPort = await freePort();
const uri = execFileSync('bash', [script, 'start', path.join(hmsDir, 'server'), String(hmsPort), database], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
})
  .trim()
  .split('\n')
  .at(-1);
const lakegate = await startLakegate({ principal: 'admin' });
const client = new HmsClient('127.0.0.1', hmsPort, 10_000);
try {
  const root = `file://${tempDir('lakegate-bench-hive-')}`;
  const federation = { kind: 'hive', uri, ...(STALENESS > 0 ? { 'max-staleness-ms': STALENESS } : {}) };
  await sendJson(
    'POST',
    `${lakegate.url}/management/v1/warehouses`,
    { name: 'fed', 'storage-root': root, 'storage-profile': { type: 'file' }, federation },
    { token: lakegate.token },
  );
  await sendJson('POST', `${lakegate.url}/v1/fed/namespaces`, { namespace: ['bench'] }, { token: lakegate.token });
  await sendJson('POST', `${lakegate.url}/v1/fed/namespaces/bench/tables`, { name: 't', schema: idSchema() }, { token: lakegate.token });
  const name = STALENESS > 0 ? `through Lakegate, max-staleness-ms ${STALENESS}` : 'through Lakegate';
  const directName = 'HMS directly (get_table_req + metadata file)';
  const all = { [name]: [], [directName]: [] };
  const run = { [name]: () => through(lakegate, '/v1/fed/namespaces/bench/tables/t'), [directName]: () => direct(client) };
  for (const k of Object.keys(run)) await run[k](); // warm-up (JIT, connections, the mirror)
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? Object.keys(run).reverse() : Object.keys(run);
    for (const k of order) all[k].push(...(await run[k]()));
    log(`round ${round + 1}/${ROUNDS}`);
  }
  const row = (k) => `| ${k} | ${all[k].length} | ${median(all[k]).toFixed(0)} | ${quantile(all[k], 99).toFixed(0)} |`;
  console.log('| loadTable | requests | median µs | p99 µs |\n|---|---|---|---|');
  for (const k of Object.keys(all).reverse()) console.log(row(k));
  console.log(`\nthrough / direct (median): ${(median(all[name]) / median(all[directName])).toFixed(2)}×`);
} finally {
  client.close();
  await stopChild(lakegate.child);
  execFileSync('bash', [script, 'stop', path.join(hmsDir, 'server')], { stdio: 'inherit' });
  execFileSync('bash', [pgScript, 'stop', pgDir], { stdio: 'inherit' });
}

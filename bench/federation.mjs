// Benchmark: loadTable of a federated table (issue 57) through Lakegate against the remote catalog itself. The remote
// is Apache Iceberg's REST fixture (Java, JdbcCatalog on file-backed SQLite); Lakegate (one process, SQLite,
// authentication on, the admin) federates a warehouse to it. Sequential requests on one keep-alive connection,
// blocks alternating between the two (a noisy machine hits both alike); latency per request as the client sees it.
// Every load through Lakegate is a load at the remote (no cache towards the remote yet: docs/federation.md), so
// the through-Lakegate latency is the remote's plus Lakegate's own work (authorization, mirror, answer).
// With --max-staleness-ms N the warehouse serves a table loaded within N ms from its mirror (docs/federation.md).
// Usage: node bench/federation.mjs [--rounds 5] [--block 200] [--max-staleness-ms 0]
import { benchFlag } from './lib/args.mjs';
import { Conn, getRequest, median, quantile } from './lib/load.mjs';
import { log, stopChild } from './lib/proc.mjs';
import { idSchema } from './lib/seed.mjs';
import { sendJson, startFixture, startLakegate } from './lib/servers.mjs';

const ROUNDS = Number(benchFlag('--rounds', '5'));
const BLOCK = Number(benchFlag('--block', '200'));
const STALENESS = Number(benchFlag('--max-staleness-ms', '0'));

async function block(server, path) {
  const conn = new Conn(server.port);
  await conn.open();
  try {
    await conn.send(getRequest(server, '/v1/config'));
    const lat = [];
    for (let i = 0; i < BLOCK; i++) {
      const t = process.hrtime.bigint();
      const res = await conn.send(getRequest(server, path));
      lat.push(Number(process.hrtime.bigint() - t) / 1000);
      if (res.status !== 200) throw new Error(`${server.name}: HTTP ${res.status}`);
    }
    return lat;
  } finally {
    conn.drop();
  }
}

const fixture = await startFixture();
const lakegate = await startLakegate({ principal: 'admin' });
try {
  const root = `file://${fixture.dataDir}`;
  await sendJson(
    'POST',
    `${lakegate.url}/management/v1/warehouses`,
    {
      name: 'fed',
      'storage-root': root,
      'storage-profile': { type: 'file' },
      federation: { kind: 'iceberg-rest', uri: `http://127.0.0.1:${fixture.port}`, ...(STALENESS > 0 ? { 'max-staleness-ms': STALENESS } : {}) },
    },
    { token: lakegate.token },
  );
  await sendJson('POST', `${lakegate.url}/v1/fed/namespaces`, { namespace: ['bench'] }, { token: lakegate.token });
  await sendJson('POST', `${lakegate.url}/v1/fed/namespaces/bench/tables`, { name: 't', schema: idSchema() }, { token: lakegate.token });
  const through = { ...lakegate, name: STALENESS > 0 ? `through Lakegate, max-staleness-ms ${STALENESS}` : 'through Lakegate' };
  const direct = { ...fixture, name: 'fixture directly' };
  const paths = { [through.name]: '/v1/fed/namespaces/bench/tables/t', [direct.name]: `${fixture.base}/namespaces/bench/tables/t` };
  const all = { [through.name]: [], [direct.name]: [] };
  for (const s of [through, direct]) await block(s, paths[s.name]); // warm-up (JIT, JDBC pool, the token, the mirror)
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of round % 2 ? [direct, through] : [through, direct]) all[s.name].push(...(await block(s, paths[s.name])));
    log(`round ${round + 1}/${ROUNDS}`);
  }
  const row = (name) => `| ${name} | ${all[name].length} | ${median(all[name]).toFixed(0)} | ${quantile(all[name], 99).toFixed(0)} |`;
  console.log('| loadTable | requests | median µs | p99 µs |\n|---|---|---|---|');
  console.log(row(direct.name));
  console.log(row(through.name));
  console.log(`\nthrough / direct (median): ${(median(all[through.name]) / median(all[direct.name])).toFixed(2)}×`);
} finally {
  await stopChild(lakegate.child);
  await stopChild(fixture.child);
}

// Benchmark: server CPU per planTableScan of a small table (issue 55), against a loadTable of the same table and the
// bare Node limit sending the plan's exact answer (the speed gauge: what any Node server on this machine spends on a
// request and response of that size). One Lakegate process (--workers 1, SQLite, authentication on, a granted
// non-admin principal, a local file warehouse); tables of --manifests data manifests × --files data files.
//   warm: the same plan of an unchanged table again and again (one table);
//   cold: the first plan of a table's snapshot (each plan of the block on another table, planned once).
// CPU is the server's own accounting, summed over its threads from /proc/<pid>/task/*/schedstat (nanoseconds), per
// block of sequential requests on one keep-alive connection; blocks alternate between the servers (and, with --base,
// between this build and another checkout's, e.g. the unchanged main at the same commit), so a noisy machine hits
// every side alike. Reports median [min–max] µs per request over --rounds blocks.
// Usage: node bench/planning-small.mjs [--base DIR] [--rounds 9] [--block 1000] [--cold 60] [--warm-tables 150] [--manifests 5] [--files 4]
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchFlag } from './lib/args.mjs';
import { Conn, getRequest, median, postRequest } from './lib/load.mjs';
import { avroContainer, i64, manifestEntryType, manifestListType } from './lib/manifests.mjs';
import { REPO_ROOT, stopChild } from './lib/proc.mjs';
import { idSchema } from './lib/seed.mjs';
import { sendJson, startBare, startLakegate } from './lib/servers.mjs';

const BASE = benchFlag('--base', '');
const ROUNDS = Number(benchFlag('--rounds', '9'));
const BLOCK = Number(benchFlag('--block', '1000'));
const COLD = Number(benchFlag('--cold', '60'));
// Tables planned once each before measuring, so that the planning code itself (manifest decoding, pruning, the
// answer's JSON) is as optimized by the JIT in a build whose repeated plans never run it as in one whose do.
const WARM_TABLES = Number(benchFlag('--warm-tables', '150'));
const MANIFESTS = Number(benchFlag('--manifests', '5'));
const FILES = Number(benchFlag('--files', '4'));
const ENTRY = manifestEntryType();
const LIST = manifestListType();

/** CPU nanoseconds of every thread of the processes (schedstat: run time), summed. */
function cpuNs(pids) {
  let total = 0;
  for (const pid of pids) {
    let tids = [];
    try {
      tids = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        total += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended meanwhile.
      }
    }
  }
  return total;
}

async function writeAvro(uri, type, records) {
  const bytes = await avroContainer(type, records, { metadata: { 'format-version': Buffer.from('2') } });
  fs.writeFileSync(fileURLToPath(uri), bytes);
  return bytes.length;
}

/** A table of MANIFESTS × FILES data files in one snapshot. */
async function seedTable(server, name) {
  const T = `${server.url}${server.base}/namespaces/bench/tables`;
  const token = server.token;
  const created = await sendJson('POST', T, { name, schema: idSchema(false), properties: { 'format-version': '2' } }, { token });
  const location = created.metadata.location;
  const snapshotId = 1234567;
  const manifests = [];
  for (let m = 0; m < MANIFESTS; m++) {
    const entries = [];
    for (let f = 0; f < FILES; f++) {
      const lo = (m * FILES + f) * 10;
      entries.push({
        status: 1,
        snapshot_id: snapshotId,
        sequence_number: 1,
        file_sequence_number: 1,
        data_file: {
          content: 0,
          file_path: `${location}/data/m${m}-f${f}.parquet`,
          file_format: 'PARQUET',
          partition: {},
          record_count: 10,
          file_size_in_bytes: 4096,
          value_counts: [{ key: 1, value: 10 }],
          null_value_counts: [{ key: 1, value: 0 }],
          lower_bounds: [{ key: 1, value: i64(lo) }],
          upper_bounds: [{ key: 1, value: i64(lo + 9) }],
        },
      });
    }
    const p = `${location}/metadata/m${m}.avro`;
    manifests.push({
      manifest_path: p,
      manifest_length: await writeAvro(p, ENTRY, entries),
      partition_spec_id: 0,
      content: 0,
      sequence_number: 1,
      min_sequence_number: 1,
      added_snapshot_id: snapshotId,
    });
  }
  const list = `${location}/metadata/snap-1.avro`;
  await writeAvro(list, LIST, manifests);
  await sendJson(
    'POST',
    `${T}/${name}`,
    {
      requirements: [],
      updates: [
        {
          action: 'add-snapshot',
          snapshot: {
            'snapshot-id': snapshotId,
            'sequence-number': 1,
            'timestamp-ms': Date.now(),
            'manifest-list': list,
            summary: { operation: 'append' },
            'schema-id': 0,
          },
        },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshotId },
      ],
    },
    { token },
  );
}

/** µs of server CPU per request of a block of sequential requests (`requests[i]`, each answered 200). */
async function block(server, requests) {
  const conn = new Conn(server.port);
  await conn.open();
  try {
    await conn.send(getRequest(server, '/v1/config')); // the connection's first request is not measured
    const before = cpuNs(server.pids());
    for (const r of requests) {
      const res = await conn.send(r);
      if (res.status !== 200) throw new Error(`${server.name}: HTTP ${res.status}`);
    }
    return (cpuNs(server.pids()) - before) / requests.length / 1000;
  } finally {
    conn.drop();
  }
}

const sides = [{ label: 'this build', repo: REPO_ROOT }];
if (BASE) sides.push({ label: `base (${BASE})`, repo: BASE });
const stops = [];
try {
  for (const side of sides) {
    const server = await startLakegate({ repo: side.repo, name: side.label });
    stops.push(server.child);
    side.server = server;
    await sendJson('POST', `${server.url}${server.base}/namespaces`, { namespace: ['bench'] }, { token: server.token });
    await seedTable(server, 'small');
    for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < COLD; i++) await seedTable(server, `c${r}_${i}`);
    for (let i = 0; i < WARM_TABLES; i++) await seedTable(server, `w${i}`);
    const T = `${server.base}/namespaces/bench/tables`;
    side.plan = postRequest(server, `${T}/small/plan`, '{}');
    side.load = getRequest(server, `${T}/small`);
    side.warmTables = Array.from({ length: WARM_TABLES }, (_, i) => postRequest(server, `${T}/w${i}/plan`, '{}'));
    side.cold = (r) => Array.from({ length: COLD }, (_, i) => postRequest(server, `${T}/c${r}_${i}/plan`, '{}'));
    side.results = { warm: [], cold: [], load: [] };
  }
  // The gauge: the bare Node limit answering the plan's exact bytes (status, headers, body) as recorded from Lakegate.
  const first = sides[0].server;
  const answered = await fetch(`${first.url}${first.base}/namespaces/bench/tables/small/plan`, {
    method: 'POST',
    headers: { ...first.headers, 'content-type': 'application/json' },
    body: '{}',
  });
  const body = Buffer.from(await answered.arrayBuffer());
  const planPath = `${first.base}/namespaces/bench/tables/small/plan`;
  const bare = await startBare({ recorded: { [planPath]: { status: 200, headers: [...answered.headers], body: body.toString('base64') } }, base: first.base });
  stops.push(bare.child);
  const bareReq = postRequest(bare, planPath, '{}');
  const gauge = [];
  // Warm-up: every cached path and the JIT.
  for (const side of sides) {
    await block(side.server, side.warmTables);
    await block(side.server, Array(BLOCK).fill(side.plan));
    await block(side.server, Array(BLOCK).fill(side.load));
  }
  await block(bare, Array(BLOCK).fill(bareReq));
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      side.results.warm.push(await block(side.server, Array(BLOCK).fill(side.plan)));
      side.results.load.push(await block(side.server, Array(BLOCK).fill(side.load)));
      side.results.cold.push(await block(side.server, side.cold(r)));
    }
    gauge.push(await block(bare, Array(BLOCK).fill(bareReq)));
  }
  const fmt = (xs) => `${median(xs).toFixed(0)} [${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}]`;
  console.log(
    `Table: ${MANIFESTS} data manifests × ${FILES} data files; plan answer ${body.length} bytes; ${ROUNDS} rounds of ${BLOCK} warm requests and ${COLD} cold plans per side; ${os.cpus().length} CPUs (${os.cpus()[0].model}).`,
  );
  console.log('');
  console.log('| build | plan warm µs | plan cold µs | loadTable µs | warm / load | bare limit (gauge) µs |');
  console.log('|---|--:|--:|--:|--:|--:|');
  for (const side of sides) {
    const w = side.results;
    console.log(`| ${side.label} | ${fmt(w.warm)} | ${fmt(w.cold)} | ${fmt(w.load)} | ${(median(w.warm) / median(w.load)).toFixed(1)}× | ${fmt(gauge)} |`);
  }
} finally {
  for (const child of stops) await stopChild(child);
}

// Benchmark: planTableScan time for a principal a row-filter and column-mask policy restricts (issue 53) against an
// unrestricted one, on one table of --files Parquet data files of --rows rows each (one snapshot, manifests of 100
// files), on a local file warehouse. Restricted cold: the first plan, which writes every policy-enforced file; warm:
// the same plan again (derived files and their side files already there, and kept in memory by the server).
// Wall time per plan seen by a client (with its plan tasks fetched in turn, when it answers any), sequential requests,
// median of --repeat; then --repeat pairs in turns, and the median (and quartiles) of their ratios. Needs a build (npx tsc -b packages/cli).
// --distinct-scans gives every plan its own filter (id >= -n, which admits every row): no whole answer is reused, on
// either side, as with a table too large for the plan cache's entry bound (10⁴ files) or engines sending varied filters.
// Policy-enforced files are prepared in the background after the policy changes (catalog/planning/prepare-policy-files.ts):
// the bench waits for that (the lakegate_policy_files_preparing gauge at 0, polled) and reports how long it took as
// preparedMs; --no-prepare turns it off (LAKEGATE_PLANNING_PREPARE_POLICY_FILES=false), so the cold plan derives inline.
// --cpu-prof DIR writes the server's V8 profile there and prints each phase's span for bench/profile.mjs --skip/--last.
// Usage: node bench/policy-plans.mjs [--files 200] [--rows 1000] [--repeat 20] [--distinct-scans] [--no-prepare] [--cpu-prof DIR]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { benchFlag } from './lib/args.mjs';
import { median } from './lib/load.mjs';
import { avroContainer, i64, manifestEntryType, manifestListType } from './lib/manifests.mjs';
import { REPO_ROOT, stopChild } from './lib/proc.mjs';
import { clientToken, grantedPrincipal, sendJson, startLakegate } from './lib/servers.mjs';

const FILES = Number(benchFlag('--files', '200'));
const ROWS = Number(benchFlag('--rows', '1000'));
const REPEAT = Number(benchFlag('--repeat', '20'));
const CPU_PROF = benchFlag('--cpu-prof', '') || undefined;
const DISTINCT = process.argv.includes('--distinct-scans');
const PREPARE = !process.argv.includes('--no-prepare');
let scans = 0;
const { writeParquet } = await import(pathToFileURL(path.join(REPO_ROOT, 'packages', 'server', 'dist', 'policy-files', 'parquet-io.js')).href);

const idField = (name, type, id) => new Field(name, type, true, new Map([['PARQUET:field_id', String(id)]]));
async function* one(b) {
  yield b;
}
async function dataFile(file, from) {
  const fields = [idField('id', new Int64(), 1), idField('region', new Utf8(), 2), idField('email', new Utf8(), 3)];
  const ids = Array.from({ length: ROWS }, (_, i) => from + i);
  const cols = [ids.map(BigInt), ids.map((i) => (i % 3 === 1 ? 'us' : 'eu')), ids.map((i) => `user${i}@example.org`)];
  const s = new Schema(fields);
  const children = cols.map((v, i) => vectorFromArray(v, fields[i].type).data[0]);
  return writeParquet(file, one(new RecordBatch(s, makeData({ type: new Struct(s.fields), length: ROWS, nullCount: 0, children }))));
}
const writeAvro = async (uri, type, records) => {
  const bytes = await avroContainer(type, records, { metadata: { 'format-version': Buffer.from('2') } });
  fs.writeFileSync(fileURLToPath(uri), bytes);
  return bytes.length;
};

const server = await startLakegate({
  principal: 'admin',
  cpuProf: CPU_PROF,
  env: PREPARE ? {} : { LAKEGATE_PLANNING_PREPARE_POLICY_FILES: 'false' },
});
try {
  const admin = server.token;
  const T = `${server.url}${server.base}/namespaces/bench/tables`;
  await sendJson('POST', `${server.url}${server.base}/namespaces`, { namespace: ['bench'] }, { token: admin });
  const schema = {
    type: 'struct',
    'schema-id': 0,
    fields: [
      { id: 1, name: 'id', type: 'long', required: false },
      { id: 2, name: 'region', type: 'string', required: false },
      { id: 3, name: 'email', type: 'string', required: false },
    ],
  };
  const created = await sendJson('POST', T, { name: 'people', schema, properties: { 'format-version': '2' } }, { token: admin });
  const location = created.metadata.location;
  fs.mkdirSync(fileURLToPath(`${location}/data`), { recursive: true });
  fs.mkdirSync(fileURLToPath(`${location}/metadata`), { recursive: true });
  const manifests = [];
  for (let m = 0; m * 100 < FILES; m++) {
    const entries = [];
    for (let f = m * 100; f < Math.min(FILES, (m + 1) * 100); f++) {
      const uri = `${location}/data/f${f}.parquet`;
      const size = await dataFile(fileURLToPath(uri), f * ROWS);
      entries.push({
        status: 1,
        snapshot_id: 1,
        sequence_number: 1,
        file_sequence_number: 1,
        data_file: {
          content: 0,
          file_path: uri,
          file_format: 'PARQUET',
          partition: {},
          record_count: ROWS,
          file_size_in_bytes: size,
          value_counts: [{ key: 1, value: ROWS }],
          null_value_counts: [{ key: 1, value: 0 }],
          lower_bounds: [{ key: 1, value: i64(f * ROWS) }],
          upper_bounds: [{ key: 1, value: i64(f * ROWS + ROWS - 1) }],
        },
      });
    }
    const p = `${location}/metadata/m${m}.avro`;
    manifests.push({
      manifest_path: p,
      manifest_length: await writeAvro(p, manifestEntryType(), entries),
      partition_spec_id: 0,
      content: 0,
      sequence_number: 1,
      min_sequence_number: 1,
      added_snapshot_id: 1,
    });
  }
  const list = `${location}/metadata/snap-1.avro`;
  await writeAvro(list, manifestListType(), manifests);
  await sendJson(
    'POST',
    `${T}/people`,
    {
      requirements: [],
      updates: [
        {
          action: 'add-snapshot',
          snapshot: {
            'snapshot-id': 1,
            'sequence-number': 1,
            'timestamp-ms': Date.now(),
            'manifest-list': list,
            summary: { operation: 'append' },
            'schema-id': 0,
          },
        },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 1 },
      ],
    },
    { token: admin },
  );
  const reader = await clientToken(server.url, await grantedPrincipal(server.url, admin, 'default', 'reader'));
  const analyst = await clientToken(server.url, await grantedPrincipal(server.url, admin, 'default', 'analyst'));
  const policies = `${server.url}/management/v1/warehouses/default/namespaces/bench/tables/people/policies`;
  const changed = performance.now();
  await sendJson('POST', policies, { kind: 'row-filter', roles: ['analyst-role'], filter: { type: 'eq', term: 'region', value: 'eu' } }, { token: admin });
  await sendJson('POST', policies, { kind: 'column-mask', roles: ['analyst-role'], masks: [{ column: 'email', action: 'mask-alphanum' }] }, { token: admin });
  const plan = async (token) => {
    const started = performance.now();
    const answer = await sendJson('POST', `${T}/people/plan`, DISTINCT ? { filter: { type: 'gt-eq', term: 'id', value: -1 - scans++ } } : {}, { token });
    // A table of more data manifests than the server plans inline is answered with plan tasks: fetched here, in turn.
    let files = answer['file-scan-tasks']?.length ?? 0;
    let bytes = JSON.stringify(answer).length;
    for (const task of answer['plan-tasks'] ?? []) {
      const page = await sendJson('POST', `${T}/people/tasks`, { 'plan-task': task }, { token });
      files += page['file-scan-tasks']?.length ?? 0;
      bytes += JSON.stringify(page).length;
    }
    return { ms: performance.now() - started, files, planTasks: answer['plan-tasks']?.length ?? 0, bytes };
  };
  const times = async (token) => {
    const out = [];
    for (let i = 0; i < REPEAT; i++) out.push((await plan(token)).ms);
    return out;
  };
  // The preparation the policy changes scheduled (before their answers were sent), awaited; meanwhile the unrestricted
  // reader plans every 50 ms: what the background work costs other requests.
  const preparing = async () => Number(/^lakegate_policy_files_preparing (\d+)$/m.exec(await (await fetch(`${server.url}/metrics`)).text())?.[1] ?? 0);
  const during = [];
  while (PREPARE && (await preparing()) > 0) {
    during.push((await plan(reader)).ms);
    await new Promise((r) => setTimeout(r, 50));
  }
  const preparedMs = PREPARE ? Math.round(performance.now() - changed) : null;
  const first = await plan(reader);
  const phases = [performance.now()];
  const unrestricted = await times(reader);
  phases.push(performance.now());
  const cold = await plan(analyst);
  phases.push(performance.now());
  const warm = await times(analyst);
  phases.push(performance.now());
  // Then in turns (unrestricted, restricted, …): each pair saw nearly the same machine, so the median of the pairs'
  // ratios is steadier on a shared machine than the ratio of the two blocks' medians.
  const paired = [];
  for (let i = 0; i < REPEAT; i++) {
    const u = (await plan(reader)).ms;
    paired.push((await plan(analyst)).ms / u);
  }
  phases.push(performance.now());
  paired.sort((a, b) => a - b);
  const at = (q) => +paired[Math.min(paired.length - 1, Math.floor(q * paired.length))].toFixed(2);
  // Seconds of each phase, and from its end to the last plan's end (bench/profile.mjs --last and --skip).
  if (CPU_PROF)
    console.error(
      JSON.stringify({
        unrestricted: { last: (phases[1] - phases[0]) / 1000, skip: (phases[4] - phases[1]) / 1000 },
        warm: { last: (phases[3] - phases[2]) / 1000, skip: (phases[4] - phases[3]) / 1000 },
      }),
    );
  console.log(
    JSON.stringify({
      files: FILES,
      rowsPerFile: ROWS,
      distinctScans: DISTINCT,
      prepared: PREPARE,
      preparedMs,
      unrestrictedWhilePreparing:
        during.length === 0
          ? null
          : {
              plans: during.length,
              medianMs: +median(during).toFixed(1),
              p90Ms: +[...during].sort((a, b) => a - b)[Math.floor(0.9 * during.length)].toFixed(1),
              maxMs: Math.round(Math.max(...during)),
              firstMs: Math.round(during[0]),
            },
      plannedFiles: cold.files,
      planTasks: cold.planTasks,
      answerBytes: { unrestricted: first.bytes, restricted: cold.bytes },
      unrestrictedMs: +median(unrestricted).toFixed(1),
      restrictedColdMs: Math.round(cold.ms),
      restrictedWarmMs: +median(warm).toFixed(1),
      warmRatio: +(median(warm) / median(unrestricted)).toFixed(2),
      pairedRatio: { median: +median(paired).toFixed(2), p25: at(0.25), p75: at(0.75) },
    }),
  );
} finally {
  await stopChild(server.child);
}

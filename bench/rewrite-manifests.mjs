/**
 * Benchmark: the manifest rewrite (issue 59, `rewrite-manifests`), CPU and memory of the catalog merging many small
 * manifests. One Lakegate in-process (the built dist/, SQLite, authentication off, a file warehouse in a temporary
 * directory), answering through app.inject. Each round creates a v2 table partitioned by identity(region) whose one
 * snapshot names --manifests manifests of --entries data files each (--regions partition values, entries with id
 * bounds; written here with the catalog's own manifest writer, as a streaming writer's one-manifest-per-append leaves
 * them), then runs the
 * maintenance job with `actions: ['rewrite-manifests']` and reports its wall time, the process's CPU seconds during
 * the request (process.cpuUsage: the job runs on this thread) and the peak RSS (VmHWM, for the whole process).
 * It fails (exit 1) unless the job committed and the new snapshot names every entry once.
 * --spark: then an identical table is rewritten by Spark's rewrite_manifests procedure (Spark 4.1 + Iceberg 1.11,
 * scripts/peers/spark.sh, local[2], HadoopFileIO on the file: paths) through Lakegate's REST catalog
 * (bench/rewrite-manifests-spark.py): its wall time, the driver JVM's CPU seconds and peak RSS, session start apart.
 * Needs the server built (`npm run build`).
 * Usage: node bench/rewrite-manifests.mjs [--manifests 1000] [--entries 10] [--regions 20] [--rounds 3] [--spark]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { benchArgs } from './lib/args.mjs';
import { i64 } from './lib/manifests.mjs';
import { fail, log, REPO_ROOT, tempDir } from './lib/proc.mjs';
import { buildLakegate, createLogger, loadConfig } from '../packages/server/dist/index.js';
import { encodeManifest, encodeManifestList } from '../packages/server/dist/catalog/manifests/manifest-writer.js';

const { values: opts } = benchArgs(import.meta.url, {
  options: {
    manifests: { type: 'string', default: '1000' },
    entries: { type: 'string', default: '10' },
    regions: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    spark: { type: 'boolean', default: false },
  },
});
const MANIFESTS = Number(opts.manifests);
const ENTRIES = Number(opts.entries);
const REGIONS = Number(opts.regions);
const ROUNDS = Number(opts.rounds);

const vmHwmMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
const dir = tempDir('lakegate-bench-rewrite-manifests-');
const config = loadConfig({ env: { LAKEGATE_DATA_DIR: dir, LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_AUTH: 'disabled' } });
const lakegate = await buildLakegate({ config, logger: createLogger('warn', new Writable({ write: (_c, _e, done) => done() })) });
const app = lakegate.app;
const call = async (method, url, payload) => {
  const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }) });
  if (res.statusCode >= 300) fail(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
};

await call('POST', '/management/v1/warehouses', { name: 'bench', 'storage-root': `file://${dir}/wh`, 'storage-profile': { type: 'file' } });
await call('POST', '/v1/bench/namespaces', { namespace: ['db'] });

async function table(name) {
  const created = await call('POST', '/v1/bench/namespaces/db/tables', {
    name,
    schema: {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', required: false, type: 'long' },
        { id: 2, name: 'region', required: false, type: 'string' },
      ],
    },
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] },
    properties: { 'format-version': '2' },
  });
  const location = created.metadata.location;
  const meta = new URL(`${location}/metadata/`).pathname;
  fs.mkdirSync(meta, { recursive: true });
  const snapshotId = 1000n;
  const spec = created.metadata['partition-specs'][0];
  const schema = created.metadata.schemas[0];
  const list = [];
  let bytes = 0;
  for (let m = 0; m < MANIFESTS; m++) {
    const entries = Array.from({ length: ENTRIES }, (_, e) => {
      const id = m * ENTRIES + e;
      return {
        status: 1,
        snapshotId,
        sequenceNumber: 1,
        fileSequenceNumber: 1,
        file: {
          content: 0,
          filePath: `${location}/data/r${id % REGIONS}/${id}.parquet`,
          fileFormat: 'parquet',
          partition: [`region-${String(id % REGIONS).padStart(3, '0')}`],
          recordCount: 100,
          fileSizeInBytes: 4096,
          columnSizes: null,
          valueCounts: new Map([[1, 100]]),
          nullValueCounts: new Map([[1, 0]]),
          nanValueCounts: null,
          lowerBounds: new Map([[1, i64(id * 100)]]),
          upperBounds: new Map([[1, i64(id * 100 + 99)]]),
          keyMetadata: null,
          splitOffsets: null,
          equalityIds: null,
          sortOrderId: null,
          firstRowId: null,
          referencedDataFile: null,
          contentOffset: null,
          contentSizeInBytes: null,
        },
      };
    });
    // Written with the catalog's own manifest writer (field ids, file metadata and list counts as Iceberg Java reads them).
    const written = await encodeManifest({ spec, schema, content: 0, entries });
    const path = `${location}/metadata/m-${m}.avro`;
    fs.writeFileSync(new URL(path).pathname, written.bytes);
    bytes += written.bytes.length;
    list.push({
      path,
      length: written.bytes.length,
      partitionSpecId: 0,
      content: 0,
      sequenceNumber: 1,
      minSequenceNumber: 1,
      addedSnapshotId: snapshotId,
      partitions: written.partitions,
      counts: written.counts,
    });
  }
  const listPath = `${location}/metadata/snap-1000.avro`;
  fs.writeFileSync(new URL(listPath).pathname, await encodeManifestList(list, { snapshotId, parentSnapshotId: null, sequenceNumber: 1 }));
  await app.inject({
    method: 'POST',
    url: `/v1/bench/namespaces/db/tables/${name}`,
    headers: { 'content-type': 'application/json' },
    payload: `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}],"updates":[{"action":"add-snapshot","snapshot":{"snapshot-id":1000,"sequence-number":1,"timestamp-ms":${Date.now()},"manifest-list":"${listPath}","summary":{"operation":"append"},"schema-id":0}},{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":1000}]}`,
  });
  return bytes;
}

const rows = [];
for (let r = 1; r <= ROUNDS; r++) {
  const bytes = await table(`t${r}`);
  global.gc?.();
  const hwmBefore = vmHwmMiB();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await call('POST', `/management/v1/warehouses/bench/namespaces/db/tables/t${r}/maintenance`, { actions: ['rewrite-manifests'] });
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const m = result.manifests;
  if (m.outcome !== 'committed' || m['entries-processed'] !== MANIFESTS * ENTRIES || m['rewritten-manifests'] !== MANIFESTS)
    fail(`round ${r}: ${JSON.stringify(m)}`);
  rows.push({ r, bytes, wall, cpu: (used.user + used.system) / 1e6, hwmBefore, hwm: vmHwmMiB(), added: m['added-manifests'] });
  log(`round ${r}: ${wall.toFixed(2)} s`);
}
let spark;
if (opts.spark) {
  await table('spark');
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const env = { ...process.env, CATALOG_URI: url, CATALOG_WAREHOUSE: 'bench', TABLE: 'db.spark' };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  log('running Spark (JVM start and session first)');
  const run = await new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(REPO_ROOT, 'scripts', 'peers', 'spark.sh'), 'run', path.join(REPO_ROOT, 'bench', 'rewrite-manifests-spark.py')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  const lines = run.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  const summary = lines.find((l) => l.summary);
  if (!summary?.ok) fail(`Spark failed (exit ${run.code}): ${summary?.error ?? run.stderr.slice(-4000)}`);
  spark = { session: lines.find((l) => l.step === 'session'), call: lines.find((l) => l.step === 'rewrite-manifests'), summary };
}
await lakegate.close();
fs.rmSync(dir, { recursive: true, force: true });

console.log(
  `${MANIFESTS} manifests × ${ENTRIES} entries (${REGIONS} partitions), ${(rows[0].bytes / 1024 / 1024).toFixed(1)} MiB of manifests, target 8 MiB\n`,
);
console.log('| round | manifests written | wall s | CPU s | peak RSS MiB before → after |');
console.log('|---|---|---|---|---|');
for (const x of rows) console.log(`| ${x.r} | ${x.added} | ${x.wall.toFixed(2)} | ${x.cpu.toFixed(2)} | ${x.hwmBefore.toFixed(0)} → ${x.hwm.toFixed(0)} |`);
if (spark) {
  const { session, call, summary } = spark;
  console.log(
    `\nSpark rewrite_manifests: ${call.seconds} s wall, ${call.cpu_seconds} CPU s (driver JVM, executors included), peak RSS ${(call.hwm_kib / 1024).toFixed(0)} MiB; ` +
      `session start ${session.seconds} s, ${session.cpu_seconds} CPU s; result ${JSON.stringify(call.result)}; manifests after ${JSON.stringify(summary.manifests)}`,
  );
}

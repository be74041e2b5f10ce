/**
 * Benchmark: managed compaction (issue 59, `rewrite-data-files`) in-process against the Spark executor (Iceberg's
 * rewrite_data_files procedure in a spark-submit, committing through Lakegate), on the same corpus: a v2 table
 * partitioned by identity(region) whose one append names --files small Parquet files (--rows rows each, --regions
 * partition values; written here with the server's own Parquet writer, field ids set, their real sizes in the
 * manifests). Two Lakegates in this process (the built dist/, SQLite, authentication off, a file warehouse each in a
 * temporary directory): one with the default in-process executor, one with `compactionExecutor: spark`
 * (scripts/peers/spark.sh's venv and Iceberg 1.11 runtime jars, local[2], HadoopFileIO on the file: paths).
 * Reported for each: the job's wall time as the caller sees it; CPU seconds (in-process: this process, rewrite threads
 * included; Spark: spark-submit's process tree as GNU time counts it, plus this process's share, the catalog's plan
 * and the REST calls Spark made); peak RSS (in-process: this process's VmHWM, reset before the job; Spark: the
 * largest process of spark-submit's tree, the driver JVM, as GNU time reports it); data files before and after.
 * Also reported: the event loop's delay while the job runs (perf_hooks.monitorEventLoopDelay, 10 ms resolution: p99
 * and max), how long the job kept this process's request thread from answering anything else; and, as the machine's
 * load stretches those delays, the request thread's own CPU time between two turns of a 5 ms timer (p99 and max;
 * process.threadCpuUsage), the part of a delay the job's work on that thread made.
 * It fails (exit 2) unless both jobs committed and each table has one data file per partition after.
 * Needs the server built (`npm run build`) and /usr/bin/time.
 * --rewrite-threads N: the in-process executor's Parquet rewrite threads (`rewriteThreads`, default 1).
 * Usage: node bench/compaction-spark.mjs [--files 2000] [--rows 10] [--regions 10] [--executors in-process,spark]
 *   [--rewrite-threads 1]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { benchArgs } from './lib/args.mjs';
import { i64 } from './lib/manifests.mjs';
import { fail, log, REPO_ROOT, tempDir } from './lib/proc.mjs';
import { buildLakegate, createLogger, loadConfig } from '../packages/server/dist/index.js';
import { encodeManifest, encodeManifestList } from '../packages/server/dist/catalog/manifests/manifest-writer.js';
import { writeParquet } from '../packages/server/dist/policy-files/parquet-io.js';

const { values: opts } = benchArgs(import.meta.url, {
  options: {
    files: { type: 'string', default: '2000' },
    rows: { type: 'string', default: '10' },
    regions: { type: 'string', default: '10' },
    executors: { type: 'string', default: 'in-process,spark' },
    'rewrite-threads': { type: 'string', default: '1' },
  },
});
const FILES = Number(opts.files);
const ROWS = Number(opts.rows);
const REGIONS = Number(opts.regions);
const EXECUTORS = opts.executors.split(',');

const vmHwmMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
/** Resets this process's VmHWM to its current RSS (Linux clear_refs 5). */
const resetHwm = () => fs.writeFileSync('/proc/self/clear_refs', '5');
/** The request thread's CPU milliseconds between two turns of a 5 ms timer, while it runs; stop() answers p99 and max. */
function loopCpuProbe() {
  const gaps = [];
  let last = process.threadCpuUsage();
  const timer = setInterval(() => {
    const now = process.threadCpuUsage();
    gaps.push((now.user + now.system - last.user - last.system) / 1000);
    last = now;
  }, 5);
  return () => {
    clearInterval(timer);
    gaps.sort((a, b) => a - b);
    return { p99: gaps[Math.floor(gaps.length * 0.99)] ?? 0, max: gaps.at(-1) ?? 0 };
  };
}
const quiet = createLogger('warn', new Writable({ write: (_c, _e, done) => done() }));

const [python, jarDir] = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'peers', 'spark.sh')], { encoding: 'utf8' })
  .trim()
  .split('\n');
const timesFile = path.join(tempDir('lakegate-bench-compaction-times-'), 'times');
const wrapper = path.join(path.dirname(timesFile), 'spark-submit');
// GNU time around spark-submit: user and system CPU seconds of its whole tree, and the largest process's peak RSS.
fs.writeFileSync(wrapper, `#!/bin/sh\nexec /usr/bin/time -o '${timesFile}' -f '%U %S %M' '${path.dirname(python)}/spark-submit' "$@"\n`, { mode: 0o755 });
const sparkEnv = {
  LAKEGATE_COMPACTION_EXECUTOR: 'spark',
  LAKEGATE_SPARK_SUBMIT: wrapper,
  LAKEGATE_SPARK_EXECUTOR_JARS: `${jarDir}/iceberg-spark-runtime-4.1_2.13-1.11.0.jar,${jarDir}/iceberg-aws-bundle-1.11.0.jar`,
  LAKEGATE_SPARK_SUBMIT_ARGS:
    '--driver-memory 2g --conf spark.ui.enabled=false --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 --conf spark.sql.shuffle.partitions=2',
};
process.env.PYSPARK_PYTHON = python;
process.env.JAVA_HOME = process.env.LAKEGATE_SPARK_JAVA_HOME ?? '/usr/lib/jvm/java-17-openjdk-amd64';
for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];

async function lake(env) {
  const dir = tempDir('lakegate-bench-compaction-');
  const config = loadConfig({ env: { LAKEGATE_DATA_DIR: dir, LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_AUTH: 'disabled', ...env } });
  const lakegate = await buildLakegate({ config, logger: quiet });
  const call = async (method, url, payload) => {
    const res = await lakegate.app.inject({ method, url, ...(payload === undefined ? {} : { payload, headers: { 'content-type': 'application/json' } }) });
    if (res.statusCode >= 300) fail(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await call('POST', '/management/v1/warehouses', { name: 'bench', 'storage-root': `file://${dir}/wh`, 'storage-profile': { type: 'file' } });
  await call('POST', '/v1/bench/namespaces', { namespace: ['db'] });
  return { lakegate, call, dir };
}

async function* one(batch) {
  yield batch;
}
const arrowSchema = new Schema([
  new Field('id', new Int64(), false, new Map([['PARQUET:field_id', '1']])),
  new Field('region', new Utf8(), true, new Map([['PARQUET:field_id', '2']])),
]);

/** The corpus: FILES small Parquet files in one append. */
async function corpus(call, name) {
  const created = await call('POST', '/v1/bench/namespaces/db/tables', {
    name,
    schema: {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', required: true, type: 'long' },
        { id: 2, name: 'region', required: false, type: 'string' },
      ],
    },
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] },
    properties: { 'format-version': '2' },
  });
  const location = created.metadata.location;
  fs.mkdirSync(new URL(`${location}/metadata/`).pathname, { recursive: true });
  fs.mkdirSync(new URL(`${location}/data/`).pathname, { recursive: true });
  const entries = [];
  for (let f = 0; f < FILES; f++) {
    const region = `region-${String(f % REGIONS).padStart(3, '0')}`;
    const ids = Array.from({ length: ROWS }, (_, r) => BigInt(f * ROWS + r));
    const children = [
      vectorFromArray(ids, new Int64()).data[0],
      vectorFromArray(
        ids.map(() => region),
        new Utf8(),
      ).data[0],
    ];
    const batch = new RecordBatch(arrowSchema, makeData({ type: new Struct(arrowSchema.fields), length: ROWS, nullCount: 0, children }));
    const filePath = `${location}/data/${f}.parquet`;
    await writeParquet(new URL(filePath).pathname, one(batch));
    entries.push({
      status: 1,
      snapshotId: 1000n,
      sequenceNumber: 1,
      fileSequenceNumber: 1,
      file: {
        content: 0,
        filePath,
        fileFormat: 'parquet',
        partition: [region],
        recordCount: ROWS,
        fileSizeInBytes: fs.statSync(new URL(filePath).pathname).size,
        columnSizes: null,
        valueCounts: new Map([[1, ROWS]]),
        nullValueCounts: new Map([[1, 0]]),
        nanValueCounts: null,
        lowerBounds: new Map([[1, i64(f * ROWS)]]),
        upperBounds: new Map([[1, i64(f * ROWS + ROWS - 1)]]),
        keyMetadata: null,
        splitOffsets: null,
        equalityIds: null,
        sortOrderId: null,
        firstRowId: null,
        referencedDataFile: null,
        contentOffset: null,
        contentSizeInBytes: null,
      },
    });
  }
  const spec = created.metadata['partition-specs'][0];
  const schema = created.metadata.schemas[0];
  const written = await encodeManifest({ spec, schema, content: 0, entries });
  const manifest = `${location}/metadata/m-0.avro`;
  fs.writeFileSync(new URL(manifest).pathname, written.bytes);
  const listPath = `${location}/metadata/snap-1000.avro`;
  const list = [
    {
      path: manifest,
      length: written.bytes.length,
      partitionSpecId: 0,
      content: 0,
      sequenceNumber: 1,
      minSequenceNumber: 1,
      addedSnapshotId: 1000n,
      partitions: written.partitions,
      counts: written.counts,
    },
  ];
  fs.writeFileSync(new URL(listPath).pathname, await encodeManifestList(list, { snapshotId: 1000n, parentSnapshotId: null, sequenceNumber: 1 }));
  await call(
    'POST',
    `/v1/bench/namespaces/db/tables/${name}`,
    JSON.parse(
      `{"requirements":[{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}],"updates":[{"action":"add-snapshot","snapshot":{"snapshot-id":1000,"sequence-number":1,"timestamp-ms":${Date.now()},"manifest-list":"${listPath}","summary":{"operation":"append","added-data-files":"${FILES}","added-records":"${FILES * ROWS}","total-data-files":"${FILES}","total-records":"${FILES * ROWS}"},"schema-id":0}},{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":1000}]}`,
    ),
  );
  return entries.reduce((n, e) => n + e.file.fileSizeInBytes, 0);
}

async function dataFilesAfter(call, name) {
  const m = (await call('GET', `/v1/bench/namespaces/db/tables/${name}`)).metadata;
  const s = m.snapshots.find((x) => String(x['snapshot-id']) === String(m['current-snapshot-id']));
  return { files: Number(s.summary['total-data-files']), records: Number(s.summary['total-records']), operation: s.summary.operation };
}

const results = [];
for (const [executor, env] of [
  ['in-process', { LAKEGATE_REWRITE_THREADS: opts['rewrite-threads'] }],
  ['spark', sparkEnv],
].filter(([e]) => EXECUTORS.includes(e))) {
  const { lakegate, call, dir } = await lake(env);
  log(`${executor}: writing ${FILES} files`);
  const bytes = await corpus(call, 't');
  global.gc?.();
  resetHwm();
  const cpu = process.cpuUsage();
  const started = performance.now();
  log(`${executor}: compacting`);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpuProbe = loopCpuProbe();
  const res = await call('POST', '/management/v1/warehouses/bench/namespaces/db/tables/t/maintenance', { actions: ['rewrite-data-files'] });
  delay.disable();
  const loopCpu = cpuProbe();
  const wall = (performance.now() - started) / 1000;
  const loop = { p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 };
  const used = process.cpuUsage(cpu);
  const catalogCpu = (used.user + used.system) / 1e6;
  const after = await dataFilesAfter(call, 't');
  const c = res.compaction;
  if (c.outcome !== 'committed' || after.files !== REGIONS || after.records !== FILES * ROWS || after.operation !== 'replace')
    fail(`${executor}: ${JSON.stringify(c)} ${JSON.stringify(after)}`);
  let row;
  if (executor === 'spark') {
    const [u, s, maxKib] = fs.readFileSync(timesFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
    row = { executor, wall, cpu: u + s + catalogCpu, catalogCpu, rss: maxKib / 1024, catalogRss: vmHwmMiB(), after: after.files };
  } else row = { executor, wall, cpu: catalogCpu, catalogCpu, rss: vmHwmMiB(), catalogRss: vmHwmMiB(), after: after.files };
  results.push({ ...row, bytes, rewritten: c['rewritten-data-files'], loop, loopCpu });
  // Logged at once too: a later executor's failure (exit 2) must not lose this one's measurement.
  log(`${executor}: ${JSON.stringify(results.at(-1))}`);
  await lakegate.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

console.log(
  `${FILES} files × ${ROWS} rows (${REGIONS} partitions), ${(results[0].bytes / 1024 / 1024).toFixed(1)} MiB of Parquet; in-process with ${opts['rewrite-threads']} rewrite thread(s); load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);
console.log(
  '| executor | files before → after | wall s | CPU s (catalog process) | peak RSS MiB (catalog process) | event loop delay p99 / max ms | thread CPU between turns p99 / max ms |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.executor} | ${r.rewritten} → ${r.after} | ${r.wall.toFixed(1)} | ${r.cpu.toFixed(1)} (${r.catalogCpu.toFixed(1)}) | ${r.rss.toFixed(0)} (${r.catalogRss.toFixed(0)}) | ${r.loop.p99.toFixed(0)} / ${r.loop.max.toFixed(0)} | ${r.loopCpu.p99.toFixed(0)} / ${r.loopCpu.max.toFixed(0)} |`,
  );

/**
 * Benchmark: table maintenance (issue 39), Lakegate's against Spark's procedures, on the same table on this machine.
 * One Lakegate process (--workers 1, SQLite, authentication off) with its default warehouse on a local directory.
 * bench/lib/maintenance-table.mjs writes an Iceberg v2 table of --snapshots snapshots (an overwrite churn: each
 * adds --files-per zero-byte data files and deletes the previous snapshot's, so snapshots × files-per data files in
 * all) and --orphans old files no metadata names, straight to Avro and JSON, and registers it. A hard-linked copy of
 * the directory is kept aside, so each engine gets the identical table (same paths, same mtimes):
 *   Lakegate  POST /management/v1/…/maintenance: orphan dry run, expiry (min-snapshots-to-keep = --retain, every
 *             older snapshot), orphan dry run, orphan removal
 *   Spark     remove_orphan_files(dry_run => true), expire_snapshots(older_than, retain_last => --retain),
 *             remove_orphan_files(dry_run => true), remove_orphan_files, through Lakegate's REST catalog
 *             (Spark 4.1 + Iceberg 1.11, scripts/peers/spark.sh, local[2], HadoopFileIO on the file: paths)
 * then the table is unregistered, its directory put back from the copy, registered again, and Spark runs.
 * Reports per step the wall time, the CPU seconds and the peak RSS (VmHWM) of the Lakegate server process or of
 * the Spark driver JVM (local mode: its executors too); Spark's session start is reported apart. It fails (exit 1)
 * unless both engines kept the same snapshots, left the same files (metadata.json files aside: each commit writes its own
 * name) and found the same orphans.
 * --s3: the table on MinIO instead (bench/lib/maintenance-s3.mjs: a warehouse on a MinIO bucket; Lakegate's S3 adapter,
 * Spark's S3FileIO with prefix listing for orphans; the table uploaded again for Spark; orphan cut-off "now", as S3
 * cannot back-date objects).
 * Usage: node bench/maintenance.mjs [--snapshots 10000] [--files-per 10] [--orphans 1000] [--retain 3]
 *        [--s3 [--minio-port 41410]] [--no-spark] [--driver-memory 2g] [--out FILE.md]
 *        [--cpu-prof DIR (the server's, for bench/profile.mjs)] [--heap-prof DIR] [--trace-gc FILE]
 *        [--server-node-args='--max-semi-space-size=8 ...' (V8 flags of the server, for memory A/B runs)] [--keep].
 *        Prints a Markdown table.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchArgs } from './lib/args.mjs';
import { emptyPrefix, listObjects, minioWarehouse, sparkS3Env, startMinio, uploadDir } from './lib/maintenance-s3.mjs';
import { writeChurnTable } from './lib/maintenance-table.mjs';
import { cpuSecondsOf, keepTempDirs, log, procRssMiB, processTree, REPO_ROOT, stopChild, tempDir } from './lib/proc.mjs';
import { sendJson, startLakegate } from './lib/servers.mjs';

const { values: opts } = benchArgs(import.meta.url, {
  options: {
    snapshots: { type: 'string', default: '10000' },
    'files-per': { type: 'string', default: '10' },
    orphans: { type: 'string', default: '1000' },
    retain: { type: 'string', default: '3' },
    'no-spark': { type: 'boolean', default: false },
    'driver-memory': { type: 'string', default: '2g' },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'heap-prof': { type: 'string' },
    'trace-gc': { type: 'string' },
    'server-node-args': { type: 'string', default: '' },
    s3: { type: 'boolean', default: false },
    'minio-port': { type: 'string', default: '41410' },
  },
});
keepTempDirs(opts.keep);
const SNAPSHOTS = Number(opts.snapshots);
const FILES_PER = Number(opts['files-per']);
const ORPHANS = Number(opts.orphans);
const RETAIN = Number(opts.retain);
const DAY = 86_400_000;
const ORPHAN_AGE = 10 * DAY;
const FIRST_TS = Date.now() - 30 * DAY;
/** Every snapshot is older than this (they span SNAPSHOTS seconds from FIRST_TS). */
const EXPIRE_BEFORE = FIRST_TS + SNAPSHOTS * 1000 + DAY;

const mib = (kib) => kib / 1024;
/** Every file under dir, as file: URIs, sorted. */
function listFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `file://${path.join(e.parentPath, e.name)}`)
    .sort();
}
const S3 = opts.s3;
/** Spark's paths (file:/x) and Lakegate's (file:///x) compared as plain paths. */
const plain = (uri) => uri.replace(/^file:(\/\/)?/, '');
const withoutMetadataJson = (files) => files.filter((f) => !f.endsWith('.metadata.json'));

const machineLoad = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const server = await startLakegate({
  auth: 'disabled',
  dataDir: tempDir('lakegate-bench-maintenance-'),
  cpuProf: opts['cpu-prof'],
  heapProf: opts['heap-prof'],
  nodeArgs: [...opts['server-node-args'].split(' ').filter(Boolean), ...(opts['trace-gc'] ? ['--trace-gc'] : [])],
});
// --trace-gc FILE: the server's V8 collections (heap before and after each) to FILE, to see live heap against garbage.
if (opts['trace-gc']) server.child.stdout.pipe(fs.createWriteStream(opts['trace-gc']));
const minio = S3 ? await startMinio(Number(opts['minio-port']), 'bench') : undefined;
const pids = () => processTree(server.child.pid);
const hwm = () => Math.max(...pids().map((p) => procRssMiB(p, 'VmHWM')));
const rss = () => Math.max(...pids().map((p) => procRssMiB(p, 'VmRSS')));
const rows = [];
const facts = {};
let failed = false;
try {
  const WH = S3 ? 'bench-s3' : 'default';
  if (S3) await sendJson('POST', `${server.url}/management/v1/warehouses`, minioWarehouse(minio, WH));
  const wh = (await sendJson('GET', `${server.url}/management/v1/warehouses`)).warehouses.find((w) => w.name === WH);
  await sendJson('POST', `${server.url}/v1/${WH}/namespaces`, { namespace: ['bench'] });
  // Local: the table's own directory. S3: a staging directory, uploaded to the table's s3:// location.
  const dir = S3 ? path.join(server.dataDir, 'staging') : path.join(fileURLToPath(wh['storage-root'].replace(/^file:\/*/, 'file:///')), 'bench', 'maint');
  const location = S3 ? `${wh['storage-root']}/bench/maint` : undefined;
  const pristine = path.join(server.dataDir, 'pristine');
  log(`writing ${SNAPSHOTS} snapshots × ${FILES_PER} files + ${ORPHANS} orphans under ${dir}`);
  let t0 = performance.now();
  const table = await writeChurnTable({
    dir,
    snapshots: SNAPSHOTS,
    filesPer: FILES_PER,
    orphans: ORPHANS,
    orphanAgeMs: ORPHAN_AGE,
    firstTimestampMs: FIRST_TS,
    ...(location ? { location } : {}),
  });
  facts.writeSeconds = (performance.now() - t0) / 1000;
  facts.metadataBytes = fs.statSync(path.join(dir, table.metadataLocation.slice(table.location.length))).size;
  if (S3) {
    t0 = performance.now();
    await uploadDir(minio, dir, location);
    facts.uploadSeconds = (performance.now() - t0) / 1000;
  } else {
    execFileSync('cp', ['-al', dir, pristine]);
  }
  const tableFiles = () => (S3 ? listObjects(minio, location) : listFiles(dir));
  facts.files = (await tableFiles()).length;
  const register = () => sendJson('POST', `${server.url}/v1/${WH}/namespaces/bench/register`, { name: 'maint', 'metadata-location': table.metadataLocation });
  t0 = performance.now();
  await register();
  facts.registerSeconds = (performance.now() - t0) / 1000;

  // Lakegate
  const M = `${server.url}/management/v1/warehouses/${WH}/namespaces/bench/tables/maint/maintenance`;
  // S3 cannot back-date an object: every orphan is as new as the upload, so the cut-off is "now".
  const orphanAge = S3 ? 0 : DAY;
  const lakegate = {};
  const baseRss = rss();
  for (const [step, body] of [
    ['orphans-dry-run-before', { actions: ['remove-orphan-files'], 'dry-run': true, 'orphan-older-than-ms': orphanAge }],
    ['expire', { actions: ['expire-snapshots'], 'min-snapshots-to-keep': RETAIN, 'max-snapshot-age-ms': Date.now() - EXPIRE_BEFORE }],
    ['orphans-dry-run-after', { actions: ['remove-orphan-files'], 'dry-run': true, 'orphan-older-than-ms': orphanAge }],
    ['orphans', { actions: ['remove-orphan-files'], 'orphan-older-than-ms': orphanAge }],
  ]) {
    const cpu = cpuSecondsOf(pids());
    const started = performance.now();
    const result = await sendJson('POST', M, body);
    const seconds = (performance.now() - started) / 1000;
    lakegate[step] = result;
    if (result['failed-files']?.length)
      throw new Error(`Lakegate ${step}: ${result['failed-files'].length} files not deleted, first: ${JSON.stringify(result['failed-files'][0])}`);
    rows.push({
      engine: 'Lakegate',
      step,
      seconds,
      cpu: cpuSecondsOf(pids()) - cpu,
      hwm: hwm(),
      files: step === 'expire' ? result['deleted-files'] : result.files.length,
    });
    log(`lakegate ${step}: ${seconds.toFixed(2)} s, ${result.files.length} files, VmHWM ${hwm().toFixed(0)} MiB`);
  }
  facts.lakegateBaseRss = baseRss;
  const lgSnapshots = (await sendJson('GET', `${server.url}/v1/${WH}/namespaces/bench/tables/maint`)).metadata.snapshots
    .map((s) => String(s['snapshot-id']))
    .sort();
  const lgFiles = await tableFiles();

  if (!opts['no-spark']) {
    // The identical table again: same paths, same mtimes (hard links of the files Lakegate started from).
    await sendJson('POST', `${server.url}/v1/${WH}/namespaces/bench/tables/maint/unregister`);
    if (S3) {
      await emptyPrefix(minio, location);
      await uploadDir(minio, dir, location);
    } else {
      fs.rmSync(dir, { recursive: true });
      fs.renameSync(pristine, dir);
    }
    await register();
    const out = tempDir('lakegate-bench-maintenance-spark-');
    const env = {
      ...process.env,
      CATALOG_URI: server.url,
      CATALOG_WAREHOUSE: WH,
      ...(S3 ? sparkS3Env(minio) : {}),
      TABLE: 'bench.maint',
      EXPIRE_OLDER_THAN_MS: String(EXPIRE_BEFORE),
      RETAIN_LAST: String(RETAIN),
      ORPHAN_OLDER_THAN_MS: String(Date.now() - orphanAge),
      OUT_DIR: out,
      SPARK_DRIVER_MEMORY: opts['driver-memory'],
    };
    log('running Spark (JVM start and session first)');
    const spark = await new Promise((resolve, reject) => {
      const child = spawn('bash', [path.join(REPO_ROOT, 'scripts', 'peers', 'spark.sh'), 'run', path.join(REPO_ROOT, 'bench', 'maintenance-spark.py')], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
        process.stderr.write(`spark: ${d}`);
      });
      child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const lines = spark.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    const summary = lines.find((l) => l.summary);
    if (!summary?.ok) throw new Error(`Spark failed (exit ${spark.code}): ${summary?.error ?? spark.stderr.slice(-4000)}`);
    const steps = Object.fromEntries(lines.filter((l) => l.step).map((l) => [l.step, l]));
    facts.sparkSession = steps.session;
    for (const step of ['orphans-dry-run-before', 'expire', 'orphans-dry-run-after', 'orphans']) {
      const s = steps[step];
      const r = s.result;
      const files =
        step === 'expire'
          ? Object.entries(r)
              .filter(([k]) => k.startsWith('deleted_'))
              .reduce((n, [, v]) => n + Number(v), 0)
          : s.orphans;
      rows.push({ engine: 'Spark', step, seconds: s.seconds, cpu: s.cpu_seconds, hwm: mib(s.hwm_kib), files });
    }
    facts.sparkExpire = steps.expire.result;
    facts.sparkHwm = mib(summary.hwm_kib);
    const spFiles = await tableFiles();

    // Same outcome, or the comparison is void.
    const checks = [];
    const same = (what, a, b) => {
      const ok = JSON.stringify(a) === JSON.stringify(b);
      checks.push(`${ok ? 'same' : 'DIFFERENT'}: ${what} (Lakegate ${a.length}, Spark ${b.length})`);
      if (!ok) failed = true;
    };
    same('snapshots kept', lgSnapshots, [...summary.kept_snapshots].sort());
    same('files left (metadata.json aside)', withoutMetadataJson(lgFiles).map(plain), withoutMetadataJson(spFiles).map(plain));
    for (const step of ['orphans-dry-run-before', 'orphans-dry-run-after', 'orphans']) {
      const sp = JSON.parse(fs.readFileSync(path.join(out, `spark-${step}.json`), 'utf8'))
        .map(plain)
        .sort();
      same(`orphans found, ${step}`, lakegate[step].files.map((f) => plain(f.path)).sort(), sp);
    }
    facts.checks = checks;
  }
  facts.lakegateExpire = {
    snapshots: lakegate.expire['expired-snapshots'].length,
    files: lakegate.expire['deleted-files'],
    byKind: Object.entries(Object.groupBy(lakegate.expire.files, (f) => f.kind))
      .map(([k, v]) => `${k} ${v.length}`)
      .join(', '),
  };
} finally {
  await stopChild(server.child);
  minio?.stop();
}

const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '–');
const lines = [
  `Table${S3 ? ' (on MinIO)' : ''}: ${SNAPSHOTS} snapshots, ${SNAPSHOTS * FILES_PER} data files (zero-byte) + ${ORPHANS} orphans, ${facts.files} files in all, metadata.json ${(facts.metadataBytes / 1e6).toFixed(1)} MB; written in ${fmt(facts.writeSeconds, 1)} s${S3 ? `, uploaded in ${fmt(facts.uploadSeconds, 1)} s` : ''}, registered in ${fmt(facts.registerSeconds)} s.`,
  `Machine: ${os.cpus().length} CPUs (${os.cpus()[0].model}), load average at the end ${machineLoad()}.`,
  '',
  '| engine | step | wall s | CPU s (server / driver JVM) | peak RSS MiB (VmHWM) | files |',
  '|---|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.engine} | ${r.step} | ${fmt(r.seconds)} | ${fmt(r.cpu)} | ${fmt(r.hwm, 0)} | ${r.files} |`),
  '',
  `Lakegate: RSS ${fmt(facts.lakegateBaseRss, 0)} MiB before the first step; expiry removed ${facts.lakegateExpire?.snapshots} snapshots and deleted ${facts.lakegateExpire?.files} files (${facts.lakegateExpire?.byKind}).`,
];
if (facts.sparkSession) {
  lines.push(
    `Spark: JVM start + session + catalog ${fmt(facts.sparkSession.seconds)} s, ${fmt(facts.sparkSession.cpu_seconds)} CPU s (RSS then ${fmt(mib(facts.sparkSession.rss_kib), 0)} MiB), driver peak ${fmt(facts.sparkHwm, 0)} MiB; expire_snapshots answered ${JSON.stringify(facts.sparkExpire)}.`,
  );
  lines.push('', ...facts.checks.map((c) => `- ${c}`));
}
const text = lines.join('\n');
console.log(text);
if (opts.out) fs.writeFileSync(opts.out, `${text}\n`);
if (failed) {
  log('the engines reached different outcomes: the comparison is void');
  process.exit(1);
}
process.exit(0);

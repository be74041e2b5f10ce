// Benchmark: server-side scan planning (catalog/planning/plan-files.ts) on a synthetic table of M manifests × F data
// files, written here with avsc (the library the reader uses) as Iceberg v2 manifest list and manifests with full
// column stats: id (long, file i holds ids [1000·i, 1000·i + 999]), p (int, the identity partition: manifest m holds
// only p = m mod 100) and name (string). Times planFiles, in-process, on a local file warehouse, for:
//   partition-selective  p = 42                  (1% of files; 99% of manifests skipped by their partition summaries)
//   metrics-selective    id < 1000·(M·F/100)      (1% of files; every manifest read, files pruned by bounds)
//   full scan            true
// each cold (no cache), then again through a ManifestCache of decoded manifests (the first pass fills it, the
// repeat is timed), and reports peak RSS and the heap one cached entry costs.
// With --java the table is written instead by Iceberg Java 1.11 (bench/java/PlanningBench.java, HadoopTables on a
// local directory, the jars of scripts/peers/iceberg-java.sh), which also times its own client-side planning
// (table.newScan().filter(f).planFiles()) of the same filters; Lakegate then plans that same table.
// Usage: node --expose-gc bench/planning-java.mjs [--manifests M] [--files F] [--cache-entries N] [--java]
// (build first: npm run build). Prints a Markdown table.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { benchFlag } from './lib/args.mjs';
import { avroContainer, bigintLongs, i32, i64, manifestEntryType, manifestListType } from './lib/manifests.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const dist = (p) => pathToFileURL(path.join(ROOT, 'packages/server/dist', p)).href;
const { ManifestReader } = await import(dist('catalog/manifests/manifest-reader.js'));
const { ManifestCache } = await import(dist('catalog/manifests/manifest-cache.js'));
const { bindFilter } = await import(dist('catalog/kit/expression.js'));
const { planFiles } = await import(dist('catalog/planning/plan-files.js'));

const MANIFESTS = Number(benchFlag('--manifests', 1000));
const FILES = Number(benchFlag('--files', 100));
const CACHE_ENTRIES = Number(benchFlag('--cache-entries', 250_000));
const TOTAL = MANIFESTS * FILES;

const entrySchema = manifestEntryType({ partition: [{ name: 'p', type: ['null', 'int'] }], full: true, registry: bigintLongs() });
const listSchema = manifestListType({ partitions: true, registry: bigintLongs() });
const kv = (pairs) => pairs.map(([key, value]) => ({ key, value }));

/** One Avro object container file (deflate, as Iceberg writes them) in memory. */
const container = (type, records) => avroContainer(type, records, { codec: 'deflate', writeHeader: true });

async function writeTable(dir) {
  const location = pathToFileURL(dir).href;
  const list = [];
  for (let m = 0; m < MANIFESTS; m++) {
    const p = m % 100;
    const entries = [];
    for (let f = 0; f < FILES; f++) {
      const i = m * FILES + f;
      entries.push({
        status: 1,
        snapshot_id: 1n,
        sequence_number: 1n,
        file_sequence_number: 1n,
        data_file: {
          content: 0,
          file_path: `${location}/data/p=${p}/${String(i).padStart(8, '0')}-0-00000.parquet`,
          file_format: 'PARQUET',
          partition: { p },
          record_count: 1000n,
          file_size_in_bytes: 65536n,
          column_sizes: kv([
            [1, 8000n],
            [2, 100n],
            [3, 9000n],
          ]),
          value_counts: kv([
            [1, 1000n],
            [2, 1000n],
            [3, 1000n],
          ]),
          null_value_counts: kv([
            [1, 0n],
            [2, 0n],
            [3, 10n],
          ]),
          nan_value_counts: [],
          lower_bounds: kv([
            [1, i64(i * 1000)],
            [2, i32(p)],
            [3, Buffer.from(`name_${i}_a`)],
          ]),
          upper_bounds: kv([
            [1, i64(i * 1000 + 999)],
            [2, i32(p)],
            [3, Buffer.from(`name_${i}_z`)],
          ]),
          split_offsets: [4n],
          sort_order_id: 0,
        },
      });
    }
    const bytes = await container(entrySchema, entries);
    const file = path.join(dir, 'metadata', `m-${m}.avro`);
    writeFileSync(file, bytes);
    list.push({
      manifest_path: pathToFileURL(file).href,
      manifest_length: BigInt(bytes.length),
      partition_spec_id: 0,
      content: 0,
      sequence_number: 1n,
      min_sequence_number: 1n,
      added_snapshot_id: 1n,
      partitions: [{ contains_null: false, contains_nan: null, lower_bound: i32(p), upper_bound: i32(p) }],
    });
  }
  const listFile = path.join(dir, 'metadata', 'snap-1.avro');
  writeFileSync(listFile, await container(listSchema, list));
  return { location, manifestList: pathToFileURL(listFile).href };
}

const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'p', required: false, type: 'int' },
    { id: 3, name: 'name', required: false, type: 'string' },
  ],
};
const specs = [{ 'spec-id': 0, fields: [{ 'field-id': 1000, 'source-id': 2, name: 'p', transform: 'identity' }] }];
const localPath = (uri) => (uri.startsWith('file:') ? fileURLToPath(uri) : uri);
const source = { read: async (uri, max) => new Uint8Array(readFileSync(localPath(uri))).subarray(0, max) };

/** Iceberg Java writes the table and plans it; returns its table and timings. */
function javaTable(dir) {
  const lib = execFileSync('bash', [path.join(ROOT, 'scripts/peers/iceberg-java.sh'), 'lib'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .at(-1);
  const javaHome = process.env.LAKEGATE_SPARK_JAVA_HOME ?? '/usr/lib/jvm/java-17-openjdk-amd64';
  const classes = path.join(dir, 'classes');
  execFileSync(path.join(javaHome, 'bin/javac'), ['-cp', `${lib}/*`, '-d', classes, path.join(ROOT, 'bench/java/PlanningBench.java')]);
  const out = execFileSync(
    path.join(javaHome, 'bin/java'),
    ['-Xmx2g', '-cp', `${classes}:${lib}/*`, 'PlanningBench', path.join(dir, 'java'), String(MANIFESTS), String(FILES)],
    { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1));
}

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const mib = (b) => (b / 1024 / 1024).toFixed(0);

async function time(reader, table, filter) {
  const bound = bindFilter(filter, schema, true);
  const t0 = process.hrtime.bigint();
  const plan = await planFiles(reader, table.manifestList, bound, { specs, schema });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, files: plan.tasks.length, skipped: plan.manifestsSkipped };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-planning-'));
try {
  await import('node:fs').then((fs) => fs.mkdirSync(path.join(dir, 'metadata')));
  const w0 = Date.now();
  const java = process.argv.includes('--java') ? javaTable(dir) : null;
  const table = java ? { location: java.location, manifestList: java.manifestList } : await writeTable(dir);
  console.error(
    `wrote ${MANIFESTS} manifests × ${FILES} files in ${((Date.now() - w0) / 1000).toFixed(1)} s${java ? ' (Iceberg Java, which also planned it)' : ''}`,
  );
  const rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;
  const filters = [
    ['partition-selective (p = 42)', { type: 'eq', term: 'p', value: 42 }],
    [`metrics-selective (id < ${TOTAL * 10})`, { type: 'lt', term: 'id', value: TOTAL * 10 }],
    ['full scan', true],
  ];
  const rows = [];
  for (const [name, filter] of filters) {
    const cold = await time(new ManifestReader(source, [table.location]), table, filter);
    const cache = new ManifestCache(CACHE_ENTRIES);
    await time(new ManifestReader(source, [table.location], cache), table, filter);
    const warm = await time(new ManifestReader(source, [table.location], cache), table, filter);
    rows.push({ name, ...cold, warmMs: warm.ms, cached: cache.size.entries });
    globalThis.gc?.();
  }
  // What one cached entry costs: fill a cache with every manifest, then compare the heap (with --expose-gc).
  let perEntry = 'n/a (run with --expose-gc)';
  if (globalThis.gc) {
    globalThis.gc();
    const h0 = process.memoryUsage().heapUsed;
    const cache = new ManifestCache(Math.max(TOTAL * 4, 4));
    await time(new ManifestReader(source, [table.location], cache), table, true);
    globalThis.gc();
    perEntry = `${((process.memoryUsage().heapUsed - h0) / cache.size.entries).toFixed(0)} bytes`;
  }
  clearInterval(sampler);
  console.log(
    `\n### Scan planning: ${MANIFESTS} manifests × ${FILES} files = ${TOTAL} data files (planFiles in-process, local files, Node ${process.version}, ${os.cpus().length} CPUs)\n`,
  );
  const j = (name) => java?.results.find((r) => r.name === name);
  console.log(
    `| filter | files planned | manifests skipped | cold | repeat, decoded manifests cached |${java ? ' Iceberg Java 1.11 client-side: files, cold, repeat |' : ''}`,
  );
  console.log(`|---|---:|---:|---:|---:|${java ? '---:|' : ''}`);
  for (const r of rows) {
    const jr = j(r.name);
    console.log(
      `| ${r.name} | ${r.files} | ${r.skipped} | ${r.ms.toFixed(0)} ms | ${r.warmMs.toFixed(0)} ms (${r.cached} entries cached) |${java ? ` ${jr.files}, ${jr.coldMs.toFixed(0)} ms, ${jr.repeatMs.toFixed(0)} ms |` : ''}`,
    );
  }
  if (java)
    for (const r of rows) if (j(r.name).files !== r.files) throw new Error(`${r.name}: Lakegate planned ${r.files} files, Iceberg Java ${j(r.name).files}`);
  console.log(
    `\nRSS before planning ${mib(rssBefore)} MiB, peak ${mib(peakRss)} MiB (the full scan's plan holds every task); one cached manifest entry: ${perEntry}; cache bound ${CACHE_ENTRIES} entries.`,
  );
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
}

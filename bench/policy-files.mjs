// Benchmark: policy-enforced file throughput (issue 53), the catalog's Parquet rewriter (parquet-wasm + apache-arrow,
// packages/server/src/policy-files/) against DuckDB's `COPY (SELECT … WHERE …) TO … (FORMAT parquet)` of the same
// filter and masks on the same file, one core each (DuckDB `SET threads = 1`). The input is written by DuckDB with
// Parquet field ids: --rows rows of (id bigint, region varchar, email varchar, born date), a third of them 'us'.
// The policy: region = 'eu', email mask-alphanum, born truncate-to-year. Reports input MB/s per core (best of
// --rounds) and the rewriter's peak RSS. Needs a build (npx tsc -b packages/cli) and the cached DuckDB venv
// (scripts/peers/python-venv.sh duckdb …, ~/.cache/lakegate/venv-duckdb).
// --engine duckdb: the catalog's side written by its opt-in DuckDB engine (policyFileEngine, policy-files/duckdb-rewriter.ts).
// Usage: node bench/policy-files.mjs [--rows 1000000] [--rounds 3] [--engine parquet|duckdb]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchFlag } from './lib/args.mjs';
import { REPO_ROOT } from './lib/proc.mjs';

const ROWS = Number(benchFlag('--rows', '1000000'));
const ROUNDS = Number(benchFlag('--rounds', '3'));
const ENGINE = benchFlag('--engine', 'parquet');
const PYTHON = path.join(process.env.LAKEGATE_CACHE ?? path.join(os.homedir(), '.cache', 'lakegate'), 'venv-duckdb', 'bin', 'python');
const dist = (p) => pathToFileURL(path.join(REPO_ROOT, 'packages', 'server', 'dist', p)).href;
const { parquetRewriter, duckDbPolicyRewriter, duckDbEngineLazy } = await import(dist('policy-files/index.js'));
const { bindFilter } = await import(dist('catalog/kit/expression.js'));
const { LocalFileStorage } = await import(dist('storage/file/local-file-storage.js'));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-policy-files-'));
const input = path.join(dir, 'in.parquet');
const duck = (sql) =>
  execFileSync(
    PYTHON,
    [
      '-c',
      `import duckdb, sys, time\nc = duckdb.connect()\nc.execute("SET threads = 1")\nc.execute("SET enable_progress_bar = false")\nt = time.perf_counter()\nc.execute(sys.argv[1])\nprint(time.perf_counter() - t)`,
      sql,
    ],
    { encoding: 'utf8' },
  );
duck(
  `COPY (SELECT i::BIGINT AS id, CASE WHEN i % 3 = 1 THEN 'us' ELSE 'eu' END AS region, 'User' || i || '@Example' || (i % 4) || '.org' AS email, DATE '1970-01-01' + (i % 20000)::INT AS born FROM range(${ROWS}) t(i)) TO '${input}' (FORMAT parquet, ROW_GROUP_SIZE 65536, FIELD_IDS {id: 1, region: 2, email: 3, born: 4})`,
);
const mb = fs.statSync(input).size / 1e6;
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: false },
    { id: 2, name: 'region', type: 'string', required: false },
    { id: 3, name: 'email', type: 'string', required: false },
    { id: 4, name: 'born', type: 'date', required: false },
  ],
};
const storage = new LocalFileStorage();
const fellBack = (message, detail) => {
  throw new Error(`${message}: ${JSON.stringify(detail)}`);
};
const rewriter = ENGINE === 'duckdb' ? duckDbPolicyRewriter(storage, parquetRewriter(storage), duckDbEngineLazy(), fellBack) : parquetRewriter(storage);
let peak = 0;
const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
const results = {};
// Two policies: the row filter with both masks, and the row filter alone (what DuckDB's regular expressions cost apart).
for (const [name, masked] of [
  ['filter+masks', true],
  ['filter only', false],
]) {
  let lakegate = Infinity;
  let kept = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const started = performance.now();
    const out = await rewriter.rewrite({
      inputs: [{ uri: pathToFileURL(input).href, format: 'parquet', deletes: [] }],
      filter: bindFilter({ type: 'eq', term: 'region', value: 'eu' }, schema, true),
      transforms: masked
        ? [
            { fieldId: 3, action: 'mask-alphanum' },
            { fieldId: 4, action: 'truncate-to-year' },
          ]
        : [],
      output: pathToFileURL(path.join(dir, `out-${name === 'filter only' ? 'f' : 'm'}-${r}.parquet`)).href,
      querySalt: new Uint8Array(32),
    });
    lakegate = Math.min(lakegate, (performance.now() - started) / 1000);
    kept = out.recordCount;
  }
  const columns = masked
    ? `id, region, regexp_replace(regexp_replace(regexp_replace(email, '[A-Z]', 'X', 'g'), '[a-z]', 'x', 'g'), '[0-9]', 'n', 'g') AS email, date_trunc('year', born)::DATE AS born`
    : '*';
  let duckdb = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const seconds = Number(
      duck(`COPY (SELECT ${columns} FROM '${input}' WHERE region = 'eu') TO '${path.join(dir, `duck-${r}-${masked}.parquet`)}' (FORMAT parquet)`).trim(),
    );
    if (!Number.isFinite(seconds)) throw new Error(`DuckDB answered ${seconds}`);
    duckdb = Math.min(duckdb, seconds);
  }
  results[name] = {
    kept,
    lakegateSeconds: +lakegate.toFixed(2),
    lakegateMBps: +(mb / lakegate).toFixed(2),
    lakegateRowsPerSecond: Math.round(ROWS / lakegate),
    duckdbSeconds: +duckdb.toFixed(2),
    duckdbMBps: +(mb / duckdb).toFixed(2),
    ratio: +(lakegate / duckdb).toFixed(1),
  };
}
clearInterval(sample);
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ engine: ENGINE, rows: ROWS, inputMB: +mb.toFixed(1), ...results, peakRssMB: Math.round(peak / 1e6) }));

// Benchmark: request latency while a Parquet rewrite runs (issue 59, compose/rewrite-threads.ts), the rewriter on the
// request thread (rewriteThreads 0, the old behaviour) against the rewriter in one rewrite thread (the default).
// One multi-MB rewrite (--rows rows of (id bigint, payload varchar of ~30 random characters), written --copies times
// over into one output, as a compaction group does) runs while the request thread answers GET /healthz of a real
// Lakegate app (app.inject, one request every 2 ms). Reports, per mode: the rewrite's time, the /healthz latency
// p50/p99/max, how many were answered during it, the longest time between two answers (what a client waiting
// meanwhile sees), and the event loop's longest delay (monitorEventLoopDelay).
// Needs a build (npm run build).
// Usage: node bench/rewrite-latency.mjs [--rows 250000] [--copies 3] [--rounds 2]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Field, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { benchFlag } from './lib/args.mjs';
import { REPO_ROOT } from './lib/proc.mjs';

const ROWS = Number(benchFlag('--rows', '250000'));
const COPIES = Number(benchFlag('--copies', '3'));
const ROUNDS = Number(benchFlag('--rounds', '2'));
const dist = (p) => pathToFileURL(path.join(REPO_ROOT, 'packages', 'server', 'dist', p)).href;
const { parquetRewriter } = await import(dist('policy-files/index.js'));
const { writeParquet } = await import(dist('policy-files/parquet-io.js'));
const { FIELD_ID_KEY } = await import(dist('policy-files/apply-batch.js'));
const { RewriteThreads } = await import(dist('compose/rewrite-threads.js'));
const { LocalFileStorage } = await import(dist('storage/file/local-file-storage.js'));
const { buildLakegate, loadConfig, createLogger } = await import(dist('index.js'));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-rewrite-latency-'));
const input = path.join(dir, 'in.parquet');
async function* batches() {
  const s = new Schema([
    new Field('id', new Int64(), false, new Map([[FIELD_ID_KEY, '1']])),
    new Field('payload', new Utf8(), true, new Map([[FIELD_ID_KEY, '2']])),
  ]);
  for (let start = 0; start < ROWS; start += 50_000) {
    const length = Math.min(50_000, ROWS - start);
    const ids = Array.from({ length }, (_, i) => BigInt(start + i));
    const payload = ids.map((id) => `${id.toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`);
    const children = [vectorFromArray(ids, new Int64()).data[0], vectorFromArray(payload, new Utf8()).data[0]];
    yield new RecordBatch(s, makeData({ type: new Struct(s.fields), length, nullCount: 0, children }));
  }
}
await writeParquet(input, batches());
const inputMb = fs.statSync(input).size / 1e6;

const config = loadConfig({ env: { LAKEGATE_DATA_DIR: path.join(dir, 'data'), LAKEGATE_AUTH: 'disabled', LAKEGATE_REWRITE_THREADS: '0' } });
const lakegate = await buildLakegate({ config, logger: createLogger('warn') });
const storage = new LocalFileStorage();
const recipe = { id: 'file#1', warehouse: 'bench', profile: { type: 'file' }, secret: undefined };
const threads = new RewriteThreads({ threads: 1, recipeOf: () => recipe, inProcess: (s) => parquetRewriter(s), warn: () => undefined });
const modes = { 'request thread (rewriteThreads 0)': parquetRewriter(storage), 'rewrite thread (rewriteThreads 1)': threads.rewriterFor(storage) };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
let n = 0;
const request = () => ({
  inputs: Array.from({ length: COPIES }, () => ({ uri: pathToFileURL(input).href, format: 'parquet', deletes: [] })),
  transforms: [],
  output: pathToFileURL(path.join(dir, `out-${n++}.parquet`)).href,
  querySalt: new Uint8Array(32),
});

console.log(`input ${inputMb.toFixed(1)} MB (${ROWS} rows), rewritten ${COPIES}x into one file; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)}`);
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, rewriter] of Object.entries(modes)) {
    await rewriter.rewrite({ ...request(), inputs: request().inputs.slice(0, 1) }); // warm: WebAssembly compiled, thread started
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const started = performance.now();
    let done = false;
    const rewrite = rewriter.rewrite(request()).then((out) => ((done = true), out));
    const latencies = [];
    let last = performance.now();
    let longestGap = 0;
    while (!done) {
      const t = performance.now();
      await lakegate.app.inject({ method: 'GET', url: '/healthz' });
      const answered = performance.now();
      latencies.push(answered - t);
      longestGap = Math.max(longestGap, answered - last);
      last = answered;
      await sleep(2);
    }
    const out = await rewrite;
    const seconds = (performance.now() - started) / 1000;
    h.disable();
    latencies.sort((a, b) => a - b);
    console.log(
      `round ${round + 1} ${name}: rewrite ${seconds.toFixed(2)} s (${(out.fileSizeInBytes / 1e6).toFixed(1)} MB out); /healthz during it: ${latencies.length} answered ` +
        `(${(latencies.length / seconds).toFixed(0)}/s), longest gap between answers ${longestGap.toFixed(0)} ms, ` +
        `p50 ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms, max ${latencies.at(-1).toFixed(1)} ms; event loop delay max ${(h.max / 1e6).toFixed(1)} ms`,
    );
  }
}
await threads.close();
await lakegate.close();
fs.rmSync(dir, { recursive: true, force: true });

// Benchmark: compaction's z-order (issue 59, policy-files/zorder-rows.ts) on a realistic group held in memory, in
// rows per second: the z-order key and its sort (zorderPicks: each row's column bytes, interleaved, then the rows
// ordered by the keys), then the same with the rows written out into output batches (zorderBatches, the values copied
// as stored: what the rewrite thread does before Parquet encodes), against the linear sort by the same columns
// (sortBatches, x then y). Rows: (id bigint, x bigint, y double, name varchar ~12 characters), in random order, in
// batches of 64 Ki rows as Parquet row groups decode. Z-orders by (x, y) and by (x, y, name). Also the ranges the
// rewriter keeps of the rows it writes (file-ranges.ts: each output file's own bounds).
// Needs a build (npm run build). Usage: node bench/zorder.mjs [--rows 1000000] [--rounds 3]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Field, Float64, Int64, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { benchFlag } from './lib/args.mjs';
import { REPO_ROOT } from './lib/proc.mjs';

const ROWS = Number(benchFlag('--rows', '1000000'));
const ROUNDS = Number(benchFlag('--rounds', '3'));
const dist = (p) => pathToFileURL(path.join(REPO_ROOT, 'packages', 'server', 'dist', p)).href;
const { zorderPicks, zorderBatches } = await import(dist('policy-files/zorder-rows.js'));
const { sortBatches } = await import(dist('policy-files/sort-rows.js'));
const { FIELD_ID_KEY } = await import(dist('policy-files/apply-batch.js'));
const { FileRanges } = await import(dist('policy-files/file-ranges.js'));

const meta = (id) => new Map([[FIELD_ID_KEY, String(id)]]);
const schema = new Schema([
  new Field('id', new Int64(), true, meta(1)),
  new Field('x', new Int64(), true, meta(2)),
  new Field('y', new Float64(), true, meta(3)),
  new Field('name', new Utf8(), true, meta(4)),
]);
const batches = [];
for (let start = 0; start < ROWS; start += 65_536) {
  const length = Math.min(65_536, ROWS - start);
  const ids = Array.from({ length }, (_, i) => BigInt(start + i));
  const xs = ids.map(() => BigInt(Math.floor(Math.random() * 2 ** 40) - 2 ** 39));
  const ys = ids.map(() => (Math.random() - 0.5) * 1e6);
  const names = ids.map(() => Math.random().toString(36).slice(2, 14));
  const children = [
    vectorFromArray(ids, new Int64()),
    vectorFromArray(xs, new Int64()),
    vectorFromArray(ys, new Float64()),
    vectorFromArray(names, new Utf8()),
  ].map((v) => v.data[0]);
  batches.push(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children })));
}

const col = (fieldId, sourceType) => ({ fieldId, sourceType });
const z2 = { columns: [col(2, 'long'), col(3, 'double')], varLengthContribution: 8, maxOutputSize: 16 };
const z3 = { columns: [col(2, 'long'), col(3, 'double'), col(4, 'string')], varLengthContribution: 8, maxOutputSize: 24 };
const linear = [2, 3].map((fieldId, i) => ({ fieldId, sourceType: i === 0 ? 'long' : 'double', transform: 'identity', descending: false, nullsFirst: true }));
const drain = (gen) => {
  let n = 0;
  for (const b of gen) n += b.numRows;
  return n;
};
const cases = {
  'z-order key + sort, zorder(x, y)': () => zorderPicks(batches, z2).length,
  'z-order key + sort, zorder(x, y, name)': () => zorderPicks(batches, z3).length,
  'z-order key + sort + rows copied out, zorder(x, y)': () => drain(zorderBatches(batches, z2)),
  'linear sort + rows copied out, x, y (sort strategy)': () => drain(sortBatches(batches, linear)),
  // What each output file's manifest entry costs on top (file-ranges.ts): counts and every column's least and greatest value.
  'file ranges of the rows written (id, x, y, name)': () => {
    const ranges = new FileRanges();
    for (const b of batches) ranges.observe(b);
    return ranges.valueCounts.get(1);
  },
};

console.log(`${ROWS} rows, ${batches.length} batches; Node ${process.version}`);
console.log('| case | round | seconds | rows/s |');
console.log('|---|---|---|---|');
for (let round = 1; round <= ROUNDS; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const t0 = process.hrtime.bigint();
    const n = run();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (n !== ROWS) throw new Error(`${name}: ${n} rows out of ${ROWS}`);
    console.log(`| ${name} | ${round} | ${s.toFixed(2)} | ${Math.round(ROWS / s).toLocaleString('en-US')} |`);
  }
}

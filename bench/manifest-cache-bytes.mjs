// Benchmark: what the decoded-manifest cache holds (issue 55, "keep memory bounded: the cache has a byte budget").
// Writes manifests of --entries data files with full stats for C columns (the catalog's own manifest writer,
// deflate like Iceberg Java's), decodes them through the planner's ManifestReader into a ManifestCache, and
// compares the heap (and array buffers) the kept entries hold, measured with a forced GC, with the cache's own
// estimate (manifest-cache.ts entryBytes and the decoded blocks its byte arrays pin). The estimate should stay
// within ~0.7-1.5× of the heap, so the byte budget is a memory bound for narrow and wide tables alike.
// Needs a build (npx tsc -b packages/cli). Usage: node --expose-gc bench/manifest-cache-bytes.mjs [--entries 2000]
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchFlag } from './lib/args.mjs';
import { REPO_ROOT } from './lib/proc.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');
const ENTRIES = Number(benchFlag('--entries', '2000'));
const PER_MANIFEST = 100;
const dist = (p) => pathToFileURL(path.join(REPO_ROOT, 'packages', 'server', 'dist', p)).href;
const { encodeManifest } = await import(dist('catalog/manifests/manifest-writer.js'));
const { ManifestReader } = await import(dist('catalog/manifests/manifest-reader.js'));
const { ManifestCache } = await import(dist('catalog/manifests/manifest-cache.js'));

const used = () => {
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

async function round(columns) {
  const schema = {
    type: 'struct',
    'schema-id': 0,
    fields: Array.from({ length: columns }, (_, c) => ({ id: c + 1, name: `c${c}`, required: false, type: 'long' })),
  };
  const spec = { 'spec-id': 0, fields: [] };
  const le = (n) => new Uint8Array(new BigInt64Array([BigInt(n)]).buffer);
  const stats = (i, value) => new Map(Array.from({ length: columns }, (_, c) => [c + 1, value(i, c)]));
  const files = new Map();
  const manifests = [];
  for (let m = 0; m * PER_MANIFEST < ENTRIES; m++) {
    const entries = Array.from({ length: PER_MANIFEST }, (_, k) => {
      const i = m * PER_MANIFEST + k;
      return {
        status: 1,
        snapshotId: 1n,
        sequenceNumber: null,
        fileSequenceNumber: null,
        file: {
          content: 0,
          filePath: `s3://bucket/wh/ns/t-0123456789abcdef0123456789abcdef/data/00000-${i}-0123456789abcdef-00001.parquet`,
          fileFormat: 'PARQUET',
          partition: [],
          recordCount: 1000,
          fileSizeInBytes: 123456,
          columnSizes: stats(i, () => 5000),
          valueCounts: stats(i, () => 1000),
          nullValueCounts: stats(i, () => 0),
          nanValueCounts: null,
          lowerBounds: stats(i, (j, c) => le(j * c)),
          upperBounds: stats(i, (j, c) => le(j * c + 999)),
          keyMetadata: null,
          splitOffsets: [4],
          equalityIds: null,
          sortOrderId: 0,
          firstRowId: null,
          referencedDataFile: null,
          contentOffset: null,
          contentSizeInBytes: null,
        },
      };
    });
    const { bytes } = await encodeManifest({ spec, schema, content: 0, entries });
    const uri = `s3://bucket/wh/ns/t/metadata/m${m}.avro`;
    files.set(uri, bytes);
    manifests.push({
      path: uri,
      length: bytes.length,
      partitionSpecId: 0,
      content: 0,
      sequenceNumber: 1,
      minSequenceNumber: 1,
      addedSnapshotId: 1n,
      partitions: [],
    });
  }
  const reader = (cache) => new ManifestReader({ read: async (uri) => files.get(uri) }, ['s3://bucket/wh/ns/t'], cache, 'wh\u0000t');
  // Warm the reader's code and Avro types first, so the measurement holds entries only.
  for await (const _ of reader(undefined).readManifest(manifests[0])) void _;
  const before = used();
  const cache = new ManifestCache(Number.MAX_SAFE_INTEGER);
  const r = reader(cache);
  for (const m of manifests) for await (const _ of r.readManifest(m)) void _;
  const held = used() - before;
  const estimate = cache.size.bytes;
  if (cache.size.entries !== manifests.length * PER_MANIFEST) throw new Error('not every manifest was kept');
  return {
    columns,
    entries: cache.size.entries,
    heldPerEntry: Math.round(held / cache.size.entries),
    estimatePerEntry: Math.round(estimate / cache.size.entries),
    ratio: +(estimate / held).toFixed(2),
  };
}

const rows = [];
for (const columns of benchFlag('--columns', '1,3,10,50').split(',').map(Number)) rows.push(await round(columns));
console.table(rows);

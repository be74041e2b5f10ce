import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Field, Int64, RecordBatch, Schema, Struct, Table, Utf8, makeData, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RewrittenFile } from '../catalog/planning/rewrite-ports.js';
import { LocalFileStorage } from '../storage/file/local-file-storage.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { parquetRewriter } from './index.js';
import { type WriteProgress, localBlob, readRowGroups, writeParquet } from './parquet-io.js';
import { writeRolling } from './rolling-write.js';

const MiB = 1024 * 1024;
const field = (name: string, type: ConstructorParameters<typeof Field>[1], id: number) => new Field(name, type, true, new Map([[FIELD_ID_KEY, String(id)]]));
const schema = new Schema([field('id', new Int64(), 1), field('payload', new Utf8(), 2)]);

/**
 * The rows of test/support/spark-oversized-file.ts (peers/spark/compaction.py, write_big): an id and 128 bytes of
 * SHA-512 digests in base64, which ZSTD's entropy coding shrinks to about 3/4 and Snappy does not shrink.
 */
function rows(from: number, count: number): RecordBatch {
  const ids = Array.from({ length: count }, (_, i) => from + i);
  const payload = ids.map((id) =>
    Buffer.concat([createHash('sha512').update(String(id)).digest(), createHash('sha512').update(`${id}+`).digest()]).toString('base64'),
  );
  const children = [vectorFromArray(ids.map(BigInt), new Int64()).data[0]!, vectorFromArray(payload, new Utf8()).data[0]!];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: count, nullCount: 0, children }));
}
async function* batches(total: number, size: number): AsyncGenerator<RecordBatch> {
  for (let at = 0; at < total; at += size) yield rows(at, Math.min(size, total - at));
}

describe('the rolling write, when the inputs’ bytes a row mispredict the output’s', () => {
  let dir: string;
  let n = 0;
  const scratch = async () => path.join(dir, `part-${n++}.parquet`);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'rolling-write-test-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('tells the bytes of each row group flushed, before the next batch is asked for', async () => {
    const told: WriteProgress[] = [];
    const file = path.join(dir, 'progress.parquet');
    // Batches of 1,500 rows, cut by the writer where each row group of 1,000 ends.
    const size = await writeParquet(file, batches(5_000, 1_500), { rowGroupRows: 1_000, flushed: (p) => told.push(p) });
    // Each row group told with its own bytes (about 180 KB; the fifth when the writer asks for a batch after it, to
    // find none); the file's size adds its footer alone.
    expect(told.map((p) => p.rows)).toEqual([1_000, 2_000, 3_000, 4_000, 5_000]);
    for (const [i, p] of told.entries()) expect(p.bytes).toBeGreaterThan((i === 0 ? 0 : told[i - 1]!.bytes) + 150_000);
    expect(size).toBe((await stat(file)).size);
    expect(size - told.at(-1)!.bytes).toBeGreaterThan(0);
    expect(size - told.at(-1)!.bytes).toBeLessThan(20_000);
    const groups: number[] = [];
    for await (const b of readRowGroups(await localBlob(file))) groups.push(b.numRows);
    expect(groups).toEqual([1_000, 1_000, 1_000, 1_000, 1_000]);
  });

  it('goes on when row groups too small to leave the writer’s buffer send no bytes, the file whole', async () => {
    // 40 row groups of 5 rows (about 1 KB each, under arrow-rs's 8 KiB write buffer): a batch waits for bytes once
    // in the file, not at every row group (40 waits would pass the test's timeout).
    const told: WriteProgress[] = [];
    const file = path.join(dir, 'tiny-groups.parquet');
    const size = await writeParquet(file, batches(200, 5), { rowGroupRows: 5, flushed: (p) => told.push(p) });
    expect(size).toBe((await stat(file)).size);
    const ids: number[] = [];
    for await (const b of readRowGroups(await localBlob(file))) ids.push(...b.toArray().map((r) => Number(r.id)));
    expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => i));
    for (const p of told) expect(p.bytes).toBeLessThanOrEqual(size);
  });

  it('keeps the files near the target when the inputs promise a third of the bytes a row, or three times them, streamed or sorted', async () => {
    // The bytes a row Snappy writes these rows in (about 190), from a file of them.
    const probe = path.join(dir, 'probe.parquet');
    const perRow = (await writeParquet(probe, batches(4_000, 4_000))) / 4_000;
    const target = MiB;
    for (const wrong of [1 / 3, 3]) {
      // Streamed (no total known), in batches of 8,192 rows as the inputs' row groups come.
      const parts = await writeRolling(batches(30_000, 8_192), { targetBytes: target, inputBytesPerRow: () => perRow * wrong, scratch });
      const sizes = parts.map((p) => p.size);
      for (const size of sizes.slice(0, -1)) {
        expect(size, `${wrong}: ${sizes}`).toBeLessThanOrEqual(1.05 * target);
        expect(size, `${wrong}: ${sizes}`).toBeGreaterThanOrEqual(0.95 * target);
      }
      expect(parts.reduce((s, p) => s + p.rows, 0)).toBe(30_000);
      expect(sizes.length, `${wrong}: ${sizes}`).toBeGreaterThanOrEqual(5);
      for (const p of parts) expect(p.size).toBe((await stat(p.path)).size);
    }
    // The rows all known (a sort holds them): spread evenly over the files, from the bytes written, none a sliver.
    const parts = await writeRolling(batches(30_000, 8_192), { targetBytes: target, totalRows: () => 30_000, inputBytesPerRow: () => perRow / 3, scratch });
    const sizes = parts.map((p) => p.size);
    for (const size of sizes) expect(size, String(sizes)).toBeLessThanOrEqual(1.05 * target);
    for (const size of sizes) expect(size, String(sizes)).toBeGreaterThanOrEqual(0.5 * target);
    expect(parts.reduce((s, p) => s + p.rows, 0)).toBe(30_000);
  });

  it('cuts a ZSTD file rewritten as Snappy into files of at most 1.05 times the target, the first one too', async () => {
    // One ZSTD file of 40,000 rows (about 5.2 MiB, as Spark writes them), written by parquet-wasm itself.
    const pw = await import('parquet-wasm');
    const input = path.join(dir, 'zstd.parquet');
    const table = pw.Table.fromIPCStream(tableToIPC(new Table([rows(0, 40_000)]), 'stream'));
    await writeFile(input, pw.writeParquet(table, new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).build()));
    const inputBytes = (await stat(input)).size;
    const first = await parquetRewriter(new LocalFileStorage()).rewrite({
      inputs: [{ uri: pathToFileURL(input).href, format: 'parquet', deletes: [] }],
      transforms: [],
      output: pathToFileURL(path.join(dir, 'out', 'compacted.parquet')).href,
      targetFileSizeBytes: MiB,
      querySalt: new Uint8Array(32),
    });
    const files: RewrittenFile[] = [first, ...(first.more ?? [])];
    const sizes = files.map((f) => f.fileSizeInBytes);
    const shown = `input ${inputBytes}: ${sizes}`;
    // Snappy writes these rows about 1.3 times larger: the input's bytes a row alone made the first file that much
    // larger than the target (1.38 times on Spark's file).
    expect(
      sizes.reduce((s, b) => s + b, 0),
      shown,
    ).toBeGreaterThan(1.25 * inputBytes);
    expect(files.reduce((s, f) => s + f.recordCount, 0)).toBe(40_000);
    for (const f of files) expect(f.fileSizeInBytes).toBe((await stat(fileURLToPath(f.uri))).size);
    for (const size of sizes.slice(0, -1)) {
      expect(size, shown).toBeLessThanOrEqual(1.05 * MiB);
      expect(size, shown).toBeGreaterThanOrEqual(0.95 * MiB);
    }
    expect(sizes.at(-1)!, shown).toBeLessThanOrEqual(1.05 * MiB);
  });
});

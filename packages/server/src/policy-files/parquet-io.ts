/**
 * Parquet in and out through parquet-wasm (arrow-rs compiled to WebAssembly), with apache-arrow for the batches in
 * JavaScript. Why parquet-wasm: it is the Apache Arrow Rust implementation's reader and writer, maintained with it
 * (kylebarron/parquet-wasm), with no native build (it installs and runs unchanged on Node 22, 24 and 26); it reads one
 * row group at a time from a Blob (Node's `openAsBlob` reads a file lazily), writes a stream of record batches
 * (`transformParquetStream`) flushing a row group at a time, and keeps Parquet field ids both ways as the Arrow
 * field metadata `PARQUET:field_id`. hyparquet-writer writes whole tables from column arrays (no field-id control
 * per column when this was written), and DuckDB would need its extensions for S3 and a second copy of every schema
 * rule. Batches cross between the two Arrow implementations as Arrow IPC streams (one copy per row group).
 */
import { openAsBlob } from 'node:fs';
import { open } from 'node:fs/promises';
import { type RecordBatch, RecordBatch as Batch, type Schema, Struct, Table, makeData, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import type * as ParquetWasm from 'parquet-wasm';

// Loaded at the first Parquet read or write (its WebAssembly compile costs ~46 ms and ~18 MB per process): a server
// whose tables have no policies and never compact does not pay it at start.
let loading: Promise<typeof ParquetWasm> | undefined;
const parquetWasm = (): Promise<typeof ParquetWasm> => (loading ??= import('parquet-wasm'));

/** Rows per written row group: bounds the writer's buffer (arrow-rs keeps one row group's encoded pages). */
export const ROW_GROUP_ROWS = 64 * 1024;

/**
 * The record batches of a Parquet file, one row group at a time (only that row group in memory); `opened` is told
 * the file's row count (its footer's) before the first batch.
 */
export async function* readRowGroups(source: Blob, opened?: (rows: number) => void): AsyncGenerator<RecordBatch> {
  const pw = await parquetWasm();
  const file = await pw.ParquetFile.fromFile(source);
  try {
    opened?.(file.metadata().fileMetadata().numRows());
    const groups = file.metadata().numRowGroups();
    // A file of no rows (no row group; Iceberg writers leave such files) is one batch of no rows in its schema: a
    // rewrite of only such files still knows the columns it writes (a Parquet file of no rows), never an empty stream.
    if (groups === 0) yield emptyBatch(tableFromIPC((await file.read({ batchSize: ROW_GROUP_ROWS })).intoIPCStream()).schema);
    for (let i = 0; i < groups; i++) {
      const table = await file.read({ rowGroups: [i], batchSize: ROW_GROUP_ROWS });
      yield* tableFromIPC(table.intoIPCStream()).batches;
    }
  } finally {
    file.free();
  }
}

/** A batch of no rows of `schema` (nested columns' children included, as Arrow's builders make them). */
function emptyBatch(schema: Schema): RecordBatch {
  const children = schema.fields.map((f) => vectorFromArray([], f.type).data[0]!);
  return new Batch(schema, makeData({ type: new Struct(schema.fields), length: 0, nullCount: 0, children }));
}

/** A local file as a lazily read Blob. */
export const localBlob = (path: string): Promise<Blob> => openAsBlob(path);

/**
 * Writes the batches as one Parquet file at `path` (created, never overwritten), a row group at a time; answers its size.
 * Every batch must have the schema of the first.
 */
export async function writeParquet(path: string, batches: AsyncIterable<RecordBatch>): Promise<number> {
  const pw = await parquetWasm();
  const iterator = batches[Symbol.asyncIterator]();
  // The batches' own error, thrown as it is: through the WebAssembly writer it would come back as another error.
  let failure: { error: unknown } | undefined;
  const source = new ReadableStream<ParquetWasm.RecordBatch>({
    async pull(controller) {
      let next: IteratorResult<RecordBatch>;
      try {
        next = await iterator.next();
      } catch (error) {
        failure = { error };
        throw error;
      }
      if (next.done) return controller.close();
      const table = pw.Table.fromIPCStream(tableToIPC(new Table([next.value]), 'stream'));
      for (const batch of table.recordBatches()) controller.enqueue(batch);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  // A v3 compaction's `_row_id` (row-lineage-columns.ts) is a run of consecutive longs: delta-encoded it takes a few
  // bits a row instead of 8 bytes (plain; a dictionary of unique values does not help). Other columns: the defaults.
  const properties = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setMaxRowGroupSize(ROW_GROUP_ROWS)
    .setCreatedBy('lakegate')
    .setColumnDictionaryEnabled('_row_id', false)
    .setColumnEncoding('_row_id', pw.Encoding.DELTA_BINARY_PACKED)
    .build();
  let bytes: ReadableStream<Uint8Array>;
  try {
    bytes = (await pw.transformParquetStream(source, properties)) as ReadableStream<Uint8Array>;
  } catch (e) {
    throw failure ? failure.error : e;
  }
  const handle = await open(path, 'wx');
  let size = 0;
  try {
    for await (const chunk of bytes) {
      await handle.write(chunk);
      size += chunk.byteLength;
    }
  } catch (e) {
    throw failure ? failure.error : e;
  } finally {
    await handle.close();
  }
  if (failure) throw failure.error;
  return size;
}

/** Compressed bytes of each top-level column of a written file, by column name (its footer, nothing else read). */
export async function columnBytes(source: Blob): Promise<Map<string, number>> {
  const pw = await parquetWasm();
  const file = await pw.ParquetFile.fromFile(source);
  const out = new Map<string, number>();
  try {
    for (const group of file.metadata().rowGroups()) {
      for (const column of group.columns()) {
        const name = column.columnPath()[0]!;
        out.set(name, (out.get(name) ?? 0) + column.compressedSize());
      }
    }
  } finally {
    file.free();
  }
  return out;
}

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

/** What a file being written holds on disk so far: its row groups flushed, from the start of the file (no footer yet). */
export interface WriteProgress {
  rows: number;
  bytes: number;
}

export interface WriteOptions {
  /** Rows per row group (default ROW_GROUP_ROWS). */
  rowGroupRows?: number;
  /** Told the rows and bytes written after each row group the writer flushed, before the next batch is asked for. */
  flushed?: (progress: WriteProgress) => void;
}

/**
 * How long the next batch waits for a flushed row group's bytes, once a file (measured: a few milliseconds). A writer
 * whose row groups are too small to leave its buffer (below) would otherwise hold every batch that long.
 */
const FLUSH_WAIT_MS = 1_000;

/**
 * Writes the batches as one Parquet file at `path` (created, never overwritten), a row group at a time; answers its size.
 * Every batch must have the schema of the first.
 *
 * With `flushed`, a batch is cut where a row group ends, and the bytes written so far are told with the rows of the
 * row groups flushed before the next batch is given. The batches are pulled only when the writer asks (a stream of
 * high-water mark 0, so no batch waits in it); arrow-rs's AsyncArrowWriter hands a row group's bytes to its output
 * when it flushes it (its rows reached the row-group size), before it asks for the next batch, but without waiting
 * for the reader below to take them (after its previous chunk is on disk): so the next batch waits for new bytes, at
 * most FLUSH_WAIT_MS (then the file goes on untold). The bytes told lag the rows' by what arrow-rs keeps in its
 * write buffer (8 KiB at most: a row group under that may send nothing when flushed).
 */
export async function writeParquet(path: string, batches: AsyncIterable<RecordBatch>, options: WriteOptions = {}): Promise<number> {
  const pw = await parquetWasm();
  const groupRows = options.rowGroupRows ?? ROW_GROUP_ROWS;
  const iterator = batches[Symbol.asyncIterator]();
  // The batches' own error, thrown as it is: through the WebAssembly writer it would come back as another error.
  let failure: { error: unknown } | undefined;
  let size = 0;
  /** Whether the writer's output has ended (its last bytes read, or failed); `wake` re-checks a waiting batch. */
  let ended = false;
  let wake = (): void => {};
  /** Rows given to the writer, the rest of a batch cut at a row group's end, the progress told, and whether to wait. */
  let fed = 0;
  let rest: RecordBatch | undefined;
  const told: WriteProgress = { rows: 0, bytes: 0 };
  let patient = true;
  const tell = async (flushed: (progress: WriteProgress) => void): Promise<void> => {
    const rows = fed - (fed % groupRows);
    if (rows <= told.rows) return;
    if (size <= told.bytes && !ended && patient) {
      let timer: NodeJS.Timeout | undefined;
      patient = await new Promise<boolean>((resolve) => {
        wake = () => {
          if (size > told.bytes || ended) resolve(true);
        };
        timer = setTimeout(() => resolve(false), FLUSH_WAIT_MS);
      });
      clearTimeout(timer);
      wake = () => {};
    }
    if (size <= told.bytes) return;
    [told.rows, told.bytes] = [rows, size];
    flushed({ ...told });
  };
  const source = new ReadableStream<ParquetWasm.RecordBatch>(
    {
      async pull(controller) {
        if (options.flushed) await tell(options.flushed);
        let batch = rest;
        rest = undefined;
        if (batch === undefined) {
          let next: IteratorResult<RecordBatch>;
          try {
            next = await iterator.next();
          } catch (error) {
            failure = { error };
            throw error;
          }
          if (next.done) return controller.close();
          batch = next.value;
        }
        const room = groupRows - (fed % groupRows);
        if (options.flushed && batch.numRows > room) [batch, rest] = [batch.slice(0, room), batch.slice(room)];
        fed += batch.numRows;
        const table = pw.Table.fromIPCStream(tableToIPC(new Table([batch]), 'stream'));
        for (const b of table.recordBatches()) controller.enqueue(b);
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
  // A v3 compaction's `_row_id` (row-lineage-columns.ts) is a run of consecutive longs: delta-encoded it takes a few
  // bits a row instead of 8 bytes (plain; a dictionary of unique values does not help). Other columns: the defaults.
  const properties = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setMaxRowGroupSize(groupRows)
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
  try {
    for await (const chunk of bytes) {
      // Counted when read, before it is on disk: a batch may be waiting for it.
      size += chunk.byteLength;
      wake();
      await handle.write(chunk);
    }
  } catch (e) {
    throw failure ? failure.error : e;
  } finally {
    ended = true;
    wake();
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

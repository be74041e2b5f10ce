/**
 * The DataFileRewriter over Parquet (catalog/planning/rewrite-ports.ts): each input's row groups are read one at a
 * time, the deletes that apply to it are dropped (position and equality delete files, deletion vectors:
 * delete-sets.ts), then the rows the filter admits are kept and the transforms applied (apply-batch.ts, on the
 * original values), and the batches are written out as one Parquet file a row group at a time (parquet-io.ts says
 * why parquet-wasm). Inputs and output go through `RewriteFiles`: local files are read lazily; objects in a store are
 * staged through local temporary files (storage-files.ts), but for deletion vectors, of which only the blob's byte range
 * is read. One RewriteFiles per rewrite. A request with sort keys (compaction's sort strategy) holds every input's rows
 * and writes them in that order (sort-rows.ts); without, the rewrite streams. With a target file size the output is
 * cut into several files near it, each a contiguous run of the rows as written (rolling-write.ts), each with its own
 * counts and column ranges (file-ranges.ts), published only once all are written. An input with lineage (a v3 table's
 * compaction or policy-enforced file) has its rows' `_row_id` and `_last_updated_sequence_number` written out (row-lineage-columns.ts).
 */
import { type RecordBatch, Schema } from 'apache-arrow';
import { CatalogError } from '../errors/catalog-error.js';
import { type DataFileRewriter, type RewriteRequest, type RewrittenFile, outputAt } from '../catalog/planning/rewrite-ports.js';
import { FIELD_ID_KEY, applyToBatch } from './apply-batch.js';
import { keyOf, readDeleteSets } from './delete-sets.js';
import { columnBytes, localBlob, readRowGroups } from './parquet-io.js';
import { writeRolling } from './rolling-write.js';
import { withLineage } from './row-lineage-columns.js';
import { sortBatches } from './sort-rows.js';
import { zorderBatches } from './zorder-rows.js';

/** Where a rewrite's bytes come from and go to. */
export interface RewriteFiles {
  /** The object as a Blob (read lazily where the store allows). */
  open(uri: string): Promise<Blob>;
  /** `length` bytes of the object from `offset` alone (a deletion vector's blob in its Puffin file), at most `maxBytes`. */
  readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array>;
  /** A fresh local path to write the output to, then publish(): stores it at `uri` (never overwriting). */
  scratch(): Promise<string>;
  publish(path: string, uri: string): Promise<void>;
  /** Removes the rewrite's temporary files (inputs copied from a store, the output). */
  discard(): Promise<void>;
}

const sameSchema = (a: Schema, b: Schema): boolean =>
  a.fields.length === b.fields.length &&
  a.fields.every(
    (f, i) =>
      f.name === b.fields[i]!.name && String(f.type) === String(b.fields[i]!.type) && f.metadata.get(FIELD_ID_KEY) === b.fields[i]!.metadata.get(FIELD_ID_KEY),
  );

export class ParquetRewriter implements DataFileRewriter {
  constructor(private readonly files: RewriteFiles) {}

  async rewrite(request: RewriteRequest): Promise<RewrittenFile> {
    for (const input of request.inputs) {
      if (input.format.toLowerCase() !== 'parquet')
        throw new CatalogError('ERR_UNPROCESSABLE', `data file ${input.uri} is ${input.format}: only Parquet data files are rewritten`);
    }
    let schema: Schema | undefined;
    const masks = request.transforms;
    const ctx = { querySalt: request.querySalt };
    const files = this.files;
    // The inputs' compressed bytes a row, over the inputs read whole: the first estimate of rows per output file.
    const read = { bytes: 0, rows: 0 };
    /** The input being read: its size and its footer's row count (undefined between inputs). */
    let reading: { bytes: number; rows: number } | undefined;
    async function* batches(): AsyncGenerator<RecordBatch> {
      for (const input of request.inputs) {
        const deletes = await readDeleteSets(input.deletes, files);
        const positions = deletes.positions(input.uri);
        let offset = 0;
        const blob = await files.open(input.uri);
        // The input being read counts from its footer on: a lone input above the target is cut too (compaction's
        // files above max-file-size-bytes), not written whole before its bytes a row were known.
        for await (const rowGroup of readRowGroups(blob, (rows) => (reading = { bytes: blob.size, rows }))) {
          request.signal?.throwIfAborted();
          // v3: each row's lineage written out (row-lineage-columns.ts), on the row's position in its file.
          const batch = input.lineage ? withLineage(rowGroup, offset, input.lineage) : rowGroup;
          if (schema === undefined) schema = batch.schema;
          else if (!sameSchema(schema, batch.schema))
            throw new CatalogError('ERR_UNPROCESSABLE', `data file ${input.uri} has another schema than the rewrite's first input`);
          const base = offset;
          const deleted =
            positions === undefined && deletes.equality.length === 0
              ? undefined
              : (row: number, values: (id: number) => unknown) =>
                  positions?.has(base + row) === true || deletes.equality.some((e) => e.keys.has(keyOf(e.ids.map(values))));
          offset += batch.numRows;
          yield applyToBatch(batch, { filter: request.filter, masks, deleted }, ctx);
        }
        read.bytes += blob.size;
        read.rows += offset;
        reading = undefined;
      }
    }
    // The sort strategy: every input's rows held, then written in the order asked (sort-rows.ts).
    // Z-order the same way, by the interleaved key (zorder-rows.ts).
    const sort = request.sort ?? [];
    const zorder = request.zorder;
    let held: number | undefined;
    async function* sorted(): AsyncGenerator<RecordBatch> {
      const all: RecordBatch[] = [];
      for await (const batch of batches()) all.push(batch);
      request.signal?.throwIfAborted();
      held = all.reduce((n, b) => n + b.numRows, 0);
      yield* zorder ? zorderBatches(all, zorder) : sortBatches(all, sort);
    }
    try {
      // One file, or (with a target size) files cut from the rows in the order written (rolling-write.ts).
      const parts = await writeRolling(sort.length > 0 || zorder ? sorted() : batches(), {
        targetBytes: request.targetFileSizeBytes,
        totalRows: () => held,
        inputBytesPerRow: () => {
          const [bytes, rows] = [read.bytes + (reading?.bytes ?? 0), read.rows + (reading?.rows ?? 0)];
          return rows > 0 ? bytes / rows : undefined;
        },
        scratch: () => this.files.scratch(),
      }).catch((e: unknown) => {
        // What the batch code cannot apply (a filter on a type not evaluated yet, a masked column the file lacks) is
        // the table's, not the server's: 422 with the reason, never a file that shows more.
        throw e instanceof TypeError
          ? new CatalogError('ERR_UNPROCESSABLE', `cannot apply the policy to ${request.inputs[0]?.uri ?? 'the data'}: ${e.message}`)
          : e;
      });
      const written: RewrittenFile[] = [];
      for (const [n, part] of parts.entries()) {
        const byName = await columnBytes(await localBlob(part.path));
        const columnSizes = new Map<number, number>();
        for (const f of (schema ?? new Schema([])).fields) {
          const id = Number(f.metadata.get(FIELD_ID_KEY));
          if (Number.isInteger(id) && byName.has(f.name)) columnSizes.set(id, byName.get(f.name)!);
        }
        written.push({
          uri: outputAt(request.output, n),
          format: 'parquet',
          recordCount: part.rows,
          fileSizeInBytes: part.size,
          columnSizes,
          valueCounts: part.stats.valueCounts,
          nullValueCounts: part.stats.nullValueCounts,
          ranges: part.stats.result(),
        });
      }
      // Published once every file is written: a rewrite that fails or is aborted before leaves none of them.
      for (const [n, file] of written.entries()) {
        request.signal?.throwIfAborted();
        await this.files.publish(parts[n]!.path, file.uri);
      }
      const [first, ...more] = written;
      return more.length > 0 ? { ...first!, more } : first!;
    } finally {
      await this.files.discard();
    }
  }
}

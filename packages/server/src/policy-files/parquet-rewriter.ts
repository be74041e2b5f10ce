/**
 * The DataFileRewriter over Parquet (catalog/planning/rewrite-ports.ts): each input's row groups are read one at a
 * time, the deletes that apply to it are dropped (position and equality delete files, deletion vectors:
 * delete-sets.ts), then the rows the filter admits are kept and the transforms applied (apply-batch.ts, on the
 * original values), and the batches are written out as one Parquet file a row group at a time (parquet-io.ts says
 * why parquet-wasm). Inputs and output go through `RewriteFiles`: local files are read lazily; objects in a store are
 * staged through local temporary files (storage-files.ts), but for deletion vectors, of which only the blob's byte range
 * is read. One RewriteFiles per rewrite. A request with sort keys (compaction's sort strategy) holds every input's rows
 * and writes them in that order (sort-rows.ts); without, the rewrite streams. An input with lineage (a v3 table's
 * compaction or policy-enforced file) has its rows' `_row_id` and `_last_updated_sequence_number` written out (row-lineage-columns.ts).
 */
import { type RecordBatch, Schema } from 'apache-arrow';
import { CatalogError } from '../errors/catalog-error.js';
import type { DataFileRewriter, RewriteRequest, RewrittenFile } from '../catalog/planning/rewrite-ports.js';
import { FIELD_ID_KEY, applyToBatch } from './apply-batch.js';
import { keyOf, readDeleteSets } from './delete-sets.js';
import { columnBytes, localBlob, readRowGroups, writeParquet } from './parquet-io.js';
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
    const valueCounts = new Map<number, number>();
    const nullValueCounts = new Map<number, number>();
    let recordCount = 0;
    let schema: Schema | undefined;
    const masks = request.transforms;
    const ctx = { querySalt: request.querySalt };
    const files = this.files;
    async function* batches(): AsyncGenerator<RecordBatch> {
      for (const input of request.inputs) {
        const deletes = await readDeleteSets(input.deletes, files);
        const positions = deletes.positions(input.uri);
        let offset = 0;
        for await (const read of readRowGroups(await files.open(input.uri))) {
          request.signal?.throwIfAborted();
          // v3: each row's lineage written out (row-lineage-columns.ts), on the row's position in its file.
          const batch = input.lineage ? withLineage(read, offset, input.lineage) : read;
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
          const out = applyToBatch(batch, { filter: request.filter, masks, deleted }, ctx);
          recordCount += out.numRows;
          out.schema.fields.forEach((f, i) => {
            const id = Number(f.metadata.get(FIELD_ID_KEY));
            if (!Number.isInteger(id)) return;
            valueCounts.set(id, (valueCounts.get(id) ?? 0) + out.numRows);
            nullValueCounts.set(id, (nullValueCounts.get(id) ?? 0) + out.getChildAt(i)!.nullCount);
          });
          yield out;
        }
      }
    }
    // The sort strategy: every input's rows held, then written in the order asked (sort-rows.ts).
    // Z-order the same way, by the interleaved key (zorder-rows.ts).
    const sort = request.sort ?? [];
    const zorder = request.zorder;
    async function* sorted(): AsyncGenerator<RecordBatch> {
      const held: RecordBatch[] = [];
      for await (const batch of batches()) held.push(batch);
      request.signal?.throwIfAborted();
      yield* zorder ? zorderBatches(held, zorder) : sortBatches(held, sort);
    }
    const path = await this.files.scratch();
    try {
      const fileSizeInBytes = await writeParquet(path, sort.length > 0 || zorder ? sorted() : batches()).catch((e: unknown) => {
        // What the batch code cannot apply (a filter on a type not evaluated yet, a masked column the file lacks) is
        // the table's, not the server's: 422 with the reason, never a file that shows more.
        throw e instanceof TypeError
          ? new CatalogError('ERR_UNPROCESSABLE', `cannot apply the policy to ${request.inputs[0]?.uri ?? 'the data'}: ${e.message}`)
          : e;
      });
      const byName = await columnBytes(await localBlob(path));
      const columnSizes = new Map<number, number>();
      for (const f of (schema ?? new Schema([])).fields) {
        const id = Number(f.metadata.get(FIELD_ID_KEY));
        if (Number.isInteger(id) && byName.has(f.name)) columnSizes.set(id, byName.get(f.name)!);
      }
      request.signal?.throwIfAborted();
      await this.files.publish(path, request.output);
      return { uri: request.output, format: 'parquet', recordCount, fileSizeInBytes, columnSizes, valueCounts, nullValueCounts };
    } finally {
      await this.files.discard();
    }
  }
}

/**
 * v3 row lineage carried through a rewrite (spec: "Row Lineage"): a compacted row keeps its `_row_id` (field id
 * 2147483540) and `_last_updated_sequence_number` (2147483539), which a new file could no longer inherit (its
 * first_row_id and data sequence number are new). Each input batch gets both columns with every row's value: the one
 * the file stores when not null (a file written by an earlier compaction or by an engine that materialized them), else
 * the inherited one, `first_row_id + position` (the row's position in its file, before deletes) and the file's data
 * sequence number. The columns are replaced at the end of the batch, so inputs with and without them read as one
 * schema. A file without a first_row_id (added before an upgrade to v3, not assigned one yet) keeps null row ids,
 * which the new file then assigns by inheritance, as a reader would have.
 */
import { Field, Int64, type RecordBatch, RecordBatch as Batch, Schema, Struct, makeData } from 'apache-arrow';
import { FIELD_ID_KEY } from './apply-batch.js';

export const ROW_ID_FIELD = 2147483540;
export const LAST_UPDATED_SEQUENCE_NUMBER_FIELD = 2147483539;

/** What a data file's rows inherit when their lineage columns are null (its manifest entry's values). */
export interface FileLineage {
  firstRowId: number | null;
  dataSequenceNumber: number;
}

const lineageField = (name: string, id: number) => new Field(name, new Int64(), true, new Map([[FIELD_ID_KEY, String(id)]]));

/** The batch (rows `base`… of its file) with `_row_id` and `_last_updated_sequence_number` materialized for every row. */
export function withLineage(batch: RecordBatch, base: number, lineage: FileLineage): RecordBatch {
  const idOf = (i: number) => Number(batch.schema.fields[i]!.metadata.get(FIELD_ID_KEY));
  const indexOf = (id: number) => batch.schema.fields.findIndex((_, i) => idOf(i) === id);
  const stored = (id: number) => {
    const i = indexOf(id);
    return i < 0 ? undefined : batch.getChildAt(i)!;
  };
  const rowIds = stored(ROW_ID_FIELD);
  const seqs = stored(LAST_UPDATED_SEQUENCE_NUMBER_FIELD);
  const n = batch.numRows;
  // Typed arrays, not JavaScript values per row: a million rows' lineage costs milliseconds, not seconds.
  const ids = new BigInt64Array(n);
  const updated = new BigInt64Array(n).fill(BigInt(lineage.dataSequenceNumber));
  const first = lineage.firstRowId === null ? null : BigInt(lineage.firstRowId + base);
  let valid: Uint8Array | undefined;
  let nullIds = 0;
  let next = first ?? 0n;
  for (let r = 0; r < n; r++, next++) {
    const id = rowIds?.get(r) as bigint | number | null | undefined;
    if (id !== null && id !== undefined) ids[r] = BigInt(id);
    else if (first !== null) ids[r] = next;
    else {
      valid ??= new Uint8Array(Math.ceil(n / 8)).fill(0xff);
      valid[r >> 3]! &= ~(1 << (r & 7));
      nullIds += 1;
    }
  }
  if (seqs !== undefined && seqs.nullCount < n) {
    for (let r = 0; r < n; r++) {
      const seq = seqs.get(r) as bigint | number | null | undefined;
      if (seq !== null && seq !== undefined) updated[r] = BigInt(seq);
    }
  }
  const keep = batch.schema.fields.map((_, i) => i).filter((i) => idOf(i) !== ROW_ID_FIELD && idOf(i) !== LAST_UPDATED_SEQUENCE_NUMBER_FIELD);
  const fields = [
    ...keep.map((i) => batch.schema.fields[i]!),
    lineageField('_row_id', ROW_ID_FIELD),
    lineageField('_last_updated_sequence_number', LAST_UPDATED_SEQUENCE_NUMBER_FIELD),
  ];
  const children = [
    ...keep.map((i) => batch.data.children[i]!),
    makeData({ type: new Int64(), length: n, nullCount: nullIds, data: ids, ...(valid ? { nullBitmap: valid } : {}) }),
    makeData({ type: new Int64(), length: n, nullCount: 0, data: updated }),
  ];
  const schema = new Schema(fields, batch.schema.metadata);
  return new Batch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }));
}

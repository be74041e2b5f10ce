/**
 * A policy applied to one Arrow record batch (issue 53's policy-enforced files; not wired into planning yet): the rows
 * the effective row filter admits, with each masked column's values masked. Columns are matched by Iceberg field id,
 * which Parquet readers hand out as the field metadata `PARQUET:field_id` (arrow-rs, parquet-wasm, pyarrow), a
 * struct's fields by theirs (nested-columns.ts: filtered on, masked inside their struct); a masked
 * or filtered field id with no column in the batch throws, so nothing is left unmasked for want of a name. The batch's
 * schema is kept as it is, metadata included, so a file written from the result keeps its field ids. Memory is one
 * batch at a time: a writer streams batches through this.
 */
import { Field, type RecordBatch, RecordBatch as Batch, Schema, Struct, makeData, vectorFromArray } from 'apache-arrow';
import type { BoundExpression } from '../catalog/kit/expression.js';
import type { ColumnMask } from '../catalog/ports/policies.js';
import type { MaskContext } from './masks.js';
import { fieldPaths, maskTree, maskedColumn, valueReader } from './nested-columns.js';
import { rowPredicate } from './row-filter.js';
import { takeRows } from './take-rows.js';

export const FIELD_ID_KEY = 'PARQUET:field_id';

export interface BatchPolicy {
  /** The effective row filter bound to the table's schema (catalog/kit/expression.ts); undefined: every row. */
  filter?: BoundExpression | undefined;
  masks: readonly Pick<ColumnMask, 'fieldId' | 'action' | 'value'>[];
  /** Rows a delete removes (row index in the batch, the row's values by field id): dropped before the filter. */
  deleted?: ((row: number, values: (fieldId: number) => unknown) => boolean) | undefined;
}

export function applyToBatch(batch: RecordBatch, policy: BatchPolicy, ctx: MaskContext): RecordBatch {
  // Top-level columns and the fields of structs, by field id (nested-columns.ts).
  const paths = fieldPaths(batch.schema, FIELD_ID_KEY);
  const pathOf = (id: number): number[] => {
    const path = paths.get(id);
    if (path === undefined) throw new TypeError(`the batch has no column with field id ${id}`);
    return path;
  };
  const columns = batch.schema.fields.map((_, i) => batch.getChildAt(i)!);
  const readers = new Map<number, (row: number) => unknown>();
  const readerOf = (id: number) => {
    let read = readers.get(id);
    if (read === undefined) readers.set(id, (read = valueReader(columns, pathOf(id))));
    return read;
  };
  // Rows the filter admits.
  const keep = policy.filter === undefined ? undefined : rowPredicate(policy.filter);
  const rows: number[] = [];
  for (let r = 0; r < batch.numRows; r++) {
    const values = (id: number) => readerOf(id)(r);
    if (policy.deleted?.(r, values)) continue;
    if (keep === undefined || keep(values)) rows.push(r);
  }
  const masks = maskTree(policy.masks, pathOf);
  const everyRow = rows.length === batch.numRows;
  const children = batch.schema.fields.map((field, i) => {
    const mask = masks.get(i);
    const source = columns[i]!;
    // Every row kept and nothing to mask (a file its partition admits whole): the column as it is, no copy.
    if (everyRow && mask === undefined && source.data.length === 1) return source.data[0]!;
    // An unmasked column keeps its values as stored (take-rows.ts): through JavaScript values a timestamp would come
    // back through float milliseconds (a microsecond lost, or a RangeError).
    if (mask === undefined && source.data.length === 1)
      return takeRows(
        source.data,
        rows.map((row) => ({ chunk: 0, row })),
      );
    if (mask !== undefined) return maskedColumn(source, mask, rows, ctx);
    return vectorFromArray(
      rows.map((r) => source.get(r) ?? null),
      field.type,
    ).data[0]!;
  });
  const schema = new Schema(
    batch.schema.fields.map((f) => new Field(f.name, f.type, f.nullable, f.metadata)),
    batch.schema.metadata,
  );
  return new Batch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}

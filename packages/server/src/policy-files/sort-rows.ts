/**
 * Compaction's sort strategy over Arrow batches (catalog/planning/rewrite-ports.ts, RewriteSortKey): the batches of a
 * rewrite are held, their rows ordered by the sort keys (stable: rows equal on every key keep their input order), and
 * written out again in batches of at most `BATCH_ROWS` rows, their values copied as stored (take-rows.ts). Each key compares the transform of the source value
 * (identity, truncate[W], year, month, day, hour, computed as partitioning computes them: catalog/planning/
 * apply-transform.ts), descending when asked, nulls first or last as asked; a float NaN sorts above every number, as
 * Java's Double.compare puts it. Memory is the group's rows, decoded: the caller bounds the group (compaction packs
 * at most its target size of input bytes per rewrite).
 */
import { Field, type RecordBatch, RecordBatch as Batch, Schema, Struct, makeData } from 'apache-arrow';
import type { RewriteSortKey } from '../catalog/planning/rewrite-ports.js';
import { applyTransform, parseApplied } from '../catalog/planning/apply-transform.js';
import { type Value, compare } from '../catalog/planning/values.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { takeRows } from './take-rows.js';

export const BATCH_ROWS = 65_536;

const DAY_MS = 86_400_000;

/** The transforms a sort key may carry here, by source type (bucket is refused by the caller). */
export function sortableTransform(transform: string, sourceType: string): boolean {
  const t = parseApplied(transform);
  if (t.kind === 'identity') return true;
  if (t.kind === 'truncate') return ['int', 'long', 'string', 'binary'].includes(sourceType);
  if (t.kind === 'year' || t.kind === 'month' || t.kind === 'day') return sourceType === 'date' || sourceType.startsWith('timestamp');
  if (t.kind === 'hour') return sourceType.startsWith('timestamp');
  return false;
}

/** An Arrow value (dates and timestamps as epoch milliseconds) in the form apply-transform.ts takes (days, micros or nanos). */
function icebergValue(type: string, v: unknown): Value {
  if (type === 'date') return Math.floor((v as number) / DAY_MS);
  if (type.startsWith('timestamp')) {
    const micros = typeof v === 'bigint' ? v : BigInt(Math.round((v as number) * 1000));
    return type.endsWith('_ns') ? micros * 1000n : micros;
  }
  if (type === 'long' && typeof v === 'number') return BigInt(v);
  return v as Value;
}

/** The value a row is ordered by on one key: the transform of the source value, null for a null. */
function keyReader(key: RewriteSortKey): (v: unknown) => unknown {
  const t = parseApplied(key.transform);
  if (!sortableTransform(key.transform, key.sourceType)) throw new TypeError(`cannot sort by ${key.transform} of a ${key.sourceType} column`);
  if (t.kind === 'identity') return (v) => (v === undefined ? null : v);
  return (v) => (v === null || v === undefined ? null : (applyTransform(t, key.sourceType, icebergValue(key.sourceType, v)) ?? null));
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number' && (Number.isNaN(a) || Number.isNaN(b))) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  if (typeof a === 'number' && typeof b === 'bigint') return compare(BigInt(Math.trunc(a)), b) || a - Math.trunc(a);
  if (typeof a === 'bigint' && typeof b === 'number') return -compareValues(b, a);
  const c = compare(a as Value, b as Value);
  if (Number.isNaN(c)) throw new TypeError(`cannot order ${typeof a} and ${typeof b} values`);
  return c;
}

/** The batches' rows, ordered by the keys, in batches of one schema (the first batch's, field ids included). */
export function* sortBatches(batches: readonly RecordBatch[], keys: readonly RewriteSortKey[]): Generator<RecordBatch> {
  if (batches.length === 0) return;
  const first = batches[0]!;
  const readers = keys.map((k) => ({ key: k, column: columnIndex(first, k.fieldId), read: keyReader(k) }));
  // Each row as its batch, its index in it, and its key values (computed once).
  const rows: { batch: number; row: number; keys: unknown[] }[] = [];
  batches.forEach((batch, b) => {
    const columns = readers.map((r) => batch.getChildAt(r.column)!);
    for (let row = 0; row < batch.numRows; row++) rows.push({ batch: b, row, keys: readers.map((r, i) => r.read(columns[i]!.get(row))) });
  });
  rows.sort((x, y) => {
    for (let i = 0; i < readers.length; i++) {
      const { key } = readers[i]!;
      const [a, b] = [x.keys[i], y.keys[i]];
      if (a === null || b === null) {
        if (a === b) continue;
        return (a === null) === key.nullsFirst ? -1 : 1;
      }
      const c = compareValues(a, b);
      if (c !== 0) return key.descending ? -c : c;
    }
    return 0;
  });
  yield* writeOrdered(batches, rows);
}

/** The batches' rows in the order of `picks` (a batch's index and a row in it), in batches of at most BATCH_ROWS rows. */
export function* writeOrdered(batches: readonly RecordBatch[], picks: readonly { batch: number; row: number }[]): Generator<RecordBatch> {
  const first = batches[0]!;
  const schema = new Schema(
    first.schema.fields.map((f) => new Field(f.name, f.type, f.nullable, f.metadata)),
    first.schema.metadata,
  );
  // No rows (every one deleted, or files of none): one batch of none, so the writer still has the columns.
  if (picks.length === 0) yield first.slice(0, 0);
  for (let start = 0; start < picks.length; start += BATCH_ROWS) {
    const chunk = picks.slice(start, start + BATCH_ROWS).map(({ batch, row }) => ({ chunk: batch, row }));
    const children = schema.fields.map((_, c) =>
      takeRows(
        batches.map((b) => b.data.children[c]!),
        chunk,
      ),
    );
    yield new Batch(schema, makeData({ type: new Struct(schema.fields), length: chunk.length, nullCount: 0, children }));
  }
}

/** The index of the column with field id `id` in the batch's schema (a TypeError if the data files lack it). */
export function columnIndex(batch: RecordBatch, id: number): number {
  const i = batch.schema.fields.findIndex((f) => Number(f.metadata.get(FIELD_ID_KEY)) === id);
  if (i < 0) throw new TypeError(`the sort order names field id ${id}, which the data files lack`);
  return i;
}

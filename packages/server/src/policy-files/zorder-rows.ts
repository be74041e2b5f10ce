/**
 * Compaction's z-order over Arrow batches (catalog/planning/rewrite-ports.ts, RewriteZOrder): as the sort strategy
 * (sort-rows.ts), the group's batches are held, their rows ordered, and written out again in batches of at most
 * BATCH_ROWS rows, values copied as stored. The order is the z-order key (zorder-bytes.ts) compared as unsigned bytes;
 * rows with equal keys keep their input order. Each row's key is computed once into one buffer (the key is at most
 * the columns' bytes, 8 each by default), compared four bytes at a time.
 */
import type { RecordBatch } from 'apache-arrow';
import type { RewriteZOrder } from '../catalog/planning/rewrite-ports.js';
import { columnIndex, writeOrdered } from './sort-rows.js';
import {
  PRIMITIVE_BYTES,
  binaryBytes,
  booleanBytes,
  columnBytes,
  floatingPointBytes,
  interleave,
  interleavePlan,
  stringBytes,
  wholeNumberBytes,
  zorderable,
} from './zorder-bytes.js';

const DAY_MS = 86_400_000;

type Writer = (v: unknown, out: Uint8Array, at: number) => void;

/** Writes an Arrow value (dates and timestamps as epoch milliseconds) of this Iceberg type as its key bytes. */
function writerOf(type: string, varLength: number): Writer {
  if (!zorderable(type)) throw new TypeError(`cannot z-order by a ${type} column`);
  switch (type) {
    case 'boolean':
      return (v, out, at) => booleanBytes(v as boolean, out, at);
    case 'int':
    case 'long':
      return (v, out, at) => wholeNumberBytes(typeof v === 'bigint' ? v : BigInt(v as number), out, at);
    case 'float':
    case 'double':
      return (v, out, at) => floatingPointBytes(v as number, out, at);
    case 'date':
      return (v, out, at) => wholeNumberBytes(BigInt(Math.floor((v as number) / DAY_MS)), out, at);
    case 'string':
      return (v, out, at) => stringBytes(v as string, varLength, out, at);
    case 'binary':
      return (v, out, at) => binaryBytes(v as Uint8Array, varLength, out, at);
    default: {
      // Timestamps: Arrow hands them out as (fractional) milliseconds; the key is the micros (or nanos) since the epoch.
      const nanos = type.endsWith('_ns');
      return (v, out, at) => {
        const micros = typeof v === 'bigint' ? v : BigInt(Math.round((v as number) * 1000));
        wholeNumberBytes(nanos ? micros * 1000n : micros, out, at);
      };
    }
  }
}

/** The row order of the batches' rows by their z-order key: each pick a batch's index and a row in it. */
export function zorderPicks(batches: readonly RecordBatch[], zorder: RewriteZOrder): { batch: number; row: number }[] {
  if (batches.length === 0) return [];
  const first = batches[0]!;
  const columns = zorder.columns.map((c) => ({
    index: columnIndex(first, c.fieldId),
    size: columnBytes(c.sourceType, zorder.varLengthContribution),
    write: writerOf(c.sourceType, zorder.varLengthContribution),
  }));
  const sizes = columns.map((c) => c.size);
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((n, s) => n + s, 0));
  const plan = interleavePlan(sizes, zorder.maxOutputSize);
  const keyBytes = plan.length / 3 / 8;
  const words = Math.ceil(keyBytes / 4);
  const n = batches.reduce((k, b) => k + b.numRows, 0);
  // Every row's key, padded to whole 32-bit words (zeros, the same for every row, so they never change an order).
  const keys = new Uint8Array(n * words * 4);
  const source = new Uint8Array(sizes.reduce((k, s) => k + s, 0) || PRIMITIVE_BYTES);
  const rows: { batch: number; row: number }[] = new Array(n);
  let r = 0;
  batches.forEach((batch, b) => {
    const vectors = columns.map((c) => batch.getChildAt(c.index)!);
    for (let row = 0; row < batch.numRows; row++, r++) {
      columns.forEach((c, i) => {
        const v = vectors[i]!.get(row);
        if (v === null || v === undefined) source.fill(0, offsets[i]!, offsets[i]! + c.size);
        else c.write(v, source, offsets[i]!);
      });
      interleave(source, offsets, plan, keys, r * words * 4);
      rows[r] = { batch: b, row };
    }
  });
  const view = new DataView(keys.buffer);
  const word = new Uint32Array(n * words);
  for (let i = 0; i < word.length; i++) word[i] = view.getUint32(i * 4);
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  order.sort((x, y) => {
    for (let w = 0, a = x * words, b = y * words; w < words; w++, a++, b++) if (word[a] !== word[b]) return word[a]! < word[b]! ? -1 : 1;
    return x - y;
  });
  return Array.from(order, (i) => rows[i]!);
}

/** The batches' rows in z-order, in batches of one schema (the first batch's, field ids included). */
export function* zorderBatches(batches: readonly RecordBatch[], zorder: RewriteZOrder): Generator<RecordBatch> {
  if (batches.length === 0) return;
  yield* writeOrdered(batches, zorderPicks(batches, zorder));
}

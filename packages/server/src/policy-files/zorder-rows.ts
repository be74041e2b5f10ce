/**
 * Compaction's z-order over Arrow batches (catalog/planning/rewrite-ports.ts, RewriteZOrder): as the sort strategy
 * (sort-rows.ts), the group's batches are held, their rows ordered, and written out again in batches of at most
 * BATCH_ROWS rows, values copied as stored. The order is the z-order key (zorder-bytes.ts) compared as unsigned bytes;
 * rows with equal keys keep their input order. Each row's key is computed once into one buffer (the key is at most
 * the columns' bytes, 8 each by default), and the rows radix-sorted by it; numbers are read from the columns' typed
 * arrays (1 M rows of two columns: docs/benchmarks.md, "Z-order").
 */
import { DateUnit, type RecordBatch, TimeUnit, Type, type Vector } from 'apache-arrow';
import { type RewriteZOrder, zorderColumnBytes, zorderable } from '../catalog/planning/rewrite-ports.js';
import { columnIndex, writeOrdered } from './sort-rows.js';
import { PRIMITIVE_BYTES, binaryBytes, booleanBytes, floatingPointBytes, stringBytes, wholeNumberBytes } from './zorder-bytes.js';

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

/**
 * SPREAD[m - 1][k][b]: byte b of the k-th of m columns in a round, its bits spread to every m-th bit of a 32-bit word
 * from the most significant (bit j of the byte, from its most significant, to bit j * m + k of the word).
 */
const SPREAD: Uint32Array[][] = [1, 2, 3, 4].map((m) =>
  Array.from({ length: m }, (_, k) =>
    Uint32Array.from({ length: 256 }, (_, b) => {
      let word = 0;
      for (let j = 0; j < 8; j++) if (b & (0x80 >> j)) word |= 1 << (31 - (j * m + k));
      return word >>> 0;
    }),
  ),
);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);

/**
 * Writes row `row` of `vector`'s key bytes at `at` of `view`: read from the column's own typed array, without
 * JavaScript values or BigInts, for 64-bit integers (long; timestamps whose Arrow unit is the Iceberg type's), 32-bit
 * integers (int; dates in days) and floating point; through the value (`generic`) for every other column. The bytes
 * are those of zorder-bytes.ts (tested against it): each fixed-width key is two big-endian 32-bit words.
 */
function fillerOf(vector: Vector, type: string, generic: Writer, source: Uint8Array, view: DataView, at: number, size: number): (row: number) => void {
  const data = vector.data[0]!;
  const values = data.values as unknown;
  const offset = data.offset;
  const valid = (row: number) => data.nullCount === 0 || vector.isValid(row);
  const arrowType = data.type as { typeId: Type; unit?: number };
  const unitFits = type.startsWith('timestamp') ? arrowType.unit === (type.endsWith('_ns') ? TimeUnit.NANOSECOND : TimeUnit.MICROSECOND) : type === 'long';
  const put = (hi: number, lo: number) => {
    view.setUint32(at, hi >>> 0);
    view.setUint32(at + 4, lo >>> 0);
  };
  const nul = () => source.fill(0, at, at + size);
  if (LITTLE_ENDIAN && values instanceof BigInt64Array && unitFits && vector.data.length === 1) {
    const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
    return (row) => (valid(row) ? put(words[2 * (offset + row) + 1]! ^ 0x8000_0000, words[2 * (offset + row)]!) : nul());
  }
  if (
    values instanceof Int32Array &&
    (type === 'int' || (type === 'date' && arrowType.typeId === Type.Date && (arrowType.unit as DateUnit) === DateUnit.DAY)) &&
    vector.data.length === 1
  ) {
    return (row) => {
      if (!valid(row)) return nul();
      const v = values[offset + row]!;
      put((v < 0 ? 0xffff_ffff : 0) ^ 0x8000_0000, v);
    };
  }
  if (LITTLE_ENDIAN && (values instanceof Float64Array || values instanceof Float32Array) && vector.data.length === 1) {
    return (row) => {
      if (!valid(row)) return nul();
      const v = values[offset + row]!;
      if (Number.isNaN(v)) return put(0x7ff8_0000 | 0x8000_0000, 0);
      scratch[0] = v;
      const [lo, hi] = [scratchWords[0]!, scratchWords[1]!];
      if (hi & 0x8000_0000) put(~hi, ~lo);
      else put(hi | 0x8000_0000, lo);
    };
  }
  return (row) => {
    const v = vector.get(row);
    if (v === null || v === undefined) nul();
    else generic(v, source, at);
  };
}

/**
 * Every row's z-order key, in the batches' order: `keys` holds row i's at i * stride (the key's bytes, then zeros to
 * whole 32-bit words, the same for every row, so they never change an order).
 */
export function zorderKeys(batches: readonly RecordBatch[], zorder: RewriteZOrder): { keys: Uint8Array; stride: number; bytes: number } {
  const first = batches[0];
  const columns = zorder.columns.map((c) => ({
    index: first ? columnIndex(first, c.fieldId) : -1,
    type: c.sourceType,
    size: zorderColumnBytes(c.sourceType, zorder.varLengthContribution),
    write: writerOf(c.sourceType, zorder.varLengthContribution),
  }));
  const sizes = columns.map((c) => c.size);
  const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((n, s) => n + s, 0));
  const bytes = Math.min(
    zorder.maxOutputSize,
    sizes.reduce((n, s) => n + s, 0),
  );
  // The interleaving, a byte of each column at a time (the same as the bit-by-bit plan of zorder-bytes.ts, which the
  // tests compare it with): round t takes byte t of every column that has one, and writes their bits interleaved as
  // that many output bytes. Up to 4 columns a round, from tables of each byte's bits spread apart.
  const rounds: Int32Array[] = [];
  for (let t = 0, written = 0; written < bytes; t++) {
    const sources = columns.flatMap((_, c) => (sizes[c]! > t ? [offsets[c]! + t] : []));
    rounds.push(Int32Array.from(sources));
    written += sources.length;
  }
  const stride = Math.ceil(bytes / 4) * 4;
  const n = batches.reduce((k, b) => k + b.numRows, 0);
  const keys = new Uint8Array(n * stride);
  const source = new Uint8Array(
    Math.max(
      PRIMITIVE_BYTES,
      sizes.reduce((k, s) => k + s, 0),
    ),
  );
  const view = new DataView(source.buffer);
  let r = 0;
  for (const batch of batches) {
    const fill = columns.map((c, i) => fillerOf(batch.getChildAt(c.index)!, c.type, c.write, source, view, offsets[i]!, c.size));
    for (let row = 0; row < batch.numRows; row++, r++) {
      for (const f of fill) f(row);
      const end = r * stride + bytes;
      let at = r * stride;
      for (const round of rounds) {
        const m = round.length;
        if (m <= 4) {
          const tables = SPREAD[m - 1]!;
          let word = 0;
          for (let k = 0; k < m; k++) word |= tables[k]![source[round[k]!]!]!;
          for (let k = 0; k < m && at < end; k++, at++) keys[at] = word >>> (24 - 8 * k);
        } else {
          for (let bit = 0; bit < 8 * m; bit++, at += (bit & 7) === 0 ? 1 : 0) {
            if (at >= end) break;
            if ((source[round[bit % m]!]! >> (7 - Math.floor(bit / m))) & 1) keys[at] = keys[at]! | (0x80 >> (bit & 7));
          }
        }
        if (at >= end) break;
      }
    }
  }
  return { keys, stride, bytes };
}

/**
 * The rows' order by their keys, compared as unsigned bytes, equal keys in input order: a least-significant-digit
 * radix sort, a byte a pass (stable, so ties keep the input order), skipping a byte every row has the same (the high
 * bytes of small numbers). Linear in the rows: a comparison sort in JavaScript took 3 to 4 times as long here.
 */
function radixOrder(keys: Uint8Array, stride: number, bytes: number, n: number): Uint32Array {
  let order = Uint32Array.from({ length: n }, (_, i) => i);
  let next = new Uint32Array(n);
  const counts = new Uint32Array(256);
  for (let b = bytes - 1; b >= 0; b--) {
    counts.fill(0);
    for (let i = 0, at = b; i < n; i++, at += stride) counts[keys[at]!]!++;
    if (counts.includes(n)) continue;
    for (let d = 0, sum = 0; d < 256; d++) [counts[d], sum] = [sum, sum + counts[d]!];
    for (let i = 0; i < n; i++) {
      const row = order[i]!;
      next[counts[keys[row * stride + b]!]!++] = row;
    }
    [order, next] = [next, order];
  }
  return order;
}

/** The row order of the batches' rows by their z-order key: each pick a batch's index and a row in it. */
export function zorderPicks(batches: readonly RecordBatch[], zorder: RewriteZOrder): { batch: number; row: number }[] {
  if (batches.length === 0) return [];
  const { keys, stride, bytes } = zorderKeys(batches, zorder);
  const order = radixOrder(keys, stride, bytes, keys.length / stride);
  const rows: { batch: number; row: number }[] = [];
  batches.forEach((batch, b) => {
    for (let row = 0; row < batch.numRows; row++) rows.push({ batch: b, row });
  });
  return Array.from(order, (i) => rows[i]!);
}

/** The batches' rows in z-order, in batches of one schema (the first batch's, field ids included). */
export function* zorderBatches(batches: readonly RecordBatch[], zorder: RewriteZOrder): Generator<RecordBatch> {
  if (batches.length === 0) return;
  yield* writeOrdered(batches, zorderPicks(batches, zorder));
}

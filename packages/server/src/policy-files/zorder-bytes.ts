/**
 * The z-order key of compaction's z-order (Spark's rewrite_data_files `sort_order => 'zorder(a, b)'`), with the
 * semantics of Iceberg's ZOrderByteUtils and SparkZOrderUDF: each column's value becomes bytes of a fixed length whose
 * unsigned, big-endian byte order is the value's order, then the columns' bits are interleaved (the first bit of each
 * column, then the second of each, ...), and rows are ordered by those bytes.
 *
 * Written by hand: no JavaScript library computes Iceberg's z-order bytes (the order-preserving forms are Iceberg's
 * choices: 8 bytes for every fixed-width type, the sign bit flipped, floats widened to doubles, strings cut at a
 * character boundary), and the interleaving is a few lines.
 *
 * - int, long (and a date's days, a timestamp's micros or nanos): the 64-bit two's complement value with its sign bit
 *   flipped, 8 bytes (ints are widened to longs first, as Java's `wholeNumberOrderedBytes`).
 * - float, double: the IEEE 754 bits of the value as a double (a float is widened), all bits flipped for a negative
 *   number, only the sign bit for a positive one; NaN is Java's canonical NaN (above +Infinity), -0 sorts below 0.
 * - string: its UTF-8 bytes, cut to `varLength` bytes at a character boundary (a character that does not fit whole is
 *   left out, as Java's CharsetEncoder leaves it), zero-padded.
 * - binary: its bytes, cut or zero-padded to `varLength`.
 * - boolean: 0x81 then seven zero bytes for true, zeros for false (SparkZOrderUDF's form).
 * - null: zeros of the column's length (the least key, as in Iceberg: nulls sort first, with the least values).
 */
import { ZORDER_FIXED_BYTES } from '../catalog/planning/rewrite-ports.js';

/** Bytes of a fixed-width column's key (ZOrderByteUtils.PRIMITIVE_BUFFER_SIZE; the port's, which sizes the key). */
export const PRIMITIVE_BYTES = ZORDER_FIXED_BYTES;

const SIGN = 0x8000_0000_0000_0000n;
const MASK64 = 0xffff_ffff_ffff_ffffn;

/** Writes `v` (a 64-bit signed integer) into `out` at `at` with its sign bit flipped, big-endian. */
export function wholeNumberBytes(v: bigint, out: Uint8Array, at = 0): void {
  new DataView(out.buffer, out.byteOffset + at, PRIMITIVE_BYTES).setBigUint64(0, (BigInt.asUintN(64, v) ^ SIGN) & MASK64);
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const CANONICAL_NAN = 0x7ff8_0000_0000_0000n;

/** Writes `v` (as a double) into `out` at `at` in IEEE order-preserving form, big-endian. */
export function floatingPointBytes(v: number, out: Uint8Array, at = 0): void {
  f64[0] = v;
  const bits = Number.isNaN(v) ? CANONICAL_NAN : u64[0]!;
  // Negative: every bit flipped (a larger magnitude is a smaller number); positive: the sign bit set above negatives.
  const ordered = bits & SIGN ? ~bits & MASK64 : bits | SIGN;
  new DataView(out.buffer, out.byteOffset + at, PRIMITIVE_BYTES).setBigUint64(0, ordered);
}

const encoder = new TextEncoder();

/** Writes `v`'s UTF-8 bytes into `out` at `at`, at most `length` whole characters' bytes, the rest zeros. */
export function stringBytes(v: string, length: number, out: Uint8Array, at = 0): void {
  const target = out.subarray(at, at + length);
  target.fill(0);
  // encodeInto writes only whole characters: one that does not fit is left out, as Java's encoder leaves it.
  encoder.encodeInto(v, target);
}

/** Writes `v` into `out` at `at`, cut or zero-padded to `length` bytes. */
export function binaryBytes(v: Uint8Array, length: number, out: Uint8Array, at = 0): void {
  const target = out.subarray(at, at + length);
  target.fill(0);
  target.set(v.length > length ? v.subarray(0, length) : v);
}

/** Writes a boolean's key into `out` at `at`: 0x81 and zeros for true (SparkZOrderUDF's -127), zeros for false. */
export function booleanBytes(v: boolean, out: Uint8Array, at = 0): void {
  out.fill(0, at, at + PRIMITIVE_BYTES);
  if (v) out[at] = 0x81;
}

/**
 * Where each output bit of the interleaving comes from, as [column, byte, bit] triples (bit 7 the most significant):
 * round robin over the columns, bit by bit from the most significant, a column with no bits left skipped; `outputBytes`
 * bytes in all (Iceberg's `max-output-size`: the columns' total, or fewer). The reference, bit by bit as Iceberg's
 * loop: zorder-rows.ts interleaves a byte of each column at a time, and its tests compare it with this.
 */
export function interleavePlan(sizes: readonly number[], outputBytes: number): Int32Array {
  const total = sizes.reduce((n, s) => n + s, 0);
  const bits = Math.min(outputBytes, total) * 8;
  const plan = new Int32Array(bits * 3);
  let column = 0;
  let byte = 0;
  let bit = 7;
  for (let i = 0; i < bits; i++) {
    // The next column that still has this byte (every column has at least one byte, and bits <= their total).
    while (sizes[column]! <= byte) {
      column++;
      if (column === sizes.length) {
        column = 0;
        if (--bit < 0) [byte, bit] = [byte + 1, 7];
      }
    }
    plan.set([column, byte, bit], i * 3);
    column++;
    if (column === sizes.length) {
      column = 0;
      if (--bit < 0) [byte, bit] = [byte + 1, 7];
    }
  }
  return plan;
}

/** Interleaves the columns' bytes (`columns[c]` at `offsets[c]` of `source`) into `out` at `at`, by `plan`. */
export function interleave(source: Uint8Array, offsets: readonly number[], plan: Int32Array, out: Uint8Array, at = 0): void {
  const bytes = plan.length / 3 / 8;
  out.fill(0, at, at + bytes);
  for (let i = 0, p = 0; p < plan.length; i++, p += 3) {
    const b = (source[offsets[plan[p]!]! + plan[p + 1]!]! >> plan[p + 2]!) & 1;
    const k = at + (i >> 3);
    if (b) out[k] = out[k]! | (0x80 >> (i & 7));
  }
}

/** The interleaved key of byte arrays (one per column), `outputBytes` long at most (the reference; tests use it). */
export function interleaveBits(columns: readonly Uint8Array[], outputBytes = Number.MAX_SAFE_INTEGER): Uint8Array {
  const sizes = columns.map((c) => c.length);
  const plan = interleavePlan(sizes, outputBytes);
  const source = new Uint8Array(sizes.reduce((n, s) => n + s, 0));
  const offsets: number[] = [];
  let at = 0;
  for (const c of columns) {
    offsets.push(at);
    source.set(c, at);
    at += c.length;
  }
  const out = new Uint8Array(plan.length / 3 / 8);
  interleave(source, offsets, plan, out);
  return out;
}

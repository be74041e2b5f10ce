/**
 * Partition transforms applied to values (Iceberg spec, "Partition Transforms" and Appendix B for bucket
 * hashing), on the comparable values of values.ts. Partition pruning is only as right as these: a bucket
 * computed differently from the writer's prunes files that match. Bucket hashing is murmur3_x86_32 (seed 0)
 * from murmurhash3js-revisited, which matches the reference implementation on byte arrays; only the byte
 * layout of each type (Appendix B) is written here.
 */
import murmur from 'murmurhash3js-revisited';
import type { TransformKind } from '../metadata/transforms.js';
import { decimalScale, toTwosComplement, type Value } from './values.js';

export interface AppliedTransform {
  kind: TransformKind;
  /** bucket count or truncate width. */
  param: number;
}

export function parseApplied(name: string): AppliedTransform {
  const lower = name.toLowerCase();
  const m = /^(bucket|truncate)\[(\d+)\]$/.exec(lower);
  if (m) return { kind: m[1] as 'bucket' | 'truncate', param: Number(m[2]) };
  if (['identity', 'year', 'month', 'day', 'hour', 'void'].includes(lower)) return { kind: lower as TransformKind, param: 0 };
  return { kind: 'unknown', param: 0 };
}

/** The type of a transform's result (what partition tuples and field summaries hold). */
export function resultType(t: AppliedTransform, source: string): string {
  switch (t.kind) {
    case 'identity':
    case 'truncate':
      return source;
    case 'day':
      return 'date';
    default:
      return 'int';
  }
}

const MICROS_PER_DAY = 86_400_000_000n;
const MICROS_PER_HOUR = 3_600_000_000n;

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
};

/** Timestamps (micros, or nanos for _ns types) and dates (days) to micros; undefined for other values. */
function toMicros(source: string, v: Value): bigint | undefined {
  if (source === 'date' && typeof v === 'number') return BigInt(v) * MICROS_PER_DAY;
  if (typeof v !== 'bigint') return undefined;
  return source.endsWith('_ns') ? floorDiv(v, 1000n) : v;
}

/** The transform of one non-null value; undefined when it cannot be computed (the caller then never prunes). */
export function applyTransform(t: AppliedTransform, source: string, v: Value): Value | undefined {
  switch (t.kind) {
    case 'identity':
      return v;
    case 'bucket': {
      const h = bucketHash(source, v);
      return h === undefined ? undefined : (h & 0x7fffffff) % t.param;
    }
    case 'truncate':
      return truncate(t.param, v);
    case 'year':
    case 'month': {
      const micros = toMicros(source, v);
      if (micros === undefined) return undefined;
      const d = new Date(Number(floorDiv(micros, MICROS_PER_DAY)) * 86_400_000);
      const years = d.getUTCFullYear() - 1970;
      return t.kind === 'year' ? years : years * 12 + d.getUTCMonth();
    }
    case 'day': {
      const micros = toMicros(source, v);
      return micros === undefined ? undefined : Number(floorDiv(micros, MICROS_PER_DAY));
    }
    case 'hour': {
      const micros = toMicros(source, v);
      return micros === undefined || source === 'date' ? undefined : Number(floorDiv(micros, MICROS_PER_HOUR));
    }
    default:
      return undefined;
  }
}

function truncate(width: number, v: Value): Value | undefined {
  if (typeof v === 'number') return v - (((v % width) + width) % width);
  if (typeof v === 'bigint') {
    const w = BigInt(width);
    return v - (((v % w) + w) % w);
  }
  // Strings truncate by code points, never splitting a surrogate pair (as Java's UnicodeUtil does).
  if (typeof v === 'string') return Array.from(v).slice(0, width).join('');
  if (v instanceof Uint8Array) return v.slice(0, width);
  return undefined;
}

/** The signed 32-bit murmur3 hash of a value, as Appendix B defines it (its test vectors are in the unit tests). */
export function bucketHash(source: string, v: Value): number | undefined {
  const bytes = hashBytes(source, v);
  return bytes === undefined ? undefined : murmur.x86.hash32(bytes, 0) | 0;
}

/** Appendix B: the bytes hashed for each type. ints, longs, dates, times and timestamps hash as 8-byte little-endian longs. */
function hashBytes(source: string, v: Value): Uint8Array | undefined {
  if (source === 'int' || source === 'date') return typeof v === 'number' ? longBytes(BigInt(v)) : undefined;
  if (source === 'long' || source === 'time' || source.startsWith('timestamp')) {
    if (typeof v !== 'bigint') return undefined;
    // Nanosecond timestamps hash their microsecond value, so a column promoted from micros keeps its buckets.
    return longBytes(source.endsWith('_ns') ? floorDiv(v, 1000n) : v);
  }
  if (source === 'string') return typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'utf8')) : undefined;
  if (decimalScale(source) !== undefined) return typeof v === 'bigint' ? toTwosComplement(v) : undefined;
  if (source === 'uuid' || source === 'binary' || source.startsWith('fixed')) return v instanceof Uint8Array ? v : undefined;
  return undefined;
}

function longBytes(v: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt.asIntN(64, v));
  return new Uint8Array(b);
}

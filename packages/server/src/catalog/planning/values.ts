/**
 * One comparable form for every Iceberg primitive value the planner meets: a filter's literal, a column bound
 * (the spec's single-value binary serialization, Appendix D) and a partition value as the manifest's Avro holds
 * it. Pruning is only correct if all three agree, so they are converted here and nowhere else:
 *   int, date                      number
 *   long, time, timestamp(tz)(_ns) bigint (micros, or nanos for the _ns types)
 *   float, double                  number (NaN stays NaN; comparisons treat it as "cannot tell")
 *   decimal(P, S)                  bigint, the unscaled value at the column's scale
 *   string                         string (compared as UTF-8 bytes, i.e. by code point, as Iceberg orders them)
 *   uuid, fixed[L], binary         Uint8Array (compared unsigned, byte by byte)
 *   boolean                        boolean
 * A value that cannot be converted (a malformed bound, a literal of another scale) is `undefined`, which
 * never prunes.
 */
import type { IcebergType } from '../metadata/types.js';

export { toTwosComplement } from '../single-value.js';

export type Value = number | bigint | string | boolean | Uint8Array;

export const typeName = (t: IcebergType): string => (typeof t === 'string' ? t.replace(/\s+/g, '') : t.type);

/** decimal(P,S) → S; undefined for other types. */
export function decimalScale(type: string): number | undefined {
  const m = /^decimal\((\d+),(\d+)\)$/.exec(type);
  return m ? Number(m[2]) : undefined;
}

const isTimestamp = (t: string) => t === 'timestamp' || t === 'timestamptz' || t === 'timestamp_ns' || t === 'timestamptz_ns';

/** A bound (lower_bounds/upper_bounds, field summaries) decoded from its single-value binary form. */
export function fromBinary(type: string, bytes: Uint8Array | null | undefined): Value | undefined {
  if (bytes === null || bytes === undefined) return undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Iceberg Java reads a 4-byte bound of a long column promoted from int as the int it was.
  if (isLongLike(type)) return buf.length === 8 ? buf.readBigInt64LE(0) : buf.length === 4 ? BigInt(buf.readInt32LE(0)) : undefined;
  switch (type) {
    case 'boolean':
      return buf.length === 1 ? buf[0] !== 0 : undefined;
    case 'int':
    case 'date':
      return buf.length === 4 ? buf.readInt32LE(0) : undefined;
    case 'float':
      return buf.length === 4 ? buf.readFloatLE(0) : undefined;
    case 'double':
      return buf.length === 8 ? buf.readDoubleLE(0) : buf.length === 4 ? buf.readFloatLE(0) : undefined;
    case 'string':
      return buf.toString('utf8');
    case 'uuid':
      return buf.length === 16 ? new Uint8Array(buf) : undefined;
    case 'binary':
      return new Uint8Array(buf);
    default:
      if (type.startsWith('fixed')) return new Uint8Array(buf);
      if (decimalScale(type) !== undefined) return buf.length === 0 ? undefined : twosComplement(buf);
      return undefined;
  }
}

/** A big-endian two's-complement integer of any length (decimal's unscaled value). */
export function twosComplement(buf: Uint8Array): bigint {
  let v = 0n;
  for (const b of buf) v = (v << 8n) | BigInt(b);
  const bits = BigInt(buf.length * 8);
  return buf.length > 0 && (buf[0] as number) & 0x80 ? v - (1n << bits) : v;
}

/** A partition value as avsc decodes it from a manifest (longs as bigint, decimals and fixed as bytes). */
export function fromAvro(type: string, v: unknown): Value | null | undefined {
  if (v === null || v === undefined) return null;
  if (decimalScale(type) !== undefined) return v instanceof Uint8Array ? twosComplement(v) : undefined;
  if (isLongLike(type)) return typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : undefined;
  switch (type) {
    case 'uuid':
      if (typeof v === 'string') return uuidBytes(v);
      return v instanceof Uint8Array ? new Uint8Array(v) : undefined;
    default:
      if (v instanceof Uint8Array) return new Uint8Array(v);
      if (typeof v === 'bigint') return Number(v);
      return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : undefined;
  }
}

/** A filter literal (as expression.ts accepted it from the REST JSON) in the column's comparable form. */
export function fromLiteral(type: string, v: unknown): Value | undefined {
  if (typeof v === 'bigint') return isLongLike(type) ? v : undefined;
  switch (type) {
    case 'boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'int':
    case 'date':
    case 'float':
    case 'double':
      return typeof v === 'number' ? v : undefined;
    case 'long':
      return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : undefined;
    case 'time':
      if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
      return typeof v === 'string' ? parseTime(v) : undefined;
    case 'string':
      return typeof v === 'string' ? v : undefined;
    case 'uuid':
      return typeof v === 'string' ? uuidBytes(v) : undefined;
    case 'binary':
      return typeof v === 'string' && /^([0-9a-fA-F]{2})*$/.test(v) ? new Uint8Array(Buffer.from(v, 'hex')) : undefined;
    default:
      if (isTimestamp(type)) {
        if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
        return typeof v === 'string' ? parseTimestamp(v, type.endsWith('_ns')) : undefined;
      }
      if (type.startsWith('fixed')) return typeof v === 'string' && /^([0-9a-fA-F]{2})*$/.test(v) ? new Uint8Array(Buffer.from(v, 'hex')) : undefined;
      if (decimalScale(type) !== undefined) return typeof v === 'string' || typeof v === 'number' ? parseDecimal(String(v), decimalScale(type)!) : undefined;
      return undefined;
  }
}

/** Types stored as a 64-bit long: long, time and the timestamps (as Iceberg's single-value serialization writes them). */
export const isLongLike = (t: string) => t === 'long' || t === 'time' || isTimestamp(t);

function uuidBytes(s: string): Uint8Array | undefined {
  const hex = s.replace(/-/g, '');
  return /^[0-9a-fA-F]{32}$/.test(hex) ? new Uint8Array(Buffer.from(hex, 'hex')) : undefined;
}

/** "HH:MM:SS[.ffffff]" → micros from midnight. */
function parseTime(s: string): bigint | undefined {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(s);
  if (!m) return undefined;
  const frac = (m[4] ?? '').padEnd(6, '0').slice(0, 6);
  return ((BigInt(m[1]!) * 60n + BigInt(m[2]!)) * 60n + BigInt(m[3] ?? 0)) * 1_000_000n + BigInt(frac);
}

/**
 * ISO-8601 timestamps with up to nanosecond fractions (Date.parse stops at milliseconds), with an optional
 * offset (timestamptz) or none (timestamp, read as UTC): micros, or nanos for the _ns types.
 */
function parseTimestamp(s: string, nanos: boolean): bigint | undefined {
  const m = /^(\d{4,}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4] === undefined ? 'Z' : m[4]}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = (m[3] ?? '').padEnd(9, '0');
  const sub = nanos ? BigInt(frac) : BigInt(frac.slice(0, 6));
  return BigInt(ms) * (nanos ? 1_000_000n : 1000n) + sub;
}

/** "-12.340" at scale 2 → -1234n; a literal with more fraction digits than the scale cannot be exact: undefined. */
function parseDecimal(s: string, scale: number): bigint | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const frac = (m[3] ?? '').replace(/0+$/, '');
  if (frac.length > scale) return undefined;
  const unscaled = BigInt(`${m[2] || '0'}${frac.padEnd(scale, '0')}`);
  return m[1] === '-' ? -unscaled : unscaled;
}

/**
 * Iceberg's order for two values of one type: negative, zero or positive; NaN when they cannot be compared
 * (different kinds, or a float NaN), which every caller reads as "cannot tell" (never prunes).
 */
export function compare(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return Number.NaN;
}

export const isNaNValue = (v: Value | null | undefined): boolean => typeof v === 'number' && Number.isNaN(v);

/**
 * starts-with against a column's bounds, on the raw UTF-8 bytes as Iceberg Java compares them: false when the
 * lower bound's first bytes sort after the prefix or the upper bound's sort before it.
 */
export function prefixMightMatch(lower: Uint8Array | null | undefined, upper: Uint8Array | null | undefined, prefix: string): boolean {
  const p = Buffer.from(prefix, 'utf8');
  if (lower && Buffer.compare(lower.subarray(0, Math.min(p.length, lower.length)), p) > 0) return false;
  if (upper && Buffer.compare(upper.subarray(0, Math.min(p.length, upper.length)), p) < 0) return false;
  return true;
}

/** not-starts-with: false only when both bounds are at least as long as the prefix and start with it. */
export function bothStartWith(lower: Uint8Array | null | undefined, upper: Uint8Array | null | undefined, prefix: string): boolean {
  const p = Buffer.from(prefix, 'utf8');
  const starts = (b: Uint8Array | null | undefined) => !!b && b.length >= p.length && Buffer.compare(b.subarray(0, p.length), p) === 0;
  return starts(lower) && starts(upper);
}

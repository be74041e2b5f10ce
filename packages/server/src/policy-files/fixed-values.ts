/**
 * A `mask-to-fixed-value` mask's value as the rows of a column of its Arrow type (nested-columns.ts maskedColumn).
 * The policy keeps the literal as written in the Iceberg REST expression JSON (a date as a day number or
 * "YYYY-MM-DD", a timestamp as a number in the column's unit or an ISO string, binary and fixed as hex, a uuid as its
 * text), while apache-arrow takes dates and timestamps as epoch milliseconds and binary as bytes. Before 2026-11-29
 * the literal was handed over as written: a decimal or a time failed every restricted read, a date column masked to 19000 (or "2024-01-01") read 1970-01-01, a
 * microsecond timestamp masked to 1700000000000000 read as many milliseconds (the year 55,000), a timestamp masked to
 * an ISO string, and a long (a 64-bit column) masked to any number, failed every restricted read (a 503), and binary masked to "0A0B" read the bytes of the text "0A0B".
 */
import { type Data, DataType, type Decimal, type Time, type Timestamp, TimeUnit, makeData, vectorFromArray } from 'apache-arrow';
import { checkedLiteral } from '../catalog/kit/literal.js';
import { fromLiteral } from '../catalog/planning/values.js';

const DAY_MS = 86_400_000;
/** Nanoseconds per unit of a timestamp column. */
const NANOS: Readonly<Record<number, bigint>> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: 1_000_000n,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};

/** The literal as apache-arrow sets a value of the type (a date's epoch milliseconds, binary's bytes), else as written. */
function arrowValue(type: DataType, value: unknown): unknown {
  if (DataType.isDate(type)) return (checkedLiteral(value, { name: 'mask', type: 'date' }) as number) * DAY_MS;
  // A 64-bit integer column is set from bigints only (a number is a TypeError: every restricted read failed).
  if (DataType.isInt(type) && type.bitWidth === 64 && typeof value === 'number') return BigInt(value);
  if (typeof value !== 'string') return value;
  if (DataType.isBinary(type) || DataType.isFixedSizeBinary(type)) {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
    return fromLiteral(uuid ? 'uuid' : 'binary', value);
  }
  return value;
}

/** A timestamp literal in the column's own unit: a number as such, an ISO string converted exactly. */
function timestampValue(type: Timestamp, value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  const nanos = fromLiteral('timestamp_ns', value);
  if (typeof nanos !== 'bigint') throw new TypeError(`mask-to-fixed-value: ${String(value).slice(0, 64)} is no timestamp`);
  return nanos / NANOS[type.unit]!;
}

/** A time of day literal ("HH:MM:SS[.f]" or microseconds) in the column's own unit. */
function timeValue(type: Time, value: unknown): bigint {
  const micros = fromLiteral('time', value);
  if (typeof micros !== 'bigint') throw new TypeError(`mask-to-fixed-value: ${String(value).slice(0, 64)} is no time of day`);
  return (micros * 1000n) / NANOS[type.unit]!;
}

/** A decimal literal's unscaled value at the column's scale, as the 32-bit words (little-endian, two's complement). */
function decimalWords(type: Decimal, value: unknown): Uint32Array {
  const unscaled = fromLiteral(`decimal(${type.precision},${type.scale})`, value);
  if (typeof unscaled !== 'bigint') throw new TypeError(`mask-to-fixed-value: ${String(value).slice(0, 64)} is no decimal of scale ${type.scale}`);
  const words = new Uint32Array(type.bitWidth / 32);
  for (let i = 0, v = BigInt.asUintN(type.bitWidth, unscaled); i < words.length; i++, v >>= 32n) words[i] = Number(v & 0xffffffffn);
  return words;
}

/** `length` rows of the fixed value in the column's type. */
export function fixedColumn(type: DataType, value: unknown, length: number): Data {
  if (value === null || value === undefined) return vectorFromArray(new Array<null>(length).fill(null), type).data[0]!;
  // Set in the column's unit directly: apache-arrow's setters take milliseconds (a finer instant would be cut) and
  // decimals as words.
  if (DataType.isTimestamp(type)) return makeData({ type, length, data: new BigInt64Array(length).fill(timestampValue(type, value)) });
  if (DataType.isTime(type)) {
    const t = timeValue(type, value);
    return makeData({ type, length, data: type.bitWidth === 64 ? new BigInt64Array(length).fill(t) : new Int32Array(length).fill(Number(t)) });
  }
  if (DataType.isDecimal(type)) {
    const words = decimalWords(type, value);
    const data = new Uint32Array(length * words.length);
    for (let i = 0; i < length; i++) data.set(words, i * words.length);
    return makeData({ type, length, data });
  }
  return vectorFromArray(new Array<unknown>(length).fill(arrowValue(type, value)), type).data[0]!;
}

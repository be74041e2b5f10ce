/**
 * One rule for a literal in the Iceberg REST expression JSON (the spec's JSON single-value serialization), checked
 * against its column's type: a row filter's and a scan filter's literals, and a mask's fixed value (policies/rules.ts),
 * all pass here. A literal is accepted only when it is a value of the column's type, in the form the planner
 * (planning/values.ts fromLiteral) and the Trino renderer read: anything else is ERR_VALIDATION (400). Before this
 * rule a value of no such type was stored and then never pruned, rendered FALSE for Trino, or (a date such as
 * 2024-02-30) silently read as another day.
 */
import { validation } from '../../errors/catalog-error.js';
import { stringifyJson } from '../json.js';
import type { IcebergType } from '../metadata/types.js';

/** The column a literal is compared with (a bound term). */
export interface LiteralField {
  name: string;
  type: IcebergType;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;
const DATE = /^(\d{4,})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4,}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2}))?$/;
const DECIMAL = /^[+-]?(\d*)(?:\.(\d*))?$/;

/** Days since the epoch of a calendar date "YYYY-MM-DD" that exists (no 2024-02-30), else undefined. */
function epochDay(s: string): number | undefined {
  const m = DATE.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  if (Number.isNaN(ms)) return undefined;
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() + 1 !== mo || back.getUTCDate() !== d) return undefined;
  return Math.round(ms / 86_400_000);
}

/** "HH:MM[:SS[.f]]" naming a time of day (hours below 24, minutes and seconds below 60). */
function isTimeOfDay(s: string): boolean {
  const m = TIME.exec(s);
  return !!m && Number(m[1]) < 24 && Number(m[2]) < 60 && Number(m[3] ?? 0) < 60;
}

/** An ISO-8601 timestamp the planner reads: an existing day, a time of day, an offset within ±18:00. */
function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m || epochDay(m[1]!) === undefined || !isTimeOfDay(m[2]!)) return false;
  return m[3] === undefined || (Number(m[4]) * 60 + Number(m[5]) <= 18 * 60 && Number(m[5]) < 60);
}

/** A decimal literal (a string, as the spec serializes decimals) that a decimal(P, S) holds exactly. */
function fitsDecimal(s: string, type: string): boolean {
  const t = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
  const m = DECIMAL.exec(s);
  if (!t || !m || (m[1] === '' && (m[2] ?? '') === '')) return false;
  const [precision, scale] = [Number(t[1]), Number(t[2])];
  const whole = m[1]!.replace(/^0+/, '');
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  return fraction.length <= scale && whole.length <= precision - scale;
}

/** The bytes of a fixed[L] type, or undefined for another type. */
const fixedLength = (type: string) => {
  const m = /^fixed\[(\d+)\]$/.exec(type);
  return m ? Number(m[1]) : undefined;
};

/**
 * The literal as the filter keeps it (a date as its day number, every other value as given), or ERR_VALIDATION when
 * it is no value of the column's type. Integers beyond 2^53 arrive as bigint (catalog/json.ts parses them exactly):
 * 64-bit columns take them; a JSON number that only a float holds (1e23) is no integer literal.
 */
export function checkedLiteral(v: unknown, field: LiteralField): unknown {
  const type = String(field.type);
  const wrong = () => validation(`filter: ${stringifyJson(v)?.slice(0, 64)} is not a valid ${type} literal for column '${field.name.slice(0, 256)}' (${type})`);
  if (typeof v === 'bigint') {
    if ((type === 'long' || type.startsWith('timestamp')) && v >= -(2n ** 63n) && v < 2n ** 63n) return v;
    throw wrong();
  }
  if (type === 'int' || type === 'long') {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrong();
    if (type === 'int' && (v < INT_MIN || v > INT_MAX)) throw wrong();
    return v;
  }
  if (type === 'float' || type === 'double') {
    if (typeof v !== 'number' && !(typeof v === 'string' && /^(NaN|-?Infinity)$/.test(v))) throw wrong();
    return Number(v);
  }
  if (type === 'boolean') {
    if (typeof v !== 'boolean') throw wrong();
    return v;
  }
  if (type === 'date') {
    if (typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX) return v;
    const day = typeof v === 'string' ? epochDay(v) : undefined;
    if (day === undefined) throw wrong();
    return day;
  }
  if (type === 'time') {
    if (typeof v === 'string' && isTimeOfDay(v)) return v;
    throw wrong();
  }
  if (type.startsWith('timestamp')) {
    if (typeof v === 'number' ? Number.isSafeInteger(v) : typeof v === 'string' && isTimestamp(v)) return v;
    throw wrong();
  }
  if (typeof v !== 'string') throw wrong();
  if (type === 'string') return v;
  if (type === 'uuid' && UUID.test(v)) return v;
  if (type === 'binary' && HEX.test(v)) return v;
  const fixed = fixedLength(type);
  if (fixed !== undefined && HEX.test(v) && v.length === fixed * 2) return v;
  if (type.startsWith('decimal') && fitsDecimal(v, type)) return v;
  throw wrong();
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const OFFSET = /(?:Z|[+-]\d{2}:\d{2})$/;

/** Nanoseconds since the epoch of an ISO timestamp that isTimestamp took (read as UTC without an offset). */
function epochNanos(s: string): bigint {
  const m = /^(.*T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$/.exec(s)!;
  return BigInt(Date.parse(`${m[1]}${m[3] ?? 'Z'}`)) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/**
 * Why a literal that checkedLiteral took cannot be stored in a policy, or undefined when it can. A policy keeps its
 * literal and every read binds it again (checkedLiteral, which stays as lenient as clients' scan filters need), so a
 * policy takes only a literal that means one value of the column's type exactly as Iceberg Java reads it: a finite
 * float or double within the column's range (1e300 is no float, NaN compares with nothing; `is-nan` says that), a
 * timestamp with an offset exactly when the type has a zone (timestamptz), and a nanosecond timestamp within the
 * 64 bits it is kept in (1677 to 2262).
 */
export function unstorableLiteral(v: unknown, field: LiteralField): string | undefined {
  const type = String(field.type);
  if (type === 'float' || type === 'double') {
    if (typeof v !== 'number' || !Number.isFinite(v)) return 'NaN and the infinities are no literal a policy keeps (is-nan and not-nan test NaN)';
    if (type === 'float' && !Number.isFinite(Math.fround(v))) return 'it is beyond the range of a 32-bit float';
    return undefined;
  }
  if (!type.startsWith('timestamp') || typeof v !== 'string') return undefined;
  const zoned = type.startsWith('timestamptz');
  if (OFFSET.test(v) !== zoned) return zoned ? `a ${type} literal needs an offset (Z or +hh:mm)` : `a ${type} literal has no offset (the type has no zone)`;
  if (type.endsWith('_ns')) {
    const nanos = epochNanos(v);
    if (nanos < INT64_MIN || nanos > INT64_MAX) return `it is beyond the range of ${type} (1677-09-21 to 2262-04-11)`;
  }
  return undefined;
}

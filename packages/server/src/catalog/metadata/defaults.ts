/**
 * Field defaults (`initial-default`, `write-default`) must be values of their field's type in the form Iceberg Java
 * reads (SingleValueParser, the spec's JSON single-value form, Appendix D): a JSON boolean or integer; a JSON
 * floating-point number for float and double (written back as one: schema.ts); decimals, dates, times, timestamps
 * and UUIDs as strings that are real values (no 13th month, no 25th hour), timestamps with a time zone in UTC;
 * fixed and binary as hexadecimal. A struct, list or map field takes no default but null: the spec's JSON forms
 * for them exist, but Iceberg Java (1.11) refuses to read a schema that holds one, even `{}`. A default Java cannot
 * read makes the table unreadable for every Java engine, so the catalog refuses it where a schema comes in (create,
 * add-schema, views) rather than keep a table those engines cannot load.
 */
import { validation } from '../../errors/catalog-error.js';
import { JsonNumber } from '../json.js';
import { typeId } from './schema.js';
import type { IcebergType, Schema, StructField, StructType } from './types.js';

// Years as java.time's ISO formats read them: four digits, or a sign and up to ten (the sign is required past four).
const YEAR = '(\\d{4}|[+-]\\d{5,10}|-\\d{4})';
const DATE = new RegExp(`^${YEAR}-(\\d{2})-(\\d{2})$`);
const TIME = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;
const TIMESTAMP = new RegExp(`^${YEAR}-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.\\d{1,9})?)?$`);
const UTC_OFFSET = /(?:Z|[+-]00:00(?::00)?)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:[0-9a-f]{2})*$/i;
// java.math.BigDecimal's string form: "1", "1.50", ".5", "5.", "1E+3".
const DECIMAL = /^[+-]?(?:\d+(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const INT32 = 2 ** 31;
const INT64 = 2n ** 63n;

/** Fails when a default in the schema is not a value of its field's type. */
export function checkDefaults(schema: Schema | StructType, path = 'schema'): void {
  for (const field of schema.fields) checkField(field, path);
}

function checkField(field: StructField, path: string): void {
  const where = `${path}.${field.name}`;
  for (const key of ['initial-default', 'write-default'] as const) {
    const value = field[key];
    if (value === undefined || value === null) continue;
    const problem = problemOf(field.type, value);
    if (problem !== undefined) throw validation(`Invalid ${key} of ${where}: ${problem}`);
  }
  checkNested(field.type, where);
}

/** The fields of structs anywhere inside a type: a struct's, or within a list's element or a map's key or value. */
function checkNested(type: IcebergType, path: string): void {
  if (typeof type !== 'object') return;
  if (type.type === 'struct') checkDefaults(type, path);
  else if (type.type === 'list') checkNested(type.element, `${path}.element`);
  else {
    checkNested(type.key, `${path}.key`);
    checkNested(type.value, `${path}.value`);
  }
}

const expected = (what: string) => `expected ${what} for type`;

/** Why `value` is not a value of `type` in the JSON single-value form, or undefined when it is. */
function problemOf(type: IcebergType, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof type === 'object') return `a ${type.type} field takes no default but null`;
  return primitiveProblem(type, value);
}

function primitiveProblem(type: string, value: unknown): string | undefined {
  const id = typeId(type);
  const str = (pattern: RegExp, what: string) => (typeof value === 'string' && pattern.test(value) ? undefined : `${expected(what)} ${type}`);
  switch (id) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${expected('true or false')} ${type}`;
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && value >= -INT32 && value < INT32 ? undefined : `${expected('a 32-bit integer')} ${type}`;
    case 'long': {
      const ok = (typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'bigint' && value >= -INT64 && value < INT64);
      return ok ? undefined : `${expected('a 64-bit integer')} ${type}`;
    }
    case 'float':
    case 'double':
      return typeof value === 'number' || typeof value === 'bigint' || value instanceof JsonNumber ? undefined : `${expected('a JSON number')} ${type}`;
    case 'decimal':
      return decimalProblem(type, value);
    case 'date':
      return typeof value === 'string' && isDate(value) ? undefined : `${expected('an ISO date string (yyyy-mm-dd)')} ${type}`;
    case 'time':
      return typeof value === 'string' && isTime(value) ? undefined : `${expected('an ISO time string (hh:mm[:ss[.fraction]])')} ${type}`;
    case 'timestamp':
    case 'timestamp_ns':
      return typeof value === 'string' && isTimestamp(value) ? undefined : `${expected('an ISO timestamp string without offset')} ${type}`;
    case 'timestamptz':
    case 'timestamptz_ns': {
      const offset = typeof value === 'string' ? UTC_OFFSET.exec(value) : null;
      const ok = offset !== null && isTimestamp((value as string).slice(0, offset.index));
      return ok ? undefined : `${expected('an ISO timestamp string in UTC (offset Z or +00:00)')} ${type}`;
    }
    case 'string':
      return typeof value === 'string' ? undefined : `${expected('a JSON string')} ${type}`;
    case 'uuid':
      return str(UUID, 'a UUID string');
    case 'binary':
      return str(HEX, 'a hexadecimal string');
    case 'fixed': {
      const length = Number(/\[(\d+)\]/.exec(type)?.[1]);
      return typeof value === 'string' && HEX.test(value) && value.length === 2 * length ? undefined : `${expected(`${length} bytes in hexadecimal`)} ${type}`;
    }
    default:
      // unknown, variant, geometry, geography: the spec allows no default but null.
      return `type ${type} takes no default but null`;
  }
}

/** A decimal string whose scale is the type's (Iceberg Java compares BigDecimal scales; exponents count). */
function decimalProblem(type: string, value: unknown): string | undefined {
  const scale = Number(/,\s*(\d+)\s*\)/.exec(type)?.[1]);
  const m = typeof value === 'string' ? DECIMAL.exec(value) : null;
  if (m === null) return `${expected('a decimal string')} ${type}`;
  const valueScale = (m[1] ?? m[2] ?? '').length - Number(m[3] ?? 0);
  return valueScale === scale ? undefined : `scale ${valueScale} differs from the scale of ${type}`;
}

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/** A real day of the proleptic Gregorian calendar (java.time's strict ISO resolution). */
function isDay(year: string, month: string, day: string): boolean {
  const m = Number(month);
  const d = Number(day);
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, isLeapYear(Number(year)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

const isClock = (hour: string, minute: string, second: string | undefined) => Number(hour) <= 23 && Number(minute) <= 59 && Number(second ?? 0) <= 59;

function isDate(value: string): boolean {
  const m = DATE.exec(value);
  return m !== null && isDay(m[1]!, m[2]!, m[3]!);
}

function isTime(value: string): boolean {
  const m = TIME.exec(value);
  return m !== null && isClock(m[1]!, m[2]!, m[3]);
}

function isTimestamp(value: string): boolean {
  const m = TIMESTAMP.exec(value);
  return m !== null && isDay(m[1]!, m[2]!, m[3]!) && isClock(m[4]!, m[5]!, m[6]);
}

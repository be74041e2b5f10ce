/**
 * Field defaults (`initial-default`, `write-default`) must be values of their field's type in the spec's JSON
 * single-value form (Appendix D): a JSON boolean, integer or number; decimals, dates, times, timestamps and UUIDs
 * as strings; fixed and binary as hexadecimal; structs as objects by field id, lists as arrays, maps as
 * `{"keys": […], "values": […]}`. A default of the wrong form is stored by no engine: Iceberg Java refuses to read
 * the schema that holds it, so the catalog refuses it where a schema comes in (create, add-schema) rather than
 * keep a table that Java engines cannot load.
 */
import { validation } from '../../errors/catalog-error.js';
import { typeId } from './schema.js';
import type { IcebergType, Schema, StructField, StructType } from './types.js';

const DATE = /^[+-]?\d{4,}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const TIMESTAMP = /^[+-]?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/;
const TIMESTAMPTZ = /^[+-]?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:[0-9a-f]{2})*$/i;
const DECIMAL = /^[+-]?(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/i;
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
  const type = field.type;
  if (typeof type === 'object' && type.type === 'struct') checkDefaults(type, where);
}

const expected = (what: string) => `expected ${what} for type`;

/** Why `value` is not a value of `type` in the JSON single-value form, or undefined when it is. */
function problemOf(type: IcebergType, value: unknown): string | undefined {
  // A struct default without a field's id holds null for that field.
  if (value === null || value === undefined) return undefined;
  if (typeof type === 'object') {
    if (type.type === 'struct') {
      if (typeof value !== 'object' || Array.isArray(value)) return `${expected('a JSON object by field id')} struct`;
      for (const f of type.fields) {
        const inner = problemOf(f.type, (value as Record<string, unknown>)[String(f.id)]);
        if (inner !== undefined) return `field ${f.id}: ${inner}`;
      }
      return undefined;
    }
    if (type.type === 'list') {
      if (!Array.isArray(value)) return `${expected('a JSON array')} list`;
      for (const element of value) {
        const inner = problemOf(type.element, element);
        if (inner !== undefined) return `element: ${inner}`;
      }
      return undefined;
    }
    const map = value as { keys?: unknown; values?: unknown };
    if (typeof value !== 'object' || !Array.isArray(map.keys) || !Array.isArray(map.values) || map.keys.length !== map.values.length) {
      return `${expected('{"keys": [...], "values": [...]} of equal length')} map`;
    }
    for (const k of map.keys) {
      const inner = k === null ? 'a map key is never null' : problemOf(type.key, k);
      if (inner !== undefined) return `key: ${inner}`;
    }
    for (const v of map.values) {
      const inner = problemOf(type.value, v);
      if (inner !== undefined) return `value: ${inner}`;
    }
    return undefined;
  }
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
      return typeof value === 'number' || typeof value === 'bigint' ? undefined : `${expected('a JSON number')} ${type}`;
    case 'decimal':
      return decimalProblem(type, value);
    case 'date':
      return str(DATE, 'an ISO date string');
    case 'time':
      return str(TIME, 'an ISO time string');
    case 'timestamp':
    case 'timestamp_ns':
      return str(TIMESTAMP, 'an ISO timestamp string without offset');
    case 'timestamptz':
    case 'timestamptz_ns':
      return str(TIMESTAMPTZ, 'an ISO timestamp string with offset');
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
  const valueScale = (m[2]?.length ?? 0) - Number(m[3] ?? 0);
  return valueScale === scale ? undefined : `scale ${valueScale} differs from the scale of ${type}`;
}

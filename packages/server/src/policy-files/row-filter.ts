/**
 * A policy's row filter evaluated on one row, as Iceberg Java's Evaluator does after RewriteNot: a comparison, set or
 * prefix test with a null value is false, its negation (not-eq, not-in, not-starts-with) true. Values come as
 * apache-arrow hands them out; dates as epoch milliseconds. Columns of types this does not compare yet (timestamps,
 * decimals, binary, uuid) throw, so a filter is never silently skipped (fail closed).
 */
import type { BoundExpression, BoundField } from '../catalog/kit/expression.js';
import { rewriteNot } from '../catalog/planning/rewrite-not.js';
import { type Value, compare, fromLiteral } from '../catalog/planning/values.js';

const DAY_MS = 86_400_000;
const COMPARED = new Set(['boolean', 'int', 'long', 'float', 'double', 'date', 'string']);

/** A row's value of a field, by field id. */
export type RowValues = (fieldId: number) => unknown;

/** A predicate over rows: the filter with NOT pushed down and its literals in comparable form. */
export function rowPredicate(filter: BoundExpression): (row: RowValues) => boolean {
  return compile(rewriteNot(filter));
}

function compile(e: BoundExpression): (row: RowValues) => boolean {
  switch (e.op) {
    case 'true':
      return () => true;
    case 'false':
      return () => false;
    case 'and': {
      const [l, r] = [compile(e.left), compile(e.right)];
      return (row) => l(row) && r(row);
    }
    case 'or': {
      const [l, r] = [compile(e.left), compile(e.right)];
      return (row) => l(row) || r(row);
    }
    case 'not':
      throw new TypeError('rowPredicate: NOT must be rewritten first');
    default:
      break;
  }
  const field = e.field;
  const read = reader(field);
  switch (e.op) {
    case 'is-null':
      return (row) => read(row) === null;
    case 'not-null':
      return (row) => read(row) !== null;
    case 'is-nan':
      return (row) => Number.isNaN(read(row) as number);
    case 'not-nan':
      return (row) => !Number.isNaN(read(row) as number);
    case 'in':
    case 'not-in': {
      const values = e.values.map((v) => literalOf(field, v));
      const inSet = (v: Value) => values.some((x) => compare(v, x) === 0);
      return e.op === 'in'
        ? (row) => {
            const v = read(row);
            return v !== null && inSet(v);
          }
        : (row) => {
            const v = read(row);
            return v === null || !inSet(v);
          };
    }
    case 'starts-with':
    case 'not-starts-with': {
      const prefix = String(e.value);
      return e.op === 'starts-with'
        ? (row) => {
            const v = read(row);
            return v !== null && String(v).startsWith(prefix);
          }
        : (row) => {
            const v = read(row);
            return v === null || !String(v).startsWith(prefix);
          };
    }
    default: {
      const literal = literalOf(field, e.value);
      const op = e.op;
      const test = (c: number) =>
        op === 'lt' ? c < 0 : op === 'lt-eq' ? c <= 0 : op === 'gt' ? c > 0 : op === 'gt-eq' ? c >= 0 : op === 'eq' ? c === 0 : c !== 0;
      return (row) => {
        const v = read(row);
        if (v === null) return op === 'not-eq';
        return test(compare(v, literal));
      };
    }
  }
}

/** The field's value in the comparable form of values.ts (long as bigint, date as days), or null. */
function reader(field: BoundField): (row: RowValues) => Value | null {
  const type = String(field.type);
  if (!COMPARED.has(type)) throw new TypeError(`row filters on ${type} columns are not evaluated yet (column ${field.name})`);
  return (row) => {
    const v = row(field.id);
    if (v === null || v === undefined) return null;
    if (type === 'long') return typeof v === 'bigint' ? v : BigInt(v as number);
    if (type === 'date') return Math.floor((v as number) / DAY_MS);
    return v as Value;
  };
}

function literalOf(field: BoundField, v: unknown): Value {
  const value = fromLiteral(String(field.type), v);
  if (value === undefined) throw new TypeError(`literal ${String(v)} does not suit column ${field.name}`);
  return value;
}

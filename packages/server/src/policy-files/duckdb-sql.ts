/**
 * A policy-enforced file's query for DuckDB (duckdb-rewriter.ts), for the requests whose every part DuckDB computes
 * exactly as the Parquet rewriter does (row-filter.ts, masks.ts; the oracle test duckdb-oracle.test.ts holds them
 * equal). Anything else gives undefined and the request goes to the Parquet rewriter: top-level primitive columns
 * only; a filter of comparisons, in, starts-with and null tests (NOT pushed down first) on int, long, string, boolean
 * and date columns, each leaf false on a null as row-filter.ts's (its negations true); masks replace-with-null,
 * mask-to-fixed-value (string, int, long, boolean, date), sha-256-global, mask-alphanum, show-first-4 and show-last-4
 * on strings (code points, as DuckDB's left, right and length count them), truncate-to-year and -month on dates.
 * sha-256-query-local (an HMAC DuckDB has no function for) and every timestamp mask are the Parquet rewriter's.
 */
import type { BoundExpression } from '../catalog/kit/expression.js';
import { checkedLiteral } from '../catalog/kit/literal.js';
import type { ColumnTransform } from '../catalog/planning/rewrite-ports.js';
import { rewriteNot } from '../catalog/planning/rewrite-not.js';
import { fromLiteral } from '../catalog/planning/values.js';

/** A top-level column of the input as DuckDB describes it. */
export interface DuckColumn {
  name: string;
  fieldId: number;
  /** DuckDB's type name (INTEGER, BIGINT, VARCHAR, BOOLEAN, DATE, DOUBLE, FLOAT, TIMESTAMP, TIMESTAMP WITH TIME ZONE). */
  type: string;
}

/** Column types a policy-enforced file is written from by DuckDB (each read and written back as the same Parquet type). */
export const DUCK_COLUMN_TYPES = new Set(['INTEGER', 'BIGINT', 'VARCHAR', 'BOOLEAN', 'DATE', 'DOUBLE', 'FLOAT', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE']);

/** The DuckDB type of a filtered column of each Iceberg type evaluated here. */
const FILTERED: Readonly<Record<string, string>> = { int: 'INTEGER', long: 'BIGINT', string: 'VARCHAR', boolean: 'BOOLEAN', date: 'DATE' };

const INT32 = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31;
const INT64 = (v: unknown): v is bigint => typeof v === 'bigint' && v >= -(2n ** 63n) && v < 2n ** 63n;

export const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;
/** A string literal; undefined for text DuckDB would not keep as it is (a NUL). */
export const text = (s: string): string | undefined => (s.includes('\u0000') ? undefined : `'${s.replaceAll("'", "''")}'`);

/** A literal of the column's DuckDB type, from a value in values.ts's form; undefined when it does not fit exactly. */
function literal(type: string, v: unknown): string | undefined {
  switch (type) {
    case 'INTEGER':
      return INT32(v) ? `CAST(${v} AS INTEGER)` : undefined;
    case 'BIGINT':
      return INT64(v) ? `CAST(${v} AS BIGINT)` : undefined;
    case 'VARCHAR':
      return typeof v === 'string' ? text(v) : undefined;
    case 'BOOLEAN':
      return typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : undefined;
    case 'DATE':
      return INT32(v) ? `CAST(DATE '1970-01-01' + CAST(${v} AS INTEGER) AS DATE)` : undefined;
    default:
      return undefined;
  }
}

const COMPARISON: Readonly<Record<string, string>> = { lt: '<', 'lt-eq': '<=', gt: '>', 'gt-eq': '>=', eq: '=', 'not-eq': '<>' };

/** The filter as a WHERE condition (NOT pushed down first, as row-filter.ts does), or undefined where not exact. */
export function filterSql(filter: BoundExpression, columns: ReadonlyMap<number, DuckColumn>): string | undefined {
  return leafOrTree(rewriteNot(filter), columns);
}

function leafOrTree(e: BoundExpression, columns: ReadonlyMap<number, DuckColumn>): string | undefined {
  switch (e.op) {
    case 'true':
      return 'TRUE';
    case 'false':
      return 'FALSE';
    case 'and':
    case 'or': {
      const [l, r] = [leafOrTree(e.left, columns), leafOrTree(e.right, columns)];
      return l === undefined || r === undefined ? undefined : `(${l} ${e.op === 'and' ? 'AND' : 'OR'} ${r})`;
    }
    case 'not':
      return undefined;
    default:
      break;
  }
  const column = columns.get(e.field.id);
  const type = FILTERED[String(e.field.type)];
  if (column === undefined || type === undefined || column.type !== type) return undefined;
  const c = ident(column.name);
  const lit = (v: unknown) => {
    const value = fromLiteral(String(e.field.type), v);
    return value === undefined ? undefined : literal(type, value);
  };
  switch (e.op) {
    case 'is-null':
      return `(${c} IS NULL)`;
    case 'not-null':
      return `(${c} IS NOT NULL)`;
    case 'is-nan':
    case 'not-nan':
      return undefined;
    case 'in':
    case 'not-in': {
      const values = e.values.map(lit);
      if (values.some((v) => v === undefined)) return undefined;
      if (values.length === 0) return e.op === 'in' ? 'FALSE' : 'TRUE';
      return e.op === 'in' ? `(${c} IS NOT NULL AND ${c} IN (${values.join(', ')}))` : `(${c} IS NULL OR ${c} NOT IN (${values.join(', ')}))`;
    }
    case 'starts-with':
    case 'not-starts-with': {
      const prefix = type === 'VARCHAR' && typeof e.value === 'string' ? text(e.value) : undefined;
      if (prefix === undefined) return undefined;
      return e.op === 'starts-with' ? `(${c} IS NOT NULL AND starts_with(${c}, ${prefix}))` : `(${c} IS NULL OR NOT starts_with(${c}, ${prefix}))`;
    }
    default: {
      const op = COMPARISON[e.op];
      const value = lit(e.value);
      if (op === undefined || value === undefined) return undefined;
      return e.op === 'not-eq' ? `(${c} IS NULL OR ${c} <> ${value})` : `(${c} IS NOT NULL AND ${c} ${op} ${value})`;
    }
  }
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ALPHANUM_FROM = `${UPPER}${UPPER.toLowerCase()}0123456789`;
const ALPHANUM_TO = `${'X'.repeat(26)}${'x'.repeat(26)}${'n'.repeat(10)}`;

/** mask-to-fixed-value's literal in the column's type, as fixed-values.ts sets it (null: every row null). */
function fixedSql(type: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return `CAST(NULL AS ${type})`;
  switch (type) {
    case 'VARCHAR':
    case 'BOOLEAN':
    case 'INTEGER':
      return literal(type, value);
    case 'BIGINT':
      return literal(type, typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value);
    case 'DATE':
      try {
        return literal(type, checkedLiteral(value, { name: 'mask', type: 'date' }));
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

/** A masked column's expression (named as the column), or undefined where DuckDB's is not exactly masks.ts's. */
export function maskSql(column: DuckColumn, t: ColumnTransform): string | undefined {
  const c = ident(column.name);
  const string = column.type === 'VARCHAR';
  let sql: string | undefined;
  switch (t.action) {
    case 'replace-with-null':
      sql = `CAST(NULL AS ${column.type})`;
      break;
    case 'mask-to-fixed-value':
      sql = fixedSql(column.type, t.value);
      break;
    case 'sha-256-global':
      sql = string ? `sha256(${c})` : undefined;
      break;
    case 'mask-alphanum':
      sql = string ? `translate(${c}, '${ALPHANUM_FROM}', '${ALPHANUM_TO}')` : undefined;
      break;
    case 'show-first-4':
      sql = string ? `(left(${c}, 4) || repeat('x', greatest(0, length(${c}) - 4)))` : undefined;
      break;
    case 'show-last-4':
      sql = string ? `(repeat('x', greatest(0, length(${c}) - 4)) || right(${c}, 4))` : undefined;
      break;
    case 'truncate-to-year':
    case 'truncate-to-month':
      sql = column.type === 'DATE' ? `CAST(date_trunc('${t.action === 'truncate-to-year' ? 'year' : 'month'}', ${c}) AS DATE)` : undefined;
      break;
    default:
      sql = undefined;
  }
  return sql === undefined ? undefined : `${sql} AS ${c}`;
}

/**
 * The whole query (rows filtered on the original values in the inner query, masked in the outer one), or undefined
 * when any part of it is not exact here.
 */
export function policyQuery(
  source: string,
  columns: readonly DuckColumn[],
  filter: BoundExpression | undefined,
  transforms: readonly ColumnTransform[],
): string | undefined {
  if (columns.length === 0 || columns.some((c) => !DUCK_COLUMN_TYPES.has(c.type) || text(c.name) === undefined)) return undefined;
  const byId = new Map(columns.map((c) => [c.fieldId, c]));
  if (byId.size !== columns.length) return undefined;
  const masks = new Map<number, ColumnTransform>();
  for (const t of transforms) {
    if (masks.has(t.fieldId) || !byId.has(t.fieldId)) return undefined;
    masks.set(t.fieldId, t);
  }
  const where = filter === undefined ? 'TRUE' : filterSql(filter, byId);
  if (where === undefined) return undefined;
  const select: string[] = [];
  for (const c of columns) {
    const t = masks.get(c.fieldId);
    const expr = t === undefined ? ident(c.name) : maskSql(c, t);
    if (expr === undefined) return undefined;
    select.push(expr);
  }
  return `SELECT ${select.join(', ')} FROM (SELECT * FROM read_parquet(${source}) WHERE ${where})`;
}

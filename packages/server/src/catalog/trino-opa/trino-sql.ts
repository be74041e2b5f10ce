/**
 * A policy as Trino SQL (issue 54): the row filter and the column masks Lakegate hands Trino's OPA access control,
 * so Trino enforces on the original files what the catalog-enforced path writes into derived ones (policy-files/:
 * row-filter.ts, masks.ts), with the same answers. This is an injection surface: column names and literals come from
 * people who manage policies and name columns, so every identifier is double-quoted with its quotes doubled, every
 * string literal is single-quoted (non-printable or non-ASCII characters as U&'' escapes), numbers and dates are
 * rebuilt from their parsed values, and a column type is used only when it matches Trino's type grammar. Written by
 * hand: no maintained JavaScript library prints Trino SQL (SQL builders target PostgreSQL/MySQL dialects).
 *
 * Null semantics are Iceberg Java's after RewriteNot (as row-filter.ts): a comparison, set or prefix test on null is
 * false, its negation (not-eq, not-in, not-starts-with) true. With NOT pushed to the leaves the SQL is monotone in
 * AND/OR, so SQL's unknown behaves as false; the negated leaves add `IS NULL OR`.
 */
import type { BoundExpression, BoundField } from '../kit/expression.js';
import { rewriteNot } from '../planning/rewrite-not.js';
import type { ColumnMask } from '../ports/policies.js';

/** Column types a row filter compares (the catalog-enforced path's set, row-filter.ts). */
const COMPARED = new Set(['boolean', 'int', 'long', 'float', 'double', 'date', 'string']);
const DAY_MS = 86_400_000;

export class UnsupportedPolicy extends Error {
  override readonly name = 'UnsupportedPolicy';
}

/** `"name"` with any `"` doubled; a path of nested fields as `"a"."b"`. */
export function quoteIdentifier(path: readonly string[]): string {
  if (path.length === 0 || path.some((p) => p.length === 0)) throw new UnsupportedPolicy('an empty column name');
  return path.map((p) => `"${p.replace(/"/g, '""')}"`).join('.');
}

/** A Trino varchar literal of any string: plain quotes when printable ASCII, else a Unicode literal with escapes. */
export function stringLiteral(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `'${s.replace(/'/g, "''")}'`;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) throw new UnsupportedPolicy('a string literal with a lone surrogate');
    if (ch === "'") out += "''";
    else if (ch === '\\') out += '\\\\';
    else if (cp >= 0x20 && cp <= 0x7e) out += ch;
    else if (cp <= 0xffff) out += `\\${cp.toString(16).padStart(4, '0')}`;
    else out += `\\+${cp.toString(16).padStart(6, '0')}`;
  }
  return `U&'${out}'`;
}

/** A literal of an Iceberg primitive type as bindFilter checked it (kit/expression.ts literal()). */
export function literalSql(type: string, v: unknown): string {
  switch (type) {
    case 'boolean':
      if (typeof v !== 'boolean') break;
      return v ? 'TRUE' : 'FALSE';
    case 'int':
    case 'long': {
      const n = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : undefined;
      if (n === undefined) break;
      return type === 'int' ? `INTEGER '${n}'` : `BIGINT '${n}'`;
    }
    case 'float':
    case 'double': {
      if (typeof v !== 'number') break;
      const t = type === 'float' ? 'REAL' : 'DOUBLE';
      if (Number.isNaN(v)) return `CAST(nan() AS ${t})`;
      if (!Number.isFinite(v)) return `CAST(${v > 0 ? '' : '-'}infinity() AS ${t})`;
      return `${t} '${String(v)}'`;
    }
    case 'date': {
      const days = typeof v === 'number' && Number.isInteger(v) ? v : undefined;
      if (days === undefined) break;
      const iso = new Date(days * DAY_MS).toISOString();
      if (!/^\d{4}-\d{2}-\d{2}T/.test(iso)) throw new UnsupportedPolicy(`date ${days} is outside years 0000-9999`);
      return `DATE '${iso.slice(0, 10)}'`;
    }
    case 'string':
      if (typeof v !== 'string') break;
      return stringLiteral(v);
    default:
      throw new UnsupportedPolicy(`literals of type ${type} are not written as Trino SQL yet`);
  }
  throw new UnsupportedPolicy(`${typeof v} is not a ${type} literal`);
}

/** How a bound filter's columns are named now: the column path of a field id in the current schema. */
export type ColumnPath = (fieldId: number) => readonly string[] | undefined;

/** The row filter as a Trino boolean expression over the table's columns. */
export function rowFilterSql(filter: BoundExpression, pathOf: ColumnPath): string {
  return sql(rewriteNot(filter), pathOf);
}

function sql(e: BoundExpression, pathOf: ColumnPath): string {
  switch (e.op) {
    case 'true':
      return 'TRUE';
    case 'false':
      return 'FALSE';
    case 'and':
    case 'or':
      return `(${sql(e.left, pathOf)} ${e.op.toUpperCase()} ${sql(e.right, pathOf)})`;
    case 'not':
      throw new TypeError('rowFilterSql: NOT must be rewritten first');
    default:
      break;
  }
  const type = String(e.field.type);
  if (!COMPARED.has(type)) throw new UnsupportedPolicy(`row filters on ${type} columns are not written as Trino SQL yet`);
  const col = column(e.field, pathOf);
  switch (e.op) {
    case 'is-null':
      return `(${col} IS NULL)`;
    case 'not-null':
      return `(${col} IS NOT NULL)`;
    case 'is-nan':
      return type === 'float' || type === 'double' ? `is_nan(${col})` : 'FALSE';
    case 'not-nan':
      return type === 'float' || type === 'double' ? `(${col} IS NULL OR NOT is_nan(${col}))` : 'TRUE';
    case 'in':
    case 'not-in': {
      if (e.values.length === 0) return e.op === 'in' ? 'FALSE' : 'TRUE';
      const list = e.values.map((v) => literalSql(type, v)).join(', ');
      return e.op === 'in' ? `(${col} IN (${list}))` : `(${col} IS NULL OR ${col} NOT IN (${list}))`;
    }
    case 'starts-with':
      return `starts_with(${col}, ${literalSql('string', String(e.value))})`;
    case 'not-starts-with':
      return `(${col} IS NULL OR NOT starts_with(${col}, ${literalSql('string', String(e.value))}))`;
    default: {
      const op = { lt: '<', 'lt-eq': '<=', gt: '>', 'gt-eq': '>=', eq: '=', 'not-eq': '<>' }[e.op];
      const test = `${col} ${op} ${literalSql(type, e.value)}`;
      return e.op === 'not-eq' ? `(${col} IS NULL OR ${test})` : `(${test})`;
    }
  }
}

function column(field: BoundField, pathOf: ColumnPath): string {
  const path = pathOf(field.id);
  if (path === undefined) throw new UnsupportedPolicy(`field id ${field.id} is no longer in the table's schema`);
  return quoteIdentifier(path);
}

/** Trino's type names as the plugin sends them (varchar, varchar(20), decimal(10,2), timestamp(6) with time zone): nothing quoted. */
const TRINO_TYPE = /^[a-z][a-z0-9_]*(\([0-9, ]{1,40}\))?( with(out)? time zone)?$/;

export interface MaskSqlContext {
  /** sha-256-query-local: the salt of this answer (the same for every column of one table in one request). */
  querySalt: Uint8Array;
  /** mask-to-fixed-value: the Iceberg type of the column the value is of. */
  icebergType?: string | undefined;
}

/** A column mask as a Trino expression over the column, of the column's Trino type (masks.ts gives the same values). */
export function maskSql(mask: ColumnMask, columnName: string, trinoType: string, ctx: MaskSqlContext): string {
  if (!TRINO_TYPE.test(trinoType)) throw new UnsupportedPolicy(`column type ${trinoType.slice(0, 64)} is not one this writes masks for`);
  return valueMaskSql(mask, quoteIdentifier([columnName]), trinoType, ctx);
}

/**
 * A mask of one value `col` (an SQL expression: a quoted column, or a lambda's variable over a list's elements or a
 * map's values, trino-nested.ts) as an expression of `trinoType`, which the caller has checked or written itself.
 */
export function valueMaskSql(mask: Pick<ColumnMask, 'action' | 'value'>, col: string, trinoType: string, ctx: MaskSqlContext): string {
  const typed = (expression: string) => `CAST(${expression} AS ${trinoType})`;
  switch (mask.action) {
    case 'replace-with-null':
      return typed('NULL');
    case 'mask-to-fixed-value':
      return typed(
        literalSql(
          ctx.icebergType ?? 'string',
          ctx.icebergType === 'date' && typeof mask.value === 'string' ? Math.round(Date.parse(`${mask.value}T00:00:00Z`) / DAY_MS) : mask.value,
        ),
      );
    case 'sha-256-global':
      return typed(`lower(to_hex(sha256(to_utf8(${col}))))`);
    case 'sha-256-query-local':
      return typed(`lower(to_hex(hmac_sha256(to_utf8(${col}), from_hex('${Buffer.from(ctx.querySalt).toString('hex')}'))))`);
    case 'mask-alphanum':
      return typed(`regexp_replace(regexp_replace(regexp_replace(${col}, '[A-Z]', 'X'), '[a-z]', 'x'), '[0-9]', 'n')`);
    case 'show-first-4':
      return typed(`substr(${col}, 1, 4) || rpad('', greatest(length(${col}) - 4, 0), 'x')`);
    case 'show-last-4':
      return typed(`rpad('', greatest(length(${col}) - 4, 0), 'x') || substr(${col}, greatest(length(${col}) - 3, 1))`);
    case 'truncate-to-year':
      return typed(`date_trunc('year', ${col})`);
    case 'truncate-to-month':
      return typed(`date_trunc('month', ${col})`);
  }
}

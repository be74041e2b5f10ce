/**
 * The REST expression JSON a `column op value` form builds, shared by "Plan this filter" (plan-scan.tsx) and the
 * row-filter builder of a table's policies (policy-editor.tsx): the operators offered, one literal rule per column
 * type, and how conditions are joined (and/or nest left to right, as the spec's binary expressions do).
 */
import type { Field } from './schema-tree';

export const OPS = [
  ['=', 'eq'],
  ['≠', 'not-eq'],
  ['<', 'lt'],
  ['≤', 'lt-eq'],
  ['>', 'gt'],
  ['≥', 'gt-eq'],
  ['in', 'in'],
  ['starts with', 'starts-with'],
  ['is null', 'is-null'],
  ['is not null', 'not-null'],
] as const;
export const UNARY = new Set(['is-null', 'not-null']);
const NUMERIC = new Set(['int', 'long', 'float', 'double']);

/** A literal in the column's JSON form: numbers for numeric columns, booleans for boolean, else the text (dates, strings, decimals). */
export function literal(field: Field | undefined, text: string): unknown {
  const type = typeof field?.type === 'string' ? field.type : '';
  if (NUMERIC.has(type) && text.trim() !== '' && !Number.isNaN(Number(text))) return Number(text);
  if (type === 'boolean') return text.trim().toLowerCase() === 'true';
  return text;
}

export interface Condition {
  column: string;
  op: string;
  value: string;
}

/** One condition as an expression object (`in` takes comma-separated values). */
export function conditionJson(fields: Field[], c: Condition): unknown {
  const field = fields.find((f) => f.name === c.column);
  if (UNARY.has(c.op)) return { type: c.op, term: c.column };
  if (c.op === 'in') return { type: 'in', term: c.column, values: c.value.split(',').map((v) => literal(field, v.trim())) };
  return { type: c.op, term: c.column, value: literal(field, c.value) };
}

/** Conditions joined by `and` or `or` (left-deep); one condition alone; `true` when there is none. */
export function joined(fields: Field[], conditions: Condition[], join: 'and' | 'or'): unknown {
  const parts = conditions.filter((c) => c.column !== '').map((c) => conditionJson(fields, c));
  if (parts.length === 0) return true;
  return parts.slice(1).reduce((left, right) => ({ type: join, left, right }), parts[0]);
}

const SYMBOL: Record<string, string> = {
  eq: '=',
  'not-eq': '≠',
  lt: '<',
  'lt-eq': '≤',
  gt: '>',
  'gt-eq': '≥',
  'starts-with': 'starts with',
  'not-starts-with': 'does not start with',
};
const term = (t: unknown): string =>
  typeof t === 'string'
    ? t
    : typeof t === 'object' && t !== null && 'term' in t
      ? `${String((t as { transform?: string }).transform ?? '')}(${term((t as { term: unknown }).term)})`
      : JSON.stringify(t);
const lit = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

/** An expression as people read it (`region = 'eu' and amount < 100`); the JSON itself when it is of a form not known here. */
export function showExpression(e: unknown): string {
  if (e === true || e === false) return e ? 'every row' : 'no row';
  if (typeof e !== 'object' || e === null) return JSON.stringify(e);
  const x = e as { type?: string; term?: unknown; value?: unknown; values?: unknown[]; left?: unknown; right?: unknown; child?: unknown };
  switch (x.type) {
    case 'true':
      return 'every row';
    case 'false':
      return 'no row';
    case 'and':
    case 'or':
      return `(${showExpression(x.left)} ${x.type} ${showExpression(x.right)})`;
    case 'not': {
      const child = showExpression(x.child);
      return `not ${child.startsWith('(') ? child : `(${child})`}`;
    }
    case 'is-null':
    case 'not-null':
    case 'is-nan':
    case 'not-nan':
      return `${term(x.term)} ${x.type.replace('-', ' ').replace('not ', 'is not ')}`;
    case 'in':
    case 'not-in':
      return `${term(x.term)} ${x.type === 'in' ? 'in' : 'not in'} (${(x.values ?? []).map(lit).join(', ')})`;
    default:
      if (x.type !== undefined && SYMBOL[x.type]) return `${term(x.term)} ${SYMBOL[x.type]} ${lit(x.value)}`;
      return JSON.stringify(e);
  }
}

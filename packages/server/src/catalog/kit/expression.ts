/**
 * A scan filter in the Iceberg REST expression JSON (rest-catalog-open-api.yaml, Expression), parsed and bound
 * to a schema: each term names a column (case-sensitively or not, as the request says) and each literal must
 * suit the column's type. One rule for every filter input: anything malformed, an unknown column or a literal
 * of the wrong type is ERR_VALIDATION (400) with the reason, never a 500.
 */
import { validation } from '../../errors/catalog-error.js';
import type { IcebergType, Schema, StructField } from '../metadata/types.js';
import { checkedLiteral } from './literal.js';

export type UnaryOp = 'is-null' | 'not-null' | 'is-nan' | 'not-nan';
export type LiteralOp = 'lt' | 'lt-eq' | 'gt' | 'gt-eq' | 'eq' | 'not-eq' | 'starts-with' | 'not-starts-with';
export type SetOp = 'in' | 'not-in';

export interface BoundField {
  id: number;
  name: string;
  type: IcebergType;
}

export type BoundExpression =
  | { op: 'true' | 'false' }
  | { op: 'and' | 'or'; left: BoundExpression; right: BoundExpression }
  | { op: 'not'; child: BoundExpression }
  | { op: UnaryOp; field: BoundField }
  | { op: LiteralOp; field: BoundField; value: unknown }
  | { op: SetOp; field: BoundField; values: unknown[] };

const UNARY = new Set<string>(['is-null', 'not-null', 'is-nan', 'not-nan']);
const LITERAL = new Set<string>(['lt', 'lt-eq', 'gt', 'gt-eq', 'eq', 'not-eq', 'starts-with', 'not-starts-with']);
const SET = new Set<string>(['in', 'not-in']);
const MAX_DEPTH = 100;

export function bindFilter(raw: unknown, schema: Schema, caseSensitive: boolean): BoundExpression {
  return bind(raw, schema, caseSensitive, 0);
}

function bind(raw: unknown, schema: Schema, caseSensitive: boolean, depth: number): BoundExpression {
  if (depth > MAX_DEPTH) throw validation(`filter is nested deeper than ${MAX_DEPTH} levels`);
  if (raw === true || raw === false) return { op: raw ? 'true' : 'false' };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw validation('filter: an expression must be a JSON object or a boolean');
  const e = raw as Record<string, unknown>;
  const type = e.type;
  if (type === 'true' || type === 'false') return { op: type };
  if (type === 'and' || type === 'or')
    return { op: type, left: bind(e.left, schema, caseSensitive, depth + 1), right: bind(e.right, schema, caseSensitive, depth + 1) };
  if (type === 'not') return { op: 'not', child: bind(e.child, schema, caseSensitive, depth + 1) };
  if (typeof type !== 'string') throw validation('filter: an expression needs a "type"');
  const field = resolve(e.term, schema, caseSensitive);
  if (UNARY.has(type)) {
    if ((type === 'is-nan' || type === 'not-nan') && field.type !== 'float' && field.type !== 'double')
      throw validation(`filter: ${type} needs a float or double column, not ${describe(field)}`);
    return { op: type as UnaryOp, field };
  }
  if (LITERAL.has(type)) {
    if ((type === 'starts-with' || type === 'not-starts-with') && field.type !== 'string')
      throw validation(`filter: ${type} needs a string column, not ${describe(field)}`);
    return { op: type as LiteralOp, field, value: checkedLiteral(e.value, field) };
  }
  if (SET.has(type)) {
    if (!Array.isArray(e.values)) throw validation(`filter: ${type} needs "values", an array`);
    return { op: type as SetOp, field, values: e.values.map((v) => checkedLiteral(v, field)) };
  }
  throw validation(`filter: unknown expression type ${JSON.stringify(type).slice(0, 64)}`);
}

/** The field a filter's term (a column name, or a `reference` object) binds to in the schema, as bindFilter binds it; throws its 400. */
export const bindTerm = (term: unknown, schema: Schema, caseSensitive: boolean): BoundField => resolve(term, schema, caseSensitive);

/** The field ids a bound expression's predicates refer to (each once). */
export function boundFieldIds(e: BoundExpression, into = new Set<number>()): Set<number> {
  if ('field' in e) into.add(e.field.id);
  else if (e.op === 'and' || e.op === 'or') boundFieldIds(e.right, boundFieldIds(e.left, into));
  else if (e.op === 'not') boundFieldIds(e.child, into);
  return into;
}

/**
 * A term is a column name (a struct's fields dotted); transform terms are not accepted as filters here. A name resolves
 * as Iceberg's name index (TypeUtil.indexByName) names fields: a field's names from the top joined by '.', so a field
 * whose own name holds a '.' (a column "x.y", a struct's field "a.b") is "x.y" or "person.a.b", as the mask resolver
 * (policies/nested.ts) names it. A name two fields answer to is a 400, never one of them picked. Case-insensitive
 * binding prefers the one field that matches exactly, else the one that matches ignoring case.
 */
function resolve(term: unknown, schema: Schema, caseSensitive: boolean): BoundField {
  const name =
    typeof term === 'object' && term !== null && (term as Record<string, unknown>).type === 'reference' ? (term as Record<string, unknown>).term : term;
  if (typeof name !== 'string' || name.length === 0) throw validation('filter: a term must name a column');
  if (name.length > MAX_NAME) throw validation(`filter: a term names a column in at most ${MAX_NAME} characters, not ${name.length}`);
  let paths = pathsNamed(schema.fields, name.split('.'), (a, b) => a === b);
  if (!caseSensitive && paths.found.length === 0) paths = pathsNamed(schema.fields, name.toLowerCase().split('.'), (a, b) => a.toLowerCase() === b);
  const { found, through } = paths;
  if (found.length > 1)
    throw validation(
      `filter: '${name.slice(0, 256)}' names more than one field (${found.map((p) => `field id ${p[p.length - 1]!.id}`).join(', ')}; a name holding a '.'): an Iceberg expression names a field by name only, so rename one of them (a column mask can name it by its field id)`,
    );
  if (found.length === 0 && through !== undefined) throw validation(`filter: cannot name '${name.slice(0, 256)}': ${manyValues(through.column, through.kind)}`);
  const field = found[0]?.[found[0].length - 1];
  if (!field) throw validation(`filter: cannot find field '${name.slice(0, 256)}' in the schema`);
  if (typeof field.type !== 'string') {
    // A list (a Lance vector among them) holds many values a row: a filter compares one, so it cannot name a list.
    const why =
      field.type.type === 'list'
        ? ": it is a list (a vector), and a row filter compares one value a row, never a list's elements"
        : field.type.type === 'map'
          ? ": it is a map, and a row filter compares one value a row, never a map's keys or values"
          : '';
    throw validation(`filter: column '${name.slice(0, 256)}' is not of a primitive type${why}`);
  }
  return { id: field.id, name, type: field.type };
}

/** The longest name a term may give (a field's names from the top; the policy API's mask column takes as many). */
const MAX_NAME = 1024;

/**
 * The struct-field paths a split name names (each field matching as many of the parts as its own name has), and the
 * first list or map a path went through with parts left (what a filter cannot reach into). Stops at a second match.
 */
function pathsNamed(fields: readonly StructField[], parts: readonly string[], same: (field: string, part: string) => boolean) {
  const found: StructField[][] = [];
  let through: { column: string; kind: string } | undefined;
  const walk = (options: readonly StructField[], at: number, path: readonly StructField[]): void => {
    for (const f of options) {
      const own = f.name.split('.');
      if (found.length > 1 || at + own.length > parts.length || !own.every((p, i) => same(p, parts[at + i]!))) continue;
      const next = [...path, f];
      if (at + own.length === parts.length) found.push(next);
      else if (typeof f.type === 'object' && f.type.type === 'struct') walk(f.type.fields, at + own.length, next);
      else if (typeof f.type === 'object') through ??= { column: parts.slice(0, at + own.length).join('.'), kind: f.type.type };
    }
  };
  walk(fields, 0, []);
  return { found, through };
}

/** Why a filter cannot name a list's element or a map's key or value (Iceberg expressions reference none). */
const manyValues = (column: string, kind: string) =>
  `'${column.slice(0, 256)}' is a ${kind}, holding many values a row; a row filter compares one value a row, and Iceberg expressions cannot reference a ${kind === 'list' ? "list's elements" : "map's keys or values"}`;

const describe = (f: BoundField) => `'${f.name}' (${String(f.type)})`;

/** The constants and connectives every expression tree has (a bound filter, a projected partition filter). */
type Connective<E> = { op: 'true' | 'false' } | { op: 'and' | 'or'; left: E; right: E };

/**
 * An evaluator of an expression tree: its constants and and/or here, once for every evaluator (by file metrics, by
 * manifest summaries, by partition tuples), every other node by `leaf` with the evaluator's subject. Built once per
 * evaluator (no closure per evaluation: they run for every data file a scan plans).
 */
export function treeEvaluator<E extends { op: string }, S>(leaf: (e: Exclude<E, Connective<E>>, subject: S) => boolean): (e: E, subject: S) => boolean {
  const evaluate = (e: E, subject: S): boolean => {
    switch (e.op) {
      case 'true':
        return true;
      case 'false':
        return false;
      case 'and': {
        const c = e as unknown as { left: E; right: E };
        return evaluate(c.left, subject) && evaluate(c.right, subject);
      }
      case 'or': {
        const c = e as unknown as { left: E; right: E };
        return evaluate(c.left, subject) || evaluate(c.right, subject);
      }
      default:
        // Not a constant nor a connective: the ops above are theirs only.
        return leaf(e as Exclude<E, Connective<E>>, subject);
    }
  };
  return evaluate;
}

/**
 * Inclusive projection of a row filter onto one partition spec (Iceberg's Projections.inclusive): a
 * predicate on partition values that is true for every partition holding a row the filter may match. Each
 * transform projects as Iceberg Java's does (ProjectionUtil), including its widening of time projections for
 * values before 1970 (fixInclusiveTimeProjection, for files written by old writers that rounded toward
 * zero), so the server prunes exactly what Java's client-side planning prunes. A predicate a transform cannot
 * project (bucket of a range, anything on void) projects to true: it never prunes.
 */
import type { PartitionSpec } from '../metadata/types.js';
import { type AppliedTransform, applyTransform, parseApplied, resultType } from './apply-transform.js';
import type { BoundExpression, LiteralOp, SetOp, UnaryOp } from '../kit/expression.js';
import { rewriteNot } from './rewrite-not.js';
import { fromLiteral, typeName, type Value } from './values.js';

/** A predicate on the partition tuple: `pos` indexes the spec's fields, `type` is the transform's result type. */
export type PartitionExpression =
  | { op: 'true' | 'false' }
  | { op: 'and' | 'or'; left: PartitionExpression; right: PartitionExpression }
  | { op: UnaryOp; pos: number; type: string }
  | { op: LiteralOp; pos: number; type: string; value: Value }
  | { op: SetOp; pos: number; type: string; values: Value[] };

type Leaf = Exclude<BoundExpression, { op: 'true' | 'false' | 'and' | 'or' | 'not' }>;

const TRUE: PartitionExpression = { op: 'true' };
const FALSE: PartitionExpression = { op: 'false' };

export function projectInclusive(filter: BoundExpression, spec: PartitionSpec): PartitionExpression {
  return project(rewriteNot(filter), spec);
}

function project(e: BoundExpression, spec: PartitionSpec): PartitionExpression {
  switch (e.op) {
    case 'true':
      return TRUE;
    case 'false':
      return FALSE;
    case 'and':
      return and(project(e.left, spec), project(e.right, spec));
    case 'or':
      return or(project(e.left, spec), project(e.right, spec));
    case 'not':
      return project(rewriteNot(e), spec);
    default: {
      // Every partition field on the predicate's column contributes; their projections all hold.
      let out: PartitionExpression = TRUE;
      spec.fields.forEach((pf, pos) => {
        if (pf['source-id'] !== e.field.id) return;
        out = and(out, projectLeaf(e, parseApplied(pf.transform), pos));
      });
      return out;
    }
  }
}

export function and(a: PartitionExpression, b: PartitionExpression): PartitionExpression {
  if (a.op === 'false' || b.op === 'false') return FALSE;
  if (a.op === 'true') return b;
  if (b.op === 'true') return a;
  return { op: 'and', left: a, right: b };
}

export function or(a: PartitionExpression, b: PartitionExpression): PartitionExpression {
  if (a.op === 'true' || b.op === 'true') return TRUE;
  if (a.op === 'false') return b;
  if (b.op === 'false') return a;
  return { op: 'or', left: a, right: b };
}

function projectLeaf(e: Leaf, t: AppliedTransform, pos: number): PartitionExpression {
  const source = typeName(e.field.type);
  const type = resultType(t, source);
  if (t.kind === 'void' || t.kind === 'unknown') return TRUE;
  if (e.op === 'is-null' || e.op === 'not-null' || e.op === 'is-nan' || e.op === 'not-nan') {
    // Transforms keep nulls null (and only identity applies to floats, so NaN checks stay where they make sense).
    return t.kind === 'identity' || e.op === 'is-null' || e.op === 'not-null' ? { op: e.op, pos, type } : TRUE;
  }
  const apply = (v: Value) => applyTransform(t, source, v);
  if (e.op === 'in' || e.op === 'not-in') {
    const values = e.values.map((v) => fromLiteral(source, v));
    if (values.some((v) => v === undefined)) return TRUE;
    if (t.kind === 'identity') return { op: e.op, pos, type, values: values as Value[] };
    if (e.op === 'not-in') return TRUE;
    const projected = (values as Value[]).map(apply);
    if (projected.some((v) => v === undefined)) return TRUE;
    const set = { op: 'in' as const, pos, type, values: projected as Value[] };
    return isTime(t) ? fixTime(set) : set;
  }
  const literal = e as Extract<Leaf, { value: unknown }>;
  const value = fromLiteral(source, literal.value);
  if (value === undefined) return TRUE;
  if (t.kind === 'identity') return { op: literal.op, pos, type, value };
  if (t.kind === 'bucket') {
    const b = literal.op === 'eq' ? apply(value) : undefined;
    return b === undefined ? TRUE : { op: 'eq', pos, type, value: b };
  }
  if (t.kind === 'truncate' && (typeof value === 'string' || value instanceof Uint8Array)) return truncateArray(literal.op, value, apply, t.param, pos, type);
  // truncate of ints, longs and decimals, and the time transforms: ProjectionUtil.truncateInteger/Long/Decimal.
  const projected = truncateInteger(literal.op, value, apply, pos, type);
  return projected && isTime(t) ? fixTime(projected) : (projected ?? TRUE);
}

const isTime = (t: AppliedTransform) => t.kind === 'year' || t.kind === 'month' || t.kind === 'day' || t.kind === 'hour';

function step(v: Value, by: 1 | -1): Value | undefined {
  if (typeof v === 'bigint') return v + BigInt(by);
  if (typeof v === 'number' && Number.isInteger(v)) return v + by;
  return undefined;
}

function truncateInteger(op: LiteralOp, v: Value, apply: (v: Value) => Value | undefined, pos: number, type: string): PartitionExpression | null {
  const at = (x: Value | undefined, newOp: LiteralOp): PartitionExpression | null => {
    const r = x === undefined ? undefined : apply(x);
    return r === undefined ? null : { op: newOp, pos, type, value: r };
  };
  switch (op) {
    case 'lt':
      return at(step(v, -1), 'lt-eq');
    case 'lt-eq':
      return at(v, 'lt-eq');
    case 'gt':
      return at(step(v, 1), 'gt-eq');
    case 'gt-eq':
      return at(v, 'gt-eq');
    case 'eq':
      return at(v, 'eq');
    default:
      return null;
  }
}

/** Strings (by code point) and binary (by byte): a prefix predicate projects onto truncated prefixes. */
function truncateArray(
  op: LiteralOp,
  v: string | Uint8Array,
  apply: (v: Value) => Value | undefined,
  width: number,
  pos: number,
  type: string,
): PartitionExpression {
  const r = apply(v);
  if (r === undefined) return TRUE;
  const length = typeof v === 'string' ? Array.from(v).length : v.length;
  switch (op) {
    case 'lt':
    case 'lt-eq':
      return { op: 'lt-eq', pos, type, value: r };
    case 'gt':
    case 'gt-eq':
      return { op: 'gt-eq', pos, type, value: r };
    case 'eq':
      return { op: 'eq', pos, type, value: r };
    case 'starts-with':
      if (length < width) return { op: 'starts-with', pos, type, value: v };
      if (length === width) return { op: 'eq', pos, type, value: v };
      return { op: 'starts-with', pos, type, value: r };
    case 'not-starts-with':
      if (length < width) return { op: 'not-starts-with', pos, type, value: v };
      if (length === width) return { op: 'not-eq', pos, type, value: v };
      return TRUE;
    default:
      return TRUE;
  }
}

/** ProjectionUtil.fixInclusiveTimeProjection: also match the value one above a negative projection. */
function fixTime(p: PartitionExpression): PartitionExpression {
  if (!('pos' in p)) return p;
  if ((p.op === 'lt' || p.op === 'lt-eq') && typeof p.value === 'number' && p.value < 0) return { ...p, value: p.value + 1 };
  if (p.op === 'eq' && typeof p.value === 'number' && p.value < 0) return { op: 'in', pos: p.pos, type: p.type, values: [p.value, p.value + 1] };
  if (p.op === 'in') {
    const values = new Set<Value>();
    for (const v of p.values) {
      values.add(v);
      if (typeof v === 'number' && v < 0) values.add(v + 1);
    }
    return { ...p, values: [...values] };
  }
  return p;
}

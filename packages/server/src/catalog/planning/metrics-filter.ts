/**
 * Inclusive metrics pruning, as Iceberg's InclusiveMetricsEvaluator defines it: false only when a data file's
 * column statistics (value, null and NaN counts, lower and upper bounds) prove no row can match; true
 * whenever they are missing or cannot tell. Negations are pushed to the leaves first (a NOT of "might match"
 * is not "cannot match"). Bounds of types not decoded here (timestamps, decimals, uuids, binary) never prune.
 */
import type { ContentFile } from '../manifests/ports.js';
import type { BoundExpression, BoundField } from './expression.js';

export function mightMatch(e: BoundExpression, file: ContentFile): boolean {
  return evaluate(pushNot(e), file);
}

const NEGATED: Record<string, string> = { lt: 'gt-eq', 'lt-eq': 'gt', gt: 'lt-eq', 'gt-eq': 'lt', eq: 'not-eq', 'not-eq': 'eq', 'is-null': 'not-null', 'not-null': 'is-null', 'is-nan': 'not-nan', 'not-nan': 'is-nan', in: 'not-in', 'not-in': 'in', 'starts-with': 'not-starts-with', 'not-starts-with': 'starts-with' };

function pushNot(e: BoundExpression, negate = false): BoundExpression {
  switch (e.op) {
    case 'true':
    case 'false':
      return negate ? { op: e.op === 'true' ? 'false' : 'true' } : e;
    case 'not':
      return pushNot(e.child, !negate);
    case 'and':
    case 'or': {
      const op = negate ? (e.op === 'and' ? 'or' : 'and') : e.op;
      return { op, left: pushNot(e.left, negate), right: pushNot(e.right, negate) };
    }
    default:
      return negate ? ({ ...e, op: NEGATED[e.op] } as BoundExpression) : e;
  }
}

function evaluate(e: BoundExpression, file: ContentFile): boolean {
  switch (e.op) {
    case 'true':
      return true;
    case 'false':
      return false;
    case 'and':
      return evaluate(e.left, file) && evaluate(e.right, file);
    case 'or':
      return evaluate(e.left, file) || evaluate(e.right, file);
    case 'not':
      return true;
    default:
      break;
  }
  const id = e.field.id;
  const values = file.valueCounts?.get(id);
  const nulls = file.nullValueCounts?.get(id);
  const nans = file.nanValueCounts?.get(id);
  const allNull = values !== undefined && nulls !== undefined && values === nulls;
  switch (e.op) {
    case 'is-null':
      return nulls === undefined || nulls > 0;
    case 'not-null':
      return !allNull;
    case 'is-nan':
      return nans === undefined || nans > 0;
    case 'not-nan':
      return !(nans !== undefined && values !== undefined && nans === values);
    case 'not-eq':
    case 'not-in':
    case 'not-starts-with':
      return true;
    default:
      break;
  }
  if (allNull) return false;
  const lower = decode(e.field, file.lowerBounds?.get(id));
  const upper = decode(e.field, file.upperBounds?.get(id));
  const below = (v: unknown) => lower !== undefined && compare(v, lower) < 0;
  const above = (v: unknown) => upper !== undefined && compare(v, upper) > 0;
  switch (e.op) {
    case 'lt':
      return !(lower !== undefined && compare(lower, e.value) >= 0);
    case 'lt-eq':
      return !(lower !== undefined && compare(lower, e.value) > 0);
    case 'gt':
      return !(upper !== undefined && compare(upper, e.value) <= 0);
    case 'gt-eq':
      return !(upper !== undefined && compare(upper, e.value) < 0);
    case 'eq':
      return !below(e.value) && !above(e.value);
    case 'in':
      return e.values.some((v) => !below(v) && !above(v));
    case 'starts-with': {
      const prefix = e.value as string;
      if (typeof lower === 'string' && compare(lower.slice(0, prefix.length), prefix) > 0) return false;
      if (typeof upper === 'string' && compare(upper.slice(0, prefix.length), prefix) < 0) return false;
      return true;
    }
    default:
      return true;
  }
}

/** Iceberg's single-value binary form, for the types pruned here; undefined (never prunes) for the others and for NaN. */
function decode(field: BoundField, bytes: Uint8Array | undefined): number | string | boolean | undefined {
  if (bytes === undefined) return undefined;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (field.type) {
    case 'int':
    case 'date':
      return buf.length === 4 ? buf.readInt32LE(0) : undefined;
    case 'long':
      return buf.length === 8 ? Number(buf.readBigInt64LE(0)) : undefined;
    case 'float': {
      const v = buf.length === 4 ? buf.readFloatLE(0) : Number.NaN;
      return Number.isNaN(v) ? undefined : v;
    }
    case 'double': {
      const v = buf.length === 8 ? buf.readDoubleLE(0) : Number.NaN;
      return Number.isNaN(v) ? undefined : v;
    }
    case 'string':
      return buf.toString('utf8');
    case 'boolean':
      return buf.length === 1 ? buf[0] !== 0 : undefined;
    default:
      return undefined;
  }
}

/** Strings compare as UTF-8 bytes, as Iceberg orders them; numbers and booleans naturally; anything else is NaN. */
function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  // Incomparable: NaN makes every pruning test above false, so the file is kept.
  return Number.NaN;
}

/**
 * Inclusive metrics pruning, as Iceberg Java's InclusiveMetricsEvaluator defines it: false only when a file's
 * column statistics (record, value, null and NaN counts, lower and upper bounds) prove no row can match; true
 * whenever they are missing or cannot tell. Bounds of every primitive type are decoded from the spec's
 * single-value binary form (values.ts); a truncated string upper bound is still an upper bound, so the
 * comparisons stay inclusive. Negations are pushed to the leaves first (a NOT of "might match" is not
 * "cannot match"). Applied to delete files too (their stats cover their own columns), as Java's delete index does.
 */
import type { ContentFile } from '../ports/manifests.js';
import { type BoundExpression, treeEvaluator } from '../kit/expression.js';
import { IN_PREDICATE_LIMIT } from './manifest-filter.js';
import { rewriteNot } from './rewrite-not.js';
import { bothStartWith, compare, fromBinary, fromLiteral, isNaNValue, prefixMightMatch, typeName, type Value } from './values.js';

export function mightMatch(e: BoundExpression, file: ContentFile): boolean {
  // An empty file holds no row; a negative count (files imported into v1 tables) tells nothing.
  if (file.recordCount === 0) return false;
  if (file.recordCount < 0) return true;
  return evaluate(rewriteNot(e), file);
}

const evaluate: (e: BoundExpression, file: ContentFile) => boolean = treeEvaluator<BoundExpression, ContentFile>((e, file) => {
  if (e.op === 'not') return evaluate(rewriteNot(e), file);
  const id = e.field.id;
  const type = typeName(e.field.type);
  const values = file.valueCounts?.get(id);
  const nulls = file.nullValueCounts?.get(id);
  const nans = file.nanValueCounts?.get(id);
  const nullsOnly = values !== undefined && nulls !== undefined && values === nulls;
  const nansOnly = values !== undefined && nans !== undefined && values === nans;
  switch (e.op) {
    case 'is-null':
      return !(nulls !== undefined && nulls === 0);
    case 'not-null':
      return !nullsOnly;
    case 'is-nan':
      return !(nans !== undefined && nans === 0) && !nullsOnly;
    case 'not-nan':
      return !nansOnly;
    case 'not-eq':
    case 'not-in':
      return notIn('values' in e ? e.values : [e.value], type, id, file, nulls, nans);
    case 'not-starts-with':
      return notStartsWith(e.value, id, file, nulls);
    default:
      break;
  }
  if (nullsOnly || nansOnly) return false;
  const lower = bound(type, file.lowerBounds?.get(id));
  const upper = bound(type, file.upperBounds?.get(id));
  // compare() is NaN for anything it cannot order, which makes each test below false: the file is kept.
  const lowerAbove = (v: Value | undefined, strict: boolean) =>
    v !== undefined && lower !== undefined && (strict ? compare(lower, v) > 0 : compare(lower, v) >= 0);
  const upperBelow = (v: Value | undefined, strict: boolean) =>
    v !== undefined && upper !== undefined && (strict ? compare(upper, v) < 0 : compare(upper, v) <= 0);
  switch (e.op) {
    case 'lt':
      return !lowerAbove(fromLiteral(type, e.value), false);
    case 'lt-eq':
      return !lowerAbove(fromLiteral(type, e.value), true);
    case 'gt':
      return !upperBelow(fromLiteral(type, e.value), false);
    case 'gt-eq':
      return !upperBelow(fromLiteral(type, e.value), true);
    case 'eq': {
      const v = fromLiteral(type, e.value);
      return !lowerAbove(v, true) && !upperBelow(v, true);
    }
    case 'in': {
      if (e.values.length > IN_PREDICATE_LIMIT) return true;
      const literals = e.values.map((v) => fromLiteral(type, v));
      return literals.some((v) => v === undefined || (!lowerAbove(v, true) && !upperBelow(v, true)));
    }
    case 'starts-with':
      return typeof e.value !== 'string' || prefixMightMatch(file.lowerBounds?.get(id), file.upperBounds?.get(id), e.value);
    default:
      return true;
  }
});

/** A bound as a comparable value; a NaN bound (some writers) tells nothing. */
function bound(type: string, bytes: Uint8Array | undefined): Value | undefined {
  const v = fromBinary(type, bytes);
  return isNaNValue(v) ? undefined : v;
}

/**
 * not-eq / not-in: no row can match only when the column holds a single value (lower = upper), no null (and
 * for floats no NaN), and that value is one of the literals, as Iceberg Java 1.11 prunes (the oracle test
 * caught Lakegate keeping such files).
 */
function notIn(literals: unknown[], type: string, id: number, file: ContentFile, nulls: number | undefined, nans: number | undefined): boolean {
  if (nulls === undefined || nulls !== 0) return true;
  if ((type === 'float' || type === 'double') && (nans === undefined || nans !== 0)) return true;
  const lower = bound(type, file.lowerBounds?.get(id));
  const upper = bound(type, file.upperBounds?.get(id));
  if (lower === undefined || upper === undefined || compare(lower, upper) !== 0) return true;
  return !literals.some((v) => {
    const literal = fromLiteral(type, v);
    return literal !== undefined && compare(lower, literal) === 0;
  });
}

/** No row can match only when no value is null and both bounds start with the prefix. */
function notStartsWith(prefix: unknown, id: number, file: ContentFile, nulls: number | undefined): boolean {
  if (typeof prefix !== 'string' || nulls === undefined || nulls !== 0) return true;
  return !bothStartWith(file.lowerBounds?.get(id), file.upperBounds?.get(id), prefix);
}

/**
 * A projected partition filter (partition-projection.ts) evaluated two ways, as Iceberg Java does:
 *  - against a manifest list entry's field summaries (ManifestEvaluator): false only when no partition in the
 *    manifest can match, so the whole manifest is skipped unread;
 *  - against one file's partition tuple (Evaluator, exact: nulls order first, NaN after every number).
 * A summary a writer left out, or a value that cannot be decoded, never prunes.
 */
import type { FieldSummary } from '../ports/manifests.js';
import { treeEvaluator } from '../kit/expression.js';
import type { PartitionExpression } from './partition-projection.js';
import { bothStartWith, compare, fromAvro, fromBinary, isNaNValue, prefixMightMatch, type Value } from './values.js';

/** Iceberg Java stops pruning IN predicates with more literals than this (InclusiveMetricsEvaluator, ManifestEvaluator). */
export const IN_PREDICATE_LIMIT = 200;

export function manifestMightMatch(e: PartitionExpression, summaries: FieldSummary[] | null): boolean {
  if (summaries === null) return true;
  return evalSummaries(e, summaries);
}

const evalSummaries = treeEvaluator<PartitionExpression, FieldSummary[]>((e, s) => {
  const stats = s[e.pos];
  if (stats === undefined) return true;
  const float = e.type === 'float' || e.type === 'double';
  // A summary's lower bound is null when every value is null (or NaN): nothing to compare, no row can match.
  const allNull = stats.containsNull && stats.lowerBound === null && (!float || stats.containsNan === false);
  switch (e.op) {
    case 'is-null':
      return stats.containsNull;
    case 'not-null':
      return !allNull;
    case 'is-nan':
      return !(stats.containsNan === false) && !allNull;
    case 'not-nan':
      return !(stats.containsNan === true && !stats.containsNull && stats.lowerBound === null);
    case 'not-eq':
    case 'not-in':
      return true;
    case 'not-starts-with':
      return stats.containsNull || !bothStartWith(stats.lowerBound, stats.upperBound, e.value as string);
    default:
      break;
  }
  if (stats.lowerBound === null) return false;
  const lower = fromBinary(e.type, stats.lowerBound);
  const upper = fromBinary(e.type, stats.upperBound);
  if (lower === undefined) return true;
  const cmpLower = (v: Value) => compare(lower, v);
  const cmpUpper = (v: Value) => (upper === undefined ? Number.NaN : compare(upper, v));
  switch (e.op) {
    case 'lt':
      return !(cmpLower(e.value) >= 0);
    case 'lt-eq':
      return !(cmpLower(e.value) > 0);
    case 'gt':
      return !(cmpUpper(e.value) <= 0);
    case 'gt-eq':
      return !(cmpUpper(e.value) < 0);
    case 'eq':
      return !(cmpLower(e.value) > 0) && !(cmpUpper(e.value) < 0);
    case 'in': {
      if (e.values.length > IN_PREDICATE_LIMIT) return true;
      return e.values.some((v) => !(cmpLower(v) > 0) && !(cmpUpper(v) < 0));
    }
    case 'starts-with':
      return prefixMightMatch(stats.lowerBound, stats.upperBound, e.value as string);
    default:
      return true;
  }
});

/** The exact value of the projected filter on one partition tuple (as the manifest's Avro decoded it). */
export const partitionMatches = treeEvaluator<PartitionExpression, readonly unknown[]>((e, tuple) => {
  if (e.pos >= tuple.length) return true;
  const v = fromAvro(e.type, tuple[e.pos]);
  if (v === undefined) return true;
  switch (e.op) {
    case 'is-null':
      return v === null;
    case 'not-null':
      return v !== null;
    case 'is-nan':
      return isNaNValue(v);
    case 'not-nan':
      return !isNaNValue(v);
    case 'in':
      return v !== null && e.values.some((x) => order(v, x) === 0);
    case 'not-in':
      return v === null || !e.values.some((x) => order(v, x) === 0);
    case 'starts-with':
      return typeof v === 'string' && v.startsWith(e.value as string);
    case 'not-starts-with':
      return !(typeof v === 'string' && v.startsWith(e.value as string));
    default:
      break;
  }
  const c = order(v, e.value);
  if (Number.isNaN(c)) return true;
  switch (e.op) {
    case 'lt':
      return c < 0;
    case 'lt-eq':
      return c <= 0;
    case 'gt':
      return c > 0;
    case 'gt-eq':
      return c >= 0;
    case 'eq':
      return c === 0;
    case 'not-eq':
      return c !== 0;
    default:
      return true;
  }
});

/** Java's literal comparator for the exact evaluator: null before everything, NaN after every number and equal to itself. */
function order(a: Value | null, b: Value): number {
  if (a === null) return -1;
  if (typeof a === 'number' && typeof b === 'number' && (Number.isNaN(a) || Number.isNaN(b))) {
    return Number.isNaN(a) && Number.isNaN(b) ? 0 : Number.isNaN(a) ? 1 : -1;
  }
  return compare(a, b);
}

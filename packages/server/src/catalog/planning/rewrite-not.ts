/**
 * NOT pushed down to the leaves (Iceberg's RewriteNot), before any pruning: an evaluator that answers
 * "might match" cannot negate its answer ("might not match" is not "cannot match"), so every pruning pass
 * runs on an expression without NOT.
 */
import type { BoundExpression } from '../kit/expression.js';

const NEGATED: Record<string, string> = {
  lt: 'gt-eq',
  'lt-eq': 'gt',
  gt: 'lt-eq',
  'gt-eq': 'lt',
  eq: 'not-eq',
  'not-eq': 'eq',
  'is-null': 'not-null',
  'not-null': 'is-null',
  'is-nan': 'not-nan',
  'not-nan': 'is-nan',
  in: 'not-in',
  'not-in': 'in',
  'starts-with': 'not-starts-with',
  'not-starts-with': 'starts-with',
};

export function rewriteNot(e: BoundExpression, negate = false): BoundExpression {
  switch (e.op) {
    case 'true':
    case 'false':
      return negate ? { op: e.op === 'true' ? 'false' : 'true' } : e;
    case 'not':
      return rewriteNot(e.child, !negate);
    case 'and':
    case 'or': {
      const op = negate ? (e.op === 'and' ? 'or' : 'and') : e.op;
      return { op, left: rewriteNot(e.left, negate), right: rewriteNot(e.right, negate) };
    }
    default:
      return negate ? ({ ...e, op: NEGATED[e.op] } as BoundExpression) : e;
  }
}

import { describe, expect, it } from 'vitest';
import type { PartitionSpec, Schema } from '../metadata/types.js';
import { bindFilter } from '../kit/expression.js';
import { manifestMightMatch, partitionMatches } from './manifest-filter.js';
import { projectInclusive } from './partition-projection.js';

const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
    { id: 3, name: 'd', required: false, type: 'date' },
    { id: 4, name: 'ts', required: false, type: 'timestamptz' },
    { id: 5, name: 'x', required: false, type: 'double' },
    { id: 6, name: 'n', required: false, type: 'int' },
  ],
} as Schema;

const spec = (transform: string, sourceId: number): PartitionSpec => ({
  'spec-id': 0,
  fields: [{ 'field-id': 1000, 'source-id': sourceId, name: 'p', transform }],
});
const project = (filter: unknown, transform: string, sourceId: number) => projectInclusive(bindFilter(filter, schema, true), spec(transform, sourceId));
const f = (type: string, term: string, value?: unknown) =>
  value === undefined ? { type, term } : Array.isArray(value) ? { type, term, values: value } : { type, term, value };

describe('inclusive projection onto a partition spec, transform by transform', () => {
  it('identity keeps every predicate, negations included (NOT pushed down first)', () => {
    expect(project(f('not-in', 'name', ['a', 'b']), 'identity', 2)).toEqual({ op: 'not-in', pos: 0, type: 'string', values: ['a', 'b'] });
    expect(project({ type: 'not', child: f('lt', 'id', 5) }, 'identity', 1)).toEqual({ op: 'gt-eq', pos: 0, type: 'long', value: 5n });
    expect(project(f('is-nan', 'x'), 'identity', 5)).toEqual({ op: 'is-nan', pos: 0, type: 'double' });
    expect(project(f('not-starts-with', 'name', 'ab'), 'identity', 2)).toEqual({ op: 'not-starts-with', pos: 0, type: 'string', value: 'ab' });
  });

  it('bucket projects only eq and in (negative hashes included); ranges and negations never prune', () => {
    expect(project(f('eq', 'id', 34), 'bucket[16]', 1)).toEqual({ op: 'eq', pos: 0, type: 'int', value: 2017239379 % 16 });
    expect(project(f('in', 'n', [34]), 'bucket[16]', 6)).toEqual({ op: 'in', pos: 0, type: 'int', values: [2017239379 % 16] });
    expect(project(f('lt', 'id', 34), 'bucket[16]', 1)).toEqual({ op: 'true' });
    expect(project(f('not-eq', 'id', 34), 'bucket[16]', 1)).toEqual({ op: 'true' });
    expect(project(f('is-null', 'id'), 'bucket[16]', 1)).toEqual({ op: 'is-null', pos: 0, type: 'int' });
  });

  it('truncate of integers moves strict bounds by one before truncating', () => {
    expect(project(f('lt', 'n', 10), 'truncate[10]', 6)).toEqual({ op: 'lt-eq', pos: 0, type: 'int', value: 0 });
    expect(project(f('gt', 'n', 9), 'truncate[10]', 6)).toEqual({ op: 'gt-eq', pos: 0, type: 'int', value: 10 });
    expect(project(f('eq', 'n', -1), 'truncate[10]', 6)).toEqual({ op: 'eq', pos: 0, type: 'int', value: -10 });
    expect(project(f('not-eq', 'n', 5), 'truncate[10]', 6)).toEqual({ op: 'true' });
  });

  it('truncate of strings: starts-with and not-starts-with by prefix length against the width', () => {
    expect(project(f('starts-with', 'name', 'ab'), 'truncate[3]', 2)).toEqual({ op: 'starts-with', pos: 0, type: 'string', value: 'ab' });
    expect(project(f('starts-with', 'name', 'abc'), 'truncate[3]', 2)).toEqual({ op: 'eq', pos: 0, type: 'string', value: 'abc' });
    expect(project(f('starts-with', 'name', 'abcd'), 'truncate[3]', 2)).toEqual({ op: 'starts-with', pos: 0, type: 'string', value: 'abc' });
    expect(project(f('not-starts-with', 'name', 'ab'), 'truncate[3]', 2)).toEqual({ op: 'not-starts-with', pos: 0, type: 'string', value: 'ab' });
    expect(project(f('not-starts-with', 'name', 'abc'), 'truncate[3]', 2)).toEqual({ op: 'not-eq', pos: 0, type: 'string', value: 'abc' });
    expect(project(f('not-starts-with', 'name', 'abcd'), 'truncate[3]', 2)).toEqual({ op: 'true' });
    expect(project(f('lt', 'name', 'abcd'), 'truncate[3]', 2)).toEqual({ op: 'lt-eq', pos: 0, type: 'string', value: 'abc' });
  });

  it('time transforms floor, and widen projections before 1970 as Iceberg Java does', () => {
    expect(project(f('eq', 'ts', '2017-11-16T22:31:08+00:00'), 'day', 4)).toEqual({ op: 'eq', pos: 0, type: 'date', value: 17486 });
    expect(project(f('lt', 'ts', '2017-11-17T00:00:00+00:00'), 'day', 4)).toEqual({ op: 'lt-eq', pos: 0, type: 'date', value: 17486 });
    expect(project(f('eq', 'd', '1969-12-31'), 'day', 3)).toEqual({ op: 'in', pos: 0, type: 'date', values: [-1, 0] });
    expect(project(f('lt-eq', 'd', '1969-06-01'), 'month', 3)).toEqual({ op: 'lt-eq', pos: 0, type: 'int', value: -6 });
    expect(project(f('in', 'd', ['1969-12-31', '1970-01-02']), 'year', 3)).toEqual({ op: 'in', pos: 0, type: 'int', values: [-1, 0] });
    expect(project(f('gt', 'ts', '1969-12-31T23:00:00+00:00'), 'hour', 4)).toEqual({ op: 'gt-eq', pos: 0, type: 'int', value: -1 });
  });

  it('void, and columns the spec does not partition on, project to true; and/or simplify', () => {
    expect(project(f('eq', 'id', 1), 'void', 1)).toEqual({ op: 'true' });
    expect(project(f('eq', 'name', 'a'), 'identity', 1)).toEqual({ op: 'true' });
    expect(project({ type: 'and', left: f('eq', 'id', 1), right: f('eq', 'name', 'a') }, 'identity', 1)).toEqual({ op: 'eq', pos: 0, type: 'long', value: 1n });
    expect(project({ type: 'or', left: f('eq', 'id', 1), right: f('eq', 'name', 'a') }, 'identity', 1)).toEqual({ op: 'true' });
    expect(project(false, 'identity', 1)).toEqual({ op: 'false' });
  });
});

const long = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return new Uint8Array(b);
};
const str = (s: string) => new Uint8Array(Buffer.from(s));

describe('manifest summaries and partition tuples', () => {
  const ids = { containsNull: false, containsNan: null, lowerBound: long(10n), upperBound: long(20n) };
  const onId = (filter: unknown) => project(filter, 'identity', 1);
  it.each([
    [f('eq', 'id', 5), false],
    [f('eq', 'id', 10), true],
    [f('lt', 'id', 10), false],
    [f('lt-eq', 'id', 10), true],
    [f('gt', 'id', 20), false],
    [f('gt-eq', 'id', 20), true],
    [f('in', 'id', [1, 25]), false],
    [f('in', 'id', [1, 15]), true],
    [f('not-eq', 'id', 15), true],
    [f('is-null', 'id'), false],
    [f('not-null', 'id'), true],
  ])('ids 10..20, no nulls: %j might match %s', (filter, expected) => {
    expect(manifestMightMatch(onId(filter), [ids])).toBe(expected);
  });

  it('an all-null summary (no lower bound) matches only is-null; missing summaries match everything', () => {
    const nulls = { containsNull: true, containsNan: null, lowerBound: null, upperBound: null };
    expect(manifestMightMatch(onId(f('eq', 'id', 1)), [nulls])).toBe(false);
    expect(manifestMightMatch(onId(f('not-null', 'id')), [nulls])).toBe(false);
    expect(manifestMightMatch(onId(f('is-null', 'id')), [nulls])).toBe(true);
    expect(manifestMightMatch(onId(f('eq', 'id', 1)), null)).toBe(true);
  });

  it('NaN in summaries of float partitions', () => {
    const onX = (filter: unknown) => project(filter, 'identity', 5);
    const noNan = { containsNull: false, containsNan: false, lowerBound: null, upperBound: null };
    const allNan = { containsNull: false, containsNan: true, lowerBound: null, upperBound: null };
    expect(manifestMightMatch(onX(f('is-nan', 'x')), [noNan])).toBe(false);
    expect(manifestMightMatch(onX(f('is-nan', 'x')), [allNan])).toBe(true);
    expect(manifestMightMatch(onX(f('not-nan', 'x')), [allNan])).toBe(false);
    expect(partitionMatches(onX(f('is-nan', 'x')), [Number.NaN])).toBe(true);
    expect(partitionMatches(onX(f('gt', 'x', 1)), [Number.NaN])).toBe(true); // Java orders NaN after every number
  });

  it('starts-with and not-starts-with against string summaries', () => {
    const names = { containsNull: false, containsNan: null, lowerBound: str('abc'), upperBound: str('abz') };
    const onName = (filter: unknown) => project(filter, 'identity', 2);
    expect(manifestMightMatch(onName(f('starts-with', 'name', 'ab')), [names])).toBe(true);
    expect(manifestMightMatch(onName(f('starts-with', 'name', 'b')), [names])).toBe(false);
    expect(manifestMightMatch(onName(f('starts-with', 'name', 'aa')), [names])).toBe(false);
    expect(manifestMightMatch(onName(f('not-starts-with', 'name', 'ab')), [names])).toBe(false);
    expect(manifestMightMatch(onName(f('not-starts-with', 'name', 'abc')), [names])).toBe(true);
  });

  it("partition tuples: nulls sort first, as in Java's exact evaluator", () => {
    const p = onId(f('lt', 'id', 5));
    expect(partitionMatches(p, [3n])).toBe(true);
    expect(partitionMatches(p, [7n])).toBe(false);
    expect(partitionMatches(p, [null])).toBe(true);
    expect(partitionMatches(onId(f('eq', 'id', 5)), [null])).toBe(false);
    expect(partitionMatches(onId(f('not-in', 'id', [5])), [null])).toBe(true);
    const bucket = project(f('eq', 'id', 34), 'bucket[16]', 1);
    expect(partitionMatches(bucket, [2017239379 % 16])).toBe(true);
    expect(partitionMatches(bucket, [(2017239379 % 16) + 1])).toBe(false);
  });
});

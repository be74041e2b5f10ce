import { describe, expect, it } from 'vitest';
import type { ContentFile } from '../manifests/ports.js';
import type { Schema } from '../metadata/types.js';
import { bindFilter } from './expression.js';
import { mightMatch } from './metrics-filter.js';

const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'name', required: false, type: 'string' },
    { id: 3, name: 'x', required: false, type: 'double' },
    { id: 4, name: 'ts', required: false, type: 'timestamptz' },
  ],
} as Schema;

const long = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return new Uint8Array(b);
};
const str = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

/** ids 10..20, names "apple".."melon", x all null, ts bounds present but not decoded. */
const file = {
  content: 0,
  filePath: 'file:///t/data/a.parquet',
  valueCounts: new Map([[1, 5], [2, 5], [3, 5]]),
  nullValueCounts: new Map([[1, 0], [2, 1], [3, 5]]),
  nanValueCounts: new Map([[3, 0]]),
  lowerBounds: new Map([[1, long(10)], [2, str('apple')], [4, long(0)]]),
  upperBounds: new Map([[1, long(20)], [2, str('melon')], [4, long(0)]]),
} as unknown as ContentFile;

const might = (filter: unknown) => mightMatch(bindFilter(filter, schema, true), file);

describe('inclusive metrics pruning', () => {
  it.each([
    [{ type: 'lt', term: 'id', value: 10 }, false],
    [{ type: 'lt-eq', term: 'id', value: 10 }, true],
    [{ type: 'gt', term: 'id', value: 20 }, false],
    [{ type: 'gt-eq', term: 'id', value: 20 }, true],
    [{ type: 'eq', term: 'id', value: 25 }, false],
    [{ type: 'eq', term: 'id', value: 15 }, true],
    [{ type: 'in', term: 'id', values: [1, 30] }, false],
    [{ type: 'in', term: 'id', values: [1, 12] }, true],
    [{ type: 'not-eq', term: 'id', value: 15 }, true],
    [{ type: 'not', child: { type: 'gt-eq', term: 'id', value: 10 } }, false],
    [{ type: 'not', child: { type: 'eq', term: 'id', value: 15 } }, true],
    [{ type: 'is-null', term: 'id' }, false],
    [{ type: 'is-null', term: 'name' }, true],
    [{ type: 'not-null', term: 'x' }, false],
    [{ type: 'eq', term: 'x', value: 1.5 }, false],
    [{ type: 'is-nan', term: 'x' }, false],
    [{ type: 'starts-with', term: 'name', value: 'zz' }, false],
    [{ type: 'starts-with', term: 'name', value: 'ba' }, true],
    [{ type: 'starts-with', term: 'name', value: 'aa' }, false],
    [{ type: 'eq', term: 'name', value: 'banana' }, true],
    [{ type: 'and', left: { type: 'eq', term: 'id', value: 15 }, right: { type: 'eq', term: 'id', value: 99 } }, false],
    [{ type: 'or', left: { type: 'eq', term: 'id', value: 15 }, right: { type: 'eq', term: 'id', value: 99 } }, true],
    [{ type: 'lt', term: 'ts', value: '1999-01-01T00:00:00Z' }, true],
    [false, false],
  ])('%j might match: %s', (filter, expected) => {
    expect(might(filter)).toBe(expected);
  });

  it('keeps a file without statistics for the column', () => {
    const bare = { ...file, lowerBounds: null, upperBounds: null, valueCounts: null, nullValueCounts: null, nanValueCounts: null } as ContentFile;
    expect(mightMatch(bindFilter({ type: 'eq', term: 'id', value: 99 }, schema, true), bare)).toBe(true);
    expect(mightMatch(bindFilter({ type: 'is-null', term: 'id' }, schema, true), bare)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { ContentFile } from '../ports/manifests.js';
import type { Schema } from '../metadata/types.js';
import { bindFilter } from '../kit/expression.js';
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

/** ids 10..20, names "apple".."melon", x all null, ts 2020-01-01..2020-01-02. */
const file = {
  content: 0,
  recordCount: 5,
  filePath: 'file:///t/data/a.parquet',
  valueCounts: new Map([
    [1, 5],
    [2, 5],
    [3, 5],
  ]),
  nullValueCounts: new Map([
    [1, 0],
    [2, 1],
    [3, 5],
  ]),
  nanValueCounts: new Map([[3, 0]]),
  lowerBounds: new Map([
    [1, long(10)],
    [2, str('apple')],
    [4, long(1_577_836_800_000_000)],
  ]),
  upperBounds: new Map([
    [1, long(20)],
    [2, str('melon')],
    [4, long(1_577_923_200_000_000)],
  ]),
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
    [{ type: 'not-in', term: 'id', values: [10, 20] }, true],
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
    [{ type: 'lt', term: 'ts', value: '2020-01-01T00:00:00+00:00' }, false],
    [{ type: 'lt-eq', term: 'ts', value: '2020-01-01T00:00:00+00:00' }, true],
    [{ type: 'gt', term: 'ts', value: '2020-01-02T00:00:00.000001+00:00' }, false],
    [{ type: 'not-starts-with', term: 'name', value: 'a' }, true],
    [{ type: 'in', term: 'name', values: ['zebra', 'aardvark'] }, false],
    [false, false],
  ])('%j might match: %s', (filter, expected) => {
    expect(might(filter)).toBe(expected);
  });

  it('keeps a file without statistics for the column', () => {
    const bare = { ...file, lowerBounds: null, upperBounds: null, valueCounts: null, nullValueCounts: null, nanValueCounts: null } as ContentFile;
    expect(mightMatch(bindFilter({ type: 'eq', term: 'id', value: 99 }, schema, true), bare)).toBe(true);
    expect(mightMatch(bindFilter({ type: 'is-null', term: 'id' }, schema, true), bare)).toBe(true);
  });

  it('decodes decimal, uuid and float bounds; NaN-only and empty files; a truncated upper bound stays inclusive', () => {
    const s2 = {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'price', required: false, type: 'decimal(9, 2)' },
        { id: 2, name: 'u', required: false, type: 'uuid' },
        { id: 3, name: 'f', required: false, type: 'float' },
        { id: 4, name: 's', required: false, type: 'string' },
      ],
    } as Schema;
    const f4 = (v: number) => {
      const b = Buffer.alloc(4);
      b.writeFloatLE(v);
      return new Uint8Array(b);
    };
    const u = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
    const g = {
      content: 0,
      recordCount: 3,
      valueCounts: new Map([
        [1, 3],
        [2, 3],
        [3, 3],
        [4, 3],
      ]),
      nullValueCounts: new Map([
        [1, 0],
        [2, 0],
        [3, 0],
        [4, 0],
      ]),
      nanValueCounts: new Map([[3, 0]]),
      lowerBounds: new Map([
        [1, new Uint8Array([0xfa, 0x74])],
        [2, u('00'.repeat(16))],
        [3, f4(-1.5)],
        [4, str('abc')],
      ]),
      // "abd" is the truncated, incremented upper bound of values like "abcxyz"
      upperBounds: new Map([
        [1, new Uint8Array([0x05, 0x8c])],
        [2, u('7f'.repeat(16))],
        [3, f4(2.5)],
        [4, str('abd')],
      ]),
    } as unknown as ContentFile;
    const m = (filter: unknown, ff = g) => mightMatch(bindFilter(filter, s2, true), ff);
    expect(m({ type: 'gt', term: 'price', value: '14.20' })).toBe(false);
    expect(m({ type: 'gt-eq', term: 'price', value: '14.20' })).toBe(true);
    expect(m({ type: 'lt', term: 'price', value: '-14.20' })).toBe(false);
    expect(m({ type: 'eq', term: 'u', value: 'ff000000-0000-0000-0000-000000000000' })).toBe(false); // unsigned order
    expect(m({ type: 'eq', term: 'u', value: '10000000-0000-0000-0000-000000000000' })).toBe(true);
    expect(m({ type: 'gt', term: 'f', value: 2.5 })).toBe(false);
    expect(m({ type: 'is-nan', term: 'f' })).toBe(false);
    expect(m({ type: 'eq', term: 's', value: 'abcxyz' })).toBe(true);
    expect(m({ type: 'starts-with', term: 's', value: 'abd' })).toBe(true);
    expect(m({ type: 'starts-with', term: 's', value: 'abe' })).toBe(false);
    const nanOnly = { ...g, nanValueCounts: new Map([[3, 3]]) } as ContentFile;
    expect(m({ type: 'lt', term: 'f', value: 0 }, nanOnly)).toBe(false);
    expect(m({ type: 'is-nan', term: 'f' }, nanOnly)).toBe(true);
    expect(m({ type: 'not-nan', term: 'f' }, nanOnly)).toBe(false);
    expect(m(true, { ...g, recordCount: 0 } as ContentFile)).toBe(false);
    const notStarts = { ...g, upperBounds: new Map([[4, str('abczz')]]) } as unknown as ContentFile;
    expect(m({ type: 'not-starts-with', term: 's', value: 'abc' }, notStarts)).toBe(false);
    expect(m({ type: 'not-starts-with', term: 's', value: 'abc' }, { ...notStarts, nullValueCounts: new Map([[4, 1]]) } as ContentFile)).toBe(true);
  });

  it('prunes not-eq and not-in only for a single-valued column without nulls (or NaN for floats)', () => {
    const one = {
      ...file,
      lowerBounds: new Map([
        [1, long(7)],
        [3, new Uint8Array(Buffer.alloc(8))],
      ]),
      upperBounds: new Map([
        [1, long(7)],
        [3, new Uint8Array(Buffer.alloc(8))],
      ]),
      nullValueCounts: new Map([
        [1, 0],
        [3, 0],
      ]),
      nanValueCounts: new Map<number, number>(),
    } as unknown as ContentFile;
    const m = (filter: unknown, ff: ContentFile = one) => mightMatch(bindFilter(filter, schema, true), ff);
    expect(m({ type: 'not-eq', term: 'id', value: 7 })).toBe(false);
    expect(m({ type: 'not-in', term: 'id', values: [1, 7] })).toBe(false);
    expect(m({ type: 'not-eq', term: 'id', value: 8 })).toBe(true);
    expect(m({ type: 'not', child: { type: 'eq', term: 'id', value: 7 } })).toBe(false);
    expect(m({ type: 'not-eq', term: 'id', value: 7 }, { ...one, nullValueCounts: new Map([[1, 1]]) } as ContentFile)).toBe(true);
    expect(m({ type: 'not-eq', term: 'id', value: 7 }, { ...one, nullValueCounts: null } as ContentFile)).toBe(true);
    // a double column whose NaN count is unknown may hold NaN, which is not-equal to anything
    expect(m({ type: 'not-eq', term: 'x', value: 0 })).toBe(true);
    expect(m({ type: 'not-eq', term: 'x', value: 0 }, { ...one, nanValueCounts: new Map([[3, 0]]) } as ContentFile)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { ContentFile } from '../../ports/manifests.js';
import type { Schema } from '../../metadata/types.js';
import { mergedBounds } from './merged-bounds.js';

const long = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return new Uint8Array(b);
};
const str = (s: string) => new Uint8Array(Buffer.from(s));
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 's', required: false, type: 'string' },
    { id: 3, name: 'n', required: false, type: 'double' },
  ],
} as Schema;
const file = (lower: [number, Uint8Array][], upper: [number, Uint8Array][]) =>
  ({ lowerBounds: new Map(lower), upperBounds: new Map(upper) }) as unknown as ContentFile;

describe('mergedBounds', () => {
  it('takes the least lower and greatest upper bound per column, compared as values (not bytes)', () => {
    const { lower, upper } = mergedBounds(
      [
        file(
          [
            [1, long(-5)],
            [2, str('b')],
          ],
          [
            [1, long(3)],
            [2, str('d')],
          ],
        ),
        file(
          [
            [1, long(2)],
            [2, str('a')],
          ],
          [
            [1, long(300)],
            [2, str('c')],
          ],
        ),
      ],
      schema,
    );
    expect(lower.get(1)).toEqual(long(-5));
    expect(upper.get(1)).toEqual(long(300));
    expect([lower.get(2), upper.get(2)]).toEqual([str('a'), str('d')]);
  });

  it('leaves a column without bounds when any input lacks one', () => {
    const { lower, upper } = mergedBounds([file([[1, long(1)]], [[1, long(2)]]), file([], [])], schema);
    expect(lower.size + upper.size).toBe(0);
  });
});

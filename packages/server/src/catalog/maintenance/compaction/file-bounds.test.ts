import { describe, expect, it } from 'vitest';
import type { ContentFile } from '../../ports/manifests.js';
import { encode, fileBounds } from './file-bounds.js';

const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('hex'));
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));

describe('a compacted file bounds', () => {
  it('encodes each type as the spec single-value form, or nothing for a value of another form', () => {
    expect(hex(encode('int', -2, undefined, 'lower'))).toBe('feffffff');
    expect(hex(encode('long', 5, undefined, 'lower'))).toBe('0500000000000000');
    expect(hex(encode('long', -1n, undefined, 'upper'))).toBe('ffffffffffffffff');
    expect(hex(encode('double', 1, undefined, 'lower'))).toBe('000000000000f03f');
    expect(hex(encode('float', 1, undefined, 'lower'))).toBe('0000803f');
    expect(hex(encode('boolean', true, undefined, 'lower'))).toBe('01');
    expect(hex(encode('timestamp', 1n, 'us', 'lower'))).toBe('0100000000000000');
    // A file's nanoseconds are not a timestamp column's micros, nor a number a long's bigint form when unsafe.
    expect(encode('timestamp', 1n, 'ns', 'lower')).toBeUndefined();
    expect(encode('timestamp_ns', 1n, 'ns', 'lower')).toBeDefined();
    expect(encode('int', 2 ** 40, undefined, 'lower')).toBeUndefined();
    expect(encode('long', 2 ** 60, undefined, 'lower')).toBeUndefined();
    expect(encode('decimal(10,2)', 1n, undefined, 'lower')).toBeUndefined();
  });

  it("cuts strings and binary to 16 as Iceberg's truncate(16): the upper bound raised past every value with its prefix", () => {
    expect(text(encode('string', 'short', undefined, 'upper'))).toBe('short');
    expect(text(encode('string', 'abcdefghijklmnopqrstuvwxyz', undefined, 'lower'))).toBe('abcdefghijklmnop');
    expect(text(encode('string', 'abcdefghijklmnopqrstuvwxyz', undefined, 'upper'))).toBe('abcdefghijklmnoq');
    // Characters, not bytes; the greatest code point is skipped for the one before it.
    expect(text(encode('string', `${'é'.repeat(15)}\u{10ffff}zz`, undefined, 'upper'))).toBe(`${'é'.repeat(14)}ê`);
    expect(hex(encode('binary', new Uint8Array(20).fill(0xff).fill(1, 0, 1), undefined, 'upper'))).toBe('02');
    expect(encode('binary', new Uint8Array(20).fill(0xff), undefined, 'upper')).toBeUndefined();
    expect(hex(encode('binary', new Uint8Array(20).fill(0xff), undefined, 'lower'))).toBe('ff'.repeat(16));
  });

  it("uses the file's own ranges where given, the inputs' merged bounds for the other columns", () => {
    const schema = {
      type: 'struct' as const,
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', type: 'long', required: false },
        { id: 2, name: 'price', type: 'decimal(10,2)', required: false },
      ],
    };
    const le8 = (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(n);
      return new Uint8Array(b);
    };
    const input = (lo: number, hi: number) =>
      ({
        lowerBounds: new Map([
          [1, le8(BigInt(lo))],
          [2, new Uint8Array([lo])],
        ]),
        upperBounds: new Map([
          [1, le8(BigInt(hi))],
          [2, new Uint8Array([hi])],
        ]),
      }) as unknown as ContentFile;
    const { lower, upper } = fileBounds(new Map([[1, { lower: 40n, upper: 50n }]]), [input(0, 60), input(10, 100)], schema);
    expect([hex(lower.get(1)), hex(upper.get(1))]).toEqual([hex(le8(40n)), hex(le8(50n))]);
    expect([hex(lower.get(2)), hex(upper.get(2))]).toEqual(['00', '64']);
  });
});

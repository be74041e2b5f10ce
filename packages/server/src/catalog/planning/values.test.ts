import { describe, expect, it } from 'vitest';
import { applyTransform, bucketHash, parseApplied } from './apply-transform.js';
import { compare, fromAvro, fromBinary, fromLiteral, toTwosComplement, twosComplement } from './values.js';

const le = (bytes: number, write: (b: Buffer) => void) => {
  const b = Buffer.alloc(bytes);
  write(b);
  return new Uint8Array(b);
};

describe('single-value binary bounds, decoded for every primitive type', () => {
  it.each([
    ['boolean', new Uint8Array([1]), true],
    ['int', le(4, (b) => b.writeInt32LE(-7)), -7],
    ['date', le(4, (b) => b.writeInt32LE(-365)), -365],
    ['long', le(8, (b) => b.writeBigInt64LE(-(2n ** 62n))), -(2n ** 62n)],
    ['long', le(4, (b) => b.writeInt32LE(12)), 12n], // a bound written before int → long promotion
    ['time', le(8, (b) => b.writeBigInt64LE(81_068_000_000n)), 81_068_000_000n],
    ['timestamp', le(8, (b) => b.writeBigInt64LE(-1n)), -1n],
    ['timestamptz_ns', le(8, (b) => b.writeBigInt64LE(1_510_871_468_000_000_001n)), 1_510_871_468_000_000_001n],
    ['float', le(4, (b) => b.writeFloatLE(1.5)), 1.5],
    ['double', le(8, (b) => b.writeDoubleLE(-0.25)), -0.25],
    ['decimal(9,2)', new Uint8Array([0x05, 0x8c]), 1420n], // 14.20
    ['decimal(9,2)', new Uint8Array([0xfa, 0x74]), -1420n], // -14.20, two's complement
    ['string', new Uint8Array(Buffer.from('iceberg')), 'iceberg'],
    ['uuid', new Uint8Array(16).fill(0xab), new Uint8Array(16).fill(0xab)],
    ['fixed[4]', new Uint8Array([0, 1, 2, 3]), new Uint8Array([0, 1, 2, 3])],
    ['binary', new Uint8Array([0xff]), new Uint8Array([0xff])],
  ])('%s', (type, bytes, expected) => {
    expect(fromBinary(type, bytes)).toEqual(expected);
  });

  it('a malformed or missing bound decodes to undefined (it never prunes)', () => {
    expect(fromBinary('int', new Uint8Array(3))).toBeUndefined();
    expect(fromBinary('uuid', new Uint8Array(15))).toBeUndefined();
    expect(fromBinary('long', undefined)).toBeUndefined();
    expect(fromBinary('variant', new Uint8Array(1))).toBeUndefined();
  });

  it("decimals round-trip through minimal two's complement, as Java's BigInteger.toByteArray", () => {
    for (const v of [0n, 1n, -1n, 127n, 128n, -128n, -129n, 1420n, -(10n ** 30n)]) expect(twosComplement(toTwosComplement(v))).toBe(v);
    expect([...toTwosComplement(128n)]).toEqual([0x00, 0x80]);
    expect([...toTwosComplement(-128n)]).toEqual([0x80]);
  });
});

describe('filter literals in the comparable form of their column', () => {
  it.each([
    ['long', 5, 5n],
    ['timestamp', '2017-11-16T22:31:08.000001', 1_510_871_468_000_001n],
    ['timestamptz', '2017-11-16T14:31:08-08:00', 1_510_871_468_000_000n],
    ['timestamp_ns', '2017-11-16T22:31:08.000000001', 1_510_871_468_000_000_001n],
    ['timestamptz', '1969-12-31T23:59:59.999999+00:00', -1n],
    ['time', '22:31:08', 81_068_000_000n],
    ['decimal(9,2)', '14.2', 1420n],
    ['decimal(9,2)', '-0.01', -1n],
    ['decimal(9,2)', '1.001', undefined],
    ['uuid', 'f79c3e09-677c-4bbd-a479-3f349cb785e7', new Uint8Array(Buffer.from('f79c3e09677c4bbda4793f349cb785e7', 'hex'))],
    ['binary', '0001ff', new Uint8Array([0, 1, 255])],
  ])('%s %j', (type, literal, expected) => {
    expect(fromLiteral(type, literal)).toEqual(expected);
  });

  it('partition values from Avro: longs as bigint, decimals from their bytes', () => {
    expect(fromAvro('long', 3)).toBe(3n);
    expect(fromAvro('timestamptz', 4n)).toBe(4n);
    expect(fromAvro('decimal(9,2)', Buffer.from([0x05, 0x8c]))).toBe(1420n);
    expect(fromAvro('int', null)).toBeNull();
  });

  it('orders strings by UTF-8 bytes, binary unsigned, and cannot order NaN', () => {
    expect(compare('a', '\u00e9')).toBeLessThan(0);
    expect(compare('\uffff', '\u{1f600}')).toBeLessThan(0); // code point order, not UTF-16 units
    expect(compare(new Uint8Array([0x7f]), new Uint8Array([0x80]))).toBeLessThan(0);
    expect(compare(Number.NaN, 1)).toBeNaN();
    expect(compare(1n, 1)).toBeNaN();
  });
});

describe('transforms', () => {
  // Iceberg spec, Appendix B: hash test vectors.
  it.each([
    ['int', 34, 2017239379],
    ['long', 34n, 2017239379],
    ['decimal(9,2)', 1420n, -500754589],
    ['date', 17486, -653330422],
    ['time', 81_068_000_000n, -662762989],
    ['timestamp', 1_510_871_468_000_000n, -2047944441],
    ['timestamptz', 1_510_871_468_000_000n, -2047944441],
    ['timestamp_ns', 1_510_871_468_000_000_000n, -2047944441],
    ['string', 'iceberg', 1210000089],
    ['uuid', new Uint8Array(Buffer.from('f79c3e09677c4bbda4793f349cb785e7', 'hex')), 1488055340],
    ['fixed[4]', new Uint8Array([0, 1, 2, 3]), -188683207],
    ['binary', new Uint8Array([0, 1, 2, 3]), -188683207],
  ])('bucket hash of %s %s is %i', (type, v, hash) => {
    expect(bucketHash(type, v)).toBe(hash);
  });

  it('buckets negative hashes by their low 31 bits', () => {
    // hash(decimal 14.20) is negative: (hash & MAX_INT) % 16
    expect(applyTransform(parseApplied('bucket[16]'), 'decimal(9,2)', 1420n)).toBe((-500754589 & 0x7fffffff) % 16);
    expect(applyTransform(parseApplied('bucket[16]'), 'int', 34)).toBe(2017239379 % 16);
  });

  it('truncates ints and longs toward negative infinity, strings by code point, binary by byte', () => {
    const t = parseApplied('truncate[10]');
    expect(applyTransform(t, 'int', 1)).toBe(0);
    expect(applyTransform(t, 'int', -1)).toBe(-10);
    expect(applyTransform(t, 'long', -10n)).toBe(-10n);
    expect(applyTransform(t, 'decimal(9,2)', 1065n)).toBe(1060n);
    expect(applyTransform(parseApplied('truncate[3]'), 'string', 'ab\u{1f600}cd')).toBe('ab\u{1f600}');
    expect(applyTransform(parseApplied('truncate[2]'), 'binary', new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2]));
  });

  it('years, months, days and hours floor before 1970', () => {
    const day = -1; // 1969-12-31
    expect(applyTransform(parseApplied('year'), 'date', day)).toBe(-1);
    expect(applyTransform(parseApplied('month'), 'date', day)).toBe(-1);
    expect(applyTransform(parseApplied('day'), 'timestamptz', -1n)).toBe(-1);
    expect(applyTransform(parseApplied('hour'), 'timestamp', -1n)).toBe(-1);
    expect(applyTransform(parseApplied('month'), 'timestamptz', 1_510_871_468_000_000n)).toBe(47 * 12 + 10);
    expect(applyTransform(parseApplied('day'), 'timestamp_ns', 86_400_000_000_000n)).toBe(1);
    expect(applyTransform(parseApplied('hour'), 'date', 1)).toBeUndefined();
  });
});

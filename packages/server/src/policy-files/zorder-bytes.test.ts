/**
 * The z-order key's bytes against Iceberg's ZOrderByteUtils semantics: hand-computed vectors (the sign bit flipped,
 * the IEEE transform, strings cut at a character boundary, bits interleaved round robin) and the ordering property
 * (byte order = value order) on random values; then rows of Arrow batches in z-order (a Morton curve on a grid).
 */
import {
  Bool,
  DateDay,
  Field,
  Float32,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { FIELD_ID_KEY } from './apply-batch.js';
import { binaryBytes, booleanBytes, floatingPointBytes, interleaveBits, stringBytes, wholeNumberBytes } from './zorder-bytes.js';
import { zorderKeys, zorderPicks } from './zorder-rows.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const long = (v: bigint) => {
  const out = new Uint8Array(8);
  wholeNumberBytes(v, out);
  return out;
};
const dbl = (v: number) => {
  const out = new Uint8Array(8);
  floatingPointBytes(v, out);
  return out;
};
const str = (v: string, n = 8) => {
  const out = new Uint8Array(n);
  stringBytes(v, n, out);
  return out;
};
/** Unsigned lexicographic comparison, as Iceberg compares z-order keys. */
const cmp = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b));

// A small deterministic generator (mulberry32), so a failure reproduces.
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('z-order bytes (ZOrderByteUtils semantics)', () => {
  it('flips the sign bit of 64-bit whole numbers (ints widened first)', () => {
    expect(hex(long(0n))).toBe('8000000000000000');
    expect(hex(long(1n))).toBe('8000000000000001');
    expect(hex(long(-1n))).toBe('7fffffffffffffff');
    expect(hex(long(-(2n ** 31n)))).toBe('7fffffff80000000');
    expect(hex(long(2n ** 63n - 1n))).toBe('ffffffffffffffff');
    expect(hex(long(-(2n ** 63n)))).toBe('0000000000000000');
  });

  it('orders doubles as IEEE sign-magnitude: negatives flipped, -0 below 0, NaN above +Infinity', () => {
    expect(hex(dbl(1))).toBe('bff0000000000000');
    expect(hex(dbl(-1))).toBe('400fffffffffffff');
    expect(hex(dbl(0))).toBe('8000000000000000');
    expect(hex(dbl(-0))).toBe('7fffffffffffffff');
    expect(hex(dbl(Infinity))).toBe('fff0000000000000');
    expect(hex(dbl(NaN))).toBe('fff8000000000000');
    // A float is widened to a double: 1.5f is exactly 1.5.
    expect(hex(dbl(Math.fround(1.5)))).toBe('bff8000000000000');
    const ordered = [-Infinity, -1e300, -2.5, -1, -Number.MIN_VALUE, -0, 0, Number.MIN_VALUE, 1, 2.5, 1e300, Infinity, NaN];
    for (let i = 1; i < ordered.length; i++) expect(cmp(dbl(ordered[i - 1]!), dbl(ordered[i]!)), `${ordered[i - 1]} < ${ordered[i]}`).toBe(-1);
  });

  it('keeps the order of random longs and doubles', () => {
    const next = random(59);
    for (let i = 0; i < 2000; i++) {
      const a = BigInt(Math.floor((next() - 0.5) * 2 ** 53)) * BigInt(Math.floor(next() * 1024));
      const b = BigInt(Math.floor((next() - 0.5) * 2 ** 53));
      expect(cmp(long(a), long(b))).toBe(a < b ? -1 : a > b ? 1 : 0);
      const x = (next() - 0.5) * 10 ** Math.floor(next() * 20);
      const y = (next() - 0.5) * 10 ** Math.floor(next() * 20);
      expect(cmp(dbl(x), dbl(y))).toBe(x < y ? -1 : x > y ? 1 : 0);
    }
  });

  it('writes strings as UTF-8 cut at a character boundary, zero-padded; binary cut or padded; booleans as 0x81', () => {
    expect(hex(str('abc'))).toBe('6162630000000000');
    expect(hex(str('abcdefghij'))).toBe('6162636465666768');
    // "héllo wörld": h é(2 bytes) l l o ' ' w = 8 bytes.
    expect(hex(str('héllo wörld'))).toBe(hex(new TextEncoder().encode('héllo w')));
    // Seven a's and an é: the é (2 bytes) does not fit whole and is left out.
    expect(hex(str('aaaaaaaé'))).toBe('61616161616161' + '00');
    expect(hex(str('ab', 4))).toBe('61620000');
    expect(cmp(str('apple'), str('apricot'))).toBe(-1);
    expect(cmp(str(''), str('a'))).toBe(-1);
    const bin = new Uint8Array(8);
    binaryBytes(new Uint8Array([1, 2, 3]), 8, bin);
    expect(hex(bin)).toBe('0102030000000000');
    binaryBytes(new Uint8Array(10).fill(9), 8, bin);
    expect(hex(bin)).toBe('0909090909090909');
    booleanBytes(true, bin);
    expect(hex(bin)).toBe('8100000000000000');
    booleanBytes(false, bin);
    expect(hex(bin)).toBe('0000000000000000');
  });

  it('interleaves bits round robin from the most significant, skipping a column with no bits left, up to the output size', () => {
    expect(hex(interleaveBits([new Uint8Array([0b1111_0000]), new Uint8Array([0b0000_1111])]))).toBe('aa55');
    expect(hex(interleaveBits([new Uint8Array([0xff, 0xff]), new Uint8Array([0x00])]))).toBe('aaaaff');
    expect(hex(interleaveBits([new Uint8Array([0xff, 0xff]), new Uint8Array([0x00])], 1))).toBe('aa');
    expect(hex(interleaveBits([new Uint8Array([0x80]), new Uint8Array([0x00]), new Uint8Array([0xff])]))).toBe('a4' + '92' + '49');
    // Two longs: the key's first 16 bits are the two high bytes interleaved (0x80 of each: sign flipped 0 and 1).
    expect(hex(interleaveBits([long(0n), long(1n)]).subarray(0, 2))).toBe('c000');
  });
});

describe('zorderPicks (rows in z-order)', () => {
  const field = (name: string, type: ConstructorParameters<typeof Field>[1], id: number) => new Field(name, type, true, new Map([[FIELD_ID_KEY, String(id)]]));

  it("reads numbers from the columns' typed arrays into the same bytes as the helpers, nulls as zeros", () => {
    const next = random(7);
    const longs = [0n, -1n, 1n, 2n ** 63n - 1n, -(2n ** 63n), null, ...Array.from({ length: 50 }, () => BigInt(Math.floor((next() - 0.5) * 2 ** 53)) * 977n)];
    const doubles = [0, -0, NaN, Infinity, -Infinity, null, ...Array.from({ length: 50 }, () => (next() - 0.5) * 10 ** Math.floor(next() * 30))];
    const ints = [0, -1, 2 ** 31 - 1, -(2 ** 31), null, ...Array.from({ length: 51 }, () => Math.floor((next() - 0.5) * 2 ** 32))];
    const cases: [string, ConstructorParameters<typeof Field>[1], unknown[], (v: never) => Uint8Array][] = [
      ['long', new Int64(), longs, (v: bigint) => long(v)],
      ['timestamp', new TimestampMicrosecond(), longs, (v: bigint) => long(v)],
      ['double', new Float64(), doubles, (v: number) => dbl(v)],
      ['float', new Float32(), doubles, (v: number) => dbl(Math.fround(v))],
      ['int', new Int32(), ints, (v: number) => long(BigInt(v))],
      ['date', new DateDay(), ints.map((v) => (v === null ? null : v % 100_000)), (v: number) => long(BigInt(v))],
    ];
    for (const [type, arrow, values, expected] of cases) {
      const schema = new Schema([field('v', arrow, 1)]);
      const vector =
        type === 'timestamp'
          ? makeData({
              type: new TimestampMicrosecond(),
              length: values.length,
              nullCount: 1,
              nullBitmap: new Uint8Array(Math.ceil(values.length / 8)).map((_, b) =>
                values.slice(b * 8, b * 8 + 8).reduce<number>((m, v, i) => (v === null ? m : m | (1 << i)), 0),
              ),
              data: new BigInt64Array(values.map((v) => (v as bigint | null) ?? 0n)),
            })
          : type === 'date'
            ? vectorFromArray(
                values.map((v) => (v === null ? null : new Date((v as number) * 86_400_000))),
                arrow,
              ).data[0]!
            : vectorFromArray(values as never[], arrow).data[0]!;
      const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: values.length, nullCount: 0, children: [vector] }));
      const { keys, stride } = zorderKeys([batch], { columns: [{ fieldId: 1, sourceType: type }], varLengthContribution: 8, maxOutputSize: 8 });
      values.forEach((v, i) => {
        const want = v === null ? new Uint8Array(8) : expected(v as never);
        expect(hex(keys.subarray(i * stride, i * stride + 8)), `${type} ${String(v)}`).toBe(hex(want));
      });
    }
  });

  it('interleaves as the bit-by-bit reference does, for 1 to 6 columns of unequal sizes, cut at max-output-size', () => {
    const next = random(11);
    const n = 40;
    const longs = Array.from({ length: n }, () => BigInt(Math.floor((next() - 0.5) * 2 ** 53)));
    const doubles = Array.from({ length: n }, () => (next() - 0.5) * 1e6);
    const strings = Array.from({ length: n }, () =>
      next()
        .toString(36)
        .slice(2, 2 + Math.floor(next() * 6)),
    );
    const bools = Array.from({ length: n }, () => next() < 0.5);
    const all = [
      { arrow: new Int64(), type: 'long', values: longs, bytes: (v: bigint) => long(v) },
      { arrow: new Float64(), type: 'double', values: doubles, bytes: (v: number) => dbl(v) },
      { arrow: new Utf8(), type: 'string', values: strings, bytes: (v: string) => str(v, 3) },
      {
        arrow: new Bool(),
        type: 'boolean',
        values: bools,
        bytes: (v: boolean) => {
          const out = new Uint8Array(8);
          booleanBytes(v, out);
          return out;
        },
      },
      { arrow: new Int64(), type: 'long', values: longs.map((v) => -v), bytes: (v: bigint) => long(v) },
      { arrow: new Utf8(), type: 'string', values: strings.map((v) => v.toUpperCase()), bytes: (v: string) => str(v, 3) },
    ];
    for (let k = 1; k <= all.length; k++) {
      const cols = all.slice(0, k);
      const schema = new Schema(cols.map((c, i) => field(`c${i}`, c.arrow, i + 1)));
      const children = cols.map((c) => vectorFromArray(c.values as never[], c.arrow).data[0]!);
      const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }));
      const total = cols.reduce((t, c) => t + (c.type === 'string' ? 3 : 8), 0);
      for (const max of [total, Math.max(1, total - 5), 3]) {
        const { keys, stride, bytes } = zorderKeys([batch], {
          columns: cols.map((c, i) => ({ fieldId: i + 1, sourceType: c.type })),
          varLengthContribution: 3,
          maxOutputSize: max,
        });
        expect(bytes).toBe(Math.min(max, total));
        for (let row = 0; row < n; row++) {
          const reference = interleaveBits(
            cols.map((c) => c.bytes(c.values[row] as never)),
            max,
          );
          expect(hex(keys.subarray(row * stride, row * stride + bytes)), `${k} columns, ${max} bytes, row ${row}`).toBe(hex(reference));
        }
      }
    }
  });

  it('orders a 4x4 grid of ints along the Morton curve, the first column the higher bit of each pair', () => {
    const schema = new Schema([field('x', new Int32(), 1), field('y', new Int32(), 2)]);
    const cells = Array.from({ length: 16 }, (_, i) => [((i * 7) % 16) >> 2, ((i * 7) % 16) & 3] as const);
    const children = [
      vectorFromArray(
        cells.map((c) => c[0]),
        new Int32(),
      ).data[0]!,
      vectorFromArray(
        cells.map((c) => c[1]),
        new Int32(),
      ).data[0]!,
    ];
    const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 16, nullCount: 0, children }));
    const order = zorderPicks([batch], {
      columns: [
        { fieldId: 1, sourceType: 'int' },
        { fieldId: 2, sourceType: 'int' },
      ],
      varLengthContribution: 8,
      maxOutputSize: 16,
    });
    const morton = order.map(({ row }) => {
      const [x, y] = cells[row]!;
      return ((x >> 1) << 3) | ((y >> 1) << 2) | ((x & 1) << 1) | (y & 1);
    });
    expect(morton).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it('puts nulls first, keeps the input order of equal keys, and orders across batches by long, double and string', () => {
    const schema = new Schema([field('id', new Int64(), 1), field('d', new Float64(), 2), field('s', new Utf8(), 3)]);
    const make = (rows: [bigint | null, number | null, string | null][]) =>
      new RecordBatch(
        schema,
        makeData({
          type: new Struct(schema.fields),
          length: rows.length,
          nullCount: 0,
          children: [
            vectorFromArray(
              rows.map((r) => r[0]),
              new Int64(),
            ).data[0]!,
            vectorFromArray(
              rows.map((r) => r[1]),
              new Float64(),
            ).data[0]!,
            vectorFromArray(
              rows.map((r) => r[2]),
              new Utf8(),
            ).data[0]!,
          ],
        }),
      );
    const a = make([
      [5n, 1.5, 'b'],
      [null, null, null],
      [-3n, -2, 'a'],
    ]);
    const b = make([
      [5n, 1.5, 'b'],
      [-3n, -2, 'a'],
    ]);
    const z = {
      columns: [
        { fieldId: 1, sourceType: 'long' },
        { fieldId: 2, sourceType: 'double' },
        { fieldId: 3, sourceType: 'string' },
      ],
      varLengthContribution: 8,
      maxOutputSize: 24,
    };
    expect(zorderPicks([a, b], z)).toEqual([
      { batch: 0, row: 1 },
      { batch: 0, row: 2 },
      { batch: 1, row: 1 },
      { batch: 0, row: 0 },
      { batch: 1, row: 0 },
    ]);
  });
});

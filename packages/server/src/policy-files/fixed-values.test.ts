import {
  Binary,
  DateDay,
  Decimal,
  FixedSizeBinary,
  Int64,
  TimeMicrosecond,
  TimestampMicrosecond,
  TimestampNanosecond,
  TimestampSecond,
  Utf8,
  makeVector,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { fixedColumn } from './fixed-values.js';

/** The column's rows as apache-arrow reads them back. */
const rows = (type: Parameters<typeof fixedColumn>[0], value: unknown) => [...makeVector(fixedColumn(type, value, 2))];
/** The column's stored values (a timestamp's in its own unit). */
const stored = (type: Parameters<typeof fixedColumn>[0], value: unknown) => [...(fixedColumn(type, value, 2).values as Iterable<unknown>)].slice(0, 2);

describe('fixedColumn (a mask-to-fixed-value literal as rows of the column type)', () => {
  it('reads a date as its day, whether written as a day number or a calendar date', () => {
    expect(rows(new DateDay(), 19_723)).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1)]);
    expect(rows(new DateDay(), '2024-01-01')).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1)]);
  });

  it('keeps a timestamp exactly in the column unit: a number as such, ISO text converted', () => {
    expect(stored(new TimestampMicrosecond(), 1_700_000_000_000_001)).toEqual([1_700_000_000_000_001n, 1_700_000_000_000_001n]);
    expect(stored(new TimestampNanosecond(), '2262-04-11T23:47:16.854775807')).toEqual([9_223_372_036_854_775_807n, 9_223_372_036_854_775_807n]);
    expect(stored(new TimestampMicrosecond(), '2024-01-01T01:00:00.000001+01:00')).toEqual([1_704_067_200_000_001n, 1_704_067_200_000_001n]);
    expect(stored(new TimestampSecond(), '1970-01-01T00:01:00')).toEqual([60n, 60n]);
  });

  it('reads binary, fixed and a uuid as their bytes, a long as a bigint, a string as written', () => {
    expect(rows(new Binary(), '0A0b').map((b) => [...(b as Uint8Array)])).toEqual([
      [10, 11],
      [10, 11],
    ]);
    const uuid = rows(new FixedSizeBinary(16), '00000000-0000-0000-0000-0000000000ff')[0] as Uint8Array;
    expect([...uuid]).toEqual([...new Array<number>(15).fill(0), 255]);
    expect(rows(new Int64(), 42)).toEqual([42n, 42n]);
    expect(rows(new Utf8(), '0A0B')).toEqual(['0A0B', '0A0B']);
    expect(rows(new Utf8(), null)).toEqual([null, null]);
  });

  it('keeps a time of day in the column unit and a decimal as its unscaled value (128-bit words)', () => {
    expect(stored(new TimeMicrosecond(), '12:00:00.5')).toEqual([43_200_500_000n, 43_200_500_000n]);
    expect(stored(new TimeMicrosecond(), 7)).toEqual([7n, 7n]);
    const decimal = fixedColumn(new Decimal(2, 9, 128), '-1234567.8', 2);
    expect([...(decimal.values as Iterable<number>)].slice(0, 4)).toEqual([-123_456_780 >>> 0, 0xffffffff, 0xffffffff, 0xffffffff]);
    expect([...(decimal.values as Iterable<number>)].slice(4, 8)).toEqual([-123_456_780 >>> 0, 0xffffffff, 0xffffffff, 0xffffffff]);
  });
});

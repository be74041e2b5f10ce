import { stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from './json.js';

describe('stringifyJson', () => {
  it('writes 63-bit ids with their exact digits', () => {
    const text = '{"snapshot-id":8743215009872310234,"parent":-9223372036854775808,"small":42,"f":1.5}';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });

  it('writes exactly what lossless-json writes, with and without bigints', () => {
    const values: unknown[] = [
      { a: 9223372036854775807n, b: [-1n, 1, undefined, () => 1, null], d: new Date(0), n: Number.NaN, nested: { x: { y: [1n] } } },
      // A client string that looks like a marked bigint stays a string.
      { s: '\u0000bigint:00:12', t: '"12"', id: 12345678901234567890n },
      { toJSON: () => ({ big: 12345678901234567890n }) },
      [1, 'two', { three: 3 }, undefined],
      { identifiers: [{ namespace: ['bench'], name: 't00' }], 'next-page-token': null },
      'plain',
      12,
      true,
      null,
    ];
    for (const value of values) expect(stringifyJson(value)).toBe(stringify(value));
  });

  it('refuses a value with no JSON form', () => {
    expect(() => stringifyJson(undefined)).toThrow(TypeError);
  });
});

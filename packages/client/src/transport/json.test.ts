import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from './json.js';

describe('the client SDK’s JSON', () => {
  it('reads 63-bit ids exactly and writes them back as digits', () => {
    const text = '{"snapshot-id":8743215009872310234,"parent":-9223372036854775808,"n":42,"f":1.5,"s":"8743215009872310234"}';
    const value = parseJson(text) as Record<string, unknown>;
    expect(value['snapshot-id']).toBe(8743215009872310234n);
    expect(value.parent).toBe(-9223372036854775808n);
    expect(value.n).toBe(42);
    expect(value.s).toBe('8743215009872310234');
    expect(stringifyJson(value)).toBe(text);
  });

  it('refuses what lossless-json refuses: duplicate keys with different values, and broken JSON', () => {
    expect(() => parseJson('{"a":1,"a":2}')).toThrow(/Duplicate key/);
    expect(parseJson('{"a":1,"a":1}')).toEqual({ a: 1 });
    expect(() => parseJson('{"a":12345678901234567890')).toThrow();
  });
});

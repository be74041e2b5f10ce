import { stringify } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { rng } from '../../../../test/support/rng.js';
import { JsonInputError, MAX_JSON_DEPTH, parseJson, parseJsonInput, stringifyJson } from './json.js';

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

describe('parseJsonInput', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('gives the value with exact 64-bit integers, and skips a leading byte order mark as RFC 8259 allows', () => {
    const text = '{"a":8743215009872310234,"s":"zähler"}';
    expect(parseJsonInput(bytes(text))).toEqual({ text, value: { a: 8743215009872310234n, s: 'zähler' } });
    expect(parseJsonInput(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes(text)]))).toEqual({ text, value: { a: 8743215009872310234n, s: 'zähler' } });
  });

  it('refuses bytes that are not UTF-8', () => {
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      expect(() => parseJsonInput(new Uint8Array([0x22, ...bad, 0x22]))).toThrow(new JsonInputError('not valid UTF-8'));
    }
  });

  it('takes MAX_JSON_DEPTH levels of nesting and refuses one more, however deep', () => {
    expect(() => parseJsonInput(bytes(nested(MAX_JSON_DEPTH)))).not.toThrow();
    expect(() => parseJsonInput(bytes(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`))).not.toThrow();
    for (const depth of [MAX_JSON_DEPTH + 1, 5_000, 200_000]) {
      expect(() => parseJsonInput(bytes(nested(depth)))).toThrow(new JsonInputError(`nested deeper than ${MAX_JSON_DEPTH} levels`));
    }
    expect(() => parseJsonInput(bytes(nested(10)), 9)).toThrow(/deeper than 9/);
  });

  it('refuses a "__proto__" key at any depth, however written, and constructor.prototype', () => {
    const escaped = String.raw`{"\u005f\u005fproto\u005f\u005f":"x"}`;
    for (const text of ['{"__proto__":1}', '{"a":[{"b":{"__proto__":{}}}]}', escaped]) expect(() => parseJsonInput(bytes(text))).toThrow(/__proto__/);
    expect(() => parseJsonInput(bytes('{"x":{"constructor":{"prototype":{}}}}'))).toThrow(/prototype/);
    expect(parseJsonInput(bytes('{"constructor":"c","p":"__proto__","q":{"constructor":{"name":"n"}}}')).value).toEqual({
      constructor: 'c',
      p: '__proto__',
      q: { constructor: { name: 'n' } },
    });
  });

  it('answers exactly as a parse followed by a separate check of nesting and keys, on 20,000 random texts', () => {
    // The reference: parseJsonInput as it was, the value first (parseJson), then its own walk of the value.
    const reference = (text: string, maxDepth: number): unknown => {
      let value: unknown;
      try {
        value = parseJson(text);
      } catch (e) {
        return e instanceof RangeError ? { error: `nested deeper than ${maxDepth} levels` } : { error: 'parse' };
      }
      const stack: Array<[unknown, number]> = [[value, 1]];
      for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
        const [node, depth] = next;
        if (typeof node !== 'object' || node === null) continue;
        if (depth > maxDepth) return { error: `nested deeper than ${maxDepth} levels` };
        if (!Array.isArray(node)) {
          if (Object.hasOwn(node, '__proto__')) return { error: 'the key "__proto__" is not allowed' };
          const ctor = (node as Record<string, unknown>).constructor;
          if (Object.hasOwn(node, 'constructor') && typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) {
            return { error: 'a key "constructor" holding an object with a key "prototype" is not allowed' };
          }
        }
        for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
      }
      return { value };
    };
    const actual = (text: string, maxDepth: number): unknown => {
      try {
        return { value: parseJsonInput(bytes(text), maxDepth).value };
      } catch (e) {
        return { error: e instanceof JsonInputError ? e.message : 'parse' };
      }
    };
    const next = rng(20261126);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const KEYS = ['"a"', '"b"', '"a"', '"__proto__"', '"constructor"', '"prototype"', '"\\u005f_proto__"', '"x"'];
    const SCALARS = ['1', '12345678901234567890', '1.0', '"s"', '"__proto__"', 'null', 'true'];
    const value = (depth: number): string => {
      const r = next();
      if (depth > 6 || r < 0.3) return pick(SCALARS);
      const n = Math.floor(next() * 3);
      if (r < 0.6) return `[${Array.from({ length: n }, () => value(depth + 1)).join(',')}]`;
      return `{${Array.from({ length: n }, () => `${pick(KEYS)}:${value(depth + 1)}`).join(',')}}`;
    };
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      let text = value(0);
      if (next() < 0.1) text = text.slice(0, Math.floor(next() * text.length));
      const maxDepth = 1 + Math.floor(next() * 5);
      const expected = reference(text, maxDepth);
      expect(actual(text, maxDepth), `${text} (max depth ${maxDepth})`).toEqual(expected);
      if ('error' in (expected as object) && (expected as { error: string }).error !== 'parse') refused++;
    }
    // Not vacuous: the structural refusals (depth, "__proto__", constructor.prototype) are all among them.
    expect(refused).toBeGreaterThan(2_000);
  });
});

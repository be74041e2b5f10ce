import { isInteger, isSafeNumber, parse } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { rng } from '../../../../test/support/rng.js';
import { JsonNumber, parseJson, parseJsonExactly } from './json.js';
import { NOT_HANDLED, parseNative } from '@lakegate/protocol';

// The reference: what json.ts parsed with before the native path, and still parses what it leaves.
const losslessPlain = (text: string): unknown => parse(text, null, (n) => (isInteger(n) && !isSafeNumber(n) ? BigInt(n) : Number(n)));
const losslessExact = (text: string): unknown =>
  parse(text, null, (n) => {
    if (isInteger(n)) return isSafeNumber(n) ? Number(n) : BigInt(n);
    return String(Number(n)) === n ? Number(n) : new JsonNumber(n);
  });

/** The answer of a parse as comparable data: types, -0, key order and exact number texts included. */
function outcome(parseText: (text: string) => unknown, text: string): unknown {
  try {
    return { value: describeValue(parseText(text)) };
  } catch {
    return { error: true };
  }
}

function describeValue(v: unknown): unknown {
  if (typeof v === 'bigint') return { bigint: v.toString() };
  if (typeof v === 'number') return Object.is(v, -0) ? { number: '-0' } : { number: String(v) };
  if (v instanceof JsonNumber) return { exact: v.text };
  if (Array.isArray(v)) return { array: v.map(describeValue) };
  if (typeof v === 'object' && v !== null) {
    if (Object.getPrototypeOf(v) !== Object.prototype) return { prototype: 'changed' };
    return { object: Object.keys(v).map((k) => [k, describeValue((v as Record<string, unknown>)[k])]) };
  }
  return v;
}

const NUMBERS = [
  '0',
  '-0',
  '7',
  '-12',
  '1.0',
  '2.5',
  '-0.0',
  '1e3',
  '1E+2',
  '0.1',
  '100',
  '9007199254740991',
  '9007199254740992',
  '-9007199254740993',
  '1234567890123456',
  '8743215009872310234',
  '-9223372036854775808',
  '12345678901234567890.5',
  '1e400',
  '00',
  '01234567890123456789',
  '-',
  '1.',
  '.5',
  '1e',
  '12345678901234567-5',
];
const STRINGS = [
  '"a"',
  '""',
  '"a:1"',
  '"12345678901234567890"',
  '"x\\"y:1"',
  '"\\\\"',
  '"\\\\\\":2"',
  '"__proto__"',
  '"constructor"',
  '"\\u0000"',
  '"é"',
  '"1.0"',
];
const KEYS = ['"a"', '"b"', '"a"', '"__proto__"', '"c\\"d"', '"snapshot-id"', '"1"', '"2"'];

/** Random JSON-like text: mostly valid, with duplicate keys, unsafe and non-canonical numbers, tricky strings, and some damage. */
function randomText(next: () => number, depth = 0): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const r = next();
  if (depth > 4 || r < 0.3) return pick(NUMBERS);
  if (r < 0.45) return pick(STRINGS);
  if (r < 0.5) return pick(['true', 'false', 'null']);
  if (r < 0.75) {
    const items = Array.from({ length: Math.floor(next() * 4) }, () => randomText(next, depth + 1));
    return `[${items.join(pick([',', ', ', ' ,\n']))}]`;
  }
  const members = Array.from({ length: Math.floor(next() * 4) }, () => {
    // Now and then a number where a key belongs, which is not JSON.
    const key = next() < 0.03 ? pick(NUMBERS) : pick(KEYS);
    return `${key}${pick([':', ' : '])}${randomText(next, depth + 1)}`;
  });
  return `{${members.join(',')}}`;
}

function damage(text: string, next: () => number): string {
  const at = Math.floor(next() * (text.length + 1));
  const edit = next();
  if (edit < 0.4) return text.slice(0, at) + text.slice(at + 1);
  if (edit < 0.8) return text.slice(0, at) + '":,]}\\1e-'[Math.floor(next() * 9)] + text.slice(at);
  return text.slice(0, at);
}

describe('parseJson and parseJsonExactly through the native path', () => {
  it('give exactly what lossless-json gives, value or error, on 30,000 random texts', () => {
    const next = rng(20261125);
    let handled = 0;
    for (let i = 0; i < 30_000; i++) {
      let text = randomText(next);
      if (next() < 0.25) text = damage(text, next);
      expect(outcome(parseJson, text), text).toEqual(outcome(losslessPlain, text));
      expect(outcome(parseJsonExactly, text), text).toEqual(outcome(losslessExact, text));
      if (parseNative(text) !== NOT_HANDLED) handled++;
    }
    // The comparison must not be vacuous: most texts take the native path.
    expect(handled).toBeGreaterThan(15_000);
  });

  it('keeps 63-bit ids and number texts, and leaves strings that look like numbers alone', () => {
    const text = '{"snapshot-id":8743215009872310234,"parent":-9223372036854775808,"d":1.0,"e":2.5,"s":"8743215009872310234","k":"a\\":1"}';
    expect(parseNative(text)).toEqual({
      'snapshot-id': 8743215009872310234n,
      parent: -9223372036854775808n,
      d: 1,
      e: 2.5,
      s: '8743215009872310234',
      k: 'a":1',
    });
    const exact = parseJsonExactly(text) as Record<string, unknown>;
    expect(exact.d).toEqual(new JsonNumber('1.0'));
    expect(exact.e).toBe(2.5);
  });

  it('hands back duplicate keys and numbers in a key’s place, for lossless-json to decide', () => {
    expect(parseNative('{"a":1,"a":2}')).toBe(NOT_HANDLED);
    expect(() => parseJson('{"a":1,"a":2}')).toThrow(/Duplicate key/);
    expect(parseJson('{"a":1,"a":1}')).toEqual({ a: 1 });
    expect(parseNative('{12345678901234567890:1}')).toBe(NOT_HANDLED);
    expect(() => parseJson('{12345678901234567890:1}')).toThrow();
  });

  it('a string that starts like a mark stays a string', () => {
    const text = '["\\u0000deadbeefdeadbeefdeadbeefdeadbeef:12345678901234567890", 12345678901234567890]';
    expect(parseJson(text)).toEqual(['\u0000deadbeefdeadbeefdeadbeefdeadbeef:12345678901234567890', 12345678901234567890n]);
  });

  it('takes any depth without a stack overflow', () => {
    const deep = `${'['.repeat(100_000)}12345678901234567890${']'.repeat(100_000)}`;
    let v = parseJson(deep);
    for (let i = 0; i < 100_000; i++) v = (v as unknown[])[0];
    expect(v).toBe(12345678901234567890n);
  });
});

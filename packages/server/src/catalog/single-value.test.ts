import { describe, expect, it } from 'vitest';
import { singleValue, toTwosComplement } from './single-value.js';

const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('hex'));

describe("Iceberg's single-value serialization", () => {
  it('writes a boolean as one byte', () => {
    expect(hex(singleValue('boolean', false))).toBe('00');
    expect(hex(singleValue('boolean', true))).toBe('01');
    expect(singleValue('boolean', 1)).toBeUndefined();
  });

  it('writes int and date as 4 bytes little-endian, integers in the int range only', () => {
    expect(hex(singleValue('int', -2))).toBe('feffffff');
    expect(hex(singleValue('int', 2 ** 31 - 1))).toBe('ffffff7f');
    expect(hex(singleValue('date', 19000))).toBe('384a0000');
    expect(singleValue('int', 2 ** 31)).toBeUndefined();
    expect(singleValue('int', 1.5)).toBeUndefined();
    expect(singleValue('date', 1n)).toBeUndefined();
  });

  it('writes long, time and every timestamp as 8 bytes little-endian, from a bigint or a safe integer', () => {
    expect(hex(singleValue('long', 5))).toBe('0500000000000000');
    expect(hex(singleValue('long', -1n))).toBe('ffffffffffffffff');
    for (const t of ['time', 'timestamp', 'timestamptz', 'timestamp_ns', 'timestamptz_ns']) expect(hex(singleValue(t, 256n))).toBe('0001000000000000');
    expect(hex(singleValue('long', 2n ** 63n - 1n))).toBe('ffffffffffffff7f');
    expect(singleValue('long', 2n ** 63n)).toBeUndefined();
    expect(singleValue('long', 2 ** 60)).toBeUndefined();
    expect(singleValue('long', '5')).toBeUndefined();
  });

  it('writes float and double as IEEE 754 little-endian', () => {
    expect(hex(singleValue('float', 1))).toBe('0000803f');
    expect(hex(singleValue('double', 1))).toBe('000000000000f03f');
    expect(hex(singleValue('double', -0.5))).toBe('000000000000e0bf');
    expect(singleValue('float', 1n)).toBeUndefined();
  });

  it('writes a string as UTF-8', () => {
    expect(hex(singleValue('string', 'é!'))).toBe('c3a921');
    expect(hex(singleValue('string', ''))).toBe('');
    expect(singleValue('string', 1)).toBeUndefined();
  });

  it('writes uuid, fixed and binary as their bytes (uuid 16, fixed its length)', () => {
    const uuid = new Uint8Array(Buffer.from('f79c3e098b7a4ba1b0e5a6c2d1e4f3a2', 'hex'));
    expect(hex(singleValue('uuid', uuid))).toBe('f79c3e098b7a4ba1b0e5a6c2d1e4f3a2');
    expect(singleValue('uuid', new Uint8Array(15))).toBeUndefined();
    expect(hex(singleValue('fixed[3]', new Uint8Array([1, 2, 3])))).toBe('010203');
    expect(hex(singleValue('fixed[ 3 ]', new Uint8Array([1, 2, 3])))).toBe('010203');
    expect(singleValue('fixed[4]', new Uint8Array([1, 2, 3]))).toBeUndefined();
    expect(hex(singleValue('binary', new Uint8Array([0, 255])))).toBe('00ff');
    expect(singleValue('binary', 'ab')).toBeUndefined();
  });

  it('copies the bytes it is given', () => {
    const bytes = new Uint8Array([7]);
    const out = singleValue('binary', bytes)!;
    bytes[0] = 8;
    expect(hex(out)).toBe('07');
  });

  it("writes a decimal's unscaled value as two's-complement big-endian in the fewest bytes", () => {
    expect(hex(singleValue('decimal(10,2)', 1420n))).toBe('058c');
    expect(hex(singleValue('decimal(10, 2)', 127n))).toBe('7f');
    expect(hex(singleValue('decimal(10,2)', 128n))).toBe('0080');
    expect(hex(singleValue('decimal(10,2)', -128n))).toBe('80');
    expect(hex(singleValue('decimal(10,2)', -129n))).toBe('ff7f');
    expect(hex(singleValue('decimal(10,2)', 0n))).toBe('00');
    expect(singleValue('decimal(10,2)', 14.2)).toBeUndefined();
    expect(hex(toTwosComplement(-1n))).toBe('ff');
  });

  it('writes nothing for a type with no single value', () => {
    expect(singleValue('struct', 1)).toBeUndefined();
    expect(singleValue('variant', 'x')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { checkedLiteral, unstorableLiteral } from './literal.js';

const field = (type: string) => ({ name: 'c', type }) as Parameters<typeof unstorableLiteral>[1];
/** What a policy would store: the literal as checkedLiteral keeps it, then the stricter rule. */
const storable = (v: unknown, type: string) => unstorableLiteral(checkedLiteral(v, field(type)), field(type)) === undefined;

describe('unstorableLiteral (what a policy keeps, beyond a value of the type)', () => {
  it('takes a float only within a 32-bit float, and no NaN or infinity in any spelling', () => {
    for (const v of [3.4e38, -3.4028234663852886e38, 0.1, 0, -0, 1e-50]) expect(storable(v, 'float'), String(v)).toBe(true);
    for (const v of [1e300, -1e300, 3.5e38, 3.41e38, Infinity, -Infinity, 'NaN', 'Infinity', '-Infinity']) expect(storable(v, 'float'), String(v)).toBe(false);
    for (const v of [1e300, -1.7976931348623157e308]) expect(storable(v, 'double'), String(v)).toBe(true);
    for (const v of [Infinity, -Infinity, 'NaN', 'Infinity', '-Infinity']) expect(storable(v, 'double'), String(v)).toBe(false);
  });

  it('takes a timestamp with an offset exactly when its type has a zone', () => {
    expect(storable('2024-01-01T00:00:00', 'timestamp')).toBe(true);
    expect(storable('2024-01-01T00:00:00Z', 'timestamp')).toBe(false);
    expect(storable('2024-01-01T00:00:00-05:00', 'timestamp_ns')).toBe(false);
    expect(storable('2024-01-01T00:00:00+01:00', 'timestamptz')).toBe(true);
    expect(storable('2024-01-01T00:00:00Z', 'timestamptz_ns')).toBe(true);
    expect(storable('2024-01-01T00:00:00', 'timestamptz')).toBe(false);
    // Numbers (micros or nanos) and exact 64-bit integers carry no zone.
    expect(storable(1_700_000_000_000_000, 'timestamptz')).toBe(true);
    expect(storable(2n ** 62n, 'timestamp_ns')).toBe(true);
  });

  it('takes a nanosecond timestamp only within 64 bits of nanoseconds (1677-09-21 to 2262-04-11)', () => {
    expect(storable('2262-04-11T23:47:16.854775807', 'timestamp_ns')).toBe(true);
    expect(storable('2262-04-11T23:47:16.854775808', 'timestamp_ns')).toBe(false);
    expect(storable('1677-09-21T00:12:43.145224192', 'timestamp_ns')).toBe(true);
    expect(storable('1677-09-21T00:12:43.145224191', 'timestamp_ns')).toBe(false);
    expect(storable('2262-04-12T01:00:00+02:00', 'timestamptz_ns')).toBe(true);
    expect(storable('1500-01-01T00:00:00', 'timestamp')).toBe(true);
  });

  it('leaves every other type to checkedLiteral', () => {
    for (const [v, type] of [
      [5, 'int'],
      [2n ** 62n, 'long'],
      ['1.23', 'decimal(9,2)'],
      ['x', 'string'],
      [19_000, 'date'],
    ] as const)
      expect(storable(v, type), `${type} ${String(v)}`).toBe(true);
  });
});

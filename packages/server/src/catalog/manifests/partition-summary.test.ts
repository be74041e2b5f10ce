import { describe, expect, it } from 'vitest';
import { partitionSummaries } from './partition-summary.js';

const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));
const bounds = (avroType: unknown, values: unknown[]) => {
  const [s] = partitionSummaries(
    [avroType],
    values.map((v) => [v]),
  );
  return { lower: hex(s!.lowerBound), upper: hex(s!.upperBound), containsNull: s!.containsNull, containsNan: s!.containsNan };
};

describe('partition field summaries', () => {
  it("bounds each summarized type by its least and greatest value in Iceberg's single-value form", () => {
    expect(bounds('int', [3, -2, null])).toEqual({ lower: 'feffffff', upper: '03000000', containsNull: true, containsNan: false });
    expect(bounds({ type: 'int', logicalType: 'date' }, [19001, 19000])).toMatchObject({ lower: '384a0000', upper: '394a0000' });
    // A long given as a number is bounded as the long it is.
    expect(bounds('long', [5, 1n])).toMatchObject({ lower: '0100000000000000', upper: '0500000000000000' });
    expect(bounds('boolean', [true, false])).toMatchObject({ lower: '00', upper: '01' });
    expect(bounds('float', [1, Number.NaN])).toEqual({ lower: '0000803f', upper: '0000803f', containsNull: false, containsNan: true });
    expect(bounds('double', [1, -0.5])).toMatchObject({ lower: '000000000000e0bf', upper: '000000000000f03f' });
    expect(bounds('string', ['us', 'eu'])).toMatchObject({ lower: Buffer.from('eu').toString('hex'), upper: Buffer.from('us').toString('hex') });
  });

  it('gives no bounds for the types it does not summarize, nor for values it cannot order', () => {
    const none = { lower: null, upper: null };
    expect(bounds({ type: 'fixed', size: 2, name: 'd', logicalType: 'decimal', precision: 4, scale: 2 }, [new Uint8Array([1, 2])])).toMatchObject(none);
    expect(bounds({ type: 'long', logicalType: 'timestamp-micros' }, [1n])).toMatchObject(none);
    expect(bounds('bytes', [new Uint8Array([1])])).toMatchObject(none);
    expect(bounds({ type: 'fixed', size: 16, name: 'u', logicalType: 'uuid' }, [new Uint8Array(16)])).toMatchObject(none);
    expect(bounds('string', ['a', 1])).toMatchObject(none);
    expect(bounds('int', [null])).toEqual({ ...none, containsNull: true, containsNan: false });
  });
});

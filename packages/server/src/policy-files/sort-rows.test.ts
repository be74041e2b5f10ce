import { Field, Float64, Int64, RecordBatch, Schema, Struct, TimestampMicrosecond, makeData, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { FIELD_ID_KEY } from './apply-batch.js';
import { sortBatches } from './sort-rows.js';

const field = (name: string, type: ConstructorParameters<typeof Field>[1], id: number) => new Field(name, type, true, new Map([[FIELD_ID_KEY, String(id)]]));
const fields = [field('id', new Int64(), 1), field('ts', new TimestampMicrosecond(), 2), field('score', new Float64(), 3)];
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function batch(rows: [number, number | null, number | null][]): RecordBatch {
  const schema = new Schema(fields);
  const raw = (values: (bigint | null)[]) =>
    makeData({
      type: new TimestampMicrosecond(),
      length: values.length,
      nullCount: values.filter((v) => v === null).length,
      nullBitmap: new Uint8Array(Math.ceil(values.length / 8)).map((_, b) =>
        values.slice(b * 8, b * 8 + 8).reduce((m, v, i) => (v === null ? m : m | (1 << i)), 0),
      ),
      data: new BigInt64Array(values.map((v) => v ?? 0n)),
    });
  const children = [
    vectorFromArray(
      rows.map((r) => BigInt(r[0])),
      new Int64(),
    ).data[0]!,
    raw(rows.map((r) => (r[1] === null ? null : BigInt(r[1]) * 1000n))),
    vectorFromArray(
      rows.map((r) => r[2]),
      new Float64(),
    ).data[0]!,
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}
const ids = (out: RecordBatch[]) => out.flatMap((b) => b.toArray().map((r) => Number(r.id)));

describe('sortBatches (compaction sort strategy)', () => {
  it('orders by day(ts) before the next key, not by the timestamp, across batches; a null timestamp last', () => {
    const input = [
      batch([
        [1, T0 + 20 * HOUR, 0],
        [2, T0 + 1 * HOUR, 0],
        [3, null, 0],
      ]),
      batch([
        [4, T0 + 30 * HOUR, 0],
        [5, T0 + 23 * HOUR, 0],
        [6, T0 + 25 * HOUR, 0],
      ]),
    ];
    const day = { fieldId: 2, sourceType: 'timestamp', transform: 'day', descending: false, nullsFirst: false };
    const idDesc = { fieldId: 1, sourceType: 'long', transform: 'identity', descending: true, nullsFirst: false };
    expect(ids([...sortBatches(input, [day, idDesc])])).toEqual([5, 2, 1, 6, 4, 3]);
    // By hour instead: the timestamp's own order.
    expect(ids([...sortBatches(input, [{ ...day, transform: 'hour' }, idDesc])])).toEqual([2, 1, 5, 6, 4, 3]);
  });

  it('puts NaN above every number, and nulls first when asked even under a descending key', () => {
    const input = [
      batch([
        [1, T0, Number.NaN],
        [2, T0, 1.5],
        [3, T0, null],
        [4, T0, -2],
      ]),
    ];
    const score = { fieldId: 3, sourceType: 'double', transform: 'identity', descending: false, nullsFirst: true };
    expect(ids([...sortBatches(input, [score])])).toEqual([3, 4, 2, 1]);
    expect(ids([...sortBatches(input, [{ ...score, descending: true }])])).toEqual([3, 1, 2, 4]);
  });
});

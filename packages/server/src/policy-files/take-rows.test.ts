import {
  Bool,
  Decimal,
  Dictionary,
  Field,
  FixedSizeBinary,
  Int32,
  LargeBinary,
  LargeUtf8,
  List,
  Null,
  Struct,
  Union,
  UnionMode,
  TimestampMicrosecond,
  Utf8,
  makeData,
  makeVector,
  type StructRowProxy,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { takeRows, uncopied } from './take-rows.js';

describe('takeRows (the sort strategy copies rows as stored)', () => {
  it('keeps timestamps to the microsecond, decimals, fixed binary, booleans, strings, lists and structs, nulls included', () => {
    const micros = [1700000000123457n, -1n, 2219372978004800n];
    const ts = makeData({ type: new TimestampMicrosecond(), length: 3, nullCount: 0, data: new BigInt64Array(micros) });
    const dec = makeData({ type: new Decimal(2, 10, 128), length: 2, nullCount: 0, data: new Uint32Array([12345, 0, 0, 0, 7, 0, 0, 0]) });
    const fixed = makeData({ type: new FixedSizeBinary(2), length: 2, nullCount: 0, data: new Uint8Array([1, 2, 3, 4]) });
    const picks = [
      { chunk: 0, row: 2 },
      { chunk: 0, row: 0 },
    ];
    expect([...(takeRows([ts], picks).values as BigInt64Array)]).toEqual([micros[2], micros[0]]);
    expect([...(takeRows([dec], [{ chunk: 0, row: 1 }]).values as Uint32Array)]).toEqual([7, 0, 0, 0]);
    expect([...(takeRows([fixed], [{ chunk: 0, row: 1 }]).values as Uint8Array)]).toEqual([3, 4]);
    // Two chunks, the second a slice (offsets into a shared buffer).
    const strings = [vectorFromArray(['a', null, 'ccc'], new Utf8()).data[0]!, vectorFromArray(['x', 'yy', 'zzz'], new Utf8()).data[0]!.slice(1, 2)];
    const both = [
      { chunk: 1, row: 1 },
      { chunk: 0, row: 1 },
      { chunk: 0, row: 2 },
      { chunk: 1, row: 0 },
    ];
    expect(makeVector(takeRows(strings, both)).toArray()).toEqual(['zzz', null, 'ccc', 'yy']);
    const bools = [vectorFromArray([true, false, null, true], new Bool()).data[0]!.slice(1, 3)];
    expect(
      makeVector(
        takeRows(bools, [
          { chunk: 0, row: 1 },
          { chunk: 0, row: 0 },
        ]),
      ).toArray(),
    ).toEqual([null, false]);
    const lists = [vectorFromArray([[1, 2], null, [3]], new List(new Field('element', new Int32(), true))).data[0]!];
    expect(
      makeVector(
        takeRows(lists, [
          { chunk: 0, row: 2 },
          { chunk: 0, row: 1 },
          { chunk: 0, row: 0 },
        ]),
      )
        .toArray()
        .map((l: Vector | null) => (l === null ? null : [...l.toArray()])),
    ).toEqual([[3], null, [1, 2]]);
    const structs = [
      vectorFromArray(
        [{ a: 1, b: 'x' }, null, { a: 3, b: 'z' }],
        new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]),
      ).data[0]!.slice(1, 2),
    ];
    expect(
      makeVector(
        takeRows(structs, [
          { chunk: 0, row: 1 },
          { chunk: 0, row: 0 },
        ]),
      )
        .toArray()
        .map((r: StructRowProxy | null) => r?.toJSON() ?? null),
    ).toEqual([{ a: 3, b: 'z' }, null]);
  });

  it('copies large strings and binary (64-bit offsets) and dictionary indices with their dictionary, as Lance tables hold them', () => {
    const picks = [
      { chunk: 1, row: 0 },
      { chunk: 0, row: 1 },
      { chunk: 0, row: 0 },
    ];
    const large = [vectorFromArray(['a', null], new LargeUtf8()).data[0]!, vectorFromArray(['x', 'yy', 'zzz'], new LargeUtf8()).data[0]!.slice(1, 2)];
    expect(makeVector(takeRows(large, picks)).toArray()).toEqual(['yy', null, 'a']);
    const bytes = (...v: number[]) => Uint8Array.from(v);
    const blobs = [vectorFromArray([bytes(1), bytes(2, 3)], new LargeBinary()).data[0]!, vectorFromArray([bytes(4, 5, 6)], new LargeBinary()).data[0]!];
    expect([...makeVector(takeRows(blobs, picks))].map((b) => [...(b as Uint8Array)])).toEqual([[4, 5, 6], [2, 3], [1]]);
    const words = vectorFromArray(['eu', 'us', 'eu', null], new Dictionary(new Utf8(), new Int32())).data[0]!;
    const taken = takeRows([words.slice(1, 3), words], picks);
    expect(taken.dictionary).toBe(words.dictionary);
    expect(makeVector(taken).toArray()).toEqual(['eu', 'eu', 'us']);
    // Chunks with different dictionaries are not merged.
    const other = vectorFromArray(['ap'], new Dictionary(new Utf8(), new Int32())).data[0]!;
    expect(() => takeRows([words, other], picks)).toThrow(TypeError);
  });

  it("copies Arrow's null type (only a length), alone and as a list's element; names a union as what it cannot copy", () => {
    const picks = [
      { chunk: 1, row: 0 },
      { chunk: 0, row: 1 },
    ];
    const nulls = [makeData({ type: new Null(), length: 2 }), makeData({ type: new Null(), length: 1 })];
    const taken = takeRows(nulls, picks);
    expect(taken.length).toBe(2);
    expect(makeVector(taken).toArray()).toEqual([null, null]);
    const lists = [
      makeData({
        type: new List(new Field('item', new Null(), true)),
        length: 2,
        nullCount: 0,
        valueOffsets: Int32Array.from([0, 1, 3]),
        child: makeData({ type: new Null(), length: 3 }),
      }),
    ];
    const listed = makeVector(takeRows(lists, [{ chunk: 0, row: 1 }]));
    expect([...(listed.get(0) as Vector).toArray()]).toEqual([null, null]);
    expect(uncopied(new Null())).toBeUndefined();
    expect(uncopied(new Struct([new Field('n', new Null(), true), new Field('d', new Dictionary(new Utf8(), new Int32()), true)]))).toBeUndefined();
    const union = new Union(UnionMode.Sparse, [0, 1], [new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]);
    expect(uncopied(new List(new Field('item', union, true)))).toMatch(/a union\) cannot be copied/);
  });
});

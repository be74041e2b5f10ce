import { Dictionary, Field, FixedSizeList, Int32, Struct, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { plainData, plainType } from './plain-dictionaries.js';

const text = (d: ReturnType<typeof plainData>, i: number) =>
  d.getValid(i) ? new TextDecoder().decode(d.values.subarray(d.valueOffsets[i], d.valueOffsets[i + 1])) : null;

describe('dictionaries decoded for a policy-derived Lance dataset', () => {
  it('decodes a dictionary as its values, a null index null (the derived Lance dataset writes its values)', () => {
    const tier = vectorFromArray(['gold', null, 'free', 'gold'], new Dictionary(new Utf8(), new Int32())).data[0]!;
    const plain = plainData(tier);
    expect(String(plain.type)).toBe('Utf8');
    expect([0, 1, 2, 3].map((i) => text(plain, i))).toEqual(['gold', null, 'free', 'gold']);
  });

  it('decodes a dictionary inside a struct, the struct keeping its nulls, and leaves a type without one as it is', () => {
    const type = new Struct([new Field('tier', new Dictionary(new Utf8(), new Int32()), true)]);
    const data = vectorFromArray([{ tier: 'gold' }, null, { tier: 'free' }], type).data[0]!;
    const plain = plainData(data);
    expect(String(plain.type)).toBe('Struct<{tier:Utf8}>');
    expect([0, 1, 2].map((i) => plain.getValid(i))).toEqual([true, false, true]);
    expect(text(plain.children[0]!, 0)).toBe('gold');
    expect(text(plain.children[0]!, 2)).toBe('free');
    const vector = new FixedSizeList(2, new Field('item', new Int32(), true));
    expect(plainType(vector)).toBe(vector);
  });
});

import { describe, it, expect } from 'vitest';
import { assignFreshIds, indexSchema, parseSchema, sameSchema } from './schema.js';

const nested = {
  type: 'struct',
  'schema-id': 7,
  'identifier-field-ids': [10],
  fields: [
    { id: 10, name: 'id', required: true, type: 'long' },
    {
      id: 20,
      name: 'point',
      required: false,
      type: {
        type: 'struct',
        fields: [
          { id: 21, name: 'x', required: true, type: 'double' },
          { id: 22, name: 'y', required: true, type: 'double' },
        ],
      },
    },
    { id: 30, name: 'tags', required: false, type: { type: 'list', 'element-id': 31, element: 'string', 'element-required': true } },
    {
      id: 40,
      name: 'props',
      required: false,
      type: {
        type: 'map',
        'key-id': 41,
        key: 'string',
        'value-id': 42,
        value: { type: 'struct', fields: [{ id: 43, name: 'v', required: false, type: 'Decimal(9,2)' }] },
        'value-required': false,
      },
    },
    { id: 50, name: 'ts', required: false, type: 'timestamptz' },
  ],
};

describe('parseSchema', () => {
  it('normalizes primitive spellings and keeps schema-id', () => {
    const s = parseSchema(nested);
    expect(s['schema-id']).toBe(7);
    const props = s.fields[3]!.type as { value: { fields: { type: string }[] } };
    expect(props.value.fields[0]!.type).toBe('decimal(9, 2)');
  });

  it('takes type parameters up to the 32-bit limit', () => {
    const s = parseSchema({
      type: 'struct',
      fields: [
        { id: 1, name: 'a', required: true, type: 'FIXED[ 2147483647 ]' },
        { id: 2, name: 'b', required: true, type: 'decimal(38,2147483647)' },
      ],
    });
    expect(s.fields.map((f) => f.type)).toEqual(['fixed[2147483647]', 'decimal(38, 2147483647)']);
  });

  it('defaults a missing schema-id to 0', () => {
    expect(parseSchema({ type: 'struct', fields: [] })['schema-id']).toBe(0);
  });

  it.each([
    [{ type: 'struct', fields: [{ id: 1, name: 'a', required: 'yes', type: 'int' }] }, 'required'],
    [{ type: 'struct', fields: [{ id: '1', name: 'a', required: true, type: 'int' }] }, 'fields[0].id'],
    [{ type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'integer' }] }, 'unknown type'],
    [{ type: 'struct', fields: [{ id: 1, name: 'a', required: true }] }, 'type'],
    [{ type: 'struct' }, 'fields'],
    [
      {
        type: 'struct',
        fields: [
          { id: 1, name: 'a', required: true, type: 'int' },
          { id: 1, name: 'b', required: true, type: 'int' },
        ],
      },
      'duplicate field id 1',
    ],
    [
      {
        type: 'struct',
        fields: [
          { id: 1, name: 'a', required: true, type: 'int' },
          { id: 2, name: 'a', required: true, type: 'int' },
        ],
      },
      'multiple fields',
    ],
    [{ type: 'struct', 'identifier-field-ids': [1], fields: [{ id: 1, name: 'a', required: false, type: 'int' }] }, 'not a required field'],
    [{ type: 'struct', 'identifier-field-ids': [1], fields: [{ id: 1, name: 'a', required: true, type: 'float' }] }, 'float or double'],
    [{ type: 'struct', 'identifier-field-ids': [9], fields: [] }, 'does not exist'],
    ['not an object', 'expected an object'],
    // Type parameters are 32-bit integers, as Iceberg Java parses them (a larger one was kept, or written as 1e+22).
    [{ type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'fixed[99999999999999]' }] }, 'fixed length 999999999999… is not a 32-bit integer'],
    [{ type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'fixed[2147483648]' }] }, 'fixed length 2147483648 is not'],
    [{ type: 'struct', fields: [{ id: 1, name: 'a', required: true, type: 'decimal(10, 9999999999999999999999)' }] }, 'decimal scale'],
  ])('rejects bad input %#', (input, message) => {
    // identifier-field rules are IllegalArgumentExceptions in Iceberg Java; the rest are malformed input
    const code = /required field|float|does not exist/.test(message) ? 'ERR_ILLEGAL_ARGUMENT' : 'ERR_VALIDATION';
    expect(() => parseSchema(input)).toThrowError(expect.objectContaining({ code, message: expect.stringContaining(message) }));
  });

  it('rejects an identifier field nested in a list', () => {
    const schema = {
      type: 'struct',
      'identifier-field-ids': [3],
      fields: [
        {
          id: 1,
          name: 'l',
          required: true,
          type: {
            type: 'list',
            'element-id': 2,
            'element-required': true,
            element: { type: 'struct', fields: [{ id: 3, name: 'x', required: true, type: 'int' }] },
          },
        },
      ],
    };
    expect(() => parseSchema(schema)).toThrowError(
      expect.objectContaining({ code: 'ERR_ILLEGAL_ARGUMENT', message: 'Cannot add field l.element.x as an identifier field: must not be nested in l' }),
    );
  });
});

describe('assignFreshIds', () => {
  it('numbers fields in Iceberg Java order: struct level first, then nested types', () => {
    let n = 0;
    const { schema, idMap } = assignFreshIds(parseSchema(nested), 0, () => ++n);
    // top level: id=1 point=2 tags=3 props=4 ts=5; point.x=6 point.y=7; tags.element=8;
    // props.key=9 props.value=10; props.value.v=11
    const index = indexSchema(schema);
    expect(Object.fromEntries([...index.byName])).toEqual({
      id: 1,
      point: 2,
      tags: 3,
      props: 4,
      ts: 5,
      'point.x': 6,
      'point.y': 7,
      'tags.element': 8,
      'props.key': 9,
      'props.value': 10,
      'props.value.v': 11,
    });
    expect(n).toBe(11);
    expect(schema['schema-id']).toBe(0);
    expect(schema['identifier-field-ids']).toEqual([1]);
    expect(idMap.get(43)).toBe(11);
  });
});

describe('sameSchema', () => {
  it('ignores schema ids and identifier order, but not docs', () => {
    const a = parseSchema({ ...nested, 'schema-id': 1 });
    const b = parseSchema({ ...nested, 'schema-id': 2 });
    expect(sameSchema(a, b)).toBe(true);
    const c = parseSchema({ ...nested, fields: [{ ...nested.fields[0], doc: 'x' }, ...nested.fields.slice(1)] });
    expect(sameSchema(a, c)).toBe(false);
  });
});

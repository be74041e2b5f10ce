/**
 * A Lance table's policy schema: a list's element and a map's key and value are typed and numbered after the
 * top-level columns, depth first (a list of structs' fields after its element), and named by their dotted paths as
 * a mask stores them; a fixed-size list (a vector) has an element no mask may name.
 */
import { describe, expect, it } from 'vitest';
import { fieldIdsByPath, lanceSchema } from './policy-columns.js';

const str = (name: string, nullable = true) => ({ name, type: 'string', nullable });

describe('lanceSchema', () => {
  const schema = lanceSchema([
    { name: 'id', type: 'int', nullable: false },
    { name: 'tags', type: 'list', nullable: true, element: str('item') },
    { name: 'people', type: 'list', nullable: true, element: { name: 'item', type: 'struct', nullable: true, fields: [str('name'), str('email')] } },
    { name: 'attrs', type: 'map', nullable: true, key: str('key', false), value: str('value') },
    { name: 'vector', type: 'list', nullable: true },
    { name: 'codes', type: 'list', nullable: true, element: str('item', false) },
  ]);

  it("types and numbers a list's element, a list of structs' fields and a map's key and value", () => {
    expect(schema.fields.map((f) => [f.id, f.name, f.type])).toEqual([
      [1, 'id', 'int'],
      [2, 'tags', { type: 'list', 'element-id': 7, element: 'string', 'element-required': false }],
      [
        3,
        'people',
        {
          type: 'list',
          'element-id': 8,
          element: {
            type: 'struct',
            fields: [
              { id: 9, name: 'name', required: false, type: 'string' },
              { id: 10, name: 'email', required: false, type: 'string' },
            ],
          },
          'element-required': false,
        },
      ],
      [4, 'attrs', { type: 'map', 'key-id': 11, key: 'string', 'value-id': 12, value: 'string', 'value-required': false }],
      [5, 'vector', { type: 'list', 'element-id': 13, element: { type: 'struct', fields: [] }, 'element-required': false }],
      [6, 'codes', { type: 'list', 'element-id': 14, element: 'string', 'element-required': true }],
    ]);
  });

  it('names each by its dotted path, as a mask stores it', () => {
    const paths = fieldIdsByPath(schema);
    expect(paths.get('tags.element')).toBe(7);
    expect(paths.get('people.element')).toBe(8);
    expect(paths.get('people.element.email')).toBe(10);
    expect(paths.get('attrs.key')).toBe(11);
    expect(paths.get('attrs.value')).toBe(12);
    expect(paths.get('codes.element')).toBe(14);
  });
});

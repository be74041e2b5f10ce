/**
 * A Lance table's policy schema: a list's element and a map's key and value are typed and numbered after the
 * top-level columns, depth first (a list of structs' fields after its element), and named by their dotted paths as
 * a mask stores them; a fixed-size list (a vector) has an element no mask may name.
 */
import { describe, expect, it } from 'vitest';
import { checkCarried, fieldIdsByPath, lanceSchema, uncarriedAtRead } from './policy-columns.js';

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

describe('columns the policy-derived dataset cannot carry', () => {
  const columns = [
    { name: 'id', type: 'int', nullable: false },
    { name: 'u', type: 'nested', nullable: true, uncarried: 'a column of type Union (a union) cannot be copied row by row here' },
  ];

  it('refuse a policy when written (400 naming the column), and fail a restricted read naming the policies', () => {
    expect(() => checkCarried(columns.slice(0, 1))).not.toThrow();
    expect(() => checkCarried(columns)).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringMatching(/^The Lance table's column u cannot be written/) }),
    );
    expect(uncarriedAtRead([{ id: 'p1' }], columns.slice(0, 1))).toBeUndefined();
    expect(uncarriedAtRead([{ id: 'p1' }, { id: 'p2' }], columns)).toMatchObject({
      code: 'ERR_UNPROCESSABLE',
      message: expect.stringMatching(/^The row\/column policies p1, p2 on this Lance table cannot be enforced: its column u cannot be written/),
    });
  });
});

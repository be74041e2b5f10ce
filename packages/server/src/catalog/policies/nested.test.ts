import { describe, expect, it } from 'vitest';
import { CatalogError } from '../../errors/catalog-error.js';
import type { Schema } from '../metadata/types.js';
import { fieldByName } from './nested.js';

const schema = (fields: Schema['fields']): Schema => ({ type: 'struct', 'schema-id': 0, fields });
const person = {
  id: 2,
  name: 'person',
  required: false,
  type: {
    type: 'struct' as const,
    fields: [
      { id: 3, name: 'a.b', type: 'string', required: false },
      { id: 4, name: 'c', type: 'string', required: false },
    ],
  },
};

describe('fieldByName', () => {
  it("names a field whose own name holds a '.' by its names from the top joined by '.', as Iceberg's name index does", () => {
    const s = schema([{ id: 1, name: 'x.y', type: 'string', required: false }, person]);
    expect(fieldByName(s, 'person.a.b')).toMatchObject({ id: 3, name: 'person.a.b' });
    expect(fieldByName(s, 'x.y')).toMatchObject({ id: 1, name: 'x.y' });
    expect(fieldByName(s, 'person.c')).toMatchObject({ id: 4 });
    for (const name of ['person.a', 'person.b', 'x', 'person..c', 'person.c.', '.person.c', 'person.a.b.c']) expect(fieldByName(s, name), name).toBeUndefined();
  });

  it('refuses a name two fields answer to, never picking one', () => {
    const s = schema([
      { id: 1, name: 'a.b', type: 'string', required: false },
      { id: 2, name: 'a', type: { type: 'struct', fields: [{ id: 3, name: 'b', type: 'string', required: false }] }, required: false },
    ]);
    expect(() => fieldByName(s, 'a.b')).toThrow(CatalogError);
    expect(() => fieldByName(s, 'a.b')).toThrow(/names more than one field/);
  });
});

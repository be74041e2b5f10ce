import { describe, expect, it } from 'vitest';
import type { Schema } from '../metadata/types.js';
import { bindFilter, boundFieldIds } from './expression.js';

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'Category', required: false, type: 'string' },
    { id: 3, name: 'day', required: false, type: 'date' },
    { id: 4, name: 'amount', required: false, type: 'double' },
  ],
} as Schema;

describe('scan filters bound to the schema', () => {
  it('binds comparisons, sets, null checks and boolean combinations to field ids', () => {
    const bound = bindFilter(
      {
        type: 'and',
        left: { type: 'gt-eq', term: 'id', value: 10 },
        right: { type: 'or', left: { type: 'in', term: 'Category', values: ['a', 'b'] }, right: { type: 'not', child: { type: 'is-null', term: 'day' } } },
      },
      schema,
      true,
    );
    expect(bound).toMatchObject({
      op: 'and',
      left: { op: 'gt-eq', field: { id: 1 }, value: 10 },
      right: { op: 'or', left: { op: 'in', field: { id: 2 }, values: ['a', 'b'] }, right: { op: 'not', child: { op: 'is-null', field: { id: 3 } } } },
    });
    expect(bindFilter({ type: 'eq', term: 'day', value: '2026-01-02' }, schema, true)).toMatchObject({ value: 20455 });
    expect(bindFilter(true, schema, true)).toEqual({ op: 'true' });
  });

  it('resolves names case-insensitively only when asked', () => {
    expect(bindFilter({ type: 'eq', term: 'category', value: 'a' }, schema, false)).toMatchObject({ field: { id: 2 } });
    expect(() => bindFilter({ type: 'eq', term: 'category', value: 'a' }, schema, true)).toThrow(/cannot find field 'category'/);
  });

  it.each([
    [{ type: 'eq', term: 'nope', value: 1 }, /cannot find field 'nope'/],
    [{ type: 'eq', term: 'id', value: 'ten' }, /not a valid long literal/],
    [{ type: 'lt', term: 'day', value: '2026-13-45' }, /not a valid date literal/],
    [{ type: 'is-nan', term: 'id' }, /is-nan needs a float or double column/],
    [{ type: 'in', term: 'id', values: 3 }, /needs "values"/],
    [{ type: 'between', term: 'id', value: 1 }, /unknown expression type/],
    [{ type: 'and', left: true }, /must be a JSON object or a boolean/],
    ['id > 3', /must be a JSON object or a boolean/],
  ])('refuses %j with a validation error', (filter, reason) => {
    expect(() => bindFilter(filter, schema, true)).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringMatching(reason) }));
  });

  it('takes 64-bit literals beyond 2^53 (parsed as bigint) for long columns, and refuses them elsewhere with a 400, not a 500', () => {
    expect(bindFilter({ type: 'gt', term: 'id', value: 9007199254740993n }, schema, true)).toMatchObject({ op: 'gt', value: 9007199254740993n });
    expect(() => bindFilter({ type: 'gt', term: 'id', value: 2n ** 63n }, schema, true)).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION' }));
    expect(() => bindFilter({ type: 'eq', term: 'Category', value: 9007199254740993n }, schema, true)).toThrow(
      expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringContaining('9007199254740993') }),
    );
  });

  describe("fields whose own names hold a '.'", () => {
    const dotted: Schema = {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'x.y', required: false, type: 'string' },
        {
          id: 2,
          name: 'person',
          required: false,
          type: {
            type: 'struct',
            fields: [
              { id: 3, name: 'a.b', required: false, type: 'string' },
              { id: 4, name: 'c', required: false, type: 'long' },
              { id: 5, name: 'tags', required: false, type: { type: 'list', 'element-id': 6, element: 'string', 'element-required': false } },
            ],
          },
        },
      ],
    } as Schema;
    const eq = (term: unknown, value: unknown = 'v') => ({ type: 'eq', term, value });

    it("binds a column 'x.y' and a struct's field 'a.b' by their names from the top joined by '.', as Iceberg's name index does", () => {
      expect(bindFilter(eq('x.y'), dotted, true)).toMatchObject({ field: { id: 1, name: 'x.y' } });
      expect(bindFilter(eq('person.a.b'), dotted, true)).toMatchObject({ field: { id: 3, name: 'person.a.b' } });
      expect(bindFilter(eq({ type: 'reference', term: 'person.a.b' }), dotted, true)).toMatchObject({ field: { id: 3 } });
      expect(bindFilter(eq('person.c', 1), dotted, true)).toMatchObject({ field: { id: 4 } });
      expect(bindFilter(eq('PERSON.A.B'), dotted, false)).toMatchObject({ field: { id: 3, name: 'PERSON.A.B' } });
      expect(bindFilter(eq('X.Y'), dotted, false)).toMatchObject({ field: { id: 1 } });
    });

    it.each([
      ['half of a dotted name', 'person.a', /cannot find field 'person\.a'/],
      ['the other half', 'person.b', /cannot find field/],
      ['a dotted column cut short', 'x', /cannot find field 'x'/],
      ['an empty segment', 'person..c', /cannot find field/],
      ['a leading dot', '.x.y', /cannot find field/],
      ['a trailing dot', 'x.y.', /cannot find field/],
      ['a lone dot', '.', /cannot find field/],
      ['a quoted name', '"x.y"', /cannot find field/],
      ['a quoted segment', 'person."a.b"', /cannot find field/],
      ['backticks', '`x.y`', /cannot find field/],
      ['a dotted name that goes on', 'person.a.b.c', /cannot find field/],
      ['a case-changed name, case-sensitively', 'Person.a.b', /cannot find field/],
      ["a list's element", 'person.tags.element', /'person\.tags' is a list/],
      ['a whole struct', 'person', /not of a primitive type/],
      ['a name over 1024 characters', 'x.'.repeat(600), /at most 1024 characters/],
    ])('refuses %s with a 400', (_label, term, reason) => {
      expect(() => bindFilter(eq(term), dotted, true)).toThrow(expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringMatching(reason) }));
    });

    it("refuses a name two fields answer to (a column a.b and struct a's b), never picking one", () => {
      const twice: Schema = {
        type: 'struct',
        'schema-id': 0,
        fields: [
          { id: 1, name: 'a.b', required: false, type: 'string' },
          { id: 2, name: 'a', required: false, type: { type: 'struct', fields: [{ id: 3, name: 'b', required: false, type: 'string' }] } },
        ],
      } as Schema;
      expect(() => bindFilter(eq('a.b'), twice, true)).toThrow(
        expect.objectContaining({ code: 'ERR_VALIDATION', message: expect.stringMatching(/'a\.b' names more than one field \(field id 1, field id 3/) }),
      );
      // Ignoring case, two columns one name apart only in case answer to a third spelling: refused too.
      const cased = {
        type: 'struct',
        'schema-id': 0,
        fields: [1, 2].map((id) => ({ id, name: id === 1 ? 'Ab' : 'aB', required: false, type: 'string' })),
      } as Schema;
      expect(() => bindFilter(eq('ab'), cased, false)).toThrow(/names more than one field/);
      expect(bindFilter(eq('aB'), cased, false)).toMatchObject({ field: { id: 2 } });
    });
  });
});

describe('the field ids of a bound filter', () => {
  it('are each predicate field id once, through nested and, or and not; none for a constant', () => {
    const bound = bindFilter(
      {
        type: 'or',
        left: { type: 'not', child: { type: 'and', left: { type: 'eq', term: 'amount', value: 1.5 }, right: { type: 'not-nan', term: 'amount' } } },
        right: { type: 'and', left: { type: 'not-in', term: { type: 'reference', term: 'id' }, values: [1, 2] }, right: { type: 'is-null', term: 'day' } },
      },
      schema,
      true,
    );
    expect([...boundFieldIds(bound)]).toEqual([4, 1, 3]);
    expect(boundFieldIds(bindFilter(true, schema, true)).size).toBe(0);
    expect([...boundFieldIds(bindFilter({ type: 'not', child: { type: 'true' } }, schema, true))]).toEqual([]);
  });
});

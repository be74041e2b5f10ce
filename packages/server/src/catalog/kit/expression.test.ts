import { describe, expect, it } from 'vitest';
import type { Schema } from '../metadata/types.js';
import { bindFilter } from './expression.js';

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
});

import { describe, expect, it } from 'vitest';
import { joined, showExpression } from './expression';
import { restriction } from './policy-text';
import type { Field } from './schema-tree';

const fields: Field[] = [
  { id: 1, name: 'id', type: 'long', required: false },
  { id: 2, name: 'region', type: 'string', required: false },
  { id: 3, name: 'active', type: 'boolean', required: false },
];

describe('console expressions', () => {
  it('joins conditions left-deep with and/or, literals typed by their column', () => {
    const three = [
      { column: 'region', op: 'in', value: 'eu, us' },
      { column: 'id', op: 'gt-eq', value: '10' },
      { column: 'active', op: 'not-null', value: 'ignored' },
    ];
    expect(joined(fields, three, 'or')).toEqual({
      type: 'or',
      left: { type: 'or', left: { type: 'in', term: 'region', values: ['eu', 'us'] }, right: { type: 'gt-eq', term: 'id', value: 10 } },
      right: { type: 'not-null', term: 'active' },
    });
    expect(joined(fields, [{ column: 'active', op: 'eq', value: 'TRUE' }], 'and')).toEqual({ type: 'eq', term: 'active', value: true });
    // A non-number typed into a numeric column stays text: the server refuses it and says why.
    expect(joined(fields, [{ column: 'id', op: 'lt', value: 'ten' }], 'and')).toEqual({ type: 'lt', term: 'id', value: 'ten' });
    expect(joined(fields, [{ column: '', op: 'eq', value: 'x' }], 'and')).toBe(true);
  });

  it('reads expressions and policies in words, and shows the JSON of a form it does not know', () => {
    expect(
      showExpression({ type: 'and', left: { type: 'eq', term: 'region', value: 'eu' }, right: { type: 'not', child: { type: 'is-null', term: 'id' } } }),
    ).toBe("(region = 'eu' and not (id is null))");
    expect(showExpression({ type: 'not-in', term: 'id', values: [1, 2] })).toBe('id not in (1, 2)');
    expect(showExpression({ type: 'not-null', term: 'id' })).toBe('id is not null');
    expect(showExpression(true)).toBe('every row');
    expect(showExpression({ type: 'lt-eq', term: { type: 'transform', transform: 'day', term: 'ts' }, value: '2024-01-01' })).toBe("day(ts) ≤ '2024-01-01'");
    expect(showExpression({ type: 'mystery', x: 1 })).toBe('{"type":"mystery","x":1}');
    expect(
      restriction({ kind: 'row-filter', filter: { type: 'or', left: { type: 'eq', term: 'a', value: 1 }, right: { type: 'eq', term: 'b', value: 2 } } }),
    ).toBe('rows where a = 1 or b = 2');
    expect(
      restriction({
        kind: 'column-mask',
        masks: [
          { 'field-id': 3, column: 'email', action: 'show-last-4' },
          { 'field-id': 4, column: 'tier', action: 'mask-to-fixed-value', value: 'x' },
        ],
      }),
    ).toBe('email: show-last-4; tier: mask-to-fixed-value ("x")');
  });
});

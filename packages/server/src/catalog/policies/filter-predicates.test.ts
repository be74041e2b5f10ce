import { describe, expect, it } from 'vitest';
import { eachPredicate, type FilterPredicate, mapPredicates, renameTerms } from './filter-predicates.js';

/** What the walk gives for each predicate, in order (its node left out). */
const predicates = (filter: unknown) => {
  const seen: Array<Omit<FilterPredicate, 'node'>> = [];
  eachPredicate(filter, ({ term, transform, literals }) => seen.push({ term, transform, literals }));
  return seen;
};

const ref = (term: string) => ({ type: 'reference', term });
const bucket = (term: unknown) => ({ type: 'transform', transform: 'bucket[16]', term });

describe('the row filter walk', () => {
  it('gives a unary, a literal and a set predicate their term and literals', () => {
    expect(predicates({ type: 'is-null', term: 'a' })).toEqual([{ term: 'a', transform: undefined, literals: undefined }]);
    expect(predicates({ type: 'lt-eq', term: 'a', value: 5 })).toEqual([{ term: 'a', transform: undefined, literals: [5] }]);
    expect(predicates({ type: 'in', term: 'a', values: [1, 2, 3] })).toEqual([{ term: 'a', transform: undefined, literals: [1, 2, 3] }]);
    expect(predicates({ type: 'not-in', term: 'a', values: [] })).toEqual([{ term: 'a', transform: undefined, literals: [] }]);
    // A literal that is null or itself an array is still the predicate's one literal.
    expect(predicates({ type: 'eq', term: 'a', value: null })).toEqual([{ term: 'a', transform: undefined, literals: [null] }]);
    expect(predicates({ type: 'eq', term: 'a', value: [1, 2] })).toEqual([{ term: 'a', transform: undefined, literals: [[1, 2]] }]);
  });

  it('reads a term written as a string, a reference or a transform (of a string or of a reference)', () => {
    expect(predicates({ type: 'eq', term: ref('person.city'), value: 'x' })).toEqual([{ term: 'person.city', transform: undefined, literals: ['x'] }]);
    expect(predicates({ type: 'eq', term: bucket('id'), value: 3 })).toEqual([{ term: 'id', transform: 'bucket[16]', literals: [3] }]);
    expect(predicates({ type: 'not-null', term: bucket(ref('id')) })).toEqual([{ term: 'id', transform: 'bucket[16]', literals: undefined }]);
  });

  it('gives no name for a term of no known form, yet still visits its predicate', () => {
    for (const term of [42, null, { term: 'a' }, { type: 'reference', term: 7 }, bucket(bucket('a')), ['a']]) {
      const [p, ...more] = predicates({ type: 'eq', term, value: 1 });
      expect(more).toEqual([]);
      expect([p!.term, p!.literals]).toEqual([undefined, [1]]);
    }
  });

  it('walks nested and, or and not, left before right', () => {
    const filter = {
      type: 'or',
      left: { type: 'not', child: { type: 'and', left: { type: 'eq', term: 'a', value: 1 }, right: { type: 'is-nan', term: ref('b') } } },
      right: {
        type: 'and',
        left: { type: 'not', child: { type: 'not', child: { type: 'in', term: 'c', values: ['x', 'y'] } } },
        right: { type: 'starts-with', term: bucket('d'), value: 'p' },
      },
    };
    expect(predicates(filter).map((p) => [p.term, p.literals])).toEqual([
      ['a', [1]],
      ['b', undefined],
      ['c', ['x', 'y']],
      ['d', ['p']],
    ]);
  });

  it('visits the same term as often as it is written', () => {
    const filter = { type: 'or', left: { type: 'eq', term: 'a', value: 1 }, right: { type: 'eq', term: ref('a'), value: 2 } };
    expect(predicates(filter).map((p) => p.term)).toEqual(['a', 'a']);
  });

  it('finds no predicate in a constant, a connective without children, or what is not an expression object', () => {
    for (const filter of [
      true,
      false,
      { type: 'true' },
      { type: 'false' },
      { type: 'true', term: 'a' },
      { type: 'and' },
      { type: 'not' },
      null,
      undefined,
      'a',
      3,
      [{ type: 'eq', term: 'a', value: 1 }],
      { type: 'eq', value: 1 },
    ])
      expect(predicates(filter)).toEqual([]);
    // A malformed child is passed over; its sibling is still walked.
    expect(predicates({ type: 'and', left: 'junk', right: { type: 'not-null', term: 'a' } }).map((p) => p.term)).toEqual(['a']);
  });

  it('hands each predicate its own object as written', () => {
    const leaf = { type: 'gt', term: 'a', value: 1 };
    const nodes: unknown[] = [];
    eachPredicate({ type: 'not', child: leaf }, (p) => nodes.push(p.node));
    expect(nodes[0]).toBe(leaf);
  });
});

describe('mapping the predicates of a filter', () => {
  const filter = { type: 'and', left: { type: 'eq', term: 'a', value: 1 }, right: { type: 'not', child: { type: 'in', term: 'b', values: [1] } } };

  it('replaces each predicate and keeps the connectives around them', () => {
    const mapped = mapPredicates(filter, (p) => ({ type: 'is-null', term: p.term }));
    expect(mapped).toEqual({ type: 'and', left: { type: 'is-null', term: 'a' }, right: { type: 'not', child: { type: 'is-null', term: 'b' } } });
    expect(filter.left).toEqual({ type: 'eq', term: 'a', value: 1 });
  });

  it('copies nothing when nothing is replaced', () => {
    expect(mapPredicates(filter, (p) => p.node)).toBe(filter);
    expect(renameTerms(filter, new Map([['z', 'y']]))).toBe(filter);
  });

  it('renames terms in the form they were written, literals untouched', () => {
    const written = {
      type: 'or',
      left: { type: 'and', left: { type: 'eq', term: 'a', value: 'a' }, right: { type: 'in', term: ref('b'), values: ['a', 'b'] } },
      right: { type: 'not', child: { type: 'lt', term: bucket(ref('a')), value: 4 } },
    };
    expect(
      renameTerms(
        written,
        new Map([
          ['a', 'x.y'],
          ['b', 'b2'],
        ]),
      ),
    ).toEqual({
      type: 'or',
      left: { type: 'and', left: { type: 'eq', term: 'x.y', value: 'a' }, right: { type: 'in', term: ref('b2'), values: ['a', 'b'] } },
      right: { type: 'not', child: { type: 'lt', term: bucket(ref('x.y')), value: 4 } },
    });
  });
});

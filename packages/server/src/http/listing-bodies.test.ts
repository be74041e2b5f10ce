import { describe, expect, it } from 'vitest';
import { ListingBodies } from './listing-bodies.js';
import { lanceTableListings, namespaceListings, tableListings } from './serializers.js';

const page = (names: string[], namespace = ['sales']) => names.map((name) => ({ namespace: [...namespace], name }));

describe('listing bodies kept per equal page', () => {
  it('answer exactly what the compiled writer writes, for a page seen before and for one not seen', () => {
    const items = page(['a', 'b"q', 'café']);
    const first = tableListings.body(items, null).toString('utf8');
    expect(first).toBe(JSON.stringify({ identifiers: items, 'next-page-token': null }));
    // Equal items in new objects (as every request builds them): the same bytes.
    expect(tableListings.body(page(['a', 'b"q', 'café']), null).toString('utf8')).toBe(first);
  });

  it('never answer a kept page for a different one with the same first and last names and length', () => {
    const base = tableListings.body(page(['a', 'm', 'z']), 'tok').toString('utf8');
    expect(base).toContain('"m"');
    expect(tableListings.body(page(['a', 'n', 'z']), 'tok').toString('utf8')).toBe(
      JSON.stringify({ identifiers: page(['a', 'n', 'z']), 'next-page-token': 'tok' }),
    );
    expect(tableListings.body(page(['a', 'm', 'z']), 'other').toString('utf8')).toContain('"next-page-token":"other"');
    expect(tableListings.body(page(['a', 'm', 'z']), null).toString('utf8')).toContain('"next-page-token":null');
    // Same names, another namespace (the middle item's namespace differs).
    const mixed = [...page(['a']), ...page(['m'], ['hr']), ...page(['z'])];
    expect(JSON.parse(tableListings.body(mixed, 'tok').toString('utf8')).identifiers[1].namespace).toEqual(['hr']);
  });

  it('are not reached by later changes to the arrays they were built from', () => {
    const items = page(['x1', 'x2']);
    const body = tableListings.body(items, null).toString('utf8');
    items[1]!.namespace[0] = 'changed';
    items[1]!.name = 'x9';
    expect(tableListings.body(page(['x1', 'x2']), null).toString('utf8')).toBe(body);
    expect(tableListings.body(items, null).toString('utf8')).toContain('"x9"');
    const levels = [
      ['ns', 'a'],
      ['ns', 'b'],
    ];
    expect(namespaceListings.body(levels, null).toString('utf8')).toBe('{"namespaces":[["ns","a"],["ns","b"]],"next-page-token":null}');
    levels[0]![1] = 'c';
    expect(namespaceListings.body(levels, null).toString('utf8')).toBe('{"namespaces":[["ns","c"],["ns","b"]],"next-page-token":null}');
  });

  it('keep pages whose items share namespace arrays (as the repository hands them) apart from those arrays', () => {
    const sales = ['sales'];
    const hr = ['hr'];
    const shared = [
      { namespace: sales, name: 's1' },
      { namespace: hr, name: 'h1' },
      { namespace: sales, name: 's2' },
      { namespace: sales, name: 's3' },
    ];
    const body = tableListings.body(shared, 'shared').toString('utf8');
    expect(JSON.parse(body).identifiers.map((i: { namespace: string[] }) => i.namespace[0])).toEqual(['sales', 'hr', 'sales', 'sales']);
    sales[0] = 'changed';
    // The kept page still answers only the page it was: the old names for equal items, a new body for the changed ones.
    expect(tableListings.body([...page(['s1']), ...page(['h1'], ['hr']), ...page(['s2', 's3'])], 'shared').toString('utf8')).toBe(body);
    expect(JSON.parse(tableListings.body(shared, 'shared').toString('utf8')).identifiers.map((i: { namespace: string[] }) => i.namespace[0])).toEqual([
      'changed',
      'hr',
      'changed',
      'changed',
    ]);
  });

  it('write empty pages and Lance names', () => {
    expect(tableListings.body([], null).toString('utf8')).toBe('{"identifiers":[],"next-page-token":null}');
    expect(lanceTableListings.body(['t1', 't2'], null).toString('utf8')).toBe('{"tables":["t1","t2"],"page_token":null}');
    expect(lanceTableListings.body(['t1', 't3'], null).toString('utf8')).toBe('{"tables":["t1","t3"],"page_token":null}');
  });

  it('stay within their byte bound (emptied when full) and still answer correctly', () => {
    let encoded = 0;
    const bodies = new ListingBodies<string>(
      { equal: (a, b) => a === b, copy: (items) => items.slice(), name: (s) => s, encode: (items, token) => (encoded++, JSON.stringify({ items, token })) },
      1600,
    );
    for (let i = 0; i < 50; i++) expect(JSON.parse(bodies.body([`n${i}`.padEnd(60, '.')], null).toString('utf8')).items[0]).toBe(`n${i}`.padEnd(60, '.'));
    expect(encoded).toBe(50);
    // The last page is still kept: encoded once more only after the bound emptied the map.
    bodies.body(['n49'.padEnd(60, '.')], null);
    expect(encoded).toBe(50);
    expect((bodies as unknown as { bytes: number }).bytes).toBeLessThanOrEqual(1600);
  });
});

import { describe, expect, it } from 'vitest';
import { levelsOf, namespacePath, nsParam, objectPath, showNamespace } from './paths';

describe('console paths', () => {
  it('round-trip namespace levels with dots, slashes and reserved characters through the router decoding', () => {
    const levels = ['sales', 'eu.west', 'a/b?c#d&e'];
    const param = nsParam(levels);
    // The router hands params through decodeURI, which leaves reserved characters escaped.
    expect(levelsOf(decodeURI(param))).toEqual(levels);
    expect(namespacePath('lake', ['sales'])).toBe('/catalog/lake/ns/sales');
    expect(objectPath('lake', 'table', ['sales', 'eu'], 'orders')).toBe('/catalog/lake/table/sales%1Feu/orders');
    expect(showNamespace(['sales', 'eu.west'])).toBe('sales."eu.west"');
    expect(levelsOf(undefined)).toEqual([]);
  });
});

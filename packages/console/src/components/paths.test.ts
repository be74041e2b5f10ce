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

  it('tells a name holding "/" from one holding a literal "%2F" or "%" (issue 42)', () => {
    const names = ['a/b', 'a%2Fb', 'a%2fb', 'a%b', '%25', '100%', 'x%3Fy', 'x?y'];
    for (const name of names) {
      expect(levelsOf(decodeURI(nsParam(['ns/1', name]))), name).toEqual(['ns/1', name]);
      const path = objectPath('lake', 'table', ['n'], name);
      expect(levelsOf(decodeURI(path.split('/').at(-1)!)).join('\u001f'), name).toBe(name);
    }
  });
});

import { expect, it } from 'vitest';
import { plusAsSpaceInQuery } from './form-query.js';

it('reads "+" in the query as a space and leaves the path and %2B alone', () => {
  expect(plusAsSpaceInQuery('/v1/config?warehouse=a+b&x=1%2B1')).toBe('/v1/config?warehouse=a%20b&x=1%2B1');
  expect(plusAsSpaceInQuery('/lance/w/v1/table/sig+ns/describe')).toBe('/lance/w/v1/table/sig+ns/describe');
  expect(plusAsSpaceInQuery('/a+b?c=d+e')).toBe('/a+b?c=d%20e');
  expect(plusAsSpaceInQuery('/plain')).toBe('/plain');
});

import { expect, it } from 'vitest';
import { TtlCache } from './ttl-cache.js';

it('answers an entry until it expires, and forgets everything when full', () => {
  let now = 0;
  const cache = new TtlCache<number>(100, () => now, 2);
  cache.set('a', 1, cache.generation);
  expect(cache.get('a')).toBe(1);
  now = 99;
  expect(cache.get('a')).toBe(1);
  now = 100;
  expect(cache.get('a')).toBeUndefined();
  cache.set('a', 1, cache.generation);
  cache.set('b', 2, cache.generation);
  // Full (a, b): keeping c drops both.
  cache.set('c', 3, cache.generation);
  expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, undefined, 3]);
});

it('judges expiry by the time a caller read once for several lookups, when it passes one', () => {
  let now = 0;
  const cache = new TtlCache<number>(100, () => now, 10);
  cache.set('a', 1, cache.generation);
  now = 150;
  // The caller's reading decides, not the clock: a lookup made at 99 finds the entry, one at 100 does not.
  expect(cache.get('a', 99)).toBe(1);
  expect(cache.get('a', 100)).toBeUndefined();
  // Expired entries are dropped, so the clock's own reading finds nothing either.
  now = 0;
  expect(cache.get('a')).toBeUndefined();
});

it('keeps nothing with a TTL of zero', () => {
  const cache = new TtlCache<number>(0, () => 0);
  cache.set('a', 1, cache.generation);
  cache.set('a', 1, cache.generation);
  expect(cache.get('a')).toBeUndefined();
});

it('with secondSighting, keeps a key only from its second set on, with the value of that set', () => {
  const cache = new TtlCache<boolean>(1000, () => 0, 100, { secondSighting: true });
  cache.set('who\u001dtable:read-data\u001dt1', true, cache.generation);
  expect(cache.get('who\u001dtable:read-data\u001dt1')).toBeUndefined();
  cache.set('who\u001dtable:read-data\u001dt2', false, cache.generation);
  cache.set('who\u001dtable:read-data\u001dt1', false, cache.generation);
  expect(cache.get('who\u001dtable:read-data\u001dt1')).toBe(false);
  expect(cache.get('who\u001dtable:read-data\u001dt2')).toBeUndefined();
  // A cleared cache starts over for kept keys: their next set is a first sighting again.
  cache.clear();
  cache.set('who\u001dtable:read-data\u001dt1', true, cache.generation);
  expect(cache.get('who\u001dtable:read-data\u001dt1')).toBeUndefined();
  cache.set('who\u001dtable:read-data\u001dt1', true, cache.generation);
  expect(cache.get('who\u001dtable:read-data\u001dt1')).toBe(true);
});

it('keeps nothing read before a clear or a delete (a revocation during the read is not undone by its answer)', () => {
  const cache = new TtlCache<string>(1000, () => 0);
  const readAt = cache.generation;
  cache.delete('other');
  cache.set('session', 'not revoked', readAt);
  expect(cache.get('session')).toBeUndefined();
  const again = cache.generation;
  cache.clear();
  cache.set('session', 'not revoked', again);
  expect(cache.get('session')).toBeUndefined();
  cache.set('session', 'revoked', cache.generation);
  expect(cache.get('session')).toBe('revoked');
});

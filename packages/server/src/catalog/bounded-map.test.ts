import { expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';

it('empties a full map before keeping a new key, but replaces a kept key in place', () => {
  const map = new BoundedMap<string, number>({ maxEntries: 2 });
  map.set('a', 1);
  map.set('b', 2);
  map.set('a', 10);
  expect([map.get('a'), map.get('b'), map.size]).toEqual([10, 2, 2]);
  map.set('c', 3);
  expect([map.get('a'), map.get('b'), map.get('c'), map.size]).toEqual([undefined, undefined, 3, 1]);
});

it("with evict 'oldest', drops the entry written longest ago (a rewrite counts as a write)", () => {
  const map = new BoundedMap<string, number>({ maxEntries: 2, evict: 'oldest' });
  map.set('a', 1);
  map.set('b', 2);
  map.set('a', 11);
  map.set('c', 3);
  expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([11, undefined, 3]);
  expect([...map]).toEqual([
    ['a', 11],
    ['c', 3],
  ]);
});

it("with evict 'least-recent', drops the entry read or written longest ago (a read moves its entry last)", () => {
  const map = new BoundedMap<string, number>({ maxEntries: 2, evict: 'least-recent' });
  map.set('a', 1);
  map.set('b', 2);
  expect(map.get('a')).toBe(1);
  map.set('c', 3);
  expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([1, undefined, 3]);
});

it('answers an entry until its TTL from the time it was set (or the time the caller read before it), then drops it', () => {
  let now = 0;
  const map = new BoundedMap<string, string>({ maxEntries: 10, ttlMs: 100, now: () => now });
  map.set('a', 'x');
  map.set('b', 'y', -50);
  now = 49;
  expect([map.get('a'), map.get('b')]).toEqual(['x', 'y']);
  now = 50;
  expect([map.get('a'), map.get('b')]).toEqual(['x', undefined]);
  expect([...map]).toEqual([['a', 'x']]);
  // A lookup at a moment the caller read once decides, not the clock.
  expect(map.get('a', 100)).toBeUndefined();
  expect(map.size).toBe(0);
});

it('bounds the total size: too large an entry is not kept, one that would pass the budget empties the map first', () => {
  const map = new BoundedMap<string, string>({ maxEntries: Infinity, maxSize: 160, sizeOf: (s) => s.length });
  map.set('big', 'x'.repeat(11));
  expect(map.get('big')).toBeUndefined();
  for (let i = 0; i < 16; i++) map.set(`k${i}`, 'x'.repeat(10));
  expect([map.size, map.totalSize]).toEqual([16, 160]);
  // Replacing an entry counts only its new size.
  map.set('k0', 'x'.repeat(4));
  expect([map.size, map.totalSize]).toEqual([16, 154]);
  map.set('k16', 'x'.repeat(10));
  expect([map.size, map.totalSize, map.get('k1'), map.get('k16')]).toEqual([1, 10, undefined, 'x'.repeat(10)]);
  map.delete('k16');
  expect(map.totalSize).toBe(0);
});

it('keeps nothing with no room at all, and refuses a size budget without sizes', () => {
  const map = new BoundedMap<string, number>({ maxEntries: 0 });
  map.set('a', 1);
  expect(map.get('a')).toBeUndefined();
  expect(() => new BoundedMap<string, number>({ maxEntries: 1, maxSize: 10 })).toThrow(TypeError);
});

import { expect, it } from 'vitest';
import { Doorkeeper, hashOf } from './doorkeeper.js';

it('lets a key in on its second sighting only, and forgets every first sighting when full', () => {
  const door = new Doorkeeper(2);
  expect(door.admit('a')).toBe(false);
  expect(door.admit('a')).toBe(true);
  // Let in: forgotten, so a third sighting starts over.
  expect(door.admit('a')).toBe(false);
  expect(door.admit('b')).toBe(false);
  // Full (a, b): remembering c forgets both.
  expect(door.admit('c')).toBe(false);
  expect(door.admit('a')).toBe(false);
  expect(door.admit('c')).toBe(true);
});

it('tells the same key of different things apart by the seed', () => {
  const door = new Doorkeeper();
  const [a, b] = [hashOf('select 1'), hashOf('select 2')];
  expect(a).not.toBe(b);
  expect(door.admit('k', a)).toBe(false);
  expect(door.admit('k', b)).toBe(false);
  expect(door.admit('k', a)).toBe(true);
  expect(door.admit('k', b)).toBe(true);
});

it('hashes to small non-negative integers, equal for equal text', () => {
  for (const text of ['', 'a', 'file:///w/t/metadata/00001.json', 'ü✓'.repeat(100)]) {
    const h = hashOf(text);
    expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
    expect(hashOf(`${text}`)).toBe(h);
  }
  expect(hashOf('ab')).not.toBe(hashOf('ba'));
});

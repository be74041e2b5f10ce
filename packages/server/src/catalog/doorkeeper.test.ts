import { expect, it } from 'vitest';
import { Doorkeeper } from './doorkeeper.js';

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

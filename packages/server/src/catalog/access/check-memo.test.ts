import { expect, it } from 'vitest';
import { ListingMemo, MEMO_MAX_AGE_MS } from './check-memo.js';

const counter = () => {
  let reads = 0;
  return { read: async () => ++reads, count: () => reads };
};

it('reads once for the calls of one scan, concurrent ones included, per key', async () => {
  const memo = new ListingMemo(
    () => 0,
    () => 0,
  );
  const a = counter();
  const b = counter();
  expect(await Promise.all([memo.remember('a', a.read), memo.remember('a', a.read)])).toEqual([1, 1]);
  expect(await memo.remember('a', a.read)).toBe(1);
  expect(await memo.remember('b', b.read)).toBe(1);
  expect([a.count(), b.count()]).toEqual([1, 1]);
});

it('reads again once access changed (the decision generation moved) or the entry is older than its bound', async () => {
  let generation = 0;
  let now = 0;
  const memo = new ListingMemo(
    () => generation,
    () => now,
  );
  const a = counter();
  expect(await memo.remember('a', a.read)).toBe(1);
  generation = 1; // a grant revoked here, or announced by another process
  expect(await memo.remember('a', a.read)).toBe(2);
  now = MEMO_MAX_AGE_MS;
  expect(await memo.remember('a', a.read)).toBe(2);
  now = MEMO_MAX_AGE_MS + 1;
  expect(await memo.remember('a', a.read)).toBe(3);
});

it('does not keep a failed read', async () => {
  const memo = new ListingMemo(
    () => 0,
    () => 0,
  );
  await expect(memo.remember('a', () => Promise.reject(new Error('unavailable')))).rejects.toThrow('unavailable');
  expect(await memo.remember('a', async () => 'fresh')).toBe('fresh');
});

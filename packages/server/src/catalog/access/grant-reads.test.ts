import { expect, it } from 'vitest';
import { GrantReads } from './grant-reads.js';

const counter = (answer: (n: number) => unknown = (n) => n) => {
  let reads = 0;
  return { read: async () => answer(++reads), count: () => reads };
};

it('serves the same caller’s next requests until the bound, counted from when the read began, then reads again', async () => {
  let now = 1_000;
  const reads = new GrantReads({ ttlMs: 2_000, now: () => now });
  const c = counter();
  const memo = () => reads.memoOf('alice', 'lake');
  expect(await memo().remember('granted', c.read)).toBe(1);
  now += 1_999;
  expect(await memo().remember('granted', c.read)).toBe(1);
  now += 1;
  expect(await memo().remember('granted', c.read)).toBe(2);
  expect(c.count()).toBe(2);
});

it('never serves one caller what was read for another, nor one warehouse what was read for another', async () => {
  const reads = new GrantReads({ ttlMs: 60_000, now: () => 0 });
  const c = counter();
  expect(await reads.memoOf('alice', 'lake').remember('granted', c.read)).toBe(1);
  expect(await reads.memoOf('bob', 'lake').remember('granted', c.read)).toBe(2);
  expect(await reads.memoOf('alice', 'other').remember('granted', c.read)).toBe(3);
  expect(await reads.memoOf('alice', 'lake').remember('granted', c.read)).toBe(1);
  expect(await reads.memoOf('bob', 'lake').remember('granted', c.read)).toBe(2);
});

it('forgets everything at clear(), and does not keep a read that was on its way across it', async () => {
  const reads = new GrantReads({ ttlMs: 60_000, now: () => 0 });
  const memo = reads.memoOf('alice', 'lake');
  const c = counter();
  expect(await memo.remember('granted', c.read)).toBe(1);
  reads.clear(); // a grant revoked here, or announced by another process
  expect(await memo.remember('granted', c.read)).toBe(2);

  let release!: (v: string) => void;
  const racing = memo.remember('slow', () => new Promise<string>((r) => (release = r)));
  reads.clear();
  release('read before the change');
  expect(await racing).toBe('read before the change');
  expect(await memo.remember('slow', async () => 'fresh')).toBe('fresh');
});

it('shares one read among concurrent requests, and keeps neither a failed read nor anything when the bound is 0', async () => {
  const reads = new GrantReads({ ttlMs: 60_000, now: () => 0 });
  const memo = reads.memoOf('alice', 'lake');
  const c = counter();
  expect(await Promise.all([memo.remember('granted', c.read), memo.remember('granted', c.read)])).toEqual([1, 1]);
  expect(c.count()).toBe(1);
  await expect(memo.remember('failing', () => Promise.reject(new Error('unavailable')))).rejects.toThrow('unavailable');
  expect(await memo.remember('failing', async () => 'fresh')).toBe('fresh');

  const off = new GrantReads({ ttlMs: 0, now: () => 0 }).memoOf('alice', 'lake');
  const d = counter();
  await off.remember('granted', d.read);
  await off.remember('granted', d.read);
  expect(d.count()).toBe(2);
});

it('keeps an unknown answer (undefined) like any other', async () => {
  const reads = new GrantReads({ ttlMs: 60_000, now: () => 0 });
  const c = counter(() => undefined);
  expect(await reads.memoOf('alice', 'lake').remember('granted', c.read)).toBeUndefined();
  expect(await reads.memoOf('alice', 'lake').remember('granted', c.read)).toBeUndefined();
  expect(c.count()).toBe(1);
});

it('holds at most maxEntries entries, dropping the least recently used first', async () => {
  const reads = new GrantReads({ ttlMs: 60_000, now: () => 0, maxEntries: 2 });
  const c = counter();
  const of = (who: string) => reads.memoOf(who, 'lake').remember('granted', c.read);
  expect([await of('a'), await of('b')]).toEqual([1, 2]);
  expect(await of('a')).toBe(1); // a used after b: b goes first
  expect(await of('c')).toBe(3);
  expect(reads.size).toBe(2);
  expect([await of('a'), await of('c')]).toEqual([1, 3]);
  expect(await of('b')).toBe(4);
});

it('holds at most maxObjects objects in all (a set counts its members), and never one read over a sixteenth of them', async () => {
  const reads = new GrantReads({ ttlMs: 60_000, now: () => 0, maxObjects: 160 });
  const set = (n: number, tag: string) => new Set(Array.from({ length: n }, (_, i) => `${tag}${i}`));
  const c = counter((n) => set(9, `r${n}-`));
  const of = (who: string) => reads.memoOf(who, 'lake').remember('granted', c.read);
  for (const who of Array.from({ length: 16 }, (_, i) => `p${i}`)) await of(who); // 16 × 10 = 160: all kept
  expect(reads.size).toBe(16);
  await of('p0'); // used: p1 is now the least recent
  await of('p16');
  expect(reads.size).toBe(16);
  const before = c.count();
  await of('p0');
  expect(c.count()).toBe(before);
  await of('p1');
  expect(c.count()).toBe(before + 1);

  const big = new GrantReads({ ttlMs: 60_000, now: () => 0, maxObjects: 160 });
  const d = counter(() => set(10, 'x')); // 11 > 160 / 16
  await big.memoOf('alice', 'lake').remember('granted', d.read);
  await big.memoOf('alice', 'lake').remember('granted', d.read);
  expect(d.count()).toBe(2);
});

it('tells each caller when the read it serves began (a denial made from it may be kept from then on only)', async () => {
  let now = 100;
  const reads = new GrantReads({ ttlMs: 60_000, now: () => now });
  const heard: number[] = [];
  const memo = reads.memoOf('alice', 'lake', (since) => heard.push(since));
  await memo.remember('granted', async () => 'x');
  now = 500;
  await memo.remember('granted', async () => 'y');
  let release!: (v: string) => void;
  const slow = memo.remember('slow', () => new Promise<string>((r) => (release = r)));
  now = 700;
  const joined = memo.remember('slow', async () => 'never read');
  release('z');
  expect([await slow, await joined]).toEqual(['z', 'z']);
  expect(heard).toEqual([100, 100, 500, 500]);
});

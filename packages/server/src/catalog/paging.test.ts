import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_PAGE_SIZE, PageTokens, everyPage, listingOf, toPage, visiblePage } from './paging.js';

describe('page tokens', () => {
  const tokens = new PageTokens(randomBytes(32));
  const listing = listingOf('lake', ['sales'], 'table');

  const rows = Array.from({ length: 12_000 }, (_, i) => `secret${String(i).padStart(5, '0')}`);
  const fetch = async (after: string | undefined, limit: number) => rows.filter((r) => after === undefined || r > after).slice(0, limit);

  it('a page shortened by authorization filtering keeps reading until it is full or the listing ends', async () => {
    // Only the last row is visible: the page is not handed back short (or empty) with a token, whatever lies before it.
    const last = await visiblePage(
      toPage({ pageSize: 10 }, tokens, listing),
      fetch,
      async (items) => items.map((r) => r === rows.at(-1)),
      (r) => r,
    );
    expect(last).toEqual({ items: [rows.at(-1)], nextPageToken: null });
    // Every 1000th row visible: full pages of 3, each resuming after its last visible row.
    const visible = async (items: string[]) => items.map((r) => Number(r.slice(6)) % 1000 === 0);
    const first = await visiblePage(toPage({ pageSize: 3 }, tokens, listing), fetch, visible, (r) => r);
    expect(first.items).toEqual(['secret00000', 'secret01000', 'secret02000']);
    expect(Buffer.from(first.nextPageToken!, 'base64url').toString('latin1')).not.toMatch(/secret/);
    const second = await visiblePage(toPage({ pageSize: 3, pageToken: first.nextPageToken! }, tokens, listing), fetch, visible, (r) => r);
    expect(second.items).toEqual(['secret03000', 'secret04000', 'secret05000']);
  });

  it('clamp a pageSize above the maximum instead of refusing it; refuse one below 1', () => {
    expect(toPage({ pageSize: 5000 }, tokens, listing).limit).toBe(MAX_PAGE_SIZE);
    expect(toPage({ pageSize: 7 }, tokens, listing).limit).toBe(7);
    expect(() => toPage({ pageSize: 0 }, tokens, listing)).toThrow(/pageSize/);
  });

  it('read a whole listing page after page, the first before returning and the rest as consumed', async () => {
    const asked: string[] = [];
    const pages = await everyPage(async (token) => {
      asked.push(token);
      const n = token === '' ? 0 : Number(token);
      return { items: [n, n + 1], nextPageToken: n + 2 < 6 ? String(n + 2) : null };
    });
    expect(asked).toEqual(['']);
    expect(pages.complete).toBeUndefined();
    const all: number[] = [];
    for await (const items of pages.pages) all.push(...items);
    expect(all).toEqual([0, 1, 2, 3, 4, 5]);
    expect(asked).toEqual(['', '2', '4']);
    // One page: its items at once.
    expect((await everyPage(async () => ({ items: [1], nextPageToken: null }))).complete).toEqual([1]);
  });

  it('open only for the listing they were made for, and only when made by a holder of the key', () => {
    const token = tokens.seal('orders', listing);
    expect(tokens.seal('orders', listing)).toBe(token);
    expect(tokens.open(token, listing)).toBe('orders');
    expect(tokens.open(token, listingOf('lake', ['sales'], 'view'))).toBeUndefined();
    expect(tokens.open(token, listingOf('lake', ['hr'], 'table'))).toBeUndefined();
    expect(new PageTokens(randomBytes(32)).open(token, listing)).toBeUndefined();
    for (const bad of [`${token}A`, token.slice(1), '', '.', 'x'.repeat(9000)]) expect(tokens.open(bad, listing)).toBeUndefined();
    expect(() => toPage({ pageToken: 'nope' }, tokens, listing)).toThrow(/pageToken is not valid/);
  });
});

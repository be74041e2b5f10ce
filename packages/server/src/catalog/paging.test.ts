import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_FILTER_SCAN, PageTokens, listingOf, toPage, visiblePage } from './paging.js';

describe('page tokens', () => {
  const tokens = new PageTokens(randomBytes(32));
  const listing = listingOf('lake', ['sales'], 'table');

  it('resume a filtered listing after a row the caller may not see without showing its name', async () => {
    const rows = Array.from({ length: MAX_FILTER_SCAN + 500 }, (_, i) => `secret${String(i).padStart(5, '0')}`);
    const fetch = async (after: string | undefined, limit: number) => rows.filter((r) => after === undefined || r > after).slice(0, limit);
    const first = await visiblePage(toPage({ pageSize: 10 }, tokens, listing), fetch, async (items) => items.map((r) => r === rows.at(-1)), (r) => r);
    expect(first.items).toEqual([]);
    const token = first.nextPageToken!;
    expect(Buffer.from(token, 'base64url').toString('latin1')).not.toMatch(/secret/);
    const second = await visiblePage(toPage({ pageSize: 10, pageToken: token }, tokens, listing), fetch, async (items) => items.map((r) => r === rows.at(-1)), (r) => r);
    expect(second).toEqual({ items: [rows.at(-1)], nextPageToken: null });
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

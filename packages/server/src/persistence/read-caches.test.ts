import { describe, expect, it } from 'vitest';
import { ListingCache, MetadataCache, listingKey } from './read-caches.js';

const page = (...names: string[]) => names.map((name) => ({ id: `id-${name}`, namespace: ['ns'], name }));

describe('ListingCache', () => {
  it('answers a page only under the version it was read under, and forgets it once another is seen', () => {
    const cache = new ListingCache();
    cache.set('k', '1', page('a', 'b'));
    expect(cache.get('k', '1')?.map((r) => r.name)).toEqual(['a', 'b']);
    expect(cache.get('k', '2')).toBeUndefined();
    expect(cache.get('k', '1')).toBeUndefined();
  });

  it('hands out copies of frozen rows: what a caller does to an answer does not change the next one', () => {
    const cache = new ListingCache();
    cache.set('k', '1', page('a', 'b'));
    const first = cache.get('k', '1')!;
    first.pop();
    expect(() => (first[0] as { name: string }).name = 'x').toThrow(TypeError);
    expect(() => first[0]!.namespace.push('x')).toThrow(TypeError);
    expect(cache.get('k', '1')?.map((r) => r.name)).toEqual(['a', 'b']);
  });

  it('keeps at most its row budget, the oldest pages going first, and never a page over 1,000 rows', () => {
    const cache = new ListingCache(5);
    cache.set('one', '1', page('a', 'b'));
    cache.set('two', '1', page('c', 'd'));
    cache.set('three', '1', page('e', 'f'));
    expect(cache.get('one', '1')).toBeUndefined();
    expect(cache.get('two', '1')).toHaveLength(2);
    expect(cache.get('three', '1')).toHaveLength(2);
    const big = new ListingCache();
    big.set('big', '1', Array.from({ length: 1001 }, (_, i) => ({ id: String(i), namespace: ['ns'], name: `t${i}` })));
    expect(big.get('big', '1')).toBeUndefined();
    expect(big.size).toBe(0);
  });

  it('keys pages by warehouse, namespace, kind, start and length, never confusing a start with a length', () => {
    const keys = [
      listingKey('w', 'ns', 'table', undefined, 10),
      listingKey('w', 'ns', 'table', '', 10),
      listingKey('w', 'ns', 'table', 'a', 10),
      listingKey('w', 'ns', 'table', 'a', 1),
      listingKey('w', 'ns', 'view', 'a', 10),
      listingKey('w', 'ns\u001fx', 'table', 'a', 10),
      listingKey('w2', 'ns', 'table', 'a', 10),
      listingKey('w', 'ns', 'table', 'a\u00001', 0),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('MetadataCache', () => {
  it('answers by object id and metadata location together', () => {
    const cache = new MetadataCache();
    cache.set('id-1', 'file:///m/1.json', '{"v":1}');
    expect(cache.get('id-1', 'file:///m/1.json')).toBe('{"v":1}');
    expect(cache.get('id-1', 'file:///m/2.json')).toBeUndefined();
    expect(cache.get('id-2', 'file:///m/1.json')).toBeUndefined();
  });

  it('keeps at most its character budget, the oldest going first, and never one text over a sixteenth of it', () => {
    const cache = new MetadataCache(320);
    // 16 texts of 20 characters fill the 320; the 17th pushes the oldest out.
    for (let i = 0; i < 16; i++) cache.set(`id-${i}`, 'm', 'x'.repeat(20));
    expect(cache.size).toBe(16);
    cache.set('id-16', 'm', 'y'.repeat(20));
    expect(cache.size).toBe(16);
    expect(cache.get('id-0', 'm')).toBeUndefined();
    expect(cache.get('id-1', 'm')).toBe('x'.repeat(20));
    expect(cache.get('id-16', 'm')).toBe('y'.repeat(20));
    cache.set('big', 'm', 'z'.repeat(21));
    expect(cache.get('big', 'm')).toBeUndefined();
  });
});

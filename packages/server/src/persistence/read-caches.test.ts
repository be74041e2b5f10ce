import { describe, expect, it } from 'vitest';
import { ListingCache, MetadataCache, listingKey, objectKey } from './read-caches.js';

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
    expect(() => ((first[0] as { name: string }).name = 'x')).toThrow(TypeError);
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
    big.set(
      'big',
      '1',
      Array.from({ length: 1001 }, (_, i) => ({ id: String(i), namespace: ['ns'], name: `t${i}` })),
    );
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
  const known = (id: string, json: string) => ({ id, metadataLocation: `file:///m/${id}.json`, json });

  it('keeps one entry per object name: the last metadata read, with the id and location it belongs to', () => {
    const cache = new MetadataCache();
    const key = objectKey('w', 'ns', 't');
    // Read once: remembered as seen, not kept; read again: kept; a newer read replaces it.
    cache.set(key, known('a', '{"v":1}'));
    expect(cache.get(key)).toBeUndefined();
    cache.set(key, known('a', '{"v":1}'));
    expect(cache.get(key)).toEqual(known('a', '{"v":1}'));
    cache.set(key, known('b', '{"v":2}'));
    expect(cache.get(key)).toEqual(known('b', '{"v":2}'));
    expect(cache.size).toBe(1);
    cache.delete(key);
    expect(cache.get(key)).toBeUndefined();
    expect(objectKey('w', 'ns', 't')).not.toBe(objectKey('w', 'ns\u001ft', ''));
  });

  it('keeps at most its character budget, the oldest going first, and never one text over a sixteenth of it', () => {
    const cache = new MetadataCache(320);
    // 16 texts of 20 characters fill the 320; the 17th pushes the oldest out.
    const twice = (key: string, value: ReturnType<typeof known>) => {
      cache.set(key, value);
      cache.set(key, value);
    };
    for (let i = 0; i < 16; i++) twice(`k${i}`, known(`id-${i}`, 'x'.repeat(20)));
    expect(cache.size).toBe(16);
    twice('k16', known('id-16', 'y'.repeat(20)));
    expect(cache.size).toBe(16);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k1')?.json).toBe('x'.repeat(20));
    expect(cache.get('k16')?.json).toBe('y'.repeat(20));
    // Replacing an entry gives its characters back; one too large is not kept (and drops the older one).
    cache.set('k16', known('id-16', 'z'.repeat(21)));
    expect(cache.get('k16')).toBeUndefined();
    expect(cache.size).toBe(15);
  });

  it('keeps nothing of names read once, however many (the doorkeeper forgets them in bulk when full)', () => {
    const cache = new MetadataCache(1024 * 1024, 100);
    for (let i = 0; i < 1000; i++) cache.set(`k${i}`, known(`id-${i}`, '{}'));
    expect(cache.size).toBe(0);
    cache.set('k999', known('id-999', '{}'));
    expect(cache.get('k999')?.id).toBe('id-999');
    cache.set('k0', known('id-0', '{}'));
    expect(cache.get('k0')).toBeUndefined();
  });
});

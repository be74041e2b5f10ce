import { describe, expect, it } from 'vitest';
import { AccessService } from './access-service.js';
import { MAX_RENEW, NamespaceIdCache } from './namespace-ids.js';
import type { CatalogRepository, Warehouse } from '../ports/index.js';

describe('namespace id cache', () => {
  it('answers an id until it expires, never after', () => {
    let now = 0;
    const cache = new NamespaceIdCache(1000, () => now);
    cache.set('w\u001ea', 'w', ['a'], 'id-a', cache.generation);
    now = 999;
    expect(cache.get('w\u001ea')).toBe('id-a');
    now = 1000;
    expect(cache.get('w\u001ea')).toBeUndefined();
  });

  it('offers for renewal, once, only ids of the warehouse used since read (or offered) and expiring within half the TTL, oldest first, at most the limit', () => {
    let now = 0;
    const cache = new NamespaceIdCache(1000, () => now);
    for (const [i, name] of ['a', 'b', 'c', 'd'].entries()) {
      now = i * 100;
      cache.set(`w\u001e${name}`, 'w', [name], `id-${name}`, cache.generation);
    }
    cache.set('v\u001ex', 'v', ['x'], 'id-x', cache.generation);
    for (const name of ['a', 'c', 'd']) cache.get(`w\u001e${name}`);
    cache.get('v\u001ex');
    // At 500 the horizon is 1000: a (until 1000) is due, b (1100) and later are not.
    now = 500;
    expect(cache.renewable('w', 10)).toEqual([{ key: 'w\u001ea', levels: ['a'] }]);
    // At 750 (horizon 1250): c; not a again (offered, not used since), not b (unused since read), not v's x.
    now = 750;
    expect(cache.renewable('w', 10).map((r) => r.key)).toEqual(['w\u001ec']);
    // Used again: offered again, at most the limit.
    cache.get('w\u001ea');
    cache.get('w\u001ec');
    expect(cache.renewable('w', 1).map((r) => r.key)).toEqual(['w\u001ea']);
    // Past b's expiry: b, unused, is dropped on the way; c and d are due.
    now = 1150;
    expect(cache.renewable('w', 10).map((r) => r.key)).toEqual(['w\u001ec', 'w\u001ed']);
    expect(cache.get('w\u001eb')).toBeUndefined();
  });

  it('keeps nothing read before it was cleared', () => {
    const cache = new NamespaceIdCache(1000, () => 0);
    const generation = cache.generation;
    cache.clear();
    cache.set('w\u001ea', 'w', ['a'], 'id-a', generation);
    expect(cache.get('w\u001ea')).toBeUndefined();
    cache.set('w\u001ea', 'w', ['a'], 'id-a', cache.generation);
    expect(cache.get('w\u001ea')).toBe('id-a');
  });
});

describe('namespace paths', () => {
  const warehouse = { name: 'w' } as Warehouse;
  function service(ids: Map<string, string>) {
    let now = 0;
    const reads: string[][][] = [];
    const repository = {
      async getNamespaceIds(_w: string, namespaces: string[][]) {
        reads.push(namespaces);
        return new Map(
          namespaces.flatMap((levels) =>
            ids.has(levels.join('\u001f')) ? [[levels.join('\u001f'), ids.get(levels.join('\u001f'))!] as [string, string]] : [],
          ),
        );
      },
    } as unknown as CatalogRepository;
    const access = new AccessService({ repository: () => repository, clock: { now: () => now }, cacheTtlMs: 1000 } as never);
    return { access, reads, at: (ms: number) => (now = ms) };
  }

  it('renew the ids in use along with a lookup that reads, and drop those of namespaces gone', async () => {
    const ids = new Map(Array.from({ length: 300 }, (_, i) => [`n${i}`, `id-${i}`]));
    const { access, reads, at } = service(ids);
    for (let i = 0; i < 300; i++) await access.namespacePath(warehouse, [`n${i}`]);
    expect(reads).toHaveLength(300);
    // Used again (so in use), then near expiry: one lookup of a new namespace renews MAX_RENEW of them.
    at(100);
    for (let i = 0; i < 300; i++) await access.namespacePath(warehouse, [`n${i}`]);
    expect(reads).toHaveLength(300);
    ids.delete('n1');
    ids.set('n300', 'id-300');
    at(600);
    expect((await access.namespacePath(warehouse, ['n300'])).path.namespaces).toEqual(['id-300']);
    expect(reads).toHaveLength(301);
    expect(reads[300]!.slice(1)).toEqual(Array.from({ length: MAX_RENEW }, (_, i) => [`n${i}`]));
    // Renewed: answered from the cache past their first expiry, without a read.
    at(1100);
    expect((await access.namespacePath(warehouse, ['n0'])).path.namespaces).toEqual(['id-0']);
    expect(reads).toHaveLength(301);
    // The dropped one was forgotten by the renewal: missing now, read again.
    expect((await access.namespacePath(warehouse, ['n1'])).missing).toBe(true);
    expect(reads).toHaveLength(302);
  });
});

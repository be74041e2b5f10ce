import { describe, expect, it } from 'vitest';
import { ManifestCache } from './manifest-cache.js';
import { ManifestReader } from './manifest-reader.js';
import type { ManifestEntry, ManifestFile, ManifestSource } from '../ports/manifests.js';

const m = (path: string, seq = 1) => ({ path, sequenceNumber: seq, addedSnapshotId: 7n }) as ManifestFile;
const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ status: 1, sequenceNumber: i }) as ManifestEntry);

describe('the decoded-manifest cache', () => {
  it('keeps the most recently used manifests within its entry bound', () => {
    const cache = new ManifestCache(40);
    cache.put(m('a'), entries(10));
    cache.put(m('b'), entries(10));
    cache.put(m('c'), entries(10));
    expect(cache.get(m('a'))).toHaveLength(10); // a is now the most recent
    cache.put(m('d'), entries(10));
    cache.put(m('e'), entries(10)); // over 40: b, the least recent, goes
    expect(cache.get(m('b'))).toBeUndefined();
    expect(cache.get(m('a'))).toHaveLength(10);
    expect(cache.size.entries).toBeLessThanOrEqual(40);
    cache.put(m('huge'), entries(11)); // more than a quarter of the bound: never kept
    expect(cache.get(m('huge'))).toBeUndefined();
    // The same path inheriting another sequence number is another manifest list's view: a separate key.
    expect(cache.get(m('a', 2))).toBeUndefined();
  });

  it("still refuses a cached manifest outside the reading table's location", async () => {
    const cache = new ManifestCache(100);
    cache.put(m('s3://b/t1/metadata/m.avro'), entries(1));
    const source: ManifestSource = { read: async () => new Uint8Array() };
    const other = new ManifestReader(source, ['s3://b/t2'], cache);
    const read = async () => {
      for await (const _ of other.readManifest(m('s3://b/t1/metadata/m.avro'))) void _;
    };
    await expect(read()).rejects.toMatchObject({ code: 'ERR_VALIDATION', message: expect.stringMatching(/outside the table's location/) });
    const own = new ManifestReader(source, ['s3://b/t1'], cache);
    const got: ManifestEntry[] = [];
    for await (const e of own.readManifest(m('s3://b/t1/metadata/m.avro'))) got.push(e);
    expect(got).toHaveLength(1); // from the cache: the source holds no Avro
  });

  it('never answers one scope (warehouse and table) with the entries another scope decoded', async () => {
    // Two warehouses may name the same path on different stores: a cache shared by the server must not mix them.
    const cache = new ManifestCache(100);
    const path = 's3://b/t1/metadata/m.avro';
    cache.put(m(path), entries(3), 'wh-a\u0000uuid-1');
    expect(cache.get(m(path), 'wh-a\u0000uuid-1')).toHaveLength(3);
    expect(cache.get(m(path), 'wh-b\u0000uuid-2')).toBeUndefined();
    const source: ManifestSource = {
      read: async () => {
        throw new Error('read from the store');
      },
    };
    const otherWarehouse = new ManifestReader(source, ['s3://b/t1'], cache, 'wh-b\u0000uuid-2');
    const read = async () => {
      for await (const _ of otherWarehouse.readManifest(m(path))) void _;
    };
    await expect(read()).rejects.toThrow(); // not served from the other scope's entries: read (and here fail) for real
  });

  it("keeps manifest lists too: a kept list opens no file, is a copy, and is refused outside the table's location", async () => {
    const cache = new ManifestCache(100);
    const list = 's3://b/t1/metadata/snap-1.avro';
    cache.putList(list, [m('s3://b/t1/metadata/m1.avro'), m('s3://b/t1/metadata/m2.avro')], 'wh\u0000t1');
    const source: ManifestSource = {
      read: async () => {
        throw new Error('read from the store');
      },
    };
    const own = new ManifestReader(source, ['s3://b/t1'], cache, 'wh\u0000t1');
    const got = await own.readManifestList(list);
    expect(got.map((x) => x.path)).toEqual(['s3://b/t1/metadata/m1.avro', 's3://b/t1/metadata/m2.avro']);
    got.pop(); // the caller's own array
    expect(await own.readManifestList(list)).toHaveLength(2);
    await expect(new ManifestReader(source, ['s3://b/t2'], cache, 'wh\u0000t1').readManifestList(list)).rejects.toMatchObject({
      message: expect.stringMatching(/outside the table's location/),
    });
    await expect(new ManifestReader(source, ['s3://b/t1'], cache, 'wh2\u0000t1').readManifestList(list)).rejects.toThrow('read from the store');
    // Counted in the same entry bound as manifests.
    expect(cache.size.entries).toBe(2);
  });
});

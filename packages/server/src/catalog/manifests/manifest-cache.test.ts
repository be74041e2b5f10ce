import { describe, expect, it } from 'vitest';
import { ManifestCache, entryBytes } from './manifest-cache.js';
import { ManifestReader } from './manifest-reader.js';
import type { ManifestEntry, ManifestFile, ManifestSource } from '../ports/manifests.js';

const m = (path: string, seq = 1) => ({ path, sequenceNumber: seq, addedSnapshotId: 7n }) as ManifestFile;
/** A decoded data-file entry with full stats for `columns` columns, shaped as the reader returns it. */
const entry = (i: number, columns = 1, block?: Uint8Array): ManifestEntry => {
  const counts = () => new Map(Array.from({ length: columns }, (_, c) => [c + 1, 100 + i]));
  const bounds = (at: number) =>
    new Map(Array.from({ length: columns }, (_, c) => [c + 1, block ? block.subarray(at + 8 * c, at + 8 * c + 8) : new Uint8Array(8)]));
  return {
    status: 1,
    snapshotId: 7n,
    sequenceNumber: i,
    fileSequenceNumber: i,
    file: {
      content: 0,
      filePath: `s3://b/t1/data/00000-${i}-0123456789abcdef.parquet`,
      fileFormat: 'PARQUET',
      partition: [],
      recordCount: 100,
      fileSizeInBytes: 1000,
      columnSizes: counts(),
      valueCounts: counts(),
      nullValueCounts: counts(),
      nanValueCounts: null,
      lowerBounds: bounds(0),
      upperBounds: bounds(8 * columns),
      keyMetadata: null,
      splitOffsets: [4],
      equalityIds: null,
      sortOrderId: 0,
      firstRowId: null,
      referencedDataFile: null,
      contentOffset: null,
      contentSizeInBytes: null,
    },
  };
};
const entries = (n: number, columns = 1) => Array.from({ length: n }, (_, i) => entry(i, columns));

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

  it('is bounded by the bytes its entries hold, not only by their number: wide entries evict sooner', () => {
    const narrow = entryBytes(entry(1, 3));
    const wide = entryBytes(entry(1, 50));
    expect(narrow).toBeGreaterThan(2000); // about 2.2 KB of heap measured (bench/manifest-cache-bytes.mjs)
    expect(wide).toBeGreaterThan(8 * narrow); // about 20 KB measured
    // An entry bound that alone would keep 1,000 entries; the byte budget holds about 40 wide ones.
    const cache = new ManifestCache(1000, 40 * wide);
    for (let i = 0; i < 10; i++) cache.put(m(`w${i}`), entries(8, 50));
    expect(cache.size.bytes).toBeLessThanOrEqual(40 * wide);
    expect(cache.size.entries).toBeLessThanOrEqual(40);
    expect(cache.get(m('w0'))).toBeUndefined(); // the least recent went first
    expect(cache.get(m('w9'))).toHaveLength(8);
    // One manifest over a quarter of the byte budget is never kept, so it cannot empty the cache.
    cache.put(m('huge'), entries(11, 50));
    expect(cache.get(m('huge'))).toBeUndefined();
    expect(cache.get(m('w9'))).toHaveLength(8);
    // Narrow entries under the same budget: the entry bound is the one that holds.
    const roomy = new ManifestCache(100, 40 * wide);
    for (let i = 0; i < 20; i++) roomy.put(m(`n${i}`), entries(10, 3));
    expect(roomy.size.entries).toBeLessThanOrEqual(100);
    expect(roomy.size.bytes).toBeLessThanOrEqual(40 * wide);
  });

  it("counts the decoded block an entry's byte arrays are views of, once per block", () => {
    // Avro byte values are views of their decompressed block: keeping the entries keeps the block alive.
    const block = new Uint8Array(64 * 1024);
    const views = Array.from({ length: 4 }, (_, i) => entry(i, 2, block));
    const copies = Array.from({ length: 4 }, (_, i) => entry(i, 2));
    const a = new ManifestCache(100);
    a.put(m('views'), views);
    const b = new ManifestCache(100);
    b.put(m('copies'), copies);
    expect(a.size.bytes - b.size.bytes).toBe(block.byteLength); // the block once, not once per entry
    // A budget too small for the block refuses the manifest, though its entries alone would fit.
    const small = new ManifestCache(100, 4 * (b.size.bytes + 1024));
    small.put(m('views'), views);
    expect(small.get(m('views'))).toBeUndefined();
    small.put(m('copies'), copies);
    expect(small.get(m('copies'))).toHaveLength(4);
  });
});

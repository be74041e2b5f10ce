import { describe, expect, it } from 'vitest';
import { contentFile } from '../../../../../../test/support/content-files.js';
import { binPack, deletedShare, fileSizeRange } from './bin-pack.js';

const f = (path: string, bytes: number, partition: unknown[] = ['a'], specId = 0, share?: number) => ({
  path,
  bytes,
  partition,
  specId,
  ...(share === undefined ? {} : { deletedShare: share }),
});
const settings = { targetBytes: 100, minFileBytes: 75, minInputFiles: 2 };
const paths = (groups: { path: string }[][]) => groups.map((g) => g.map((x) => x.path));

describe('binPack', () => {
  it('packs small files per partition into groups of at most the target, largest first', () => {
    const groups = binPack([f('1', 60), f('2', 50), f('3', 40), f('4', 30), f('5', 10, ['b']), f('6', 20, ['b'])], settings);
    expect(paths(groups)).toEqual([
      ['1', '3'],
      ['2', '4'],
      ['6', '5'],
    ]);
  });

  it('leaves files at or above the small-file size, and a lone small file, alone', () => {
    expect(binPack([f('big', 80), f('small', 10)], settings)).toEqual([]);
  });

  it('never mixes partitions nor specs, bigint and bytes values included', () => {
    const groups = binPack(
      [f('1', 10, [1n]), f('2', 10, [1n]), f('3', 10, [1n], 1), f('4', 10, [new Uint8Array([1])]), f('5', 10, [new Uint8Array([2])])],
      settings,
    );
    expect(paths(groups)).toEqual([['1', '2']]);
  });
});

// Iceberg's candidate and group rules (SizeBasedFileRewritePlanner, BinPackRewriteFilePlanner), with its default
// min-input-files of 5 (the schedule's default too).
describe('binPack: which partitions are rewritten', () => {
  const iceberg = { targetBytes: 100, minFileBytes: 75, minInputFiles: 5, groupBytes: 200 };

  it('rewrites fewer than min-input-files small files when together they hold more than the target, and no fewer', () => {
    // Four files at half the target and two at 60%: no group reaches five files, but each holds more than the target.
    expect(paths(binPack([f('1', 50), f('2', 50), f('3', 50), f('4', 50)], iceberg))).toEqual([['1', '2', '3', '4']]);
    expect(paths(binPack([f('1', 60, ['b']), f('2', 60, ['b'])], iceberg))).toEqual([['1', '2']]);
    // Few small files under the target, files near the target, and a file with deletes under the ratio threshold wait.
    expect(binPack([f('1', 10), f('2', 10), f('3', 10)], iceberg)).toEqual([]);
    expect(binPack([f('1', 80), f('2', 80), f('3', 80), f('4', 80), f('5', 80), f('6', 10)], iceberg)).toEqual([]);
    expect(binPack([f('1', 10, ['a'], 0, 0.29)], iceberg)).toEqual([]);
  });

  it('counts min-input-files over the partition, not over each group of the group size', () => {
    // Twelve files at 10% with groups of at most the target: a group of 10 and one of 2, both rewritten.
    const twelve = Array.from({ length: 12 }, (_, i) => f(String(i).padStart(2, '0'), 10));
    expect(binPack(twelve, { ...iceberg, groupBytes: 100 }).map((g) => g.length)).toEqual([10, 2]);
  });

  it('rewrites a file with deletes over the ratio threshold, alone and whatever its size', () => {
    expect(paths(binPack([f('lone', 10, ['a'], 0, 0.3)], iceberg))).toEqual([['lone']]);
    expect(paths(binPack([f('near', 80, ['a'], 0, 0.5), f('other', 90)], iceberg))).toEqual([['near']]);
    expect(paths(binPack([f('big', 190, ['a'], 0, 1), f('small', 10)], { ...iceberg, deleteRatioThreshold: 0.5 }))).toEqual([['big', 'small']]);
  });
});

// Iceberg's max-file-size-bytes (default 1.8 times the target) and delete-file-threshold (default off).
describe('binPack: files above the size range, and delete files over the threshold', () => {
  const iceberg = { targetBytes: 100, minFileBytes: 75, minInputFiles: 5, groupBytes: 200 };

  it('rewrites a clean file above max-file-size-bytes alone (split into files of the target), and one at it not', () => {
    expect(paths(binPack([f('huge', 181), f('fine', 100)], iceberg))).toEqual([['huge']]);
    expect(binPack([f('edge', 180), f('fine', 100)], iceberg)).toEqual([]);
    expect(paths(binPack([f('over', 150)], { ...iceberg, maxFileBytes: 140 }))).toEqual([['over']]);
    // Beyond the group size it stays alone; the partition's small files are packed apart and judged as before.
    expect(paths(binPack([f('huge', 500), f('1', 10), f('2', 10)], iceberg))).toEqual([['huge'], ['1', '2']]);
  });

  it('rewrites a file with at least delete-file-threshold delete files, whatever its size, and none without the option', () => {
    const withDeletes = (path: string, bytes: number, deleteFiles: number) => ({ ...f(path, bytes), deleteFiles });
    expect(paths(binPack([withDeletes('d', 90, 3)], { ...iceberg, deleteFileThreshold: 3 }))).toEqual([['d']]);
    expect(binPack([withDeletes('d', 90, 3)], { ...iceberg, deleteFileThreshold: 4 })).toEqual([]);
    expect(binPack([withDeletes('d', 90, 3)], iceberg)).toEqual([]);
  });
});

describe('fileSizeRange', () => {
  it("defaults to 3/4 and 1.8 times the target, and refuses a range that does not hold the target (Iceberg's checks)", () => {
    expect(fileSizeRange(100, undefined, undefined)).toEqual({ minFileBytes: 75, maxFileBytes: 180 });
    expect(fileSizeRange(100, 10, 101)).toEqual({ minFileBytes: 10, maxFileBytes: 101 });
    expect(() => fileSizeRange(100, 100, undefined)).toThrow(/min-file-size-bytes \(100\) must be below the target/);
    expect(() => fileSizeRange(100, undefined, 100)).toThrow(/max-file-size-bytes \(100\) must be above the target/);
  });
});

describe('deletedShare', () => {
  const data = contentFile('s3://b/d.parquet', { recordCount: 10 });
  it('counts the rows of deletes scoped to the file (a DV, a position delete file naming it), at most all', () => {
    const dv = contentFile('s3://b/dv.puffin', { content: 1, fileFormat: 'puffin', recordCount: 3, referencedDataFile: 's3://b/d.parquet' });
    const bound = Buffer.from('s3://b/d.parquet');
    const scoped = contentFile('s3://b/pos.parquet', {
      content: 1,
      recordCount: 4,
      lowerBounds: new Map([[2147483546, bound]]),
      upperBounds: new Map([[2147483546, bound]]),
    });
    expect(deletedShare(data, [dv])).toBe(0.3);
    expect(deletedShare(data, [dv, scoped])).toBe(0.7);
    expect(deletedShare(data, [dv, scoped, dv, dv])).toBe(1);
  });
  it('counts nothing of equality deletes nor of position delete files naming several files', () => {
    const eq = contentFile('s3://b/eq.parquet', { content: 2, recordCount: 9, equalityIds: [1] });
    const wide = contentFile('s3://b/wide.parquet', { content: 1, recordCount: 9 });
    expect(deletedShare(data, [eq, wide])).toBe(0);
  });
});

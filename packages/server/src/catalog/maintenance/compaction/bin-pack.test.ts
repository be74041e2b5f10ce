import { describe, expect, it } from 'vitest';
import { binPack } from './bin-pack.js';

const f = (path: string, bytes: number, partition: unknown[] = ['a'], specId = 0) => ({ path, bytes, partition, specId });
const settings = { targetBytes: 100, minFileBytes: 75, minInputFiles: 2 };

describe('binPack', () => {
  it('packs small files per partition into groups of at most the target, largest first', () => {
    const groups = binPack([f('1', 60), f('2', 50), f('3', 40), f('4', 30), f('5', 10, ['b']), f('6', 20, ['b'])], settings);
    expect(groups.map((g) => g.map((x) => x.path))).toEqual([
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
    expect(groups.map((g) => g.map((x) => x.path))).toEqual([['1', '2']]);
  });
});

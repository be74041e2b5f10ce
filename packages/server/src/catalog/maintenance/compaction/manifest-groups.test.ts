import { describe, expect, it } from 'vitest';
import { clusterEntries, comparePartitions, manifestsToMerge } from './manifest-groups.js';

describe('manifestsToMerge', () => {
  it('merges the small manifests of each kind and spec, and leaves a lone small one and the large ones', () => {
    const m = (name: string, content: 0 | 1, partitionSpecId: number, length: number) => ({ name, content, partitionSpecId, length });
    const groups = manifestsToMerge(
      [m('a', 0, 0, 100), m('b', 0, 0, 200), m('big', 0, 0, 5000), m('c', 0, 1, 100), m('d', 1, 0, 10), m('e', 1, 0, 20), m('f', 0, 1, 1000)],
      1000,
    );
    expect([...groups.keys()].sort()).toEqual(['0:0', '1:0']);
    expect(groups.get('0:0')!.map((x) => x.name)).toEqual(['a', 'b']);
    expect(groups.get('1:0')!.map((x) => x.name)).toEqual(['d', 'e']);
  });
});

describe('clusterEntries', () => {
  it('sorts entries by partition and cuts them near the target, so each output covers a narrow range', () => {
    const entries = ['eu', 'us', 'ap', 'eu', 'us', 'ap', 'eu', 'us', 'ap'].map((region, i) => ({ partition: [region], bytes: 100, i }));
    const runs = clusterEntries(entries, 300);
    expect(runs.map((r) => r.map((e) => e.partition[0]))).toEqual([
      ['ap', 'ap', 'ap'],
      ['eu', 'eu', 'eu'],
      ['us', 'us', 'us'],
    ]);
    expect(runs.flat().length).toBe(entries.length);
  });

  it('puts an entry heavier than the target in a run of its own, and never an empty run', () => {
    const runs = clusterEntries(
      [
        { partition: [1], bytes: 50 },
        { partition: [2], bytes: 500 },
        { partition: [3], bytes: 50 },
      ],
      100,
    );
    expect(runs.map((r) => r.map((e) => e.partition[0]))).toEqual([[1], [2], [3]]);
    expect(clusterEntries([], 100)).toEqual([]);
  });
});

describe('comparePartitions', () => {
  it('orders nulls first, numbers numerically (bigint too), strings and bytes by value', () => {
    expect(comparePartitions([null], [0])).toBeLessThan(0);
    expect(comparePartitions([2], [10])).toBeLessThan(0);
    expect(comparePartitions([10n], [9n])).toBeGreaterThan(0);
    expect(comparePartitions(['b'], ['a'])).toBeGreaterThan(0);
    expect(comparePartitions([new Uint8Array([1, 2])], [new Uint8Array([1, 3])])).toBeLessThan(0);
    expect(comparePartitions(['eu', 1], ['eu', 1])).toBe(0);
    expect(comparePartitions(['eu', 1], ['eu', 2])).toBeLessThan(0);
  });
});

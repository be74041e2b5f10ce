import { describe, expect, it } from 'vitest';
import type { ManifestReader } from '../manifests/manifest-reader.js';
import type { ContentFile, ManifestEntry, ManifestFile } from '../ports/manifests.js';
import type { PartitionSpec, Schema } from '../metadata/types.js';
import { DELETE_FILE_PATH_ID } from './delete-index.js';
import { bindFilter } from '../kit/expression.js';
import { planFiles } from './plan-files.js';

const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: false, type: 'long' },
    { id: 2, name: 'cat', required: false, type: 'string' },
  ],
} as Schema;
const specs: PartitionSpec[] = [
  { 'spec-id': 0, fields: [{ 'field-id': 1000, 'source-id': 2, name: 'cat', transform: 'identity' }] },
  { 'spec-id': 1, fields: [] },
];
const long = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(n));
  return new Uint8Array(b);
};
const file = (filePath: string, content: 0 | 1 | 2, partition: unknown[], extra: Partial<ContentFile> = {}) =>
  ({
    content,
    filePath,
    fileFormat: 'parquet',
    partition,
    recordCount: 1,
    referencedDataFile: null,
    equalityIds: content === 2 ? [1] : null,
    lowerBounds: null,
    upperBounds: null,
    valueCounts: null,
    nullValueCounts: null,
    nanValueCounts: null,
    ...extra,
  }) as ContentFile;
const manifest = (path: string, content: 0 | 1, specId = 0, partitions: ManifestFile['partitions'] = null) =>
  ({ path, content, partitionSpecId: specId, partitions }) as ManifestFile;
const entry = (f: ContentFile, seq: number) => ({ status: 1, snapshotId: 1n, sequenceNumber: seq, fileSequenceNumber: seq, file: f }) as ManifestEntry;

function readerOf(manifests: Array<[ManifestFile, ManifestEntry[]]>, read: string[] = []): ManifestReader {
  return {
    readManifestList: async () => manifests.map(([m]) => m),
    async *readManifest(m: ManifestFile) {
      read.push(m.path);
      yield* manifests.find(([x]) => x.path === m.path)![1];
    },
  } as unknown as ManifestReader;
}

describe('delete files attached to data files', () => {
  it("by sequence number, partition and referenced data file, as Iceberg Java's DeleteFileIndex does", async () => {
    const a1 = file('a1', 0, ['a']);
    const a2 = file('a2', 0, ['a']);
    const b1 = file('b1', 0, ['b']);
    const posA = file('pos-a', 1, ['a']); // seq 2: applies to a2 (seq 2, same sequence); a1 has a DV instead
    const dvA1 = file('dv-a1', 1, ['a'], { fileFormat: 'puffin', referencedDataFile: 'a1', contentOffset: 4, contentSizeInBytes: 40 });
    const posB1 = file('pos-b1', 1, ['b'], {
      lowerBounds: new Map([[DELETE_FILE_PATH_ID, Buffer.from('b1')]]),
      upperBounds: new Map([[DELETE_FILE_PATH_ID, Buffer.from('b1')]]),
    });
    const eqA = file('eq-a', 2, ['a']); // seq 2: applies to a1 (seq 1), not a2 (seq 2)
    const eqGlobal = file('eq-all', 2, []); // unpartitioned spec 1, seq 3: applies everywhere older
    const reader = readerOf([
      [manifest('d1', 0), [entry(a1, 1), entry(b1, 1), entry(a2, 2)]],
      [manifest('x1', 1), [entry(posA, 2), entry(dvA1, 3), entry(eqA, 2), entry(posB1, 2)]],
      [manifest('x2', 1, 1), [entry(eqGlobal, 3)]],
    ]);
    const plan = await planFiles(reader, 'list', bindFilter(true, schema, true), { specs, schema });
    const deletesOf = (p: string) =>
      plan.tasks
        .find((t) => t.file.filePath === p)!
        .deletes.map((d) => d.filePath)
        .sort();
    expect(deletesOf('a1')).toEqual(['dv-a1', 'eq-a', 'eq-all']);
    expect(deletesOf('a2')).toEqual(['eq-all', 'pos-a']);
    expect(deletesOf('b1')).toEqual(['eq-all', 'pos-b1']);
  });

  it("skips equality deletes whose values cannot overlap the data file's, by bounds and null counts", async () => {
    const data = file('d', 0, ['a'], {
      lowerBounds: new Map([[1, long(10)]]),
      upperBounds: new Map([[1, long(20)]]),
      nullValueCounts: new Map([[1, 0]]),
      valueCounts: new Map([[1, 5]]),
    });
    const far = file('eq-far', 2, ['a'], {
      lowerBounds: new Map([[1, long(30)]]),
      upperBounds: new Map([[1, long(40)]]),
      nullValueCounts: new Map([[1, 0]]),
      valueCounts: new Map([[1, 2]]),
    });
    const near = file('eq-near', 2, ['a'], {
      lowerBounds: new Map([[1, long(15)]]),
      upperBounds: new Map([[1, long(40)]]),
      nullValueCounts: new Map([[1, 0]]),
      valueCounts: new Map([[1, 2]]),
    });
    const nullsOnly = file('eq-null', 2, ['a'], { nullValueCounts: new Map([[1, 2]]), valueCounts: new Map([[1, 2]]) });
    const reader = readerOf([
      [manifest('d1', 0), [entry(data, 1)]],
      [manifest('x1', 1), [entry(far, 2), entry(near, 2), entry(nullsOnly, 2)]],
    ]);
    const plan = await planFiles(reader, 'list', bindFilter(true, schema, true), { specs, schema });
    expect(plan.tasks[0]!.deletes.map((d) => d.filePath)).toEqual(['eq-near']);
  });
});

describe('partition pruning in planFiles', () => {
  it('skips manifests by their summaries unread, then files by partition, per spec', async () => {
    const summary = (v: string) => [
      { containsNull: false, containsNan: null, lowerBound: new Uint8Array(Buffer.from(v)), upperBound: new Uint8Array(Buffer.from(v)) },
    ];
    const read: string[] = [];
    const reader = readerOf(
      [
        [manifest('ma', 0, 0, summary('a')), [entry(file('a1', 0, ['a']), 1)]],
        [
          manifest('mbc', 0, 0, [
            { containsNull: false, containsNan: null, lowerBound: new Uint8Array(Buffer.from('b')), upperBound: new Uint8Array(Buffer.from('c')) },
          ]),
          [entry(file('b1', 0, ['b']), 1), entry(file('c1', 0, ['c']), 1)],
        ],
        [manifest('unpart', 0, 1, []), [entry(file('u1', 0, []), 1)]],
      ],
      read,
    );
    const plan = await planFiles(reader, 'list', bindFilter({ type: 'eq', term: 'cat', value: 'c' }, schema, true), { specs, schema });
    expect(plan.tasks.map((t) => t.file.filePath).sort()).toEqual(['c1', 'u1']);
    expect(read).toEqual(['mbc', 'unpart']);
    expect(plan.manifestsSkipped).toBe(1);
    // Without the specs (the old signature), nothing is partition-pruned: still correct, only less tight.
    const all = await planFiles(reader, 'list', bindFilter({ type: 'eq', term: 'cat', value: 'c' }, schema, true));
    expect(all.tasks.length).toBe(4);
  });
});

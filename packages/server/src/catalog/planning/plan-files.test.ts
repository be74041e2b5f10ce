import { describe, expect, it } from 'vitest';
import type { ManifestReader } from '../manifests/manifest-reader.js';
import type { ContentFile, ManifestEntry, ManifestFile } from '../manifests/ports.js';
import type { Schema } from '../metadata/types.js';
import { bindFilter } from './expression.js';
import { planFiles } from './plan-files.js';

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] } as Schema;
const file = (filePath: string, content: 0 | 1 | 2, partition: unknown[], extra: Partial<ContentFile> = {}) =>
  ({ content, filePath, partition, referencedDataFile: null, lowerBounds: null, upperBounds: null, valueCounts: null, nullValueCounts: null, nanValueCounts: null, ...extra }) as ContentFile;
const manifest = (path: string, content: 0 | 1, specId = 0) => ({ path, content, partitionSpecId: specId }) as ManifestFile;
const entry = (f: ContentFile, seq: number) => ({ status: 1, snapshotId: 1n, sequenceNumber: seq, fileSequenceNumber: seq, file: f }) as ManifestEntry;

function readerOf(manifests: Array<[ManifestFile, ManifestEntry[]]>): ManifestReader {
  return {
    readManifestList: async () => manifests.map(([m]) => m),
    async *readManifest(m: ManifestFile) {
      yield* manifests.find(([x]) => x.path === m.path)![1];
    },
  } as unknown as ManifestReader;
}

describe('delete files attached to data files', () => {
  it('by sequence number, partition and referenced data file, as the spec says', async () => {
    const a1 = file('a1', 0, ['a']);
    const a2 = file('a2', 0, ['a']);
    const b1 = file('b1', 0, ['b']);
    const posA = file('pos-a', 1, ['a']); // seq 2: applies to a1 (seq 1) and a2 (seq 2, same sequence)
    const dvA1 = file('dv-a1', 1, ['a'], { referencedDataFile: 'a1', contentOffset: 4, contentSizeInBytes: 40 });
    const eqA = file('eq-a', 2, ['a']); // seq 2: applies to a1 (seq 1), not a2 (seq 2)
    const eqGlobal = file('eq-all', 2, []); // unpartitioned, seq 3: applies everywhere older
    const reader = readerOf([
      [manifest('d1', 0), [entry(a1, 1), entry(b1, 1), entry(a2, 2)]],
      [manifest('x1', 1), [entry(posA, 2), entry(dvA1, 3), entry(eqA, 2)]],
      [manifest('x2', 1, 1), [entry(eqGlobal, 3)]],
    ]);
    const plan = await planFiles(reader, 'list', bindFilter(true, schema, true));
    const deletesOf = (p: string) => plan.tasks.find((t) => t.file.filePath === p)!.deletes.map((d) => d.filePath).sort();
    expect(deletesOf('a1')).toEqual(['dv-a1', 'eq-a', 'eq-all', 'pos-a']);
    expect(deletesOf('a2')).toEqual(['eq-all', 'pos-a']);
    expect(deletesOf('b1')).toEqual(['eq-all']);
  });
});

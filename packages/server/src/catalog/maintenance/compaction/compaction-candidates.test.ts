import { describe, expect, it } from 'vitest';
import { contentFile } from '../../../../../../test/support/content-files.js';
import type { ManifestReader } from '../../manifests/manifest-reader.js';
import type { ContentFile, ManifestEntry, ManifestFile } from '../../ports/manifests.js';
import type { CatalogObjectRecord } from '../../ports/index.js';
import { compactTable, type CompactionDeps, type CompactionOptions } from './compact.js';

// The plan (a dry run) of a v2 table partitioned by region whose snapshot holds the data files and delete files a
// case names, read from memory: which files a compaction picks, by Iceberg's bin-pack rules (bin-pack.ts).
const LOCATION = 'file:///warehouse/db/t';
const MiB = 1024 * 1024;
const metadata = {
  'format-version': 2,
  'table-uuid': '9c12d441-03fe-4693-9a96-a0705ddf69c1',
  location: LOCATION,
  'last-sequence-number': 2,
  'last-updated-ms': 1,
  'current-schema-id': 0,
  schemas: [
    {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', required: true, type: 'long' },
        { id: 2, name: 'region', required: false, type: 'string' },
      ],
    },
  ],
  'default-spec-id': 0,
  'partition-specs': [{ 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] }],
  'current-snapshot-id': 1000,
  refs: { main: { 'snapshot-id': 1000, type: 'branch' } },
  snapshots: [
    { 'snapshot-id': 1000, 'sequence-number': 2, 'timestamp-ms': 1, 'manifest-list': `${LOCATION}/metadata/snap.avro`, summary: { operation: 'append' } },
  ],
  properties: { 'write.target-file-size-bytes': String(10 * MiB) },
};
const record = { id: 't1', namespace: ['db'], name: 't', metadataJson: JSON.stringify(metadata) } as unknown as CatalogObjectRecord;
const manifest = (content: 0 | 1): ManifestFile => ({
  path: `${LOCATION}/metadata/m-${content}.avro`,
  length: 1,
  partitionSpecId: 0,
  content,
  sequenceNumber: 2,
  minSequenceNumber: 1,
  addedSnapshotId: 1000n,
  partitions: null,
});
const data = (name: string, bytes: number, region = 'eu'): ContentFile =>
  contentFile(`${LOCATION}/data/${name}.parquet`, { partition: [region], recordCount: 100, fileSizeInBytes: bytes });
/** A deletion vector of `rows` rows of data file `name`. */
const dv = (name: string, rows: number, region = 'eu'): ContentFile =>
  contentFile(`${LOCATION}/data/${name}-dv.puffin`, {
    content: 1,
    fileFormat: 'puffin',
    partition: [region],
    recordCount: rows,
    referencedDataFile: `${LOCATION}/data/${name}.parquet`,
    contentOffset: 4,
    contentSizeInBytes: 40,
  });

function plan(files: ContentFile[], deletes: ContentFile[] = [], minInputFiles?: number, options: CompactionOptions = {}) {
  const entries = (list: ContentFile[], seq: number) =>
    list.map((file): ManifestEntry => ({ status: 1, snapshotId: 1000n, sequenceNumber: seq, fileSequenceNumber: seq, file }));
  const reader = {
    readManifestList: async () => [manifest(0), ...(deletes.length > 0 ? [manifest(1)] : [])],
    readManifest: async function* (m: ManifestFile): AsyncGenerator<ManifestEntry> {
      yield* m.content === 0 ? entries(files, 1) : entries(deletes, 2);
    },
  } as unknown as ManifestReader;
  return compactTable({ reader, sliceMs: 0 } as unknown as CompactionDeps, record, { dryRun: true, minInputFiles, ...options });
}

describe('which data files a compaction rewrites (target 10 MiB)', () => {
  it('rewrites 4 files at half the target (over the target together) with min-input-files 5; leaves 3 small ones, and files at 80%', async () => {
    const half = [0, 1, 2, 3].map((i) => data(`h${i}`, 5 * MiB));
    const few = [0, 1, 2].map((i) => data(`s${i}`, MiB, 'us'));
    const near = [0, 1, 2, 3, 4, 5].map((i) => data(`n${i}`, 8 * MiB, 'ap'));
    expect(await plan([...half, ...few, ...near], [], 5)).toMatchObject({ outcome: 'dry-run', groups: 1, 'rewritten-data-files': 4 });
  });

  it('rewrites one small file alone for its deletion vector over 30% of its rows, not for one under it', async () => {
    expect(await plan([data('a', MiB), data('b', 9 * MiB, 'us')], [dv('a', 30), dv('b', 29, 'us')], 5)).toMatchObject({
      outcome: 'dry-run',
      groups: 1,
      'rewritten-data-files': 1,
      'rewritten-bytes': MiB,
    });
  });

  it("applies the request's delete-ratio-threshold and delete-file-threshold (Iceberg's rewrite_data_files options)", async () => {
    const files = [data('a', 9 * MiB), data('b', 9 * MiB, 'us')];
    const deletes = [dv('a', 15), dv('b', 5, 'us')];
    expect(await plan(files, deletes, 5)).toMatchObject({ outcome: 'nothing-to-do' });
    // 15% of a's rows deleted: over a ratio of 0.1, b's 5% is not.
    expect(await plan(files, deletes, 5, { deleteRatioThreshold: 0.1 })).toMatchObject({ groups: 1, 'rewritten-data-files': 1, 'rewritten-bytes': 9 * MiB });
    // One delete file each: both at a threshold of 1.
    expect(await plan(files, deletes, 5, { deleteFileThreshold: 1 })).toMatchObject({ groups: 2, 'rewritten-data-files': 2 });
    expect(await plan(files, deletes, 5, { deleteFileThreshold: 2 })).toMatchObject({ outcome: 'nothing-to-do' });
  });

  it('rewrites a file above max-file-size-bytes (default 1.8 times the target), not one in the range, and a 400 for a range that misses the target', async () => {
    expect(await plan([data('big', 19 * MiB), data('fine', 10 * MiB)])).toMatchObject({ groups: 1, 'rewritten-bytes': 19 * MiB });
    expect(await plan([data('big', 19 * MiB)], [], undefined, { maxFileSizeBytes: 20 * MiB })).toMatchObject({ outcome: 'nothing-to-do' });
    await expect(plan([data('big', 19 * MiB)], [], undefined, { minFileSizeBytes: 10 * MiB })).rejects.toThrow(/min-file-size-bytes/);
  });
});

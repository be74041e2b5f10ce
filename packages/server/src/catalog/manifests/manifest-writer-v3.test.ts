/**
 * Format version 3 manifests and lists (row lineage and deletion vectors), written and read back: a data file's
 * first_row_id kept when the entry has one and inherited from the list's first_row_id otherwise, a deletion vector's
 * content offset and size kept, the list's first_row_id on data manifests only.
 */
import { expect, it } from 'vitest';
import { ManifestCache } from './manifest-cache.js';
import { ManifestReader } from './manifest-reader.js';
import { openAvro } from './read-avro.js';
import { encodeManifest, encodeManifestList, type ListEntry, type WriteEntry } from './manifest-writer.js';
import { assignFirstRowIds } from './row-lineage.js';
import type { ContentFile, ManifestEntry } from '../ports/manifests.js';
import type { PartitionSpec, Schema } from '../metadata/types.js';
import { contentFile } from '../../../../../test/support/content-files.js';

const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } as Schema;
const spec: PartitionSpec = { 'spec-id': 0, fields: [] };
const file = (path: string, records: number, more: Partial<ContentFile> = {}): ContentFile =>
  contentFile(path, { recordCount: records, fileSizeInBytes: 100, ...more });
const entry = (status: 0 | 1 | 2, f: ContentFile): WriteEntry => ({ status, snapshotId: 7n, sequenceNumber: 3, fileSequenceNumber: 3, file: f });

it('writes v3 manifests and a list whose first_row_ids the reader inherits (spec: First Row ID Inheritance)', async () => {
  const files = new Map<string, Uint8Array>();
  const data = await encodeManifest({
    spec,
    schema,
    content: 0,
    formatVersion: 3,
    entries: [
      entry(1, file('file:///t/data/new-a.parquet', 10)),
      entry(0, file('file:///t/data/kept.parquet', 5, { firstRowId: 40 })),
      entry(2, file('file:///t/data/gone.parquet', 99)),
      entry(1, file('file:///t/data/new-b.parquet', 3)),
    ],
  });
  const deletes = await encodeManifest({
    spec,
    schema,
    content: 1,
    formatVersion: 3,
    entries: [
      entry(
        1,
        file('file:///t/data/dv.puffin', 2, {
          content: 1,
          fileFormat: 'puffin',
          referencedDataFile: 'file:///t/data/kept.parquet',
          contentOffset: 4,
          contentSizeInBytes: 40,
        }),
      ),
    ],
  });
  files.set('file:///t/metadata/d.avro', data.bytes);
  files.set('file:///t/metadata/x.avro', deletes.bytes);
  const base = { partitionSpecId: 0, sequenceNumber: 3, minSequenceNumber: 3, addedSnapshotId: 7n, partitions: null };
  const listed: ListEntry[] = [
    { ...base, path: 'file:///t/metadata/x.avro', length: deletes.bytes.length, content: 1, counts: deletes.counts },
    { ...base, path: 'file:///t/metadata/d.avro', length: data.bytes.length, content: 0, counts: data.counts },
  ];
  const lineage = assignFirstRowIds(listed, 1000);
  expect(lineage.addedRows).toBe(18);
  const list = await encodeManifestList(lineage.manifests, { snapshotId: 7n, parentSnapshotId: 6n, sequenceNumber: 3, formatVersion: 3, firstRowId: 1000 });
  files.set('file:///t/metadata/snap.avro', list);
  const raw = await openAvro('snap.avro', list);
  expect(raw.meta.get('format-version')).toBe('3');
  expect(raw.meta.get('first-row-id')).toBe('1000');

  // Through a cache: the inheritance is applied on every read, never kept.
  const reader = new ManifestReader({ read: async (uri: string) => files.get(uri)! }, ['file:///t'], new ManifestCache(100));
  const manifests = await reader.readManifestList('file:///t/metadata/snap.avro');
  expect(manifests.map((m) => [m.content, m.firstRowId ?? null])).toEqual([
    [1, null],
    [0, 1000],
  ]);
  const read = async (m: (typeof manifests)[number]) => {
    const out: ManifestEntry[] = [];
    for await (const e of reader.readManifest(m)) out.push(e);
    return out;
  };
  for (let i = 0; i < 2; i++) {
    expect((await read(manifests[1]!)).map((e) => [e.file.filePath.split('/').pop(), e.file.firstRowId])).toEqual([
      ['new-a.parquet', 1000],
      ['kept.parquet', 40],
      ['new-b.parquet', 1010],
    ]);
  }
  // The same manifest listed without a first_row_id (a v2 list before an upgrade): nothing inherited.
  expect((await read({ ...manifests[1]!, firstRowId: null })).map((e) => e.file.firstRowId)).toEqual([null, 40, null]);
  const [dv] = await read(manifests[0]!);
  expect(dv!.file).toMatchObject({ content: 1, referencedDataFile: 'file:///t/data/kept.parquet', contentOffset: 4, contentSizeInBytes: 40, firstRowId: null });
});

it('refuses to write a v3 list with a data manifest not assigned a first_row_id', async () => {
  const m: ListEntry = {
    path: 'file:///t/metadata/d.avro',
    length: 1,
    partitionSpecId: 0,
    content: 0,
    sequenceNumber: 1,
    minSequenceNumber: 1,
    addedSnapshotId: 1n,
    partitions: null,
    counts: { addedFiles: 1, existingFiles: 0, deletedFiles: 0, addedRows: 1, existingRows: 0, deletedRows: 0 },
  };
  await expect(encodeManifestList([m], { snapshotId: 1n, parentSnapshotId: null, sequenceNumber: 1, formatVersion: 3, firstRowId: 0 })).rejects.toThrow(
    /first_row_id/,
  );
});

import { describe, expect, it } from 'vitest';
import { openAvro } from './read-avro.js';
import { ManifestReader } from './manifest-reader.js';
import { encodeManifest, encodeManifestList, type WriteEntry } from './manifest-writer.js';
import type { ContentFile } from '../ports/manifests.js';
import type { PartitionSpec, Schema } from '../metadata/types.js';
import { contentFile } from '../../../../../test/support/content-files.js';

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'region', required: false, type: 'string' },
    { id: 3, name: 'day', required: false, type: 'date' },
  ],
} as Schema;
const spec: PartitionSpec = {
  'spec-id': 0,
  fields: [
    { 'field-id': 1000, 'source-id': 2, name: 'region', transform: 'identity' },
    { 'field-id': 1001, 'source-id': 3, name: 'day', transform: 'identity' },
    { 'field-id': 1002, 'source-id': 1, name: 'id_bucket', transform: 'bucket[4]' },
  ],
};

const file = (path: string, partition: unknown[], records: number): ContentFile =>
  contentFile(path, {
    partition,
    recordCount: records,
    fileSizeInBytes: records * 10,
    columnSizes: new Map([[1, 5]]),
    valueCounts: new Map([[1, records]]),
    nullValueCounts: new Map([[1, 0]]),
    lowerBounds: new Map([[1, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0])]]),
    upperBounds: new Map([[1, new Uint8Array([9, 0, 0, 0, 0, 0, 0, 0])]]),
    splitOffsets: [4],
  });

describe('manifest writer', () => {
  it('writes a v2 manifest and list the reader reads back: statuses, sequence numbers, partition values, metrics and counts', async () => {
    const files = new Map<string, Uint8Array>();
    const source = { read: async (uri: string) => files.get(uri)! };
    const entries: WriteEntry[] = [
      { status: 1, snapshotId: 9n, sequenceNumber: null, fileSequenceNumber: null, file: file('file:///t/data/a.parquet', ['eu', 19000, 3], 10) },
      { status: 0, snapshotId: 5n, sequenceNumber: 2, fileSequenceNumber: 2, file: file('file:///t/data/b.parquet', [null, null, 1], 20) },
      { status: 2, snapshotId: 9n, sequenceNumber: 1, fileSequenceNumber: 1, file: file('file:///t/data/c.parquet', ['us', 19001, 0], 30) },
    ];
    const { bytes, counts, partitions } = await encodeManifest({ spec, schema, content: 0, entries });
    expect(counts).toEqual({ addedFiles: 1, existingFiles: 1, deletedFiles: 1, addedRows: 10, existingRows: 20, deletedRows: 30 });
    // Partition summaries: nulls seen, least and greatest values in Iceberg's single-value binary form.
    const i32 = (n: number) => new Uint8Array(Buffer.from(Int32Array.of(n).buffer));
    expect(partitions).toEqual([
      { containsNull: true, containsNan: false, lowerBound: new Uint8Array(Buffer.from('eu')), upperBound: new Uint8Array(Buffer.from('us')) },
      { containsNull: true, containsNan: false, lowerBound: i32(19000), upperBound: i32(19001) },
      { containsNull: false, containsNan: false, lowerBound: i32(0), upperBound: i32(3) },
    ]);
    files.set('file:///t/metadata/m.avro', bytes);
    const manifest = {
      path: 'file:///t/metadata/m.avro',
      length: bytes.length,
      partitionSpecId: 0,
      content: 0 as const,
      sequenceNumber: 7,
      minSequenceNumber: 1,
      addedSnapshotId: 9n,
      partitions,
      counts,
    };
    files.set('file:///t/metadata/snap.avro', await encodeManifestList([manifest], { snapshotId: 9n, parentSnapshotId: 5n, sequenceNumber: 7 }));

    const reader = new ManifestReader(source, ['file:///t']);
    const [listed] = await reader.readManifestList('file:///t/metadata/snap.avro');
    const plain = (b: Uint8Array | null) => (b === null ? null : new Uint8Array(b));
    expect({ ...listed, partitions: listed!.partitions!.map((p) => ({ ...p, lowerBound: plain(p.lowerBound), upperBound: plain(p.upperBound) })) }).toEqual(
      manifest,
    );
    const read = [];
    for await (const e of reader.readManifest(listed!)) read.push(e);
    // The DELETED entry is not live; the ADDED one inherits the manifest's sequence number.
    expect(read.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.file.filePath, e.file.partition])).toEqual([
      [1, 9n, 7, 'file:///t/data/a.parquet', ['eu', 19000, 3]],
      [0, 5n, 2, 'file:///t/data/b.parquet', [null, null, 1]],
    ]);
    expect(read[0]!.file).toMatchObject({ recordCount: 10, fileSizeInBytes: 100, valueCounts: new Map([[1, 10]]), splitOffsets: [4], fileFormat: 'parquet' });
    expect([...read[0]!.file.lowerBounds!.get(1)!]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('names every field by its Iceberg field id, maps as logical maps, and records the spec and schema', async () => {
    const { bytes } = await encodeManifest({
      spec,
      schema,
      content: 0,
      entries: [{ status: 1, snapshotId: 1n, sequenceNumber: null, fileSequenceNumber: null, file: file('file:///t/a.parquet', ['eu', 1, 0], 1) }],
    });
    const avro = await openAvro('m.avro', bytes);
    const writer = JSON.parse(avro.meta.get('avro.schema')!);
    const dataFile = writer.fields.find((f: { name: string }) => f.name === 'data_file');
    expect(dataFile['field-id']).toBe(2);
    const byName = Object.fromEntries(dataFile.type.fields.map((f: { name: string }) => [f.name, f]));
    expect(byName.file_path['field-id']).toBe(100);
    expect(byName.value_counts.type[1]).toMatchObject({ type: 'array', logicalType: 'map' });
    expect(byName.partition.type.fields.map((f: { name: string; 'field-id': number }) => [f.name, f['field-id']])).toEqual([
      ['region', 1000],
      ['day', 1001],
      ['id_bucket', 1002],
    ]);
    expect(JSON.parse(avro.meta.get('partition-spec')!)).toEqual(spec.fields);
    expect(avro.meta.get('format-version')).toBe('2');
    expect(JSON.parse(avro.meta.get('schema')!)['schema-id']).toBe(0);
  });

  it('writes a v1 manifest and list (no sequence numbers, block_size_in_bytes) the reader reads back, and refuses delete files in v1', async () => {
    const files = new Map<string, Uint8Array>();
    const entries: WriteEntry[] = [
      { status: 1, snapshotId: 9n, sequenceNumber: null, fileSequenceNumber: null, file: file('file:///t/data/a.parquet', ['eu', 19000, 3], 10) },
      { status: 0, snapshotId: 5n, sequenceNumber: 0, fileSequenceNumber: null, file: file('file:///t/data/b.parquet', ['us', 19001, 1], 20) },
    ];
    const { bytes, counts, partitions } = await encodeManifest({ spec, schema, content: 0, formatVersion: 1, entries });
    const avro = await openAvro('m.avro', bytes);
    expect(avro.meta.get('format-version')).toBe('1');
    expect(avro.meta.has('content')).toBe(false);
    const writer = JSON.parse(avro.meta.get('avro.schema')!);
    expect(writer.fields.map((f: { name: string }) => f.name)).toEqual(['status', 'snapshot_id', 'data_file']);
    const records = [];
    for await (const r of avro.records) records.push(r as { snapshot_id: bigint; data_file: Record<string, unknown> });
    expect(records.map((r) => [r.snapshot_id, r.data_file.block_size_in_bytes, 'content' in r.data_file])).toEqual([
      [9n, 64n * 1024n * 1024n, false],
      [5n, 64n * 1024n * 1024n, false],
    ]);
    files.set('file:///t/metadata/m.avro', bytes);
    const manifest = {
      path: 'file:///t/metadata/m.avro',
      length: bytes.length,
      partitionSpecId: 0,
      content: 0 as const,
      addedSnapshotId: 9n,
      partitions,
      counts,
    };
    const list = await encodeManifestList([{ ...manifest, sequenceNumber: 0, minSequenceNumber: 0 }], {
      snapshotId: 9n,
      parentSnapshotId: 5n,
      sequenceNumber: 0,
      formatVersion: 1,
    });
    expect((await openAvro('snap.avro', list)).meta.has('sequence-number')).toBe(false);
    files.set('file:///t/metadata/snap.avro', list);
    const reader = new ManifestReader({ read: async (uri: string) => files.get(uri)! }, ['file:///t']);
    const [listed] = await reader.readManifestList('file:///t/metadata/snap.avro');
    expect(listed).toMatchObject({ path: manifest.path, sequenceNumber: 0, addedSnapshotId: 9n, counts });
    const read = [];
    for await (const e of reader.readManifest(listed!)) read.push([e.status, e.snapshotId, e.sequenceNumber, e.file.filePath, e.file.recordCount]);
    expect(read).toEqual([
      [1, 9n, 0, 'file:///t/data/a.parquet', 10],
      [0, 5n, 0, 'file:///t/data/b.parquet', 20],
    ]);
    // v1 has no delete files: a delete manifest, a delete file or a list naming a delete manifest is refused.
    const deletes = { ...entries[0]!, file: { ...entries[0]!.file, content: 1 as const } };
    await expect(encodeManifest({ spec, schema, content: 1, formatVersion: 1, entries: [] })).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(encodeManifest({ spec, schema, content: 0, formatVersion: 1, entries: [deletes] })).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
    await expect(
      encodeManifestList([{ ...manifest, content: 1, sequenceNumber: 0, minSequenceNumber: 0 }], {
        snapshotId: 9n,
        parentSnapshotId: null,
        sequenceNumber: 0,
        formatVersion: 1,
      }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
  });
});

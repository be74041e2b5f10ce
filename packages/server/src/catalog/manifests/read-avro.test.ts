import { describe, expect, it, vi } from 'vitest';
import { contentFile } from '../../../../../test/support/content-files.js';
import type { PartitionSpec, Schema } from '../metadata/types.js';
import { encodeManifestOfRecords, entryEncoder } from './manifest-writer.js';
import { openAvro } from './read-avro.js';

const spec = { 'spec-id': 0, fields: [{ 'source-id': 2, 'field-id': 1000, name: 'region', transform: 'identity' }] } as PartitionSpec;
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', required: true, type: 'long' },
    { id: 2, name: 'region', required: false, type: 'string' },
  ],
} as Schema;
const ENTRIES = 20_000;
const pathOf = (i: number) => `file:///warehouse/db/t/data/${i}.parquet`;

describe('openAvro', () => {
  it('decodes a manifest of many blocks a slice at a time: every record, in order, and never a copy of the whole file', async () => {
    const encode = entryEncoder(spec, schema, 2);
    const entries = Array.from({ length: ENTRIES }, (_, i) => {
      const e = {
        status: 1 as const,
        snapshotId: 1000n,
        sequenceNumber: 1,
        fileSequenceNumber: 1,
        file: contentFile(pathOf(i), { partition: [`region-${i % 4}`], recordCount: 10, fileSizeInBytes: 500 }),
      };
      return { record: encode(e), status: e.status, recordCount: 10, partition: e.file.partition };
    });
    const { bytes } = encodeManifestOfRecords({ spec, schema, content: 0, formatVersion: 2, entries });
    expect(bytes.length).toBeGreaterThan(1024 * 1024);
    const concat = vi.spyOn(Buffer, 'concat');
    const paths: string[] = [];
    let largest = 0;
    try {
      for await (const r of (await openAvro('m.avro', bytes)).records) paths.push((r.data_file as { file_path: string }).file_path);
      largest = Math.max(0, ...concat.mock.results.map((r) => (r.value as Buffer).length));
    } finally {
      concat.mockRestore();
    }
    expect(paths).toEqual(Array.from({ length: ENTRIES }, (_, i) => pathOf(i)));
    // Before, the decoder was handed the whole file: it copied it whole (twice) and cut all its blocks in one stretch.
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThan(bytes.length / 2);
  });
});

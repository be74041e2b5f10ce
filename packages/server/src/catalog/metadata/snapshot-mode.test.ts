import { describe, it, expect } from 'vitest';
import { withRefSnapshotsOnly } from './snapshot-mode.js';
import { applyTableUpdates, newTableMetadata } from './table-metadata-builder.js';

const T0 = 1_700_000_000_000;
const snap = (id: number, seq: number, parent?: number) => ({
  'snapshot-id': id,
  ...(parent !== undefined ? { 'parent-snapshot-id': parent } : {}),
  'sequence-number': seq,
  'timestamp-ms': T0 + seq,
  'manifest-list': `s3://b/t/${id}.avro`,
  summary: { operation: 'append' },
});

describe('withRefSnapshotsOnly', () => {
  it('keeps only snapshots referenced by a branch or tag, and their statistics', () => {
    const base = newTableMetadata({
      schema: { type: 'struct', fields: [{ id: 1, name: 'a', required: false, type: 'int' }] },
      location: 's3://b/t',
      nowMs: T0,
    });
    const md = applyTableUpdates(
      base,
      [
        { action: 'add-snapshot', snapshot: snap(1, 1) },
        { action: 'add-snapshot', snapshot: snap(2, 2, 1) },
        { action: 'add-snapshot', snapshot: snap(3, 3, 2) },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 3 },
        { action: 'set-snapshot-ref', 'ref-name': 'v1', type: 'tag', 'snapshot-id': 1 },
        { action: 'set-partition-statistics', 'partition-statistics': { 'snapshot-id': 2, 'statistics-path': 's3://p', 'file-size-in-bytes': 1 } },
      ],
      { nowMs: T0 + 100, newUuid: () => 'x' },
    );
    const refsOnly = withRefSnapshotsOnly(md);
    expect(refsOnly.snapshots.map((s) => s['snapshot-id'])).toEqual([1, 3]);
    expect(refsOnly['partition-statistics']).toEqual([]);
    expect(refsOnly['snapshot-log']).toEqual(md['snapshot-log']);
    expect(md.snapshots).toHaveLength(3);
  });
});

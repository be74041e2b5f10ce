import { describe, expect, it } from 'vitest';
import type { ManifestCounts, ManifestFile } from '../ports/manifests.js';
import { assignFirstRowIds } from './row-lineage.js';

const counts = (addedRows: number, existingRows: number): ManifestCounts => ({
  addedFiles: addedRows > 0 ? 1 : 0,
  existingFiles: existingRows > 0 ? 1 : 0,
  deletedFiles: 0,
  addedRows,
  existingRows,
  deletedRows: 7,
});
const manifest = (path: string, content: 0 | 1, c: ManifestCounts, firstRowId?: number): ManifestFile & { counts: ManifestCounts } => ({
  path,
  length: 1,
  partitionSpecId: 0,
  content,
  sequenceNumber: 1,
  minSequenceNumber: 1,
  addedSnapshotId: 1n,
  partitions: null,
  counts: c,
  ...(firstRowId === undefined ? {} : { firstRowId }),
});

describe('assignFirstRowIds (spec: First Row ID Assignment)', () => {
  it('assigns from the table next-row-id in list order, by added and existing rows, keeping assigned ones and skipping deletes', () => {
    const out = assignFirstRowIds(
      [
        manifest('new', 0, counts(100, 0)),
        manifest('rewritten', 0, counts(0, 30)),
        manifest('kept', 0, counts(50, 0), 400),
        manifest('deletes', 1, counts(5, 0)),
        manifest('upgraded', 0, counts(10, 2)),
      ],
      1000,
    );
    expect(out.manifests.map((m) => [m.path, m.firstRowId])).toEqual([
      ['new', 1000],
      ['rewritten', 1100],
      ['kept', 400],
      ['deletes', null],
      ['upgraded', 1130],
    ]);
    expect(out.firstRowId).toBe(1000);
    // Deleted rows take no ids: 100 + 30 + 12.
    expect(out.addedRows).toBe(142);
  });

  it('uses no ids when every data manifest already has its first_row_id', () => {
    const out = assignFirstRowIds([manifest('a', 0, counts(3, 4), 0)], 7);
    expect(out).toMatchObject({ firstRowId: 7, addedRows: 0 });
    expect(out.manifests[0]!.firstRowId).toBe(0);
  });
});

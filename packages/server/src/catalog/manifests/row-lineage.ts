/**
 * Row lineage of a v3 snapshot the catalog writes (spec: "Row Lineage", "First Row ID Assignment"), as Iceberg Java's
 * ManifestListWriter and SnapshotProducer do it: the snapshot's `first-row-id` is the table's `next-row-id`; every data
 * manifest of the new list without a `first_row_id` (one this snapshot wrote, or one carried from before an upgrade to
 * v3) is assigned the next id, which then moves by the manifest's added and existing rows; manifests that have one
 * keep it, and delete manifests never have one. The snapshot's `added-rows` is how far the ids moved, and the table's
 * `next-row-id` moves by it when the snapshot is added (metadata/table-builder.ts).
 */
import type { ManifestCounts, ManifestFile } from '../ports/manifests.js';

export interface Lineage<M> {
  manifests: M[];
  /** The snapshot's first-row-id: the table's next-row-id before it. */
  firstRowId: number;
  /** The snapshot's added-rows: the row ids the assignment used. */
  addedRows: number;
}

export function assignFirstRowIds<M extends ManifestFile & { counts: ManifestCounts }>(manifests: readonly M[], nextRowId: number): Lineage<M> {
  let next = nextRowId;
  const out = manifests.map((m) => {
    if (m.content !== 0) return { ...m, firstRowId: null };
    if (m.firstRowId !== null && m.firstRowId !== undefined) return m;
    const assigned = { ...m, firstRowId: next };
    next += m.counts.addedRows + m.counts.existingRows;
    return assigned;
  });
  return { manifests: out, firstRowId: nextRowId, addedRows: next - nextRowId };
}

/** The table's next-row-id (0 when a v3 table has none yet). */
export const nextRowIdOf = (metadata: { 'next-row-id'?: unknown }): number => Number(metadata['next-row-id'] ?? 0);

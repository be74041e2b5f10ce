/**
 * The manifest list of a snapshot that compaction or manifest rewrite commits, written once for both: on a v3 table
 * its data manifests without a first_row_id are assigned one from the table's next-row-id (manifests/row-lineage.ts),
 * and the snapshot's row-lineage fields (`first-row-id`, `added-rows`) are answered for the snapshot to carry.
 */
import { encodeManifestList, type ListEntry, type WrittenFormatVersion } from '../../manifests/manifest-writer.js';
import { assignFirstRowIds, nextRowIdOf } from '../../manifests/row-lineage.js';
import type { TableMetadata } from '../../metadata/index.js';
import type { ObjectStorage } from '../../ports/index.js';

export async function writeSnapshotList(
  storage: ObjectStorage,
  listPath: string,
  list: ListEntry[],
  snapshot: { snapshotId: bigint; parentSnapshotId: bigint; sequenceNumber: number; formatVersion: WrittenFormatVersion; metadata: TableMetadata },
): Promise<{ 'first-row-id': number; 'added-rows': number } | Record<string, never>> {
  const lineage = snapshot.formatVersion >= 3 ? assignFirstRowIds(list, nextRowIdOf(snapshot.metadata)) : undefined;
  await storage.writeNew(
    listPath,
    await encodeManifestList(lineage?.manifests ?? list, {
      snapshotId: snapshot.snapshotId,
      parentSnapshotId: snapshot.parentSnapshotId,
      sequenceNumber: snapshot.sequenceNumber,
      formatVersion: snapshot.formatVersion,
      firstRowId: lineage?.firstRowId,
    }),
  );
  return lineage ? { 'first-row-id': lineage.firstRowId, 'added-rows': lineage.addedRows } : {};
}

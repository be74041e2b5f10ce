/**
 * Which tables managed compaction (`rewrite-data-files`) and manifest rewrite (`rewrite-manifests`) may rewrite: format
 * versions 1 and 2, whose manifests and manifest lists the catalog writes in their own version
 * (manifests/manifest-schemas.ts). Format version 3 is refused, on demand with a 400 naming why and on the schedule
 * by leaving the table's compaction out: its snapshots must assign row lineage (`first-row-id`, the manifest list's
 * `first_row_id`), and a compaction must carry the rewritten rows' ids and drop the rewritten files' deletion
 * vectors, none of which the catalog writes yet. One rule for both paths, so the schedule never starts a job the
 * on-demand check refuses.
 */
import { validation } from '../../../errors/catalog-error.js';
import type { WrittenFormatVersion } from '../../manifests/manifest-writer.js';
import type { TableMetadata } from '../../metadata/index.js';

export const isRewritableFormat = (version: number): version is WrittenFormatVersion => version === 1 || version === 2;

/** The table's format version, or a 400 (ERR_VALIDATION) saying why `action` cannot rewrite it. */
export function rewritableFormat(action: 'rewrite-data-files' | 'rewrite-manifests', metadata: TableMetadata): WrittenFormatVersion {
  const version = metadata['format-version'];
  if (isRewritableFormat(version)) return version;
  throw validation(
    `${action} supports tables of format version 1 and 2; this one is ${version}: a format version 3 rewrite must keep row lineage (first-row-id) and drop the rewritten files' deletion vectors, which the catalog does not write yet`,
  );
}

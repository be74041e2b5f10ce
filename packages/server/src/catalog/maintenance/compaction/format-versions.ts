/**
 * Which tables managed compaction (`rewrite-data-files`) and manifest rewrite (`rewrite-manifests`) may rewrite: format
 * versions 1, 2 and 3, whose manifests and manifest lists the catalog writes in their own version
 * (manifests/manifest-schemas.ts). A v3 rewrite assigns row lineage (manifests/row-lineage.ts), writes the rewritten
 * rows' `_row_id` and `_last_updated_sequence_number` into the new files (compact.ts) and drops the rewritten files'
 * deletion vectors (replace-commit.ts). A later version is refused, on demand with a 400 naming why and on the
 * schedule by leaving the table's compaction out. One rule for both paths, so the schedule never starts a job the
 * on-demand check refuses.
 */
import { validation } from '../../../errors/catalog-error.js';
import type { WrittenFormatVersion } from '../../manifests/manifest-writer.js';
import type { TableMetadata } from '../../metadata/index.js';

export const isRewritableFormat = (version: number): version is WrittenFormatVersion => version === 1 || version === 2 || version === 3;

/** The table's format version, or a 400 (ERR_VALIDATION) saying why `action` cannot rewrite it. */
export function rewritableFormat(action: 'rewrite-data-files' | 'rewrite-manifests', metadata: TableMetadata): WrittenFormatVersion {
  const version = metadata['format-version'];
  if (isRewritableFormat(version)) return version;
  throw validation(`${action} supports tables of format version 1, 2 and 3; this one is ${version}, whose manifests the catalog does not write`);
}

/**
 * The Iceberg metadata engine: pure functions over Iceberg JSON shapes.
 * No I/O, no framework; errors are CatalogErrors (ERR_VALIDATION → 400,
 * ERR_COMMIT_CONFLICT → 409).
 */
export type * from './types.js';
export type * from './change-types.js';
export {
  newTableMetadata,
  applyTableUpdates,
  applyTableUpdatesDetailed,
  parseTableMetadata,
  RESERVED_TABLE_PROPERTIES,
  NEW_TABLE_DEFAULT_PROPERTIES,
  type NewTableInput,
  type TableUpdateContext,
  type TableUpdateResult,
} from './table-metadata-builder.js';
export { TableMetadataBuilder, DEFAULT_TABLE_FORMAT_VERSION, MAX_TABLE_FORMAT_VERSION, MAIN_BRANCH, stripTrailingSlash } from './table-builder.js';
export { checkTableRequirements, isCreateRequirements } from './table-requirements.js';
export { refSnapshotsOnlyJson, withRefSnapshotsOnly } from './snapshot-mode.js';
export {
  withMetadataLog,
  metadataFileName,
  GZIP_METADATA_SUFFIX,
  parseMetadataVersion,
  nextMetadataLocation,
  METADATA_PREVIOUS_VERSIONS_MAX,
  METADATA_PREVIOUS_VERSIONS_MAX_DEFAULT,
  WRITE_METADATA_PATH,
} from './metadata-log.js';
export {
  newViewMetadata,
  applyViewUpdates,
  applyViewUpdatesDetailed,
  parseViewMetadata,
  checkViewRequirements,
  VERSION_HISTORY_SIZE,
  REPLACE_DROP_DIALECT_ALLOWED,
  type ViewContext,
  type NewViewInput,
  type ViewUpdateResult,
} from './view-metadata-builder.js';
export { parseTableUpdate, parseTableRequirement, parseViewUpdate, parseViewRequirement } from './updates.js';
export { parseSchema, assignFreshIds, sameSchema } from './schema.js';

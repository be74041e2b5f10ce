/** The Iceberg REST Catalog wire model: schemas (TypeBox, JSON Schema at runtime) and their TypeScript types. */
import { ICEBERG_COMMON_SCHEMAS } from './common.js';
import { ICEBERG_METADATA_SCHEMAS } from './metadata.js';
import { ICEBERG_METRICS_SCHEMAS } from './metrics.js';
import { ICEBERG_NAMESPACE_SCHEMAS } from './namespaces.js';
import { ICEBERG_REQUIREMENT_SCHEMAS } from './requirements.js';
import { ICEBERG_SCHEMA_SCHEMAS } from './schema.js';
import { ICEBERG_SIGNING_SCHEMAS } from './signing.js';
import { ICEBERG_SNAPSHOT_SCHEMAS } from './snapshots.js';
import { ICEBERG_TABLE_SCHEMAS } from './tables.js';
import { ICEBERG_PLANNING_SCHEMAS } from './planning.js';
import { ICEBERG_READ_RESTRICTION_SCHEMAS } from './read-restrictions.js';
import { ICEBERG_UPDATE_SCHEMAS } from './updates.js';
import { ICEBERG_VIEW_SCHEMAS } from './views.js';
import { ICEBERG_FUNCTION_SCHEMAS } from './functions.js';

export * from './common.js';
export * from './schema.js';
export * from './snapshots.js';
export * from './metadata.js';
export * from './updates.js';
export * from './requirements.js';
export * from './namespaces.js';
export * from './tables.js';
export * from './views.js';
export * from './metrics.js';
export * from './signing.js';
export * from './planning.js';
export * from './read-restrictions.js';
export * from './labels.js';
export * from './functions.js';

/** Every named Iceberg schema (OpenAPI components; the validator registers them). */
export const ICEBERG_SCHEMAS = [
  ...ICEBERG_COMMON_SCHEMAS,
  ...ICEBERG_SCHEMA_SCHEMAS,
  ...ICEBERG_SNAPSHOT_SCHEMAS,
  ...ICEBERG_METADATA_SCHEMAS,
  ...ICEBERG_UPDATE_SCHEMAS,
  ...ICEBERG_REQUIREMENT_SCHEMAS,
  ...ICEBERG_NAMESPACE_SCHEMAS,
  ...ICEBERG_TABLE_SCHEMAS,
  ...ICEBERG_VIEW_SCHEMAS,
  ...ICEBERG_METRICS_SCHEMAS,
  ...ICEBERG_SIGNING_SCHEMAS,
  ...ICEBERG_PLANNING_SCHEMAS,
  ...ICEBERG_READ_RESTRICTION_SCHEMAS,
  ...ICEBERG_FUNCTION_SCHEMAS,
];

/** The Lance REST Namespace wire model for the operations Lakegate serves (see docs/compatibility.md). */
import { LanceErrorResponse } from './errors.js';
import { LANCE_NAMESPACE_SCHEMAS } from './namespaces.js';
import { LANCE_TABLE_SCHEMAS } from './tables.js';
import { LANCE_VERSION_SCHEMAS } from './versions.js';
import { LANCE_BRANCH_SCHEMAS } from './branches.js';
import { LANCE_TAG_SCHEMAS } from './tags.js';
import { LANCE_MATERIALIZED_VIEW_SCHEMAS } from './materialized-views.js';

export * from './common.js';
export * from './errors.js';
export * from './namespaces.js';
export * from './tables.js';
export * from './versions.js';
export * from './branches.js';
export * from './tags.js';
export * from './materialized-views.js';

/** Every named Lance schema. */
export const LANCE_SCHEMAS = [
  LanceErrorResponse,
  ...LANCE_NAMESPACE_SCHEMAS,
  ...LANCE_TABLE_SCHEMAS,
  ...LANCE_VERSION_SCHEMAS,
  ...LANCE_BRANCH_SCHEMAS,
  ...LANCE_TAG_SCHEMAS,
  ...LANCE_MATERIALIZED_VIEW_SCHEMAS,
];

/** The Lance REST Namespace wire model for the operations Lakegate serves (see docs/compatibility.md). */
import { LanceErrorResponse } from './errors.js';
import { LANCE_NAMESPACE_SCHEMAS } from './namespaces.js';
import { LANCE_TABLE_SCHEMAS } from './tables.js';

export * from './common.js';
export * from './errors.js';
export * from './namespaces.js';
export * from './tables.js';

/** Every named Lance schema. */
export const LANCE_SCHEMAS = [LanceErrorResponse, ...LANCE_NAMESPACE_SCHEMAS, ...LANCE_TABLE_SCHEMAS];

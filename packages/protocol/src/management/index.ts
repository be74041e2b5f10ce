/** Lakegate's management API wire model (/management/v1). */
import { MANAGEMENT_ACCESS_SCHEMAS } from './access.js';
import { MANAGEMENT_PRINCIPAL_SCHEMAS } from './principals.js';
import { MANAGEMENT_WAREHOUSE_SCHEMAS } from './warehouses.js';
import { MANAGEMENT_EVENT_SCHEMAS } from './events.js';
import { MANAGEMENT_DROPPED_SCHEMAS } from './dropped.js';
import { MANAGEMENT_POLICY_SCHEMAS } from './policies.js';
import { MANAGEMENT_ENFORCER_SCHEMAS } from './enforcers.js';

export * from './principals.js';
export * from './warehouses.js';
export * from './access.js';
export * from './privileges.js';
export * from './events.js';
export * from './dropped.js';
export * from './policies.js';
export * from './enforcers.js';

/** Every named management schema. */
export const MANAGEMENT_SCHEMAS = [
  ...MANAGEMENT_PRINCIPAL_SCHEMAS,
  ...MANAGEMENT_WAREHOUSE_SCHEMAS,
  ...MANAGEMENT_ACCESS_SCHEMAS,
  ...MANAGEMENT_EVENT_SCHEMAS,
  ...MANAGEMENT_DROPPED_SCHEMAS,
  ...MANAGEMENT_POLICY_SCHEMAS,
  ...MANAGEMENT_ENFORCER_SCHEMAS,
];

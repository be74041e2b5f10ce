/**
 * Every privilege of Lakegate's access model: the vocabulary of grants, explain and the audit trail on the wire,
 * shared by the server (which states what each means: packages/server/src/catalog/privileges.ts) and the SDK.
 */
export const PRIVILEGES = [
  'warehouse:manage',
  'grants:manage',
  'namespace:create',
  'namespace:list',
  'namespace:drop',
  'namespace:update-properties',
  'table:create',
  'table:list',
  'table:read-metadata',
  'table:read-data',
  'table:write-data',
  'table:drop',
  'view:create',
  'view:list',
  'view:read',
  'view:replace',
  'view:drop',
  'table:purge-immediately',
  'warehouse:list-dropped',
  'warehouse:undrop',
  'table:maintain',
  'function:create',
  'function:list',
  'function:read',
  'function:replace',
  'function:drop',
] as const;

/** A privilege, e.g. `table:read-data`. */
export type Privilege = (typeof PRIVILEGES)[number];

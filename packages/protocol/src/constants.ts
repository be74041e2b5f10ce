/**
 * `@lakegate/protocol/constants`: plain lists of the wire contract's values, with no TypeBox (or any other) import,
 * for code that wants the values without the schemas, such as the web console's browser bundle. The schemas build
 * their unions from the same lists. The SDK and the CLI import their runtime values from here (and JSON parsing from
 * `@lakegate/protocol/json-native`), so a client command loads no schema library.
 */

/** The column-mask actions of a policy (the read-restriction actions of the REST proposal, apache/iceberg#13879). */
export const POLICY_MASK_ACTIONS = [
  'replace-with-null',
  'mask-to-fixed-value',
  'sha-256-query-local',
  'sha-256-global',
  'mask-alphanum',
  'truncate-to-year',
  'truncate-to-month',
  'show-first-4',
  'show-last-4',
] as const;

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

/**
 * The numeric error codes of the Lance namespace spec; clients classify errors by these, not by HTTP status.
 *
 * @example
 * ```ts
 * if (e instanceof CatalogError && e.code === LanceErrorCode.TableVersionNotFound) console.error('no such table version');
 * ```
 */
export const LanceErrorCode = {
  Unsupported: 0,
  NamespaceNotFound: 1,
  NamespaceAlreadyExists: 2,
  NamespaceNotEmpty: 3,
  TableNotFound: 4,
  TableAlreadyExists: 5,
  TableIndexNotFound: 6,
  TableIndexAlreadyExists: 7,
  TableTagNotFound: 8,
  TableTagAlreadyExists: 9,
  TransactionNotFound: 10,
  TableVersionNotFound: 11,
  TableColumnNotFound: 12,
  InvalidInput: 13,
  ConcurrentModification: 14,
  PermissionDenied: 15,
  Unauthenticated: 16,
  ServiceUnavailable: 17,
  Internal: 18,
  InvalidTableState: 19,
  TableSchemaValidationError: 20,
  Throttling: 21,
  TableBranchNotFound: 22,
  TableBranchAlreadyExists: 23,
} as const;
export type LanceErrorCode = (typeof LanceErrorCode)[keyof typeof LanceErrorCode];

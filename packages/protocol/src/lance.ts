/**
 * Lance REST Namespace wire types (snake_case as on the wire). Only the
 * operations Lakegate serves are described; see docs/compatibility.md.
 */

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
} as const;
export type LanceErrorCode = (typeof LanceErrorCode)[keyof typeof LanceErrorCode];

export interface LanceErrorResponse {
  error: string;
  code: LanceErrorCode;
  detail?: string;
  /** The request path the error belongs to. */
  instance?: string;
}

/** The default delimiter joining the levels of an id in a path segment; `?delimiter=` may name another. */
export const LANCE_DEFAULT_DELIMITER = '$';

export interface LanceListNamespacesResponse {
  namespaces: string[];
  page_token?: string | null;
}

export interface LanceNamespaceResponse {
  properties?: Record<string, string> | null;
}

export interface LanceListTablesResponse {
  /** Table names relative to the listed namespace. */
  tables: string[];
  page_token?: string | null;
}

export interface LanceTableLocationResponse {
  location: string;
  /** Options Lance passes to its object store: vended, prefix-scoped credentials and `expires_at_millis`. */
  storage_options?: Record<string, string>;
  properties?: Record<string, string> | null;
}

export interface LanceDescribeTableResponse extends LanceTableLocationResponse {
  table_uri?: string;
}

export interface LanceDroppedTableResponse {
  id: string[];
  location: string;
  properties?: Record<string, string> | null;
}

/**
 * The Lance REST Namespace error model: `{error, code, detail, instance}`, where `code` is one of the spec's
 * numeric codes (clients classify errors by it, not by HTTP status).
 */
import { type Static, Type } from '@sinclair/typebox';

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

/** Every non-2xx answer of the Lance surface. */
export const LanceErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'Human-readable message' }),
    code: Type.Integer({ minimum: 0, maximum: 23, description: 'The Lance error code (LanceErrorCode)' }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String({ description: 'The request path the error belongs to' })),
  },
  { $id: 'LanceErrorResponse' },
);
export type LanceErrorResponse = Omit<Static<typeof LanceErrorResponse>, 'code'> & { code: LanceErrorCode };

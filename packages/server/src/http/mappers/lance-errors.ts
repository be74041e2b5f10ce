/**
 * The one place that turns domain error codes into Lance REST Namespace
 * error responses: `{ error, code, detail, instance }`. Lance clients
 * classify errors by the numeric `code`; the HTTP status follows the spec's
 * response table. 5xx responses never carry the internal message.
 */
import { LanceErrorCode, type LanceErrorResponse } from '@lakegate/protocol';
import type { CatalogErrorCode } from '../../errors/catalog-error.js';
import type { ErrorEnvelope } from '../plugins/errors.js';
import { echoedPath, errorMessage } from './bounded-text.js';

const table: Record<CatalogErrorCode, { status: number; code: LanceErrorCode }> = {
  ERR_BAD_REQUEST: { status: 400, code: LanceErrorCode.InvalidInput },
  ERR_VALIDATION: { status: 400, code: LanceErrorCode.InvalidInput },
  ERR_ILLEGAL_ARGUMENT: { status: 400, code: LanceErrorCode.InvalidInput },
  ERR_UNAUTHENTICATED: { status: 401, code: LanceErrorCode.Unauthenticated },
  ERR_FORBIDDEN: { status: 403, code: LanceErrorCode.PermissionDenied },
  // The warehouse is the root namespace of the Lance API.
  ERR_WAREHOUSE_NOT_FOUND: { status: 404, code: LanceErrorCode.NamespaceNotFound },
  ERR_NAMESPACE_NOT_FOUND: { status: 404, code: LanceErrorCode.NamespaceNotFound },
  ERR_TABLE_NOT_FOUND: { status: 404, code: LanceErrorCode.TableNotFound },
  ERR_VIEW_NOT_FOUND: { status: 404, code: LanceErrorCode.TableNotFound },
  // Iceberg functions only; never raised on the Lance surface.
  ERR_FUNCTION_NOT_FOUND: { status: 404, code: LanceErrorCode.TableNotFound },
  ERR_TABLE_VERSION_NOT_FOUND: { status: 404, code: LanceErrorCode.TableVersionNotFound },
  ERR_BRANCH_NOT_FOUND: { status: 404, code: LanceErrorCode.TableBranchNotFound },
  ERR_TAG_NOT_FOUND: { status: 404, code: LanceErrorCode.TableTagNotFound },
  ERR_BRANCH_EXISTS: { status: 409, code: LanceErrorCode.TableBranchAlreadyExists },
  ERR_TAG_EXISTS: { status: 409, code: LanceErrorCode.TableTagAlreadyExists },
  // Iceberg scan planning only; never raised on the Lance surface.
  ERR_PLAN_NOT_FOUND: { status: 404, code: LanceErrorCode.TableNotFound },
  ERR_PLAN_TASK_NOT_FOUND: { status: 404, code: LanceErrorCode.TableNotFound },
  ERR_METADATA_FILE_NOT_FOUND: { status: 404, code: LanceErrorCode.TableNotFound },
  ERR_NOT_IMPLEMENTED: { status: 406, code: LanceErrorCode.Unsupported },
  ERR_NAMESPACE_EXISTS: { status: 409, code: LanceErrorCode.NamespaceAlreadyExists },
  ERR_TABLE_EXISTS: { status: 409, code: LanceErrorCode.TableAlreadyExists },
  ERR_VIEW_EXISTS: { status: 409, code: LanceErrorCode.TableAlreadyExists },
  ERR_NAMESPACE_NOT_EMPTY: { status: 409, code: LanceErrorCode.NamespaceNotEmpty },
  ERR_COMMIT_CONFLICT: { status: 409, code: LanceErrorCode.ConcurrentModification },
  // Management only; never raised on the Lance surface.
  ERR_JOB_RUNNING: { status: 409, code: LanceErrorCode.ConcurrentModification },
  ERR_CURSOR_EXPIRED: { status: 410, code: LanceErrorCode.InvalidInput },
  ERR_REMOTE_INVALID: { status: 502, code: LanceErrorCode.ServiceUnavailable },
  ERR_EXECUTOR_FAILED: { status: 502, code: LanceErrorCode.ServiceUnavailable },
  ERR_IDEMPOTENCY_CONFLICT: { status: 422, code: LanceErrorCode.InvalidInput },
  ERR_UNPROCESSABLE: { status: 400, code: LanceErrorCode.InvalidInput },
  ERR_PAYLOAD_TOO_LARGE: { status: 413, code: LanceErrorCode.InvalidInput },
  ERR_ROLE_NOT_FOUND: { status: 404, code: LanceErrorCode.InvalidInput },
  ERR_GRANT_NOT_FOUND: { status: 404, code: LanceErrorCode.InvalidInput },
  ERR_NOT_FOUND: { status: 404, code: LanceErrorCode.InvalidInput },
  ERR_ROLE_EXISTS: { status: 409, code: LanceErrorCode.InvalidInput },
  ERR_ROLE_IN_USE: { status: 409, code: LanceErrorCode.InvalidInput },
  ERR_COMMIT_STATE_UNKNOWN: { status: 500, code: LanceErrorCode.Internal },
  ERR_STORAGE: { status: 503, code: LanceErrorCode.ServiceUnavailable },
  ERR_UNAVAILABLE: { status: 503, code: LanceErrorCode.ServiceUnavailable },
};

/** The request path without its query, cut to a bound (bounded-text.ts): what `instance` names. */
const instanceOf = echoedPath;

export function lanceError(code: CatalogErrorCode, message: string, url: string): { status: number; body: LanceErrorResponse } {
  const { status, code: lanceCode } = table[code];
  return {
    status,
    body: { error: status >= 500 ? 'The service is temporarily unavailable' : errorMessage(message), code: lanceCode, instance: instanceOf(url) },
  };
}

/** Errors raised outside the catalog (framework, authentication): the Lance code follows from the HTTP status. */
export function lanceHttpError(status: number, message: string, url: string): LanceErrorResponse {
  const code =
    status === 401
      ? LanceErrorCode.Unauthenticated
      : status === 403
        ? LanceErrorCode.PermissionDenied
        : status === 404 || status === 406
          ? LanceErrorCode.Unsupported
          : status === 503
            ? LanceErrorCode.ServiceUnavailable
            : status >= 500
              ? LanceErrorCode.Internal
              : LanceErrorCode.InvalidInput;
  return { error: errorMessage(message), code, instance: instanceOf(url) };
}

/** The Lance REST Namespace error model; an operation of the spec this server does not serve is 406 with code 0 (Unsupported). */
export const lanceEnvelope: ErrorEnvelope = {
  fromCatalogError: (error, req) => lanceError(error.code, error.message, req.url),
  fromStatus: (status, message, req) => lanceHttpError(status, message, req.url),
  notFound: (req) => ({ status: 406, body: lanceHttpError(406, `Unsupported operation ${req.method.slice(0, 16)} ${echoedPath(req.url)}`, req.url) }),
};

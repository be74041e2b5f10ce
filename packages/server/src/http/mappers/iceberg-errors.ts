/**
 * The one place that turns domain error codes into Iceberg REST error
 * responses: `{ error: { message, type, code } }`. The `type` strings are
 * the exception names Iceberg clients branch on. 5xx responses never carry
 * the internal message.
 */
import type { CatalogErrorCode } from '../../errors/catalog-error.js';
import type { ErrorEnvelope } from '../plugins/errors.js';
import { echoedPath, errorMessage } from './bounded-text.js';

export interface IcebergErrorBody {
  error: { message: string; type: string; code: number; stack?: string[]; [detail: string]: unknown };
}

const table: Record<CatalogErrorCode, { status: number; type: string }> = {
  ERR_BAD_REQUEST: { status: 400, type: 'BadRequestException' },
  ERR_VALIDATION: { status: 400, type: 'BadRequestException' },
  ERR_ILLEGAL_ARGUMENT: { status: 400, type: 'IllegalArgumentException' },
  // 400, not 422: the 1.11 document declares 422 for updateProperties only, and 400 for every operation.
  ERR_IDEMPOTENCY_CONFLICT: { status: 400, type: 'BadRequestException' },
  ERR_UNPROCESSABLE: { status: 422, type: 'UnprocessableEntityException' },
  ERR_UNAUTHENTICATED: { status: 401, type: 'NotAuthorizedException' },
  ERR_FORBIDDEN: { status: 403, type: 'ForbiddenException' },
  ERR_WAREHOUSE_NOT_FOUND: { status: 404, type: 'NoSuchWarehouseException' },
  ERR_NAMESPACE_NOT_FOUND: { status: 404, type: 'NoSuchNamespaceException' },
  ERR_TABLE_NOT_FOUND: { status: 404, type: 'NoSuchTableException' },
  ERR_VIEW_NOT_FOUND: { status: 404, type: 'NoSuchViewException' },
  ERR_FUNCTION_NOT_FOUND: { status: 404, type: 'NoSuchFunctionException' },
  ERR_METADATA_FILE_NOT_FOUND: { status: 404, type: 'NotFoundException' },
  ERR_NOT_IMPLEMENTED: { status: 406, type: 'UnsupportedOperationException' },
  ERR_NAMESPACE_EXISTS: { status: 409, type: 'AlreadyExistsException' },
  ERR_TABLE_EXISTS: { status: 409, type: 'AlreadyExistsException' },
  ERR_VIEW_EXISTS: { status: 409, type: 'AlreadyExistsException' },
  ERR_NAMESPACE_NOT_EMPTY: { status: 409, type: 'NamespaceNotEmptyException' },
  ERR_COMMIT_CONFLICT: { status: 409, type: 'CommitFailedException' },
  ERR_PAYLOAD_TOO_LARGE: { status: 413, type: 'BadRequestException' },
  ERR_ROLE_NOT_FOUND: { status: 404, type: 'NotFoundException' },
  ERR_GRANT_NOT_FOUND: { status: 404, type: 'NotFoundException' },
  ERR_TABLE_VERSION_NOT_FOUND: { status: 404, type: 'NotFoundException' },
  ERR_BRANCH_NOT_FOUND: { status: 404, type: 'NotFoundException' },
  ERR_TAG_NOT_FOUND: { status: 404, type: 'NotFoundException' },
  // Lance only; never raised on the Iceberg surface.
  ERR_BRANCH_EXISTS: { status: 409, type: 'AlreadyExistsException' },
  ERR_TAG_EXISTS: { status: 409, type: 'AlreadyExistsException' },
  ERR_PLAN_NOT_FOUND: { status: 404, type: 'NoSuchPlanIdException' },
  ERR_PLAN_TASK_NOT_FOUND: { status: 404, type: 'NoSuchPlanTaskException' },
  ERR_NOT_FOUND: { status: 404, type: 'NotFoundException' },
  ERR_ROLE_EXISTS: { status: 409, type: 'AlreadyExistsException' },
  ERR_ROLE_IN_USE: { status: 409, type: 'ConflictException' },
  ERR_JOB_RUNNING: { status: 409, type: 'ConflictException' },
  // Management only (the event pull): Kubernetes' watch answers a too old resource version the same way.
  ERR_CURSOR_EXPIRED: { status: 410, type: 'CursorExpiredException' },
  ERR_REMOTE_INVALID: { status: 502, type: 'BadGatewayException' },
  ERR_EXECUTOR_FAILED: { status: 502, type: 'BadGatewayException' },
  ERR_COMMIT_STATE_UNKNOWN: { status: 500, type: 'CommitStateUnknownException' },
  ERR_STORAGE: { status: 503, type: 'ServiceUnavailableException' },
  ERR_UNAVAILABLE: { status: 503, type: 'ServiceUnavailableException' },
};

export function icebergError(code: CatalogErrorCode, message: string, details?: Readonly<Record<string, string>>): { status: number; body: IcebergErrorBody } {
  const { status, type } = table[code];
  // A remote catalog's invalid answer says why (the message names what was wrong in the remote's answer, never a secret);
  // so does a maintenance job's failed engine (its reason, secrets removed: spark-executor/spark-failure.ts).
  if (status >= 500)
    return {
      status,
      body: {
        error: {
          message:
            code === 'ERR_COMMIT_STATE_UNKNOWN' || code === 'ERR_REMOTE_INVALID' || code === 'ERR_EXECUTOR_FAILED'
              ? errorMessage(message)
              : 'The service is temporarily unavailable',
          type,
          code: status,
        },
      },
    };
  // A 4xx's details (e.g. `resume-after` of an expired event cursor) sit beside the message; the keys above win.
  return { status, body: { error: { ...details, message: errorMessage(message), type, code: status } } };
}

export function icebergHttpError(status: number, type: string, message: string): IcebergErrorBody {
  return { error: { message: errorMessage(message), type, code: status } };
}

/** Exception type Iceberg clients expect for an error raised outside the catalog, by status. */
function typeForStatus(status: number): string {
  if (status === 401) return 'NotAuthorizedException';
  if (status === 403) return 'ForbiddenException';
  if (status === 503) return 'ServiceUnavailableException';
  if (status >= 500) return 'InternalServerError';
  return 'BadRequestException';
}

/** The Iceberg REST error model, for the Iceberg surface (and the management API, which shares it). */
export const icebergEnvelope: ErrorEnvelope = {
  fromCatalogError: (error) => icebergError(error.code, error.message, error.details),
  fromStatus: (status, message) => icebergHttpError(status, typeForStatus(status), message),
  notFound: (req) => ({ status: 404, body: icebergHttpError(404, 'NoSuchEndpointException', `No endpoint ${req.method.slice(0, 16)} ${echoedPath(req.url)}`) }),
};

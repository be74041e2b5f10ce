/**
 * The AWS Glue Data Catalog's failures as Lakegate's codes (catalog/ports/remote-catalog.ts): what clients act on
 * (not found, exists, a lost optimistic-concurrency race as a commit conflict), the remote down or slow as
 * ERR_UNAVAILABLE (503 + Retry-After at the edge), and Glue refusing Lakegate's keys as ERR_REMOTE_INVALID (502).
 * Messages name Glue's objects and error names only: never the access key's secret, never a signature.
 */
import { CatalogError } from '../../errors/catalog-error.js';

export const invalid = (reason: string) => new CatalogError('ERR_REMOTE_INVALID', `The Glue catalog's answer is not valid: ${reason}`);
export const unavailable = (reason: string) => new CatalogError('ERR_UNAVAILABLE', `The Glue catalog is unavailable: ${reason}`);

const REFUSED = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignature',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
]);

/** What the failed operation was about: a missing entity is a missing namespace or table accordingly. */
export type GlueSubject = 'namespace' | 'table';

interface AwsError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** One Glue failure as a CatalogError (a CatalogError thrown by Lakegate's own code passes through). */
export function glueError(e: unknown, what: string, subject: GlueSubject, timeoutMs: number): CatalogError {
  if (e instanceof CatalogError) return e;
  const err = (e ?? {}) as AwsError;
  const name = typeof err.name === 'string' ? err.name : '';
  const message = typeof err.message === 'string' ? err.message.slice(0, 300) : '';
  const status = err.$metadata?.httpStatusCode;
  if (name === 'TimeoutError' || name === 'AbortError') return unavailable(`no answer within ${timeoutMs} ms`);
  if (name === 'EntityNotFoundException') {
    // GetTable on a missing database says "Database … not found": a missing namespace whatever the operation.
    const ns = subject === 'namespace' || /^database\b/i.test(message);
    return new CatalogError(ns ? 'ERR_NAMESPACE_NOT_FOUND' : 'ERR_TABLE_NOT_FOUND', message || `${what}: not found`);
  }
  if (name === 'AlreadyExistsException')
    return new CatalogError(subject === 'namespace' ? 'ERR_NAMESPACE_EXISTS' : 'ERR_TABLE_EXISTS', message || `${what}: already exists`);
  if (name === 'ConcurrentModificationException')
    return new CatalogError('ERR_COMMIT_CONFLICT', `The Glue table changed concurrently (${what}): retry on the new metadata`);
  if (REFUSED.has(name) || status === 401 || status === 403)
    return new CatalogError('ERR_REMOTE_INVALID', `The Glue catalog refused Lakegate's credentials: ${name || status}`);
  if (name === 'InvalidInputException' || name === 'ValidationException')
    return new CatalogError('ERR_VALIDATION', `The Glue catalog refused the request: ${message}`);
  if (status !== undefined && status >= 500) return unavailable(`${what} answered ${status}`);
  if (status === undefined) return unavailable(`${what}: connection failed`);
  if (name === 'ThrottlingException') return unavailable(`${what} was throttled`);
  return invalid(`${what} answered ${status} ${name}`.trim());
}

/**
 * Typed errors of the SDK. Both protocols' error bodies (Iceberg `{error: {message, type, code}}`, Lance
 * `{error, code, detail, instance}`) end up as one {@link CatalogError}, so callers branch on predicates instead of
 * on protocol details.
 */
import { LanceErrorCode } from '@lakegate/protocol/constants';

/**
 * The package ships an ESM and a CommonJS build; an application that loads both (its own `import`, a dependency's
 * `require`) has two copies of every class. Errors carry a registry symbol and `instanceof` checks it, so an error
 * thrown by one copy is still an instance of the other copy's class, and the predicates below work on both.
 */
function brand(name: string): symbol {
  return Symbol.for(`@lakegate/client.${name}`);
}

function hasBrand(value: unknown, mark: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[mark] === true;
}

/** Base of the SDK's errors: every instance carries its class's brand, and `instanceof` checks the brand. */
abstract class BrandedError extends Error {
  /** The name both builds' copies of a class share (a literal, so bundlers that rename classes cannot change it). */
  protected static readonly brandName: string;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, brand(this.brandName));
  }

  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    // Every class on the way up brands the instance, so a subclass's error is an instance of its parents' too.
    for (let c: unknown = new.target; c !== BrandedError && typeof c === 'function'; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'brandName')) Object.defineProperty(this, brand((c as unknown as { brandName: string }).brandName), { value: true });
    }
  }
}

/**
 * Which wire protocol produced an error.
 *
 * @example
 * ```ts
 * if (e instanceof CatalogError && e.protocol === 'oauth2') console.error('token endpoint refused:', e.type);
 * ```
 */
export type ErrorProtocol = 'iceberg' | 'lance' | 'oauth2' | 'transport';

/**
 * An error answered by a catalog (or its token endpoint), or a transport failure (timeout, connection refused).
 *
 * @example
 * ```ts
 * try { await catalog.loadTable({ namespace: ['db'], name: 't' }); }
 * catch (e) { if (isNotFound(e)) console.log('no such table'); else throw e; }
 * ```
 */
export class CatalogError extends BrandedError {
  protected static override readonly brandName: string = 'CatalogError';
  override readonly name = 'CatalogError';
  /** HTTP status, or 0 for transport failures (no response). */
  readonly status: number;
  /** The server's error type, e.g. `NoSuchTableException`, `invalid_grant`, or `Timeout`. */
  readonly type: string;
  readonly protocol: ErrorProtocol;
  /** Lance's numeric error code when the server sent one. */
  readonly code: number | undefined;
  /** The request that failed, without query string (which may carry tokens). */
  readonly request: string;

  constructor(init: { message: string; status: number; type: string; protocol: ErrorProtocol; request: string; code?: number; cause?: unknown }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.type = init.type;
    this.protocol = init.protocol;
    this.request = init.request;
    this.code = init.code;
  }
}

/**
 * Configuration that cannot work (unknown auth provider, missing secret, conflicting options). Thrown when a client
 * or provider is constructed, never at the first request.
 *
 * @example
 * ```ts
 * createAuthProvider({ 'rest.auth.type': 'nope' }); // throws ConfigurationError: unknown auth provider "nope" ...
 * ```
 */
export class ConfigurationError extends BrandedError {
  protected static override readonly brandName = 'ConfigurationError';
  override readonly name = 'ConfigurationError';
}

/** Lance's numeric error codes, shared with the server through the protocol package. */
export { LanceErrorCode };

const LANCE_NOT_FOUND: ReadonlySet<number> = new Set([1, 4, 6, 8, 10, 11, 12]);
const LANCE_CONFLICT: ReadonlySet<number> = new Set([2, 3, 5, 7, 9, 14]);

function asCatalogError(e: unknown): CatalogError | undefined {
  return e instanceof CatalogError ? e : undefined;
}

/**
 * The addressed object (namespace, table, view, warehouse) does not exist.
 *
 * @example
 * ```ts
 * const exists = await catalog.loadTable(id).then(() => true, (e) => (isNotFound(e) ? false : Promise.reject(e)));
 * ```
 */
export function isNotFound(e: unknown): boolean {
  const err = asCatalogError(e);
  if (!err) return false;
  if (err.protocol === 'lance' && err.code !== undefined) return LANCE_NOT_FOUND.has(err.code);
  return err.status === 404;
}

/**
 * The request conflicts with the current state: already exists, not empty, or a commit whose requirements failed.
 *
 * @example
 * ```ts
 * try { await catalog.createNamespace(['db']); } catch (e) { if (!isConflict(e)) throw e; }
 * ```
 */
export function isConflict(e: unknown): boolean {
  const err = asCatalogError(e);
  if (!err) return false;
  if (err.protocol === 'lance' && err.code !== undefined) return LANCE_CONFLICT.has(err.code);
  return err.status === 409;
}

/**
 * The outcome of a commit is unknown (the server failed or timed out after it may have applied it): reload before
 * retrying, never blindly retry. Iceberg signals this with 500/502/504 on commit endpoints or the
 * `CommitStateUnknownException` type; a client-side timeout on a commit is unknown too.
 *
 * @example
 * ```ts
 * try { await catalog.commitTable(id, { requirements, updates }); }
 * catch (e) {
 *   if (!isCommitStateUnknown(e)) throw e;
 *   const { metadata } = await catalog.loadTable(id); // did the commit land? check before retrying
 * }
 * ```
 */
export function isCommitStateUnknown(e: unknown): boolean {
  const err = asCatalogError(e);
  if (!err) return false;
  if (err.type === 'CommitStateUnknownException') return true;
  // 503 (and 501) say the server did not take the request; only these answers leave a commit's outcome open.
  return isCommitRequest(err.request) && COMMIT_STATE_UNKNOWN_STATUSES.has(err.status);
}

/** 0: no answer at all (timeout, connection reset after sending); 500/502/504 as Iceberg's REST spec lists them. */
const COMMIT_STATE_UNKNOWN_STATUSES: ReadonlySet<number> = new Set([0, 500, 502, 504]);

/**
 * The caller is not authenticated (401) or its credentials were refused by the token endpoint.
 *
 * @example
 * ```ts
 * try { await catalog.listNamespaces(); }
 * catch (e) { if (isUnauthenticated(e)) console.error('log in again: lakegate login'); else throw e; }
 * ```
 */
export function isUnauthenticated(e: unknown): boolean {
  const err = asCatalogError(e);
  return !!err && (err.status === 401 || (err.protocol === 'lance' && err.code === LanceErrorCode.Unauthenticated));
}

/**
 * The caller is authenticated but not allowed to do this (403).
 *
 * @example
 * ```ts
 * const visible = await catalog.loadTable(id).then(() => true, (e) => (isForbidden(e) ? false : Promise.reject(e)));
 * ```
 */
export function isForbidden(e: unknown): boolean {
  const err = asCatalogError(e);
  return !!err && (err.status === 403 || (err.protocol === 'lance' && err.code === LanceErrorCode.PermissionDenied));
}

/** Commits are POSTs to a table/view path or to the multi-table transaction endpoint. */
function isCommitRequest(request: string): boolean {
  const [method, path = ''] = request.split(' ');
  return method === 'POST' && (/\/namespaces\/[^/]+\/(tables|views)\/[^/]+$/.test(path) || path.endsWith('/transactions/commit'));
}

/**
 * The server does not advertise the endpoint an operation needs (Iceberg config `endpoints`), so the SDK does not
 * send the request at all.
 *
 * @example
 * ```ts
 * try { await catalog.commitTransaction(changes); }
 * catch (e) { if (e instanceof UnsupportedOperationError) await commitOneByOne(changes); else throw e; }
 * ```
 */
export class UnsupportedOperationError extends BrandedError {
  protected static override readonly brandName = 'UnsupportedOperationError';
  override readonly name = 'UnsupportedOperationError';
}

/**
 * The event pull's cursor is older than what the server's retention deleted (410 `CursorExpiredException`): the
 * events right after it are gone. Resume from {@link EventCursorExpiredError.resumeAfter} (the oldest cursor still
 * answered), accepting the loss, or read again from `'0'`.
 *
 * @example
 * ```ts
 * try { page = await management.listEvents('lake', { after: cursor }); }
 * catch (e) { if (!(e instanceof EventCursorExpiredError)) throw e; cursor = e.resumeAfter; resync(); }
 * ```
 */
export class EventCursorExpiredError extends CatalogError {
  protected static override readonly brandName = 'EventCursorExpiredError';
  /** The oldest cursor the server still answers (a decimal sequence): pass it as `after`. */
  readonly resumeAfter: string;

  constructor(init: ConstructorParameters<typeof CatalogError>[0] & { resumeAfter: string }) {
    const { resumeAfter, ...rest } = init;
    super(rest);
    this.resumeAfter = resumeAfter;
  }
}

/** Whether the error is an expired event cursor (see {@link EventCursorExpiredError}). */
export function isCursorExpired(e: unknown): e is EventCursorExpiredError {
  return e instanceof EventCursorExpiredError;
}

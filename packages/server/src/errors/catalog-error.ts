/**
 * Domain errors. Every error the catalog raises on purpose carries a stable
 * literal `code`; only the protocol edge (http/mappers) turns a code into an
 * HTTP status and an error envelope. Tests assert codes, never messages.
 */
export type CatalogErrorCode =
  | 'ERR_BAD_REQUEST'
  | 'ERR_VALIDATION'
  | 'ERR_ILLEGAL_ARGUMENT'
  | 'ERR_WAREHOUSE_NOT_FOUND'
  | 'ERR_NAMESPACE_NOT_FOUND'
  | 'ERR_NAMESPACE_EXISTS'
  | 'ERR_NAMESPACE_NOT_EMPTY'
  | 'ERR_TABLE_NOT_FOUND'
  | 'ERR_VIEW_NOT_FOUND'
  | 'ERR_FUNCTION_NOT_FOUND'
  | 'ERR_METADATA_FILE_NOT_FOUND'
  | 'ERR_TABLE_EXISTS'
  | 'ERR_VIEW_EXISTS'
  | 'ERR_COMMIT_CONFLICT'
  | 'ERR_COMMIT_STATE_UNKNOWN'
  | 'ERR_NOT_IMPLEMENTED'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_FORBIDDEN'
  | 'ERR_STORAGE'
  | 'ERR_UNAVAILABLE'
  | 'ERR_PAYLOAD_TOO_LARGE'
  | 'ERR_IDEMPOTENCY_CONFLICT'
  /** Well-formed but contradictory (a property key both removed and updated): the Iceberg spec's 422. */
  | 'ERR_UNPROCESSABLE'
  | 'ERR_ROLE_NOT_FOUND'
  | 'ERR_ROLE_EXISTS'
  | 'ERR_ROLE_IN_USE'
  | 'ERR_GRANT_NOT_FOUND'
  /** A Lance table version the catalog does not hold (never created, or deleted). */
  | 'ERR_TABLE_VERSION_NOT_FOUND'
  /** A branch of a Lance table that does not exist (the catalog manages the main branch only). */
  | 'ERR_BRANCH_NOT_FOUND'
  /** CreateTableBranch naming a branch the table has already (in the catalog, or as Lance's ref). */
  | 'ERR_BRANCH_EXISTS'
  /** A tag of a Lance table that does not exist (DescribeTable with `tag`: no `_refs/tags/<tag>.json` in the dataset). */
  | 'ERR_TAG_NOT_FOUND'
  /** CreateTableTag naming a tag the dataset has already (Lance's `_refs/tags/<tag>.json`). */
  | 'ERR_TAG_EXISTS'
  /** A scan plan id that is unknown, expired, cancelled or another principal's (Iceberg NoSuchPlanIdException). */
  | 'ERR_PLAN_NOT_FOUND'
  /** A plan task this server did not hand out to the caller for this table, or an expired one (NoSuchPlanTaskException). */
  | 'ERR_PLAN_TASK_NOT_FOUND'
  /** Another object of the management API (a principal, a key, a role membership, a securable to grant on) does not exist. */
  | 'ERR_NOT_FOUND'
  /** A maintenance job of the table is running (on this replica or another): its lease is held. */
  | 'ERR_JOB_RUNNING'
  /** An event cursor older than what the retention sweep deleted: the events right after it are gone (410 at the edge). */
  | 'ERR_CURSOR_EXPIRED'
  /** A federated warehouse's remote catalog answered something that is not a valid answer of its protocol (502 at the edge). */
  | 'ERR_REMOTE_INVALID'
  /** A maintenance job's engine (ports/compaction-executor.ts: Spark) failed; the message is the engine's reason, without secrets (502 at the edge). */
  | 'ERR_EXECUTOR_FAILED';

export class CatalogError extends Error {
  readonly code: CatalogErrorCode;
  /**
   * Machine-readable facts a client acts on (kebab-case keys, string values: what to resume from), written into the
   * error body by the edge mappers next to the message. Never secrets, never internal detail.
   */
  readonly details: Readonly<Record<string, string>> | undefined;
  constructor(code: CatalogErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, string> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CatalogError';
    this.code = code;
    this.details = options?.details;
  }
}

export const isCatalogError = (e: unknown): e is CatalogError => e instanceof CatalogError;

/** Shorthand for input that breaks a rule of the Iceberg spec (400 at the edge). */
export const validation = (message: string): CatalogError => new CatalogError('ERR_VALIDATION', message);
/** A request that is well-formed but asks for something the model forbids; Iceberg clients raise IllegalArgumentException for it. */
export const illegalArgument = (message: string): CatalogError => new CatalogError('ERR_ILLEGAL_ARGUMENT', message);
/** Shorthand for a failed optimistic-concurrency requirement (409 at the edge). */
export const commitConflict = (message: string): CatalogError => new CatalogError('ERR_COMMIT_CONFLICT', message);

/**
 * What a failure of the Lance library (LanceDB, Lance, DataFusion, Arrow underneath) means for the caller, for every
 * LanceDB adapter of this directory: the caller's request (a bad expression, a value that does not cast, a schema the
 * dataset cannot take) is a 400 with the library's reason, cleaned of its source locations and stack; anything else
 * (storage, network, the library itself) stays the service's 503, whose message the edge never shows
 * (http/mappers/lance-errors.ts). Lost commit races are told apart before (lanceConflict in lancedb-loopback.ts).
 *
 * The library reports errors as text only (a napi Error whose `code` is "GenericFailure" for all of them), so the
 * kind is read from the wording its layers give their errors, as LanceDB 0.39 (Lance 12, DataFusion 50, Arrow 56)
 * words them: LanceDB's "Invalid input, …" (SQL that does not parse or plan, an unsupported expression), Lance's
 * "Invalid user input: …", "LanceError(Schema): …" and "LanceError(Arrow): <kind>: …" (an expression failing on a
 * row while it is computed: "Cast error", "Divide by zero error", "Arithmetic overflow", "Parser error"...),
 * DataFusion's "Error during planning", "Schema error", "sql parser error", "Execution error", a regex that does
 * not compile, a column type LanceDB's Node side or Arrow's kernels cannot take ("Unable to sanitize type",
 * "Unrecognized type", "… is not supported yet"). Storage words win over these ("LanceError(IO)", an object store's
 * error, "Not found: …"): a read that failed is never the caller's fault, whatever the operation. An unknown wording is the service's (503).
 */
import { CatalogError, validation } from '../errors/catalog-error.js';

/** Arrow's compute errors (arrow-schema ArrowError's Display), raised while an expression runs over the rows. */
const ARROW_COMPUTE =
  /(Cast error|Parser error|Divide by zero error|Arithmetic overflow|Compute error|Invalid argument error|Schema error|Not yet implemented|Dictionary key overflow|Run end index overflow)\b/;

const STORAGE =
  /LanceError\(IO\)|\bIo error\b|\bIO error\b|object[ _]?store|\bNot found:|Generic \S+ error|connection|timed out|\btimeout\b|broken pipe|reset by peer/i;

const INPUT = [
  /\bInvalid input,/, // LanceDB: SQL that does not parse or plan, an expression Lance does not support
  /Invalid user input/, // Lance
  /LanceError\(Schema\)/,
  /Error during planning/, // DataFusion
  /\bSchema error\b/,
  /sql parser error|SQL error/i,
  /Execution error/,
  /Type Coercion|type_coercion/i,
  /regex parse error/,
  /This feature is not implemented|\bNot supported\b/,
  // Arrow's kernels on a type they do not take ("sorting a column of type Null is not supported yet"): permanent.
  /\bis not supported yet\b/,
  /is not supported SQL/,
  // LanceDB's Node side (its apache-arrow 18 underneath) meeting a column type it has no class for, in data a request
  // carries (CreateTable's LargeUtf8 or LargeBinary: "Unable to sanitize type for field: c … Unrecognized type id in
  // schema: 20") or a table holds ('Unrecognized type: "LargeList"'): permanent, never the service's to retry (was a 503).
  /Unable to sanitize type for field/,
  /Unrecognized type( id in schema)?:/,
];

/** Whether the library's error was caused by the request (400), not by storage or the service (503). */
export function causedByRequest(e: unknown): boolean {
  const message = e instanceof Error ? e.message : String(e);
  if (STORAGE.test(message)) return false;
  if (/LanceError\(Arrow\)|Arrow error/.test(message)) return ARROW_COMPUTE.test(message);
  return INPUT.some((p) => p.test(message));
}

/**
 * The library's reason, fit for a client: one line, without the layers' prefixes ("lance error: LanceError(Arrow): "),
 * the Rust source locations (", /usr/local/cargo/…/schema_evolution.rs:328:41"), the repeated cause chain
 * ("Caused by: …"), anything that looks like a credential; bounded.
 */
export function cleanReason(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message
    .split(/\s+Caused by:/)[0]!
    .replace(/,?\s*\/[^\s,]*\.rs:\d+:\d+/g, '')
    .replace(/^(Failed to (get next batch from|execute query) stream: )+/, '')
    .replace(/^GenericFailure, /, '')
    .replace(/lance error: /g, '')
    .replace(/LanceError\(\w+\): /g, '')
    .replace(/(bearer|basic)\s+\S+/gi, '$1 …')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/**
 * The caller's 400 (ERR_VALIDATION) for a library error its request caused, else the service's 503 (ERR_UNAVAILABLE);
 * `what` says what failed ("AlterTableAddColumns"). Lost commit races are the caller's to tell first (lanceConflict).
 */
export function libraryFailure(what: string, e: unknown): CatalogError {
  if (causedByRequest(e)) return validation(`${what} was refused by the Lance library: ${cleanReason(e)}`);
  return new CatalogError('ERR_UNAVAILABLE', `${what} failed in the Lance library: ${cleanReason(e)}`);
}

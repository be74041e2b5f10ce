/** Format versions, constants and small helpers shared by the parts of the table metadata builder. */
import { illegalArgument } from '../../errors/catalog-error.js';
import type { TableFormatVersion } from './types.js';

export const DEFAULT_TABLE_FORMAT_VERSION = 2;
export const MAX_TABLE_FORMAT_VERSION = 3;
export const MIN_FORMAT_VERSION_ROW_LINEAGE = 3;
export const MAIN_BRANCH = 'main';
export const LAST_ADDED = -1;
export const ONE_MINUTE = 60_000n;

export interface LogEntry {
  ts: bigint;
  id: bigint;
}

export const big = (v: number | bigint): bigint => BigInt(v);

/** The largest 32-bit integer: what readers (Iceberg Java's int) take for ids and int properties. */
export const INT32_MAX = 2 ** 31 - 1;

/** The largest id of a schema, spec, sort order, partition field or view version: readers parse them as 32-bit ints. */
export const MAX_ID = INT32_MAX;

/**
 * The id after `id`, for a new schema, spec, sort order, partition field or view version. A reader
 * (Iceberg Java) refuses a file holding one past MAX_ID, so an id that does not fit is refused here
 * (a 400) instead of written.
 */
export function nextId(id: number, what: string): number {
  if (id >= MAX_ID) throw illegalArgument(`Cannot assign a new ${what} id: ${id} is the largest (ids are 32-bit integers)`);
  return id + 1;
}
/** A clock reading as bigint; tolerates fractional or non-finite values from odd clocks. */
export const clock = (ms: number): bigint => BigInt(Number.isFinite(ms) ? Math.trunc(ms) : Date.now());

/** Removes trailing slashes, but never the ones of a bare "scheme://". */
export function stripTrailingSlash(location: string): string {
  let out = location;
  while (out.endsWith('/') && !out.endsWith('://')) out = out.slice(0, -1);
  return out;
}

export function checkFormatVersion(v: number, path = 'format-version'): TableFormatVersion {
  if (!Number.isInteger(v) || v < 1 || v > MAX_TABLE_FORMAT_VERSION) {
    throw illegalArgument(`Unsupported format version: v${v} (supported: v${MAX_TABLE_FORMAT_VERSION}) in ${path}`);
  }
  return v as TableFormatVersion;
}

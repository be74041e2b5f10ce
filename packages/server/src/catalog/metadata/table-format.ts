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

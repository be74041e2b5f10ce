/** The one rule for a Lance version number on every operation (CreateTableVersion, DescribeTable, ranges…). */
import { validation } from '../../../errors/catalog-error.js';

/** A version number: a non-negative integer JavaScript holds exactly (a bigint beyond 2^53 is refused). */
export function checkVersion(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw validation(`${what} must be a non-negative integer below 2^53`);
  return value;
}

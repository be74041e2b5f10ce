/**
 * 64-bit integers on the wire. Iceberg snapshot ids are random 63-bit longs, which `JSON.parse` silently
 * rounds; Lakegate parses request bodies with lossless-json, so an integer beyond 2^53 arrives as a `bigint`
 * and a smaller one as a `number` (the same value always gets the same JS type). The published schema says
 * what every OpenAPI tool understands (`type: integer, format: int64`); validation (../validation) replaces
 * that node with the `int64` keyword, which accepts a safe-integer number or a bigint within the int64 range.
 */
import { type SchemaOptions, type TUnsafe, Type } from '@sinclair/typebox';

/** A JSON int64 as JavaScript holds it after lossless parsing: `number` when it is a safe integer, else `bigint`. */
export type Int64Value = number | bigint;

/** The smallest int64, -2^63. */
export const INT64_MIN = -(2n ** 63n);
/** The largest int64, 2^63 - 1. */
export const INT64_MAX = 2n ** 63n - 1n;

/**
 * True for a value an int64 field accepts: a safe-integer number, or a bigint in [-2^63, 2^63 - 1]. A number
 * beyond 2^53 is refused: it was already rounded by whoever parsed it.
 *
 * @example
 * ```ts
 * isInt64(9223372036854775807n); // true
 * isInt64(2 ** 60); // false: a rounded double
 * ```
 */
export function isInt64(value: unknown): value is Int64Value {
  if (typeof value === 'bigint') return value >= INT64_MIN && value <= INT64_MAX;
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/**
 * The schema of an int64 field: `{type: 'integer', format: 'int64'}`, typed `number | bigint`.
 *
 * @example
 * ```ts
 * const Snapshot = Type.Object({ 'snapshot-id': Int64() });
 * ```
 */
export const Int64 = (options: SchemaOptions = {}): TUnsafe<Int64Value> => Type.Unsafe<Int64Value>({ ...options, type: 'integer', format: 'int64' });

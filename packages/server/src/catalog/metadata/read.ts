/**
 * Typed readers for untrusted JSON. Every reader throws `validation(...)`
 * naming the offending field path, never a TypeError, so that any malformed
 * request becomes a 400 at the edge.
 */
import { validation } from '../../errors/catalog-error.js';
import type { Int64 } from './types.js';

export type JsonObject = Record<string, unknown>;

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export const hasOwn = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** The own property `key` of `o`, or undefined (never an inherited one). */
export const get = (o: JsonObject, key: string): unknown => (hasOwn(o, key) ? o[key] : undefined);

export const sub = (path: string, key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

const describe = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'bigint') return 'an integer';
  return `a ${typeof v}`;
};

export function asObject(v: unknown, path: string): JsonObject {
  if (!isObject(v)) throw validation(`Invalid ${path}: expected an object but got ${describe(v)}`);
  return v;
}

export function asArray(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw validation(`Invalid ${path}: expected an array but got ${describe(v)}`);
  return v;
}

export function asString(v: unknown, path: string): string {
  if (typeof v !== 'string') throw validation(`Invalid ${path}: expected a string but got ${describe(v)}`);
  return v;
}

export function asBoolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw validation(`Invalid ${path}: expected a boolean but got ${describe(v)}`);
  return v;
}

/** A 32-bit signed integer. */
export function asInt(v: unknown, path: string): number {
  if (typeof v === 'bigint') {
    if (v >= BigInt(INT32_MIN) && v <= BigInt(INT32_MAX)) return Number(v);
  } else if (typeof v === 'number' && Number.isInteger(v)) {
    if (v >= INT32_MIN && v <= INT32_MAX) return v;
  } else {
    throw validation(`Invalid ${path}: expected an integer but got ${describe(v)}`);
  }
  throw validation(`Invalid ${path}: integer out of 32-bit range`);
}

/** A 64-bit signed integer, as bigint. Refuses numbers that already lost precision. */
export function asLong(v: unknown, path: string): bigint {
  if (typeof v === 'bigint') {
    if (v >= INT64_MIN && v <= INT64_MAX) return v;
    throw validation(`Invalid ${path}: integer out of 64-bit range`);
  }
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (Number.isSafeInteger(v)) return BigInt(v);
    throw validation(`Invalid ${path}: integer ${v} is beyond 2^53 and lost precision; parse request JSON losslessly`);
  }
  throw validation(`Invalid ${path}: expected an integer but got ${describe(v)}`);
}

function required(o: JsonObject, key: string, path: string): unknown {
  const v = get(o, key);
  if (v === undefined || v === null) throw validation(`Invalid ${path}: missing required field '${sub(path, key)}'`);
  return v;
}

/** Absent and null both read as undefined. */
function optional(o: JsonObject, key: string): unknown {
  const v = get(o, key);
  return v === null ? undefined : v;
}

export const reqString = (o: JsonObject, key: string, path: string): string => asString(required(o, key, path), sub(path, key));
export const reqInt = (o: JsonObject, key: string, path: string): number => asInt(required(o, key, path), sub(path, key));
export const reqLong = (o: JsonObject, key: string, path: string): bigint => asLong(required(o, key, path), sub(path, key));
export const reqArray = (o: JsonObject, key: string, path: string): unknown[] => asArray(required(o, key, path), sub(path, key));
export const reqObject = (o: JsonObject, key: string, path: string): JsonObject => asObject(required(o, key, path), sub(path, key));

export function optString(o: JsonObject, key: string, path: string): string | undefined {
  const v = optional(o, key);
  return v === undefined ? undefined : asString(v, sub(path, key));
}
export function optInt(o: JsonObject, key: string, path: string): number | undefined {
  const v = optional(o, key);
  return v === undefined ? undefined : asInt(v, sub(path, key));
}
export function optLong(o: JsonObject, key: string, path: string): bigint | undefined {
  const v = optional(o, key);
  return v === undefined ? undefined : asLong(v, sub(path, key));
}
export function optObject(o: JsonObject, key: string, path: string): JsonObject | undefined {
  const v = optional(o, key);
  return v === undefined ? undefined : asObject(v, sub(path, key));
}

/** A JSON object whose values are all strings, as an insertion-ordered Map. */
export function asStringMap(v: unknown, path: string): Map<string, string> {
  const o = asObject(v, path);
  const out = new Map<string, string>();
  for (const [k, val] of Object.entries(o)) out.set(k, asString(val, sub(path, k)));
  return out;
}

export function asStringArray(v: unknown, path: string): string[] {
  return asArray(v, path).map((s, i) => asString(s, sub(path, i)));
}

export function asIntArray(v: unknown, path: string): number[] {
  return asArray(v, path).map((s, i) => asInt(s, sub(path, i)));
}

export function asLongArray(v: unknown, path: string): bigint[] {
  return asArray(v, path).map((s, i) => asLong(s, sub(path, i)));
}

// ---------------------------------------------------------------- int64 helpers

/** Canonical wire form of a long: a number when exactly representable, else a bigint. */
export const toWire = (v: bigint): Int64 => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);

/** Null-safe record from a Map, safe for keys like "__proto__". */
export const mapToRecord = <V>(m: ReadonlyMap<string, V>): Record<string, V> => Object.fromEntries(m);

/**
 * JSON with exact 64-bit integers. Iceberg snapshot ids are longs beyond 2^53; JSON.parse would silently round them,
 * so integers that do not fit a double are read as bigint and written back as digits (lossless-json does both).
 */
import { NOT_HANDLED, parseNative } from '@lakegate/protocol/json-native';
import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';

function parseNumber(text: string): number | bigint {
  return isInteger(text) && !isSafeNumber(text) ? BigInt(text) : Number(text);
}

/**
 * Parses JSON, reading unsafe integers as bigint: by V8's parser where that is exact, else by lossless-json, whose
 * answer the fast path always equals (@lakegate/protocol's json-native.ts). A table's metadata can be megabytes.
 */
export function parseJson(text: string): unknown {
  const value = parseNative(text);
  return value === NOT_HANDLED ? parse(text, null, parseNumber) : value;
}

/** Serializes JSON, writing bigint as plain digits. */
export function stringifyJson(value: unknown): string {
  const out = stringify(value);
  if (out === undefined) throw new TypeError('value cannot be serialized as JSON');
  return out;
}

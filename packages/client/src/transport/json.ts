/**
 * JSON with exact 64-bit integers. Iceberg snapshot ids are longs beyond 2^53; JSON.parse would silently round them,
 * so integers that do not fit a double are read as bigint and written back as digits (lossless-json does both).
 */
import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';

function parseNumber(text: string): number | bigint {
  return isInteger(text) && !isSafeNumber(text) ? BigInt(text) : Number(text);
}

/** Parses JSON, reading unsafe integers as bigint. */
export function parseJson(text: string): unknown {
  return parse(text, null, parseNumber);
}

/** Serializes JSON, writing bigint as plain digits. */
export function stringifyJson(value: unknown): string {
  const out = stringify(value);
  if (out === undefined) throw new TypeError('value cannot be serialized as JSON');
  return out;
}

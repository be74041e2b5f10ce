/**
 * JSON with exact 64-bit integers. Iceberg snapshot ids are random 63-bit
 * values; JSON.parse would round them to the nearest double and corrupt the
 * table. Integers that fit a double exactly stay numbers, larger ones become
 * bigint, so the same value always has the same JS type and === works.
 */
import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';

const parseNumber = (text: string): number | bigint => {
  if (isInteger(text) && !isSafeNumber(text)) return BigInt(text);
  return Number(text);
};

export function parseJson(text: string): unknown {
  return parse(text, null, parseNumber);
}

export function stringifyJson(value: unknown): string {
  const out = stringify(value);
  if (out === undefined) throw new TypeError('value is not serializable as JSON');
  return out;
}

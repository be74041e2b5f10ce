/**
 * JSON with exact 64-bit integers. Iceberg snapshot ids are random 63-bit
 * values; JSON.parse would round them to the nearest double and corrupt the
 * table. Integers that fit a double exactly stay numbers, larger ones become
 * bigint, so the same value always has the same JS type and === works.
 */
import { randomBytes } from 'node:crypto';
import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';

const parseNumber = (text: string): number | bigint => {
  if (isInteger(text) && !isSafeNumber(text)) return BigInt(text);
  return Number(text);
};

export function parseJson(text: string): unknown {
  return parse(text, null, parseNumber);
}

export function stringifyJson(value: unknown): string {
  // Every response goes through here. lossless-json's stringify is plain JavaScript and several
  // times slower than the built-in, so the built-in does the work: directly when the value holds
  // no bigint, else with each bigint written as a marked string whose quotes and marker are then
  // cut away, leaving its exact digits. The marker is random per process, so no client-supplied
  // string can be mistaken for it.
  let out: string | undefined;
  try {
    out = containsBigInt(value) ? JSON.stringify(value, markBigInt).replace(MARKED_BIGINT, '$1') : JSON.stringify(value);
  } catch (e) {
    // A bigint that only a toJSON() produces: the slow path knows how to write it.
    if (!(e instanceof TypeError)) throw e;
    out = stringify(value);
  }
  if (out === undefined) throw new TypeError('value is not serializable as JSON');
  return out;
}

const BIGINT_MARK = `\u0000bigint:${randomBytes(16).toString('hex')}:`;
const MARKED_BIGINT = new RegExp(`"${JSON.stringify(BIGINT_MARK).slice(1, -1).replace(/\\/g, '\\\\')}(-?\\d+)"`, 'g');
const markBigInt = (_key: string, v: unknown): unknown => (typeof v === 'bigint' ? BIGINT_MARK + v.toString() : v);

/** Own and inherited enumerable properties: a false positive only costs the marked path, never exactness. */
function containsBigInt(value: unknown): boolean {
  if (typeof value === 'bigint') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (containsBigInt(value[i])) return true;
    return false;
  }
  for (const key in value) if (containsBigInt((value as Record<string, unknown>)[key])) return true;
  return false;
}

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

/**
 * Deepest nesting of arrays and objects taken from outside the catalog. A real request or metadata file
 * stays far below it (a nested struct type costs three levels, so 256 allows some 80 of them), while
 * the recursive work that follows (schema validation, type checks, id assignment) reached the stack's
 * limit at about 2,000 levels: a deeper input gets a clear refusal instead of a RangeError.
 */
export const MAX_JSON_DEPTH = 256;

/** JSON from outside the catalog that is refused; the message says why, without quoting the input. */
export class JsonInputError extends Error {}

// Fatal: bad bytes throw. A leading byte order mark is skipped, as RFC 8259 allows a parser to.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON that comes from outside the catalog (a request body, a metadata file to register), held to one
 * rule before anything reads it:
 * - the bytes are UTF-8 (RFC 8259, section 8.1); a decoder that replaced bad bytes with U+FFFD would
 *   store names and properties the client never sent;
 * - arrays and objects nest at most `maxDepth` deep (MAX_JSON_DEPTH);
 * - no object has a key "__proto__", nor a key "constructor" holding an object with a key "prototype":
 *   Fastify's own JSON parser refuses both by default (onProtoPoisoning and onConstructorPoisoning), and
 *   this one replaces it. Copying such a key by assignment would silently drop it or reach a prototype.
 * The text (without a leading byte order mark) is returned with the value.
 */
export function parseJsonInput(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH): { text: string; value: unknown } {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new JsonInputError('not valid UTF-8');
  }
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (e) {
    // lossless-json parses recursively: only an input nested far too deep exhausts the stack.
    if (e instanceof RangeError) throw new JsonInputError(`nested deeper than ${maxDepth} levels`);
    throw e;
  }
  const problem = unsafeStructure(value, maxDepth);
  if (problem !== undefined) throw new JsonInputError(problem);
  return { text, value };
}

/** Why a parsed value breaks the nesting or key rule of parseJsonInput, or undefined. Iterative: any depth is walked safely. */
function unsafeStructure(root: unknown, maxDepth: number): string | undefined {
  if (typeof root !== 'object' || root === null) return undefined;
  const stack: Array<{ value: object; depth: number }> = [{ value: root, depth: 1 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value, depth } = next;
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
    if (!Array.isArray(value)) {
      if (Object.hasOwn(value, '__proto__')) return 'the key "__proto__" is not allowed';
      const ctor = (value as Record<string, unknown>).constructor;
      if (Object.hasOwn(value, 'constructor') && typeof ctor === 'object' && ctor !== null && Object.hasOwn(ctor, 'prototype')) {
        return 'a key "constructor" holding an object with a key "prototype" is not allowed';
      }
    }
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
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

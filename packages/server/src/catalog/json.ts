/**
 * JSON with exact 64-bit integers. Iceberg snapshot ids are random 63-bit
 * values; JSON.parse would round them to the nearest double and corrupt the
 * table. Integers that fit a double exactly stay numbers, larger ones become
 * bigint, so the same value always has the same JS type and === works.
 */
import { randomBytes } from 'node:crypto';
import { isInteger, isSafeNumber, parse, stringify } from 'lossless-json';
import { NOT_HANDLED, SCREENED, parseNative } from '@lakegate/protocol';

const parseNumber = (text: string): number | bigint => {
  if (isInteger(text) && !isSafeNumber(text)) return BigInt(text);
  return Number(text);
};

/**
 * The value of a JSON text, with exact integers. V8's parser does the work where it is exact (@lakegate/protocol's json-native.ts);
 * lossless-json, whose answer that path always equals, parses what it leaves (and reports errors).
 */
export function parseJson(text: string): unknown {
  const value = parseNative(text);
  return value === NOT_HANDLED ? parseLossless(text) : value;
}

const parseLossless = (text: string): unknown => parse(text, null, parseNumber);

/** parseNumber, but a number that would not be written back as the same text (`1.0`, `1e3`) stays a JsonNumber. */
const parseNumberExactly = (text: string): number | bigint | JsonNumber => {
  if (isInteger(text)) return isSafeNumber(text) ? Number(text) : BigInt(text);
  const n = Number(text);
  return String(n) === text ? n : new JsonNumber(text);
};

/**
 * parseJson for JSON that is written out again: with stringifyJson, every number comes back as the text it
 * was read from (a double default of `1.0` stays `1.0`, which Iceberg Java requires), except `-0` as `0`.
 */
export function parseJsonExactly(text: string): unknown {
  const value = parseNative(text, exactNumber);
  return value === NOT_HANDLED ? parse(text, null, parseNumberExactly) : value;
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
  // The native path screens the value in the walk it makes anyway: a value it returns has no key "__proto__" or
  // "constructor" and nests at most maxDepth deep, so it needs no second walk. Anything else takes the full path.
  const native = parseNative(text, undefined, maxDepth);
  if (native !== NOT_HANDLED && native !== SCREENED) return { text, value: native };
  let value: unknown;
  try {
    // SCREENED: the same value again, for the checks below (native was that value, screened).
    value = native === SCREENED ? parseJson(text) : parseLossless(text);
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

/**
 * A number whose JSON text is kept as given, for values whose form matters to readers of the metadata: a float
 * or double field's default must be a JSON floating-point number (`1.0`, not `1`), or Iceberg Java refuses to
 * read the schema, while JavaScript has one number type and writes 1.0 as `1`. stringifyJson writes `text`
 * as it is; anything else that serialises it (`toJSON`, `valueOf`) sees the plain number.
 */
export class JsonNumber {
  constructor(readonly text: string) {
    if (!JSON_NUMBER.test(text)) throw new TypeError(`not a JSON number: ${text}`);
  }

  /** A double written as a JSON floating-point number: with a fraction or an exponent, never as an integer. */
  static floating(value: number | bigint): JsonNumber {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new TypeError(`not a finite number: ${value}`);
    const text = String(n);
    return new JsonNumber(/[.e]/.test(text) ? text : `${text}.0`);
  }

  valueOf(): number {
    return Number(this.text);
  }

  toJSON(): number {
    return Number(this.text);
  }
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const exactNumber = (text: string): JsonNumber => new JsonNumber(text);

export function stringifyJson(value: unknown): string {
  // Every response goes through here. lossless-json's stringify is plain JavaScript and several
  // times slower than the built-in, so the built-in does the work: directly when the value holds
  // no bigint and no JsonNumber, else with each of those written as a marked string whose quotes
  // and marker are then cut away, leaving its exact text. The marker is random per process, so no
  // client-supplied string can be mistaken for it.
  let out: string | undefined;
  try {
    out = needsMarking(value) ? JSON.stringify(value, markExactNumbers).replace(MARKED_NUMBER, '$1') : JSON.stringify(value);
  } catch (e) {
    // A bigint that only a toJSON() produces: the slow path knows how to write it.
    if (!(e instanceof TypeError)) throw e;
    out = stringify(value);
  }
  if (out === undefined) throw new TypeError('value is not serializable as JSON');
  return out;
}

const NUMBER_MARK = `\u0000number:${randomBytes(16).toString('hex')}:`;
const MARKED_NUMBER = new RegExp(`"${JSON.stringify(NUMBER_MARK).slice(1, -1).replace(/\\/g, '\\\\')}(-?[0-9][0-9.eE+-]*)"`, 'g');
/** `this[key]` is the value before its toJSON(): a JsonNumber is caught here, ahead of its plain-number fallback. */
function markExactNumbers(this: unknown, key: string, v: unknown): unknown {
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof JsonNumber) return NUMBER_MARK + raw.text;
  return typeof v === 'bigint' ? NUMBER_MARK + v.toString() : v;
}

/** Own and inherited enumerable properties: a false positive only costs the marked path, never exactness. */
function needsMarking(value: unknown): boolean {
  if (typeof value === 'bigint') return true;
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof JsonNumber) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (needsMarking(value[i])) return true;
    return false;
  }
  for (const key in value) if (needsMarking((value as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * Identifier rules. Names become path segments of storage locations and keys
 * in the database, so they are checked once, here, before anything else:
 * no empty names, no control characters (U+001F separates namespace levels
 * on the wire and in the database), no "." or "..", no path separators; and
 * nothing that makes a name unreadable or spoofable: no lone UTF-16
 * surrogates (not text: they cannot be encoded into a location or stored as
 * UTF-8) and no bidirectional-override or -isolate characters (U+202A–U+202E,
 * U+2066–U+2069, U+200E/U+200F, U+061C), which make a name display as
 * another one (CVE-2021-42574's "Trojan Source", applied to identifiers);
 * and nothing invisible (issue 41): no Unicode Default_Ignorable_Code_Point
 * (zero-width space and joiners U+200B–U+200D, soft hyphen U+00AD, word
 * joiner and invisible operators U+2060–U+206F, variation selectors, U+FEFF,
 * Hangul fillers, tag characters U+E0000–U+E0FFF...), no space other than
 * U+0020 (no-break, em, ideographic... spaces, line and paragraph separators)
 * and no U+2800 braille blank: each lets two different names look identical
 * in every listing, the console and the audit trail. The property comes from
 * V8's Unicode tables (`\p{...}`), so it follows the Unicode version of the
 * Node that runs the server rather than a hand-kept list.
 */
import { validation } from '../errors/catalog-error.js';

export const MAX_NAME_LENGTH = 255;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\u2800]|(?! )\p{Zs}/u;
export const MAX_NAMESPACE_DEPTH = 16;

export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string') throw validation(`${what} must be a string`);
  if (name.length === 0) throw validation(`${what} must not be empty`);
  if (name.length > MAX_NAME_LENGTH) throw validation(`${what} is longer than ${MAX_NAME_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw validation(`${what} must not contain control characters`);
  if (LONE_SURROGATE.test(name)) throw validation(`${what} must be well-formed Unicode (it holds a lone UTF-16 surrogate)`);
  if (BIDI_CONTROLS.test(name)) throw validation(`${what} must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C): they make a name display as another`);
  if (INVISIBLE.test(name)) throw validation(`${what} must not contain invisible characters (Unicode Default_Ignorable_Code_Point such as U+200B or U+00AD, spaces other than U+0020, U+2800): they make a name display as another`);
  if (name === '.' || name === '..') throw validation(`${what} must not be "." or ".."`);
  if (name.includes('/') || name.includes('\\')) throw validation(`${what} must not contain "/" or "\\"`);
  return name;
}

export function checkNamespace(levels: unknown): string[] {
  if (!Array.isArray(levels)) throw validation('namespace must be an array of strings');
  if (levels.length === 0) throw validation('namespace must have at least one level');
  if (levels.length > MAX_NAMESPACE_DEPTH) throw validation(`namespace is deeper than ${MAX_NAMESPACE_DEPTH} levels`);
  return levels.map((l, i) => checkName(l, `namespace level ${i + 1}`));
}

export interface TableIdentifier {
  namespace: string[];
  name: string;
}

export function checkIdentifier(id: unknown, what = 'identifier'): TableIdentifier {
  if (typeof id !== 'object' || id === null) throw validation(`${what} must be an object with namespace and name`);
  const { namespace, name } = id as { namespace?: unknown; name?: unknown };
  return { namespace: checkNamespace(namespace), name: checkName(name, `${what} name`) };
}

export const formatIdentifier = (namespace: string[], name?: string): string => [...namespace, ...(name === undefined ? [] : [name])].join('.');

/** Validates a string→string map (properties). */
export function checkStringMap(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw validation(`${what} must be an object of string values`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw validation(`${what}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

export function checkStringArray(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw validation(`${what} must be an array of strings`);
  return value as string[];
}

/** U+001F joins namespace levels on the wire and in storage; checkName forbids it inside a level. */
export const NAMESPACE_SEPARATOR = '\u001f';
export const encodeNamespace = (levels: readonly string[]): string => levels.join(NAMESPACE_SEPARATOR);
export const decodeNamespace = (encoded: string): string[] => (encoded === '' ? [] : encoded.split(NAMESPACE_SEPARATOR));

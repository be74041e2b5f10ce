/**
 * Identifier rules. Names become path segments of storage locations and keys
 * in the database, so they are checked once, here, before anything else:
 * no empty names, no control characters (U+001F separates namespace levels
 * on the wire and in the database), no "." or "..", no backslash; and
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
 *
 * "/" is allowed (issue 42: the Iceberg spec forbids it nowhere, and the
 * compatibility kit's slash tests need it). Every place that builds a path,
 * key, id or URL from a name encodes it: a location segment is made of
 * unreserved characters only (default-locations.ts: `a/b` is `a_b-<uuid>`
 * or the namespace directory `_a_2Fb`, never a directory `a/b`), URL
 * builders use encodeURIComponent, OpenFGA ids percent-encode.
 * A backslash stays refused: a URL parser reads it as "/" in a file: URI.
 */
import { validation } from '../errors/catalog-error.js';

export const MAX_NAME_LENGTH = 255;
/** A UTF-16 surrogate without its pair: text that is not well-formed Unicode (stores write U+FFFD for it). */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\u2800]|(?! )\p{Zs}/u;
export const MAX_NAMESPACE_DEPTH = 16;

/**
 * The rule for a name that addresses an object (load, drop, rename from, grant on...): the structural checks only.
 * The display rules (no bidirectional controls, nothing invisible) came later (issue 41); a name stored before
 * them can still be loaded, renamed away and dropped, while no request can create one (checkNewName). Safe: a
 * lookup matches only a stored row, and a rename's destination or a new object goes through checkNewName.
 */
export function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string') throw validation(`${what} must be a string`);
  if (name.length === 0) throw validation(`${what} must not be empty`);
  if (name.length > MAX_NAME_LENGTH) throw validation(`${what} is longer than ${MAX_NAME_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) throw validation(`${what} must not contain control characters`);
  if (LONE_SURROGATE.test(name)) throw validation(`${what} must be well-formed Unicode (it holds a lone UTF-16 surrogate)`);
  if (name === '.' || name === '..') throw validation(`${what} must not be "." or ".."`);
  if (name.includes('\\')) throw validation(`${what} must not contain "\\"`);
  return name;
}

/**
 * Text a store keeps as it was sent: no U+0000 (PostgreSQL refuses it) and no lone UTF-16 surrogate (both drivers
 * store U+FFFD instead). For names that follow no stricter rule (a role member's, an explained subject's groups); the
 * store refuses the rest anyway (persistence/storable-text.ts), but a read answered from a cache would not reach it.
 */
export const isStorableText = (text: string): boolean => !text.includes('\u0000') && !LONE_SURROGATE.test(text);
export const UNSTORABLE_TEXT = 'holds U+0000 (NUL) or a lone UTF-16 surrogate, which the catalog cannot store';

/** The rule for a name being created or renamed to: checkName's, and the display rules. */
export function checkNewName(name: unknown, what: string): string {
  const checked = checkName(name, what);
  if (BIDI_CONTROLS.test(checked))
    throw validation(
      `${what} must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C): they make a name display as another`,
    );
  if (INVISIBLE.test(checked))
    throw validation(
      `${what} must not contain invisible characters (Unicode Default_Ignorable_Code_Point such as U+200B or U+00AD, spaces other than U+0020, U+2800): they make a name display as another`,
    );
  return checked;
}

/**
 * The Lance surface refuses "/" in the names it creates or addresses a table by (issue 42): Lance clients open a
 * table's location with Rust's object_store, whose Path::from_url_path percent-decodes it, so the location segment
 * `a%2Fb` would be read and written as the directory `a/b`, where another namespace's table may live, outside the
 * location the catalog checked. LanceDB's own naming rules allow no "/" either. Iceberg names may hold it.
 */
export function checkLanceLevels(levels: readonly string[], what: string): void {
  if (levels.some((l) => l.includes('/')))
    throw validation(
      `${what} must not contain "/" on the Lance surface: Lance clients percent-decode a table's location, so a "/" in a name would become a directory`,
    );
}

/**
 * Names that are not namespace levels, tables or views (warehouses, tenants, roles) keep "/" refused: they start
 * the audit trail's `warehouse/namespace.table` object names and the management API's paths, and no client needs it.
 */
export function checkPlainName(name: unknown, what: string): string {
  const checked = checkNewName(name, what);
  if (checked.includes('/')) throw validation(`${what} must not contain "/"`);
  return checked;
}

export function checkNamespace(levels: unknown, check: (name: unknown, what: string) => string = checkName): string[] {
  if (!Array.isArray(levels)) throw validation('namespace must be an array of strings');
  if (levels.length === 0) throw validation('namespace must have at least one level');
  if (levels.length > MAX_NAMESPACE_DEPTH) throw validation(`namespace is deeper than ${MAX_NAMESPACE_DEPTH} levels`);
  return levels.map((l, i) => check(l, `namespace level ${i + 1}`));
}

/** A namespace path being created, or holding an object being created or renamed to: every level by checkNewName. */
export const checkNewNamespace = (levels: unknown): string[] => checkNamespace(levels, checkNewName);

export interface TableIdentifier {
  namespace: string[];
  name: string;
}

export function checkIdentifier(id: unknown, what = 'identifier', fresh = false): TableIdentifier {
  if (typeof id !== 'object' || id === null) throw validation(`${what} must be an object with namespace and name`);
  const { namespace, name } = id as { namespace?: unknown; name?: unknown };
  return fresh
    ? { namespace: checkNewNamespace(namespace), name: checkNewName(name, `${what} name`) }
    : { namespace: checkNamespace(namespace), name: checkName(name, `${what} name`) };
}

/** An identifier being created or renamed to (checkNewName on each part). */
export const checkNewIdentifier = (id: unknown, what = 'identifier'): TableIdentifier => checkIdentifier(id, what, true);

/** "sales.orders": the levels and the name joined by "." (no arrays built: it names the object of every authorization). */
export function formatIdentifier(namespace: readonly string[], name?: string): string {
  let out = namespace.length === 0 ? '' : namespace[0]!;
  for (let i = 1; i < namespace.length; i++) out += `.${namespace[i]!}`;
  return name === undefined ? out : namespace.length === 0 ? name : `${out}.${name}`;
}

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

/**
 * The one order in which commits swap and lock objects (tables/commit.ts, CatalogRepository.lockObjects): two
 * transactions that take overlapping sets in this order cannot deadlock.
 */
export const objectOrderKey = (namespace: readonly string[], name: string): string => JSON.stringify([encodeNamespace(namespace), name]);

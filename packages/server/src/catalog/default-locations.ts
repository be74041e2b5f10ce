/**
 * Where the catalog puts what it creates (issue 52): every segment it adds to a storage root is made of unreserved
 * URI characters only (letters, digits, `_`, `-`, `.`), so a location the catalog creates needs no escaping and every
 * client reads it as the same path, whatever it does with `%XX` (PyIceberg and Iceberg Java take a location
 * literally, Lance's object_store decodes it: docs/storage.md). Names stay in the catalog for display; the location
 * only has to be unique and recognisable.
 *
 * - A table, view or Lance table: `<slug>-<uuid>`, the slug a readable, lossy rendering of the name (at most
 *   SLUG_MAX characters, possibly empty: then the segment is the uuid alone). The uuid makes it unique.
 * - A namespace level (its default directory, where its tables go): the level itself when it is already plain
 *   (`sales`, `db_1`, `v1.2`), else `_` followed by the level with every byte but letters, digits, `-` and `.`
 *   written `_XX` (its UTF-8 bytes in hex): `nsé` is `_ns_C3_A9`. One-to-one (a plain level never starts with `_`),
 *   so two namespaces never share a directory and a directory names at most one namespace (namespaceOfSegments).
 *
 * Locations chosen before (percent-encoded segments, joinLocation's issue 42 rule) are stored with their tables and
 * never rewritten; namespaceOfSegments still recognises such a namespace directory.
 */

/** Longest slug kept in a table's segment: with the uuid, well inside a file name's 255 bytes. */
export const SLUG_MAX = 64;

const PLAIN_LEVEL = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The directory segment of a namespace level: itself when plain, else its `_XX` form (see above). */
export function namespaceSegment(level: string): string {
  if (PLAIN_LEVEL.test(level)) return level;
  let out = '_';
  for (const byte of Buffer.from(level, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9.-]/.test(c) ? c : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The level a namespace segment names (the inverse of namespaceSegment), or undefined when no level gives it. */
export function levelOfSegment(segment: string): string | undefined {
  if (PLAIN_LEVEL.test(segment)) return segment;
  if (!/^_(?:[A-Za-z0-9.-]|_[0-9A-F]{2})+$/.test(segment)) return undefined;
  const bytes: number[] = [];
  for (let i = 1; i < segment.length; i++) {
    if (segment[i] === '_') {
      bytes.push(Number.parseInt(segment.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(segment.charCodeAt(i));
  }
  const level = new TextDecoder('utf-8', { fatal: false }).decode(Uint8Array.from(bytes));
  return namespaceSegment(level) === segment ? level : undefined;
}

/**
 * A readable, lossy slug of a name: accents dropped (NFKD without combining marks), every run of other characters
 * than letters, digits, `_` and `-` one `_`, no `_` or `-` at either end, at most SLUG_MAX characters.
 */
export function slugOf(name: string): string {
  const ascii = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return ascii
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .slice(0, SLUG_MAX)
    .replace(/^[_-]+|[_-]+$/g, '');
}

/** The segment of a table, view or Lance table: `<slug>-<uuid without dashes>`, or the uuid alone for an empty slug. */
export function objectSegment(name: string, uuid: string): string {
  const id = uuid.replace(/-/g, '');
  const slug = slugOf(name);
  return slug === '' ? id : `${slug}-${id}`;
}

/** A namespace's default directory: the storage root and one namespaceSegment per level. */
export function namespaceDirectory(root: string, levels: readonly string[]): string {
  return [root.replace(/\/+$/, ''), ...levels.map(namespaceSegment)].join('/');
}

/**
 * The namespaces whose default directory the segments (below the storage root) may be: the one namespaceSegment
 * names, and the one joinLocation's percent-encoding named before issue 52 (tables created then lie there).
 */
export function namespacesOfSegments(segments: readonly string[]): string[][] {
  const out: string[][] = [];
  const now = segments.map(levelOfSegment);
  if (now.every((l): l is string => l !== undefined)) out.push(now);
  try {
    const before = segments.map((s) => decodeURIComponent(s));
    if (!out.some((o) => o.every((l, i) => l === before[i]))) out.push(before);
  } catch {
    // not a percent-encoded name: only the new rule can give it
  }
  return out;
}

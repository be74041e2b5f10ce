/**
 * Location arithmetic. Every table and view location must stay under its
 * warehouse's storage root: purges delete recursively, so a location that
 * escaped the root (via "..", a foreign bucket or another scheme) would let
 * a caller delete data that is not theirs.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { validation } from '../errors/catalog-error.js';
import { BoundedMap } from './bounded-map.js';

/**
 * Canonical form: file locations as file:///abs/path (dot segments resolved), others as given; never a trailing
 * slash. It is the form locations are compared and held to roots in (stored rows keep it, so it does not change).
 * For a file: URI it spells alike what clients may read as two names (`a b` and `a%20b`: they read a location
 * literally, localPath below), never two directories apart: it keeps %2F, %5C and %25, and refuses a segment that
 * only decodes to "." or "..". So a location it puts under a root is under it for the clients too, and two names it
 * takes for one only make a check stricter (an orphan scan keeps both). What is refused is what it could not name: a
 * query or fragment in a file: URI (a file path drops it, an engine may not), a backslash in one (a URL parser
 * reads it as "/", so file:///wh/a\..\..\x is /x, while a file system path keeps it as a character), and an empty
 * segment in an object store's key (s3://b/wh//t is the key prefix wh//t/, not wh/t/).
 */
export function normalizeLocation(location: string): string {
  if (typeof location !== 'string' || location.length === 0) throw validation('location must be a non-empty string');
  if (/[\u0000-\u001f]/.test(location)) throw validation('location must not contain control characters');
  // Most file locations are already canonical (the catalog writes them so): then the answer is the text itself.
  if (CANONICAL_FILE.test(location)) return location.replace(/\/+$/, '');
  if (location.startsWith('/') || location.startsWith('file:')) {
    if (location.startsWith('file:') && /[?#\\]/.test(location)) throw validation('a file: location must not contain "?", "#" or "\\" (percent-encode them)');
    if (location.startsWith('/') && location.includes('%')) throw validation('a location given as a path must not contain "%" (write it as a file: URI)');
    // A segment that only decodes to "." or ".." is a file name to the clients (they read locations literally) but a step
    // up to the canonical form below: the two would disagree on which directory holds it.
    if (location.startsWith('file:') && location.split('/').some((seg) => /%2e/i.test(seg) && /^(?:\.|%2e){1,2}$/i.test(seg)))
      throw validation('a file: location must not contain an encoded "." or ".." segment');
    const p = location.startsWith('/') ? location : filePath(location);
    return fileUrlOf(path.resolve(p));
  }
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]+)(\/.*)?$/i.exec(location);
  if (!m) throw validation(`location ${JSON.stringify(location)} is not an absolute URI`);
  const segments = (m[3] ?? '').replace(/\/+$/, '').split('/').slice(1);
  if (segments.some((s) => s === '')) throw validation('location must not contain empty path segments ("//")');
  if (segments.some((s) => s === '.' || s === '..')) throw validation('location must not contain "." or ".." segments');
  return `${m[1]!.toLowerCase()}://${m[2]}${segments.length ? `/${segments.join('/')}` : ''}`;
}

/**
 * A file: URI that normalizeLocation's general path (to a path, resolved, back to a URL: ~10 µs, paid for each
 * of a commit's or registration's paths) gives back unchanged but for trailing slashes: `file:///` and segments
 * of letters, digits, `.`, `_` and `-` only (nothing to decode or encode; pathToFileURL encodes even `~`), none
 * empty, `.` or `..` (nothing to resolve). locations.test.ts holds it to the general path on random URIs.
 */
const CANONICAL_FILE = /^file:\/\/(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9._-]+)+\/*$/;

/**
 * Escapes the catalog's file storage decoded before (issue 52), kept only to find what it wrote then: %2F and %5C
 * (a name holding "/" or "\\", issue 42) and %25 stayed escapes in the file name; every other escape was decoded.
 * So the catalog wrote a table's metadata files at `t é-<uuid>/metadata/` while the location said `t%20%C3%A9-<uuid>`,
 * where every client (below) wrote its data and manifests. legacyLocalPath gives that old path, for reading
 * (and purging) the files the catalog wrote there; nothing is written there any more.
 */
const KEPT_ESCAPE = /(%(?:25|2f|5c))/i;

/** The old (issue 42) reading of a file: URI: decoded but for KEPT_ESCAPE; see legacyLocalPath. */
function filePath(uri: string): string {
  // Accept the short Hadoop form file:/abs/path as well as file:///abs/path.
  const url = parseFileUrl(uri.replace(/^file:\/(?!\/)/, 'file:///'));
  try {
    // As fileURLToPath (which refuses %2F) does, but each kept escape stays, upper-cased, in the file name.
    return url.pathname
      .split(KEPT_ESCAPE)
      .map((piece, i) => (i % 2 === 1 ? piece.toUpperCase() : decodeURIComponent(piece)))
      .join('');
  } catch {
    throw validation(`location ${JSON.stringify(uri)} is not a valid file URI`);
  }
}

function parseFileUrl(uri: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw validation(`location ${JSON.stringify(uri)} is not a valid file URI`);
  }
  // fileURLToPath's rules on POSIX: a file: URL with no host but localhost.
  if (url.protocol !== 'file:' || (url.hostname !== '' && url.hostname !== 'localhost'))
    throw validation(`location ${JSON.stringify(uri)} is not a valid file URI`);
  return url;
}

/** The file: URI of an absolute path, the inverse of filePath: its kept escapes stay single escapes. */
function fileUrlOf(absolute: string): string {
  return pathToFileURL(absolute)
    .href.replace(/\/+$/, '')
    .replace(/%25(25|2F|5C)/g, '%$1');
}

/** True when location equals root or lies below it. Both are normalized first. */
export function isUnderRoot(root: string, location: string): boolean {
  return isUnderNormalized(normalizeLocation(root), normalizeLocation(location));
}

/** isUnderRoot for locations both already normalized. */
export function isUnderNormalized(root: string, location: string): boolean {
  return location === root || (location.length > root.length && location.charCodeAt(root.length) === 47 && location.startsWith(root));
}

/** Normalized forms of recent location texts (a pure function of the string, ~20 µs each). */
const normalizedTexts = new BoundedMap<string, string>({ maxEntries: 10_000 });

/**
 * normalizeLocation, kept for texts seen before: hot paths ask it again and again for the same few strings (a
 * warehouse's storage roots on every location check, a table's location on every remote sign). Bounded: cleared when
 * full rather than tracking recency (cheap on the hot path).
 */
export function normalizedLocation(location: string): string {
  let n = normalizedTexts.get(location);
  if (n === undefined) {
    n = normalizeLocation(location);
    normalizedTexts.set(location, n);
  }
  return n;
}

/** Local paths of recent file: locations: a pure function of the string, read on every loadTable of a file warehouse. */
const localPaths = new BoundedMap<string, string>({ maxEntries: 10_000 });

/**
 * Local filesystem path of a file: location, read literally (issue 52): the URI's path as written, dot segments
 * resolved, nothing decoded, so `file:///wh/t%20x/a` is the file `/wh/t%20x/a`. This is how the clients that write
 * a table's files read it: PyIceberg's PyArrowFileIO (`urlparse(location).path`, never unquoted) and FsspecFileIO
 * (fsspec's LocalFileSystem strips the scheme only), and Iceberg Java's HadoopFileIO (Hadoop's `new Path(String)`
 * quotes "%" into the URI it builds, so `toUri().getPath()` gives back the text). The catalog writes, reads, lists
 * and deletes at that path; docs/storage.md has the rule for every storage kind.
 */
export function localPath(location: string): string {
  let p = localPaths.get(location);
  if (p === undefined) {
    p = literalPath(location);
    localPaths.set(location, p);
  }
  return p;
}

/**
 * Where the catalog wrote a file: location's file before issue 52 (decoded but for %25, %2F and %5C), when that
 * differs from localPath; undefined when they agree (no other escape in it, every location the catalog creates now).
 * Read and purged as a fallback only: the metadata files of tables created before lie there.
 */
export function legacyLocalPath(location: string): string | undefined {
  if (!/%(?!25|2f|5c)[0-9a-f]{2}/i.test(location)) return undefined;
  let legacy: string;
  try {
    legacy = filePath(normalizeLocation(location));
  } catch {
    return undefined;
  }
  return legacy === localPath(location) ? undefined : legacy;
}

function literalPath(location: string): string {
  if (typeof location !== 'string' || location.length === 0) throw validation('location must be a non-empty string');
  if (/[\u0000-\u001f]/.test(location)) throw validation('location must not contain control characters');
  let p: string;
  if (location.startsWith('/')) p = location;
  else {
    // file:///abs, file://localhost/abs or Hadoop's file:/abs; any other host is refused (as fileURLToPath does on POSIX).
    const m = /^file:(?:\/\/(?:localhost)?(?=\/)|(?=\/(?!\/)))(\/.*)$/i.exec(location);
    if (!m) throw validation(`location ${JSON.stringify(location)} is not a valid file URI`);
    p = m[1]!;
  }
  return path.posix.resolve(p);
}

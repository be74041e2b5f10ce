/**
 * Location arithmetic. Every table and view location must stay under its
 * warehouse's storage root: purges delete recursively, so a location that
 * escaped the root (via "..", a foreign bucket or another scheme) would let
 * a caller delete data that is not theirs.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { validation } from '../errors/catalog-error.js';

/**
 * Canonical form: file locations as file:///abs/path (dot segments resolved), others as given; never a trailing
 * slash. The canonical form names the same files as the location itself does for storage (the catalog's own
 * reads, writes and purges, and the credentials it vends), so what is refused is what it could not name so: a
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
 * Escapes a file: URI's path keeps as they are in the file name instead of decoding them: %2F and %5C (a name holding
 * "/" or "\\" is one segment, `a%2Fb`, issue 42; decoded it would be a directory `a` holding `b`, another table's
 * place, and Node's fileURLToPath refuses it) and %25, so that a file name's "%" always starts one of the three and
 * the mapping stays one-to-one (the names `a/b` and `a%2Fb` are the files `a%2Fb` and `a%252Fb`). This is also how
 * Iceberg Java (Hadoop's Path) and PyIceberg (pyarrow) read them: they do not decode a location at all.
 * Written by hand: no URL library has a "decode all but these" mode.
 */
const KEPT_ESCAPE = /(%(?:25|2f|5c))/i;

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
  if (url.protocol !== 'file:' || (url.hostname !== '' && url.hostname !== 'localhost')) throw validation(`location ${JSON.stringify(uri)} is not a valid file URI`);
  return url;
}

/** The file: URI of an absolute path, the inverse of filePath: its kept escapes stay single escapes. */
function fileUrlOf(absolute: string): string {
  return pathToFileURL(absolute).href.replace(/\/+$/, '').replace(/%25(25|2F|5C)/g, '%$1');
}

/** True when location equals root or lies below it. Both are normalized first. */
export function isUnderRoot(root: string, location: string): boolean {
  return isUnderNormalized(normalizeLocation(root), normalizeLocation(location));
}

/** isUnderRoot for locations both already normalized. */
export function isUnderNormalized(root: string, location: string): boolean {
  return location === root || (location.length > root.length && location.charCodeAt(root.length) === 47 && location.startsWith(root));
}

/** Joins name segments to a location, percent-encoding them (also "*", which S3 policies treat as a wildcard). */
export function joinLocation(base: string, ...parts: string[]): string {
  return [base.replace(/\/+$/, ''), ...parts.map((p) => encodeURIComponent(p).replace(/\*/g, '%2A'))].join('/');
}

/** Normalized forms of recent location texts (a pure function of the string, ~20 µs each). */
const normalizedTexts = new Map<string, string>();

/**
 * normalizeLocation, kept for texts seen before: hot paths ask it again and again for the same few strings (a
 * warehouse's storage roots on every location check, a table's location on every remote sign). Bounded: cleared when
 * full rather than tracking recency (cheap on the hot path).
 */
export function normalizedLocation(location: string): string {
  let n = normalizedTexts.get(location);
  if (n === undefined) {
    n = normalizeLocation(location);
    if (normalizedTexts.size >= 10_000) normalizedTexts.clear();
    normalizedTexts.set(location, n);
  }
  return n;
}

/** Local paths of recent file: locations: a pure function of the string, read on every loadTable of a file warehouse. */
const localPaths = new Map<string, string>();

/** Local filesystem path of a file: location. */
export function localPath(location: string): string {
  let p = localPaths.get(location);
  if (p === undefined) {
    p = filePath(normalizeLocation(location));
    // Bounded: cleared when full rather than tracking recency (cheap on the hot path).
    if (localPaths.size >= 10_000) localPaths.clear();
    localPaths.set(location, p);
  }
  return p;
}

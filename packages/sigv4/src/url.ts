/** The request target: path as received, query pairs percent-decoded (SignatureV4 re-encodes them). */
import type { QueryParameterBag } from '@smithy/types';
import { malformed } from './errors.js';

export interface RequestTarget {
  /** Path exactly as received (still percent-encoded). */
  path: string;
  /** Decoded [name, value] pairs in received order; `?a` is ["a", ""]. */
  query: ReadonlyArray<readonly [string, string]>;
}

export function parseTarget(url: string): RequestTarget {
  if (!url.startsWith('/')) malformed('request target must be origin-form (start with "/")');
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);
  try {
    // SignatureV4 URI-encodes the path; a lone surrogate would make that throw later.
    encodeURIComponent(path);
  } catch {
    malformed('request path is not well-formed');
  }
  return { path, query: parseQuery(rawQuery) };
}

export function parseQuery(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    pairs.push([decode(rawName), decode(rawValue)]);
  }
  return pairs;
}

// RFC 3986 decoding: "+" stays "+" (SigV4 signers encode a space as %20).
function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return malformed('query string has invalid percent-encoding');
  }
}

/** SignatureV4's query bag; repeated names become arrays (it sorts them by value). */
export function toQueryBag(pairs: ReadonlyArray<readonly [string, string]>, omit: ReadonlySet<string> = new Set()): QueryParameterBag {
  const bag: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of pairs) {
    if (omit.has(name)) continue;
    const prev = bag[name];
    if (prev === undefined) bag[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else bag[name] = [prev, value];
  }
  return bag;
}

/**
 * The checks every adapter's readRange() makes (catalog/object-storage.ts), so each answers a bad range alike: an
 * offset or length that is not a non-negative safe integer is the caller's mistake (ERR_VALIDATION), a length above
 * the caller's bound is refused before any request (ERR_PAYLOAD_TOO_LARGE, as read() refuses a large object), and a
 * range that runs past the object's end is the object's fault (ERR_UNPROCESSABLE: a manifest naming bytes a file does
 * not have), never a shorter answer.
 */
import { CatalogError } from '../errors/catalog-error.js';

/** Throws unless `offset` and `length` name a range the caller may read (at most `maxBytes` long). */
export function checkRange(uri: string, offset: number, length: number, maxBytes: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0 || !Number.isSafeInteger(offset + length))
    throw new CatalogError('ERR_VALIDATION', `invalid byte range of ${uri}: offset ${offset}, length ${length}`);
  if (length > maxBytes) throw new CatalogError('ERR_PAYLOAD_TOO_LARGE', `range of ${length} bytes of ${uri} is larger than ${maxBytes} bytes`);
}

/** ERR_UNPROCESSABLE: bytes `offset` to `offset + length` are not all in the object (of `size` bytes, when known). */
export function rangePastEnd(uri: string, offset: number, length: number, size?: number): CatalogError {
  const of = size === undefined ? '' : ` ${size}-byte`;
  return new CatalogError('ERR_UNPROCESSABLE', `range ${offset}+${length} lies past the end of the${of} object ${uri}`);
}

/** The HTTP Range header value of a non-empty range. */
export const rangeHeader = (offset: number, length: number): string => `bytes=${offset}-${offset + length - 1}`;

/** The total size in a Content-Range header (`bytes 0-9/1234`), when it tells one. */
function totalOfContentRange(header: string | null | undefined): number | undefined {
  const total = /\/(\d+)\s*$/.exec(header ?? '')?.[1];
  return total === undefined ? undefined : Number(total);
}

/**
 * A store answered other than `length` bytes: past the end when the object (its Content-Range total) is too short for
 * the range, or when it does not tell; a store that ignored the range (the object holds it) is a storage error.
 */
export function wrongRange(uri: string, offset: number, length: number, contentRange: string | null | undefined): CatalogError {
  const total = totalOfContentRange(contentRange);
  if (total !== undefined && offset + length <= total)
    return new CatalogError('ERR_STORAGE', `the store answered another range of ${uri} than ${offset}+${length}`);
  return rangePastEnd(uri, offset, length, total);
}

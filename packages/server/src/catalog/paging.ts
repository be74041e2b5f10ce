/**
 * Page tokens: where a listing resumes (the last key of the previous page), sealed. The key is encrypted, and authenticated with the listing it belongs to (warehouse, parent, kind): a token
 * the server did not hand out for this very listing (a typo, a truncated copy, a forged one, or one of another
 * listing) is refused with 400. Otherwise a token would show an invisible name, and a forged one would let a
 * caller probe how many rows it may not see lie after any name it chose, and so spell their names out.
 * Tokens are deterministic (the same key gives the same token, so kept listing bodies still match) and every
 * replica with the same secret key (config secretKey) reads every other's.
 */
import { type KeyObject, createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync } from 'node:crypto';
import { validation } from '../errors/catalog-error.js';
import { encodeNamespace } from './identifiers.js';
import type { Page } from './ports/index.js';

/** Seals and opens page tokens with keys derived from the server's secret key. */
export class PageTokens {
  /** KeyObjects, as security/secret-box.ts says why. */
  private readonly encryption: KeyObject;
  private readonly nonces: KeyObject;

  constructor(secretKey: Uint8Array) {
    this.encryption = createSecretKey(Buffer.from(hkdfSync('sha256', secretKey, 'lakegate', 'page-tokens:encryption', 32)));
    this.nonces = createSecretKey(Buffer.from(hkdfSync('sha256', secretKey, 'lakegate', 'page-tokens:nonce', 32)));
  }

  seal(key: string, listing: string): string {
    // A synthetic nonce (as in SIV): the same key and listing give the same token, different ones never share a nonce.
    const nonce = createHmac('sha256', this.nonces).update(listing).update('\u0000').update(key).digest().subarray(0, 12);
    const cipher = createCipheriv('aes-256-gcm', this.encryption, nonce);
    cipher.setAAD(Buffer.from(listing, 'utf8'));
    const body = Buffer.concat([cipher.update(key, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The key a token resumes after, or undefined when the server did not hand out this token for this listing. */
  open(token: string, listing: string): string | undefined {
    if (token.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
    const raw = Buffer.from(token, 'base64url');
    if (raw.length <= 28 || raw.toString('base64url') !== token) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.encryption, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(listing, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      const key = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      return key.length > 0 ? key : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Names the listing a token belongs to: the warehouse, the parent namespace and what is listed. */
export function listingOf(warehouse: string, parent: readonly string[], kind: string): string {
  return `${warehouse}\u001f${encodeNamespace([...parent])}\u001f${kind}`;
}

/** A page to fetch, and how a token for the next one is made. */
export interface ListingPage extends Page {
  tokenOf(key: string): string;
}

/** The most items of one page; a larger pageSize is lowered to it (the spec makes pageSize an upper bound). */
export const MAX_PAGE_SIZE = 1000;

export interface PageRequest {
  pageToken?: string | undefined;
  pageSize?: number | undefined;
}

export function toPage(req: PageRequest, tokens: PageTokens, listing: string): ListingPage {
  const asked = req.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(asked) || asked < 1) throw validation('pageSize must be a positive integer');
  // An upper bound the server may lower (Iceberg's page-size parameter): clamped, never refused.
  const limit = Math.min(asked, MAX_PAGE_SIZE);
  const tokenOf = (key: string) => tokens.seal(key, listing);
  if (req.pageToken === undefined || req.pageToken === '') return { limit, tokenOf };
  const after = tokens.open(req.pageToken, listing);
  if (after === undefined) throw validation('pageToken is not valid: pass the next-page-token of the previous page as it was');
  return { after, limit, tokenOf };
}

/** Fetch one row more than the page to know whether another page follows. */
export function pageOf<T>(rows: T[], page: ListingPage, key: (row: T) => string): { items: T[]; nextPageToken: string | null } {
  if (rows.length <= page.limit) return { items: rows, nextPageToken: null };
  const items = rows.slice(0, page.limit);
  return { items, nextPageToken: page.tokenOf(key(items.at(-1)!)) };
}

/**
 * One page of the items a caller may see, when it may not see them all: the
 * catalog's own order is scanned in chunks, each chunk filtered with one
 * batched authorization check, until the page is full or the listing ends.
 * So a page is short only when it is the last (next-page token null): a
 * client that stops at a short or empty page, or the spec's reader, never
 * misses what follows. The cost is a scan as long as the rows the caller may
 * not see, in one request, in chunks of at least 100 rows.
 */
export async function visiblePage<T>(
  page: ListingPage,
  fetch: (after: string | undefined, limit: number) => Promise<T[]>,
  keep: (items: T[]) => Promise<boolean[]>,
  key: (item: T) => string,
): Promise<{ items: T[]; nextPageToken: string | null }> {
  const items: T[] = [];
  let after = page.after;
  const chunk = Math.max(page.limit, 100);
  for (;;) {
    const rows = await fetch(after, chunk + 1);
    const candidates = rows.slice(0, chunk);
    const kept = candidates.length > 0 ? await keep(candidates) : [];
    for (let i = 0; i < candidates.length; i++) {
      if (!kept[i]) continue;
      items.push(candidates[i]!);
      if (items.length === page.limit) {
        // Full: the next page starts after this item, unless nothing at all follows it.
        const more = i < candidates.length - 1 || rows.length > chunk;
        return { items, nextPageToken: more ? page.tokenOf(key(candidates[i]!)) : null };
      }
    }
    if (rows.length <= chunk) return { items, nextPageToken: null };
    after = key(candidates.at(-1)!);
  }
}

/** One page of a listing as a service answers it. */
export interface ListedPage<T> {
  items: T[];
  nextPageToken: string | null;
}

/**
 * A whole listing, page after page, for a request without pageToken: the Iceberg spec's "all results in a single
 * response with next-page-token null". The first page is read (and authorized) before this returns, so a missing or
 * forbidden namespace is still a plain error answer; the rest is read as the caller consumes it, one page of at most
 * MAX_PAGE_SIZE at a time, each page checked as a paged request would be, so memory stays bounded at any size.
 */
export async function everyPage<T>(list: (pageToken: string) => Promise<ListedPage<T>>): Promise<WholeListing<T>> {
  const first = await list('');
  // The common case, a listing of one page, is answered like any page (and its encoded body kept, listing-bodies.ts).
  if (first.nextPageToken === null)
    return {
      complete: first.items,
      pages: (async function* one() {
        yield first.items;
      })(),
    };
  return {
    complete: undefined,
    pages: (async function* pages() {
      let page = first;
      yield page.items;
      while (page.nextPageToken !== null) {
        page = await list(page.nextPageToken);
        yield page.items;
      }
    })(),
  };
}

/** A whole listing: its items when they fit one page, and its pages in turn either way. */
export interface WholeListing<T> {
  complete: T[] | undefined;
  pages: AsyncIterable<T[]>;
}

/**
 * Opaque page tokens: the last key of the previous page (base64url) and a check over it, so that a token the
 * server did not hand out (a typo, a truncated copy, a forged one) is refused with 400 instead of quietly listing
 * from an arbitrary position. The check is not a secret: a token only says where a listing resumes, and every
 * item is still filtered by what the caller may see.
 */
import { hash } from 'node:crypto';
import { validation } from '../errors/catalog-error.js';
import type { Page } from './ports.js';

export const MAX_PAGE_SIZE = 1000;

export interface PageRequest {
  pageToken?: string | undefined;
  pageSize?: number | undefined;
}

export function toPage(req: PageRequest): Page {
  const limit = req.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw validation(`pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  if (req.pageToken === undefined || req.pageToken === '') return { limit };
  const after = keyOf(req.pageToken);
  if (after === undefined) throw validation('pageToken is not valid: pass the next-page-token of the previous page as it was');
  return { after, limit };
}

/** Fetch one row more than the page to know whether another page follows. */
export function pageOf<T>(rows: T[], page: Page, key: (row: T) => string): { items: T[]; nextPageToken: string | null } {
  if (rows.length <= page.limit) return { items: rows, nextPageToken: null };
  const items = rows.slice(0, page.limit);
  return { items, nextPageToken: tokenOf(key(items.at(-1)!)) };
}

/** How many candidates one listing request examines at most when the caller may see only some of them. */
export const MAX_FILTER_SCAN = 5000;

/**
 * One page of the items a caller may see, when it may not see them all: the
 * catalog's own order is scanned in chunks, each chunk filtered with one
 * batched authorization check, until the page is full or the scan budget
 * is spent. A page can be short (even empty) while a next-page token
 * remains; Iceberg and Lance clients follow tokens until there is none.
 */
export async function visiblePage<T>(
  page: Page,
  fetch: (after: string | undefined, limit: number) => Promise<T[]>,
  keep: (items: T[]) => Promise<boolean[]>,
  key: (item: T) => string,
): Promise<{ items: T[]; nextPageToken: string | null }> {
  const items: T[] = [];
  let after = page.after;
  let scanned = 0;
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
        return { items, nextPageToken: more ? tokenOf(key(candidates[i]!)) : null };
      }
    }
    scanned += candidates.length;
    if (rows.length <= chunk) return { items, nextPageToken: null };
    after = key(candidates.at(-1)!);
    if (scanned >= MAX_FILTER_SCAN) return { items, nextPageToken: tokenOf(after) };
  }
}

const checkOf = (encoded: string): string => hash('sha256', `lakegate-page-token:${encoded}`, 'base64url').slice(0, 12);
const tokenOf = (key: string): string => {
  const encoded = Buffer.from(key, 'utf8').toString('base64url');
  return `${encoded}.${checkOf(encoded)}`;
};

/** The key a token resumes after, or undefined when the server did not hand out this token. */
function keyOf(token: string): string | undefined {
  const dot = token.lastIndexOf('.');
  if (dot <= 0 || token.length > 4096) return undefined;
  const encoded = token.slice(0, dot);
  if (checkOf(encoded) !== token.slice(dot + 1)) return undefined;
  const key = Buffer.from(encoded, 'base64url').toString('utf8');
  return key.length > 0 && Buffer.from(key, 'utf8').toString('base64url') === encoded ? key : undefined;
}

/** Opaque page tokens: base64url of the last name on the previous page. */
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
  const after = Buffer.from(req.pageToken, 'base64url').toString('utf8');
  if (after.length === 0 || Buffer.from(after, 'utf8').toString('base64url') !== req.pageToken) throw validation('pageToken is not valid');
  return { after, limit };
}

/** Fetch one row more than the page to know whether another page follows. */
export function pageOf<T>(rows: T[], page: Page, key: (row: T) => string): { items: T[]; nextPageToken: string | null } {
  if (rows.length <= page.limit) return { items: rows, nextPageToken: null };
  const items = rows.slice(0, page.limit);
  return { items, nextPageToken: Buffer.from(key(items.at(-1)!), 'utf8').toString('base64url') };
}

/** Paging over Iceberg-style list responses (a page of items and the token of the next). */
import { CatalogError } from '../errors.js';
import type { Page, PageOptions } from './types.js';

/**
 * Turns a page-fetching function into an async iterator over all items.
 *
 * @example
 * ```ts
 * for await (const ns of paginate((token) => catalog.listNamespaces(undefined, { pageSize: 100, pageToken: token }))) console.log(ns);
 * ```
 */
export async function* paginate<T>(fetchPage: (token: string | undefined) => Promise<Page<T>>): AsyncIterable<T> {
  let token: string | undefined;
  const seen = new Set<string>();
  do {
    const page = await fetchPage(token);
    yield* page.items;
    token = page.nextPageToken || undefined;
    // A server that hands out the same token twice would loop forever; stop with an error instead.
    if (token !== undefined) {
      if (seen.has(token))
        throw new CatalogError({ message: 'the server repeated a page token', status: 0, type: 'InvalidResponse', protocol: 'iceberg', request: '' });
      seen.add(token);
    }
  } while (token !== undefined);
}

/**
 * Paging query parameters. The spec pages only a request that carries pageToken (without it a server answers the
 * whole listing), so a first page with a pageSize sends an empty pageToken, as Iceberg Java does.
 */
export function pageQuery(page: PageOptions): { pageSize?: number; pageToken?: string } {
  const pageToken = page.pageToken ?? (page.pageSize !== undefined ? '' : undefined);
  return { ...(page.pageSize !== undefined ? { pageSize: page.pageSize } : {}), ...(pageToken !== undefined ? { pageToken } : {}) };
}

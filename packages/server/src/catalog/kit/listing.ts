/**
 * Listing tables, views and Lance tables of a namespace as the caller may
 * see them: holders of the kind's list privilege (`table:list`,
 * `view:list`) see every one; others see the objects they hold a
 * visibility privilege on (e.g. `table:read-metadata` or `table:drop`,
 * granted on the object or inherited), filtered with one batched check per
 * chunk of the catalog's own order (paging.ts visiblePage), never a lookup
 * per item; the chunks of one page share what the authorizer reads about
 * the caller (a listing memo, access/check-memo.ts). A caller who holds nothing on the namespace may still list
 * the objects it holds something on; one who would see nothing at all gets
 * the 403 a missing namespace gets, so an empty answer never tells it that
 * the namespace exists.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import type { Privilege } from '../privileges.js';
import type { RequestScope, ServiceContext } from '../context.js';
import { formatIdentifier } from '../identifiers.js';
import { type ListingPage, pageOf, visiblePage } from '../paging.js';
import type { ObjectKind } from '../ports/index.js';

export interface ListingRules {
  kind: ObjectKind;
  /** The privilege on the namespace that shows every object. */
  list: Privilege;
  /** Privileges on an object (held or inherited) that show it. */
  visibleWith: readonly Privilege[];
  /** Tables and Lance tables are 'table' securables, views 'view'. */
  securable: 'table' | 'view';
}

export async function listVisible(
  ctx: ServiceContext,
  scope: RequestScope,
  levels: string[],
  page: ListingPage,
  rules: ListingRules,
): Promise<{ items: Array<{ id: string; namespace: string[]; name: string }>; nextPageToken: string | null }> {
  // authorize
  const resolved = await ctx.access.namespacePath(scope.warehouse, levels);
  const object = describeObject(scope.warehouse.name, levels);
  const missing = () => new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(levels)}`);
  if (resolved.missing) return ctx.access.notFoundOrForbidden(scope, resolved.path, rules.list, object, missing);
  const [everything, anything] = await ctx.access.allows(scope, [
    { privilege: rules.list, path: resolved.path },
    { privilege: 'any', path: resolved.path },
  ]);
  // execute
  const repo = ctx.store.repository;
  const fetch = (after: string | undefined, limit: number) =>
    repo.listObjects(scope.warehouse.name, levels, rules.kind, after === undefined ? { limit } : { after, limit });
  const key = (r: { name: string }) => r.name;
  if (everything) return pageOf(await fetch(page.after, page.limit + 1), page, key);
  const per = rules.visibleWith.length;
  // What the authorizer reads about the caller to decide a chunk serves the scan's next chunks (access/check-memo.ts).
  const memo = ctx.access.listingMemo(scope);
  const result = await visiblePage(
    page,
    fetch,
    async (rows) => {
      const checks = rows.flatMap((r) =>
        rules.visibleWith.map((privilege) => ({ privilege, path: ctx.access.objectPath(resolved.path, rules.securable, r.id) })),
      );
      const answers = await ctx.access.allows(scope, checks, memo);
      return rows.map((_, i) => answers.slice(i * per, (i + 1) * per).some(Boolean));
    },
    key,
  );
  if (!anything && page.after === undefined && result.items.length === 0 && result.nextPageToken === null)
    await ctx.access.require(scope, rules.list, resolved.path, { object });
  return result;
}

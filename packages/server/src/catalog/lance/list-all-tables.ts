/**
 * ListAllTables of the Lance namespace spec: every Lance table of the warehouse the caller may see, across all its
 * namespaces, as full ids (namespace levels, then the name), in one order (namespaces by their levels, tables by name
 * within each), paged with a sealed token (catalog/paging.ts) over the last id listed.
 *
 * Visibility is the per-namespace listing's (listing.ts): `table:list` on a namespace (held or inherited) shows all
 * its Lance tables; otherwise a table shows when the caller holds one of TABLE_VISIBILITY on it, checked in batches.
 * Unlike ListTables it never answers 403: a namespace the caller sees nothing in is left out, so the answer says
 * nothing about what exists there. Nothing is refused, so no denial is audited.
 *
 * Cost: each page walks the warehouse's namespaces from the root (one listing read per namespace, one batched check
 * per namespace it reads tables from). Fine for thousands of namespaces; a warehouse-wide index of Lance tables would
 * remove the walk (not built: no client needs it at that size yet).
 */
import { validation } from '../../errors/catalog-error.js';
import { TABLE_VISIBILITY } from '../privileges.js';
import type { CatalogRequest, RequestScope, ServiceContext } from '../context.js';
import { listingOf, pageOf, type PageRequest, toPage, visiblePage } from '../paging.js';
import { LANCE_TABLE } from './table-id.js';

const NAMESPACE_PAGE = 1000;

export class LanceAllTablesService {
  constructor(private readonly ctx: ServiceContext) {}

  async list(request: CatalogRequest, paging: PageRequest): Promise<{ tables: string[][]; nextPageToken: string | null }> {
    // validate
    const page = toPage(paging, this.ctx.pageTokens, listingOf(request.warehouse, [], 'lance-all-tables'));
    const after = page.after === undefined ? undefined : parseKey(page.after);
    const scope = await this.ctx.scope(request);
    // authorize (each namespace's tables are filtered by what the caller may see), execute
    const found: string[][] = [];
    for (const levels of await this.namespaces(scope)) {
      const order = after === undefined ? 1 : compareLevels(levels, after.namespace);
      if (order < 0) continue;
      const names = await this.visibleIn(scope, levels, order === 0 ? after!.name : undefined, page.limit + 1 - found.length);
      found.push(...names.map((name) => [...levels, name]));
      if (found.length > page.limit) break;
    }
    const listed = pageOf(found, page, (id) => JSON.stringify(id));
    return { tables: listed.items, nextPageToken: listed.nextPageToken };
  }

  /** Every namespace of the warehouse, in one order. */
  private async namespaces(scope: RequestScope): Promise<string[][]> {
    const repo = this.ctx.store.repository;
    const all: string[][] = [];
    const parents: string[][] = [[]];
    while (parents.length > 0) {
      const parent = parents.pop()!;
      let last: string | undefined;
      for (;;) {
        const rows = await repo.listNamespaces(
          scope.warehouse.name,
          parent,
          last === undefined ? { limit: NAMESPACE_PAGE } : { after: last, limit: NAMESPACE_PAGE },
        );
        for (const r of rows) {
          all.push(r.levels);
          parents.push(r.levels);
        }
        if (rows.length < NAMESPACE_PAGE) break;
        last = rows.at(-1)!.levels.at(-1)!;
      }
    }
    return all.sort(compareLevels);
  }

  /** Up to `limit` names of the Lance tables of one namespace the caller may see, after `after`. */
  private async visibleIn(scope: RequestScope, levels: string[], after: string | undefined, limit: number): Promise<string[]> {
    const resolved = await this.ctx.access.namespacePath(scope.warehouse, levels);
    if (resolved.missing) return [];
    const fetch = (from: string | undefined, n: number) =>
      this.ctx.store.repository.listObjects(scope.warehouse.name, levels, LANCE_TABLE, from === undefined ? { limit: n } : { after: from, limit: n });
    const [everything] = await this.ctx.access.allows(scope, [{ privilege: 'table:list', path: resolved.path }]);
    if (everything) return (await fetch(after, limit)).map((r) => r.name);
    const per = TABLE_VISIBILITY.length;
    const result = await visiblePage(
      { ...(after === undefined ? {} : { after }), limit, tokenOf: () => '' },
      fetch,
      async (rows) => {
        const answers = await this.ctx.access.allows(
          scope,
          rows.flatMap((r) => TABLE_VISIBILITY.map((privilege) => ({ privilege, path: this.ctx.access.objectPath(resolved.path, 'table', r.id) }))),
        );
        return rows.map((_, i) => answers.slice(i * per, (i + 1) * per).some(Boolean));
      },
      (r) => r.name,
    );
    return result.items.map((r) => r.name);
  }
}

function parseKey(key: string): { namespace: string[]; name: string } {
  const id = JSON.parse(key) as unknown;
  if (!Array.isArray(id) || id.length < 2 || id.some((l) => typeof l !== 'string')) throw validation('page_token is not valid');
  return { namespace: id.slice(0, -1) as string[], name: id.at(-1) as string };
}

/** Level by level (code unit order), a parent before its children. */
function compareLevels(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

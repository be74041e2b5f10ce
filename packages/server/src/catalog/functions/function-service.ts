/**
 * Functions (SQL UDFs, apache/iceberg#15180) as the Iceberg REST surface reads them: listFunctions and loadFunction,
 * validate → authorize → execute. Authorized like views, by the function grants on the namespace or warehouse
 * (`function:list` to list, `function:read` to load; `function:replace` implies read). A missing function or
 * namespace is a 404 only to a caller who may see the namespace; others get a 403 (as for tables and views).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import type { CatalogRequest, RequestScope, ServiceContext } from '../context.js';
import { checkName, checkNamespace, formatIdentifier } from '../identifiers.js';
import { type PageRequest, listingOf, pageOf, toPage } from '../paging.js';
import type { FunctionStore } from '../ports/functions.js';
import type { SecurablePath } from '../ports/access.js';
import type { Privilege } from '../privileges.js';

export const functionNotFound = (warehouse: string, levels: string[], name: string) =>
  new CatalogError('ERR_FUNCTION_NOT_FOUND', `Function does not exist: ${describeObject(warehouse, levels, name)}`);

export class FunctionService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly store: FunctionStore,
  ) {}

  /** A page of the namespace's function names; without a pageToken, every function in one answer (as listViews). */
  async list(request: CatalogRequest, namespace: string[], paging: PageRequest): Promise<{ identifiers: string[][]; nextPageToken: string | null }> {
    // validate
    const levels = checkNamespace(namespace);
    let page = toPage(paging, this.ctx.pageTokens, listingOf(request.warehouse, levels, 'function'));
    // authorize
    const scope = await this.ctx.scope(request);
    await requireOnNamespace(this.ctx, scope, levels, 'function:list', describeObject(scope.warehouse.name, levels));
    // execute
    const names: string[] = [];
    for (;;) {
      const rows = await this.store.list(scope.warehouse.name, levels, page.after, page.limit + 1);
      const r = pageOf(rows, page, (n) => n);
      names.push(...r.items);
      if (paging.pageToken !== undefined || r.nextPageToken === null) return { identifiers: names.map((n) => [...levels, n]), nextPageToken: r.nextPageToken };
      page = { ...page, after: r.items.at(-1) };
    }
  }

  /** The function's metadata, as JSON text (loadFunction splices it into its answer). */
  async load(request: CatalogRequest, namespace: string[], name: string): Promise<string> {
    // validate
    const levels = checkNamespace(namespace);
    checkName(name, 'function name');
    // authorize
    const scope = await this.ctx.scope(request);
    await requireOnNamespace(this.ctx, scope, levels, 'function:read', describeObject(scope.warehouse.name, levels, name));
    // execute
    const record = await this.store.get(scope.warehouse.name, levels, name);
    if (record === undefined) throw functionNotFound(scope.warehouse.name, levels, name);
    return record.metadataJson;
  }
}

/**
 * The namespace's path once the caller holds `privilege` on it (functions are authorized on their namespace); a
 * missing namespace is a 404 to those who may see where it would be, the same 403 to anyone else. Read and
 * administration of functions both ask this (function-admin.ts).
 */
export async function requireOnNamespace(
  ctx: ServiceContext,
  scope: RequestScope,
  levels: string[],
  privilege: Privilege,
  object: string,
): Promise<SecurablePath> {
  const ns = await ctx.access.namespacePath(scope.warehouse, levels);
  if (ns.missing)
    return ctx.access.notFoundOrForbidden(
      scope,
      ns.path,
      privilege,
      object,
      () => new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(levels)}`),
    );
  await ctx.access.require(scope, privilege, ns.path, { object });
  return ns.path;
}

/**
 * A view as the services that use one resolve it (views.ts, the policy administration): the existing view on which
 * the caller holds the privileges, or the refusal the not-found-or-forbidden rule gives. One place, so every
 * surface answers a missing view alike.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import type { RequestScope, ServiceContext } from '../context.js';
import { checkName, checkNamespace, formatIdentifier } from '../identifiers.js';
import type { SecurablePath } from '../ports/access.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { Privilege } from '../privileges.js';
import { mayKnowObject } from './visibility.js';

export const viewNotFound = (namespace: string[], name: string) =>
  new CatalogError('ERR_VIEW_NOT_FOUND', `View does not exist: ${formatIdentifier(namespace, name)}`);

/** An existing view on which the caller holds the privileges; 404 for a missing one in a namespace the caller may see, 403 otherwise. */
export async function requireView(
  ctx: Pick<ServiceContext, 'access' | 'store'>,
  scope: RequestScope,
  namespace: string[],
  name: string,
  privileges: Privilege[],
  recordAllow = false,
): Promise<{ record: CatalogObjectRecord; path: SecurablePath }> {
  const levels = checkNamespace(namespace);
  checkName(name, 'view name');
  const [ns, r] = await Promise.all([ctx.access.namespacePath(scope.warehouse, levels), ctx.store.repository.getObject(scope.warehouse.name, levels, name)]);
  const object = describeObject(scope.warehouse.name, levels, name);
  // A view in a missing namespace is a missing view: clients only catch NoSuchView here.
  if (!r || r.kind !== 'view') {
    // Engines probe for a view before loading a table (Trino): a table the caller may see makes this a plain miss.
    if (await mayKnowObject(ctx.access, scope, ns.path, r)) throw viewNotFound(levels, name);
    return ctx.access.notFoundOrForbidden(scope, ns.path, privileges[0]!, object, () => viewNotFound(levels, name));
  }
  const path = ctx.access.objectPath(ns.path, 'view', r.id);
  await ctx.access.requireAll(scope, privileges, path, { object, recordAllow });
  return { record: r, path };
}

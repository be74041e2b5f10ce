/**
 * The one way the version and branch operations find their table: the Lance table, authorized, whose versions the
 * catalog manages, and the branch asked for (MAIN_BRANCH for main). A branch other than main exists once it has a
 * version; `creating` (CreateTableVersion) may start one. A missing table is answered as the access service decides
 * (not found, or forbidden when the caller could not have known).
 */
import { CatalogError, illegalArgument } from '../../../errors/catalog-error.js';
import { describeObject } from '../../access/access-service.js';
import type { Privilege } from '../../privileges.js';
import type { RequestScope } from '../../context.js';
import { formatIdentifier } from '../../identifiers.js';
import type { CatalogObjectRecord } from '../../ports/index.js';
import type { TableContext } from '../../kit/table-kit.js';
import { isManaged } from '../managed.js';
import { checkLanceTableId, LANCE_TABLE, type LanceTableId } from '../table-id.js';
import { checkBranch } from './checks.js';
import { MAIN_BRANCH } from '../../ports/lance-versions.js';

export async function requireManagedTable(
  ctx: TableContext,
  scope: RequestScope,
  idInput: unknown,
  privileges: Privilege[],
  branchInput: unknown,
  creating = false,
): Promise<{ id: LanceTableId; record: CatalogObjectRecord; branch: string; head?: number }> {
  const id = checkLanceTableId(idInput);
  const branch = checkBranch(branchInput);
  const [ns, record] = await Promise.all([
    ctx.access.namespacePath(scope.warehouse, id.namespace),
    ctx.store.repository.getObject(scope.warehouse.name, id.namespace, id.name),
  ]);
  const object = describeObject(scope.warehouse.name, id.namespace, id.name);
  const missing = () => new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${formatIdentifier(id.namespace, id.name)}`);
  if (!record || record.kind !== LANCE_TABLE) return ctx.access.notFoundOrForbidden(scope, ns.path, privileges[0]!, object, missing);
  // Like DescribeTable, an allowed read is not audited; a created or deleted version is, by its own event.
  await ctx.access.requireAll(scope, privileges, ctx.access.objectPath(ns.path, 'table', record.id), { object });
  if (!isManaged(record))
    throw illegalArgument(
      `Table ${formatIdentifier(id.namespace, id.name)} does not have catalog-managed versions (managed_versioning is false): its dataset manages them`,
    );
  if (branch === MAIN_BRANCH || creating) return { id, record, branch };
  // The branch's head, read to know it exists, is returned so a caller that needs it does not read it again.
  const head = await ctx.store.lanceVersions.head(record.id, branch);
  if (head === undefined) {
    throw new CatalogError('ERR_BRANCH_NOT_FOUND', `Table ${formatIdentifier(id.namespace, id.name)} has no branch ${JSON.stringify(branch)} in the catalog`);
  }
  return { id, record, branch, head };
}

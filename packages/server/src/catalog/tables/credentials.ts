/**
 * loadCredentials, for committed and stage-created tables, optionally for
 * exactly the credential a storage refresh token names. Every call
 * re-checks the caller's privileges: after a revoke the next refresh gets a
 * narrower credential (read-only) or 403. A stage-created table can be
 * refreshed only by whoever stage-created it, or by a holder of
 * `table:create` and `table:write-data` on its namespace.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { forbidden } from '../access/access-service.js';
import type { SecurablePath } from '../ports/access.js';
import type { AccessMode } from '../ports/credentials.js';
import type { CatalogRequest, RequestScope } from '../context.js';
import { checkName, checkNamespace } from '../identifiers.js';
import { normalizeLocation } from '../locations.js';
import type { CatalogObjectRecord, StagedTableRecord } from '../ports/index.js';
import { type TableAccess, type TableContext, resolveTable, tableNotFound, tableObject, vendedAccess } from '../kit/table-kit.js';

/** The committed table of that name, else a stage-created one (exactly the one with `tableUuid` when given). */
async function resolveForCredentials(ctx: TableContext, scope: RequestScope, levels: string[], name: string, tableUuid: string | undefined) {
  const resolved = await resolveTable(ctx, scope, levels, name);
  let record: CatalogObjectRecord | undefined = resolved.record;
  if (record && tableUuid !== undefined && record.uuid !== tableUuid) record = undefined;
  const staged = record ? undefined : await ctx.store.repository.getStagedTable(scope.warehouse.name, levels, name, ctx.clock.now(), tableUuid);
  return { ...resolved, record, staged };
}

export async function loadCredentials(
  ctx: TableContext,
  request: CatalogRequest,
  namespace: string[],
  name: string,
  refreshToken: string | undefined,
): Promise<TableAccess> {
  // validate
  const levels = checkNamespace(namespace);
  checkName(name, 'table name');
  const scope = await ctx.scope(request);
  // A federated table as the remote has it now (federation/mirror.ts), as a load sees it: one the remote dropped or
  // re-created is not vended for on its old record.
  await ctx.federation?.seeTable(scope, levels, name);
  const identifier = { namespace: levels, name };
  const claims = refreshToken === undefined ? undefined : await ctx.credentials.verifyRefreshToken(scope, identifier, refreshToken);
  const { namespacePath, record, staged } = await resolveForCredentials(ctx, scope, levels, name, claims?.tableUuid);
  const object = tableObject(scope, levels, name);
  if (!record && !staged) return ctx.access.notFoundOrForbidden(scope, namespacePath, 'table:read-data', object, () => tableNotFound(levels, name));
  // authorize: privileges now (not when the token was issued) decide the mode
  const path = record ? ctx.access.objectPath(namespacePath, 'table', record.id) : namespacePath;
  if (staged) await requireStagedAccess(ctx, scope, staged, namespacePath, object);
  const current = await ctx.access.vendingMode(scope, path);
  const mode = narrower(current, claims?.mode);
  if (!mode) {
    await ctx.access.record(scope.caller, 'access.denied', 'deny', 'table:read-data', object, { lacking: ['table:read-data'], refresh: claims !== undefined });
    throw forbidden(['table:read-data'], object);
  }
  // A row-filter or column-mask policy that applies to the caller: no table-wide credential (policies/gate.ts).
  if (record)
    await ctx.policies.refuse(scope.caller, scope.warehouse.tenant, record.id, object, mode === 'read-write' ? 'table:write-data' : 'table:read-data');
  // execute
  const location = record?.location ?? staged!.location;
  const tableUuid = record?.uuid ?? staged!.uuid;
  if (!claims) return vendedAccess(ctx, scope, { identifier, tableUuid, location, path });
  // The table must still live where the token's credential pointed (a dropped, re-created or moved table gets
  // nothing; so does a token for a write.*.path outside the location, which earlier releases vended).
  if (normalizeLocation(location) !== normalizeLocation(claims.prefix)) {
    throw new CatalogError('ERR_TABLE_NOT_FOUND', `No storage credential of ${object} matches the refresh token`);
  }
  return ctx.credentials.forTable({ scope, identifier, tableUuid, location: claims.prefix, mode, refreshed: true });
}

/** Until it is committed, a staged table is its creator's; others need `table:create` and `table:write-data` on the namespace. */
export async function requireStagedAccess(
  ctx: TableContext,
  scope: RequestScope,
  staged: StagedTableRecord,
  namespacePath: SecurablePath,
  object: string,
): Promise<void> {
  if (staged.owner !== '' && staged.owner === scope.caller.key) return;
  await ctx.access.requireAll(scope, ['table:create', 'table:write-data'], namespacePath, { object });
}

/** The narrower of the mode the caller may have now and the one the refresh token was issued with. */
function narrower(current: AccessMode | undefined, issued: AccessMode | undefined): AccessMode | undefined {
  if (current === undefined) return undefined;
  return issued === 'read' ? 'read' : current;
}

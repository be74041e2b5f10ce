/**
 * Register a table from an existing metadata file. Needs `table:create` on
 * the namespace; overwriting an existing registration also needs
 * `table:write-data` on that table. The metadata file and the table's
 * location must lie inside the warehouse, and the location may not overlap
 * another table's (registering someone else's metadata would otherwise
 * hand out credentials for their data).
 */
import { refuseOnFederated } from '../ports/remote-catalog.js';
import { CatalogError, commitConflict, validation } from '../../errors/catalog-error.js';
import type { CatalogRequest } from '../context.js';
import type { DelegationMechanism } from '../ports/signing.js';
import { checkNewName, checkNewNamespace, formatIdentifier } from '../identifiers.js';
import { checkNoOverlap } from '../location-policy.js';
import { normalizeLocation } from '../locations.js';
import { parseTableMetadata, type TableMetadata } from '../metadata/index.js';
import { stringifyJson } from '../json.js';
import { type MetadataResult, readMetadataFile } from '../metadata-files.js';
import { checkIntroducedPaths } from './paths.js';
import { refuseMovedPolicies } from '../policies/follow.js';
import {
  type TableAccess,
  type TableContext,
  checkTableLocation,
  requireNamespaceFor,
  resolveTable,
  tableExists,
  tableObject,
  vendedAccess,
  NO_ACCESS,
} from '../kit/table-kit.js';
import { recordChanges } from '../outbox/changes.js';

export async function registerTable(
  ctx: TableContext,
  request: CatalogRequest,
  namespace: string[],
  input: { name: unknown; metadataLocation: unknown; overwrite: unknown },
  delegation: readonly DelegationMechanism[],
): Promise<MetadataResult & { access: TableAccess }> {
  // validate
  const levels = checkNewNamespace(namespace);
  const name = checkNewName(input.name, 'table name');
  if (typeof input.metadataLocation !== 'string' || input.metadataLocation.length === 0) throw validation('metadata-location is required');
  if (input.overwrite !== undefined && typeof input.overwrite !== 'boolean') throw validation('overwrite must be a boolean');
  const overwrite = input.overwrite === true;
  const scope = await ctx.scope(request);
  refuseOnFederated(scope, 'Registering a table');
  const metadataLocation = checkTableLocation(scope, input.metadataLocation);
  // authorize
  const namespacePath = await requireNamespaceFor(ctx, scope, levels, name, ['table:create']);
  const current = overwrite ? (await resolveTable(ctx, scope, levels, name)).record : undefined;
  if (current)
    await ctx.access.require(scope, 'table:write-data', ctx.access.objectPath(namespacePath, 'table', current.id), {
      object: tableObject(scope, levels, name),
      recordAllow: true,
    });
  // execute
  const file = await readMetadataFile(await ctx.storageFor(scope.warehouse), metadataLocation);
  const raw = file.metadata as Partial<TableMetadata> | null;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || typeof raw['table-uuid'] !== 'string' || typeof raw.location !== 'string') {
    throw validation(`${metadataLocation} is not an Iceberg table metadata file`);
  }
  // Validated as the catalog reads table metadata (a file it could not serve, plan or check policies against is
  // refused here, never a 500 later). A legacy v1 file naming its one schema and spec only is kept as read (its
  // `schemas` and `partition-specs` filled in), every other file exactly as written.
  let table: TableMetadata;
  try {
    table = parseTableMetadata(file.metadata, ctx.clock.now());
  } catch (e) {
    // Whatever the file holds: a TypeError of a shape the builder does not expect is the file's fault too.
    throw validation(`${metadataLocation} is not valid Iceberg table metadata (${(e instanceof Error ? e.message : String(e)).slice(0, 300)})`);
  }
  const json = Array.isArray(raw.schemas) ? file.json : stringifyJson(table);
  const location = normalizeLocation(checkTableLocation(scope, table.location));
  checkIntroducedPaths(scope.warehouse, null, table);
  const repo = ctx.store.repository;
  const existing = await repo.getObject(scope.warehouse.name, levels, name);
  if (existing && !(overwrite && existing.kind === 'table')) throw tableExists(existing, levels, name);
  // Overwriting needs table:write-data on the table overwritten: the one there now, which is not the one authorized
  // above when it was created (or re-created) since.
  if (existing && existing.id !== current?.id) {
    await ctx.access.require(scope, 'table:write-data', ctx.access.objectPath(namespacePath, 'table', existing.id), {
      object: tableObject(scope, levels, name),
      recordAllow: true,
    });
  }
  // The file's writer chose its field ids: the table's policies must still name the columns they name (400 else).
  const guarded = existing !== undefined && (await refuseMovedPolicies(ctx.policies, scope.warehouse.tenant, existing, table));
  await checkNoOverlap(repo, scope.warehouse, location, {
    ...(existing ? { except: existing.id } : {}),
    table: { namespace: levels, name },
    nowMs: ctx.clock.now(),
  });
  const now = ctx.clock.now();
  const id = existing?.id ?? ctx.newUuid();
  // A table registered anew is its registrar's (access/creator-ownership.ts): the grant commits with it.
  const owner = existing ? undefined : await ctx.access.creatorGrant(scope);
  await ctx.store.transaction(async (trx, ports) => {
    const again = await trx.getObject(scope.warehouse.name, levels, name);
    if (again && !(overwrite && again.kind === 'table' && again.id === existing?.id)) throw tableExists(again, levels, name);
    if (again) {
      if (guarded && again.metadataLocation !== existing!.metadataLocation)
        throw commitConflict(`Table ${formatIdentifier(levels, name)} changed while its overwrite was checked against its policies; retry`);
      await trx.swapMetadata(
        {
          warehouse: scope.warehouse.name,
          namespace: levels,
          name,
          kind: 'table',
          expectedMetadataLocation: again.metadataLocation,
          metadataLocation,
          metadataJson: json,
          location,
        },
        now,
      );
      await recordChanges(ctx, trx, scope.warehouse.name, scope.caller, {
        kind: 'table.registered',
        namespace: levels,
        name,
        uuid: table['table-uuid'],
        operation: { overwrite: true },
        data: { 'metadata-location': metadataLocation },
      });
      return;
    }
    const ok = await trx.insertObject({
      id,
      warehouse: scope.warehouse.name,
      namespace: levels,
      name,
      kind: 'table',
      uuid: table['table-uuid'],
      location,
      metadataLocation,
      metadataJson: json,
      createdAtMs: now,
      updatedAtMs: now,
    });
    if (!ok) throw new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${formatIdentifier(levels, name)}`);
    await owner?.record(ports, { kind: 'table', id }, `${scope.warehouse.name}/${formatIdentifier(levels, name)}`);
    await recordChanges(ctx, trx, scope.warehouse.name, scope.caller, {
      kind: 'table.registered',
      namespace: levels,
      name,
      uuid: table['table-uuid'],
      data: { 'metadata-location': metadataLocation },
    });
  });
  // Before its credentials are decided.
  await owner?.committed();
  const access =
    delegation.length > 0
      ? await vendedAccess(ctx, scope, {
          identifier: { namespace: levels, name },
          tableUuid: table['table-uuid'],
          location,
          path: ctx.access.objectPath(namespacePath, 'table', id),
          delegation,
        })
      : NO_ACCESS;
  return { metadataLocation, metadataJson: json, access };
}

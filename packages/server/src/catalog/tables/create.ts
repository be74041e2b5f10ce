/**
 * Create and stage-create (CTAS) of a table. Needs `table:create` on the
 * namespace; credentials for the new table follow the caller's privileges
 * there (`table:write-data` → read-write, `table:read-data` → read, else
 * none). A stage-created table belongs to its creator until committed.
 */
import type { CreateTableRequest } from '@lakegate/protocol';
import { CatalogError, validation } from '../../errors/catalog-error.js';
import type { CatalogRequest, RequestScope } from '../context.js';
import type { DelegationMechanism } from '../ports/signing.js';
import { checkNewName, checkNewNamespace, checkStringMap, formatIdentifier } from '../identifiers.js';
import { checkNoOverlap } from '../location-policy.js';
import { normalizeLocation } from '../locations.js';
import { newTableMetadata } from '../metadata/index.js';
import type { TableMetadata } from '../metadata/index.js';
import { writeMetadataFile } from '../metadata-files.js';
import { parseJson, stringifyJson } from '../json.js';
import { checkIntroducedPaths } from './paths.js';
import {
  type TableAccess,
  type TableContext,
  checkTableLocation,
  defaultLocation,
  metadataLocationFor,
  requireNamespaceFor,
  tableExists,
  vendedAccess,
} from '../kit/table-kit.js';
import { recordChanges } from '../outbox/changes.js';
import { isFederatedScope } from '../ports/remote-catalog.js';

export interface CreateTableInput {
  name: unknown;
  location?: unknown;
  schema: unknown;
  partitionSpec?: unknown;
  writeOrder?: unknown;
  stageCreate?: unknown;
  properties?: unknown;
}

/** The one mapping of createTable's wire request (as the contract validated it) to the service's input. */
export function createTableInputOf(body: CreateTableRequest): CreateTableInput {
  return {
    name: body.name,
    location: body.location,
    schema: body.schema,
    partitionSpec: body['partition-spec'],
    writeOrder: body['write-order'],
    stageCreate: body['stage-create'],
    properties: body.properties,
  };
}

export interface CreatedTable {
  metadataLocation: string | null;
  metadata: TableMetadata;
  access: TableAccess;
}

export async function createTable(
  ctx: TableContext,
  request: CatalogRequest,
  namespace: string[],
  input: CreateTableInput,
  delegation: readonly DelegationMechanism[],
): Promise<CreatedTable> {
  const vend = delegation.length > 0;
  // validate
  const levels = checkNewNamespace(namespace);
  const name = checkNewName(input.name, 'table name');
  const properties = checkStringMap(input.properties, 'properties');
  if (input.stageCreate !== undefined && typeof input.stageCreate !== 'boolean') throw validation('stage-create must be a boolean');
  if (input.schema === undefined || input.schema === null) throw validation('schema is required');
  const explicitLocation = input.location !== undefined && input.location !== null;
  const scope = await ctx.scope(request);
  if (explicitLocation) checkTableLocation(scope, input.location);
  await ctx.federation?.seeNamespace(scope, levels);
  // authorize
  const namespacePath = await requireNamespaceFor(ctx, scope, levels, name, ['table:create']);
  // execute
  const ns = await ctx.namespaces.require(scope, levels);
  const uuid = ctx.newUuid();
  const location = explicitLocation ? checkTableLocation(scope, input.location) : defaultLocation(scope, levels, name, uuid, ns.properties);
  const metadata = newTableMetadata({
    schema: input.schema,
    partitionSpec: input.partitionSpec,
    sortOrder: input.writeOrder,
    location,
    properties,
    uuid,
    nowMs: ctx.clock.now(),
  });
  checkIntroducedPaths(scope.warehouse, null, metadata);
  if (ctx.federation && isFederatedScope(scope)) {
    // The remote creates it, at the location chosen here inside the warehouse's storage (federation/federated-tables.ts).
    const request = {
      name,
      location,
      schema: input.schema,
      'partition-spec': input.partitionSpec ?? undefined,
      'write-order': input.writeOrder ?? undefined,
      properties,
    };
    if (input.stageCreate === true) return stageFederated(ctx, scope, levels, request, vend ? { path: namespacePath, delegation } : undefined);
    const record = await ctx.federation.createTable(scope, levels, request);
    const created = parseJson(record.metadataJson) as TableMetadata;
    const access = vend
      ? await vendedAccess(ctx, scope, {
          identifier: { namespace: levels, name },
          tableUuid: record.uuid,
          location: record.location,
          path: namespacePath,
          delegation,
        })
      : { config: {}, storageCredentials: [] };
    return { metadataLocation: record.metadataLocation, metadata: created, access };
  }
  const repo = ctx.store.repository;
  const existing = await repo.getObject(scope.warehouse.name, levels, name);
  if (existing) throw tableExists(existing, levels, name);
  const identifier = { namespace: levels, name };
  // A chosen location may overlap anything; a default one (it holds the table's uuid) may lie inside another table.
  await checkNoOverlap(repo, scope.warehouse, location, { table: identifier, nowMs: ctx.clock.now(), byCatalog: !explicitLocation });
  const tableUuid = metadata['table-uuid'];
  // The new table inherits everything from its namespace: its credentials follow the caller's privileges there.
  const access = () =>
    vend
      ? vendedAccess(ctx, scope, { identifier, tableUuid, location, path: namespacePath, delegation })
      : Promise.resolve({ config: {}, storageCredentials: [] });
  if (input.stageCreate === true) {
    await repo.putStagedTable({
      warehouse: scope.warehouse.name,
      namespace: levels,
      name,
      uuid: tableUuid,
      location,
      metadataJson: stringifyJson(metadata),
      expiresAtMs: ctx.clock.now() + ctx.settings.stagedTableTtlMs,
      owner: scope.caller.key,
    });
    ctx.outcomes.report({ type: 'table.staged', warehouse: scope.warehouse.name, namespace: levels, name });
    return { metadataLocation: null, metadata, access: await access() };
  }
  const metadataLocation = metadataLocationFor(ctx, scope, metadata, null);
  const metadataJson = await writeMetadataFile(await ctx.storageFor(scope.warehouse), metadataLocation, metadata);
  const now = ctx.clock.now();
  const objectId = ctx.newUuid();
  const object = `${scope.warehouse.name}/${formatIdentifier([...levels, name])}`;
  // The creator's owner grant commits with the table (access/creator-ownership.ts), before its event.
  const owner = await ctx.access.creatorGrant(scope);
  const inserted = await ctx.store.transaction(async (trx, ports) => {
    if (!(await trx.getNamespace(scope.warehouse.name, levels))) return 'no-namespace' as const;
    const ok = await trx.insertObject({
      id: objectId,
      warehouse: scope.warehouse.name,
      namespace: levels,
      name,
      kind: 'table',
      uuid: tableUuid,
      location: normalizeLocation(location),
      metadataLocation,
      metadataJson,
      createdAtMs: now,
      updatedAtMs: now,
      locationOwned: true,
    });
    if (!ok) return 'exists' as const;
    await owner.record(ports, { kind: 'table', id: objectId }, object);
    await recordChanges(ctx, trx, scope.warehouse.name, scope.caller, {
      kind: 'table.created',
      namespace: levels,
      name,
      uuid: tableUuid,
      data: { 'metadata-location': metadataLocation },
    });
    return 'ok' as const;
  });
  if (inserted !== 'ok') {
    await (await ctx.storageFor(scope.warehouse)).delete(metadataLocation).catch(() => undefined);
    if (inserted === 'no-namespace') throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${formatIdentifier(levels)}`);
    throw tableExists(await repo.getObject(scope.warehouse.name, levels, name), levels, name);
  }
  // Before the vended access (the owner grant decides its credentials): the audit record and cache invalidation.
  await owner.committed();
  return { metadataLocation, metadata, access: await access() };
}

/**
 * A stage-create (CTAS) on a federated warehouse: the remote answers the would-be metadata (at the location chosen
 * here); it is kept as the front's staged table too (its creator's, for vending, signing and the commit's checks),
 * and the create transaction's commit goes to the remote (federation/federated-tables.ts).
 */
async function stageFederated(
  ctx: TableContext,
  scope: RequestScope,
  levels: string[],
  request: Record<string, unknown>,
  vend: { path: Parameters<typeof vendedAccess>[2]['path']; delegation: readonly DelegationMechanism[] } | undefined,
): Promise<CreatedTable> {
  const name = String(request.name);
  const staged = await ctx.federation!.stageTable(scope, levels, request);
  await ctx.store.repository.putStagedTable({
    warehouse: scope.warehouse.name,
    namespace: levels,
    name,
    uuid: staged.uuid,
    location: staged.location,
    metadataJson: staged.metadataJson,
    expiresAtMs: ctx.clock.now() + ctx.settings.stagedTableTtlMs,
    owner: scope.caller.key,
  });
  ctx.outcomes.report({ type: 'table.staged', warehouse: scope.warehouse.name, namespace: levels, name });
  const access = vend
    ? await vendedAccess(ctx, scope, { identifier: { namespace: levels, name }, tableUuid: staged.uuid, location: staged.location, ...vend })
    : { config: {}, storageCredentials: [] };
  return { metadataLocation: null, metadata: parseJson(staged.metadataJson) as TableMetadata, access };
}

/**
 * Table writes on a federated warehouse (docs/federation.md): create, stage-create (CTAS) and its create transaction's
 * commit, commit and drop go to the remote catalog as its own operations, after Lakegate's authorization (the callers
 * in tables/ authorize, then hand over here). A commit is
 * sent with the client's requirements, so the remote's concurrency decides: a writer going straight to the remote and
 * one going through Lakegate never lose each other's commits (the loser gets 409 and retries on the new base). What
 * the remote answers is checked (valid metadata, inside the warehouse's storage), mirrored, and recorded as a change
 * event in Lakegate's outbox, as for its own tables.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { RequestScope } from '../context.js';
import { formatIdentifier } from '../identifiers.js';
import type { MetadataResult } from '../metadata-files.js';
import { commitEvents } from '../outbox/commit-events.js';
import { type Change, recordChanges } from '../outbox/changes.js';
import { isAllowedLocation } from '../location-policy.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { RemoteCatalog, RemoteTable, StagedRemoteTable } from '../ports/remote-catalog.js';
import type { ServiceContext } from '../context.js';
import { type FederatedWarehouse, type FederationMirror, isFederated } from './mirror.js';

/** The ports the writes use: the service context's (store with its outbox, grants) and the mirror. */
export type Ctx = Pick<ServiceContext, 'store' | 'access' | 'clock' | 'newUuid'> & { federation: FederationMirror };

/** The request's warehouse, which the caller (a Federation hook) was given for a federated one only. */
export function federatedWarehouse(scope: RequestScope): FederatedWarehouse {
  if (!isFederated(scope.warehouse)) throw new TypeError('not a federated warehouse');
  return scope.warehouse;
}

/** Creates the table at the remote, at the location Lakegate chose inside the warehouse's storage; the new record. */
export async function createRemoteTable(
  ctx: Ctx,
  scope: RequestScope,
  warehouse: FederatedWarehouse,
  namespace: string[],
  request: Record<string, unknown>,
): Promise<CatalogObjectRecord> {
  const remote = await ctx.federation.remote(warehouse);
  const table = await remote.createTable(namespace, request);
  return recordCreated(ctx, scope, warehouse, remote, namespace, String(request.name), table, { data: { 'metadata-location': table.metadataLocation } });
}

/**
 * A table the remote just created (by a create, or by a create transaction's commit), recorded at the front: mirrored,
 * its creator's owner grant and its `table.created` event in one transaction.
 */
async function recordCreated(
  ctx: Ctx,
  scope: RequestScope,
  warehouse: FederatedWarehouse,
  remote: RemoteCatalog,
  namespace: string[],
  name: string,
  table: RemoteTable,
  event: Pick<Change, 'operation' | 'data'>,
): Promise<CatalogObjectRecord> {
  let record: CatalogObjectRecord;
  try {
    record = await ctx.federation.keep(warehouse, namespace, name, table);
  } catch (e) {
    // The remote placed it outside Lakegate's storage: not served, so not left behind either.
    if (e instanceof CatalogError && e.code === 'ERR_FORBIDDEN') await remote.dropTable(namespace, name).catch(() => undefined);
    throw e;
  }
  // The creator's owner grant commits with the creation's event (access/creator-ownership.ts); the remote's table exists already.
  const owner = await ctx.access.creatorGrant(scope);
  await ctx.store.transaction(async (repo, ports) => {
    await owner.record(ports, { kind: 'table', id: record.id }, `${warehouse.name}/${formatIdentifier([...namespace, name])}`);
    await recordChanges(ctx, repo, warehouse.name, scope.caller, { kind: 'table.created', namespace, name, uuid: table.uuid, ...event });
  });
  await owner.committed();
  return record;
}

/**
 * A stage-create (CTAS) at the remote: the would-be metadata, at the location Lakegate chose, nothing created. Refused
 * for a kind whose remote cannot create a table by a commit (no stageTable) and for metadata outside the warehouse's storage.
 */
export async function stageRemoteTable(
  ctx: Ctx,
  warehouse: FederatedWarehouse,
  namespace: string[],
  request: Record<string, unknown>,
): Promise<StagedRemoteTable> {
  const remote = await ctx.federation.remote(warehouse);
  if (!remote.stageTable) throw noCreateTransactions(warehouse, namespace, String(request.name));
  const staged = await remote.stageTable(namespace, request);
  if (!isAllowedLocation(warehouse, staged.location))
    throw new CatalogError(
      'ERR_FORBIDDEN',
      `The remote stage-created ${formatIdentifier(namespace, String(request.name))} outside this warehouse's storage: Lakegate does not serve it`,
    );
  return staged;
}

const noCreateTransactions = (warehouse: FederatedWarehouse, namespace: string[], name: string) =>
  new CatalogError(
    'ERR_NOT_IMPLEMENTED',
    `Creating ${formatIdentifier(namespace, name)} by a create transaction (stage-create) on a federated warehouse of kind ${warehouse.federation.kind} is not supported yet`,
  );

/**
 * A create transaction's commit (assert-create, after a stage-create): sent to the remote, which creates the table
 * atomically (a table created there meanwhile fails the requirement: its 409 goes to the client, nothing recorded).
 * The creator owns the table at the front, as for a create; the front's staged record goes.
 */
async function commitRemoteCreate(
  ctx: Ctx,
  scope: RequestScope,
  warehouse: FederatedWarehouse,
  change: { identifier: { namespace: string[]; name: string }; requirements: readonly unknown[]; updates: readonly unknown[] },
): Promise<MetadataResult> {
  const { namespace, name } = change.identifier;
  const remote = await ctx.federation.remote(warehouse);
  if (!remote.stageTable) throw noCreateTransactions(warehouse, namespace, name);
  const table = await remote.commitTable(namespace, name, change.requirements, change.updates);
  const [event] = commitEvents(
    [change],
    [{ identifier: change.identifier, base: undefined, metadata: { 'table-uuid': table.uuid }, metadataLocation: table.metadataLocation, changed: true }],
  );
  await recordCreated(ctx, scope, warehouse, remote, namespace, name, table, { operation: event!.operation, data: event!.data });
  await ctx.store.repository.deleteStagedTable(warehouse.name, namespace, name, table.uuid);
  return { metadataLocation: table.metadataLocation, metadataJson: table.metadataJson };
}

/** One table's commit, sent to the remote with its requirements; a multi-table transaction is refused (no remote atomicity). */
export async function commitRemoteTables(
  ctx: Ctx,
  scope: RequestScope,
  warehouse: FederatedWarehouse,
  changes: ReadonlyArray<{
    identifier: { namespace: string[]; name: string };
    requirements: readonly unknown[];
    updates: readonly unknown[];
    authorizedId: string | undefined;
  }>,
): Promise<MetadataResult[]> {
  if (changes.length !== 1)
    throw new CatalogError(
      'ERR_NOT_IMPLEMENTED',
      'A multi-table transaction on a federated warehouse is not supported: the remote catalog would not apply it atomically',
    );
  const change = changes[0]!;
  const { namespace, name } = change.identifier;
  if (change.authorizedId === undefined) return [await commitRemoteCreate(ctx, scope, warehouse, change)];
  const remote = await ctx.federation.remote(warehouse);
  const table = await remote.commitTable(namespace, name, change.requirements, change.updates);
  await ctx.federation.keep(warehouse, namespace, name, table);
  await ctx.store.transaction(async (repo) => {
    await recordChanges(
      ctx,
      repo,
      warehouse.name,
      scope.caller,
      ...commitEvents(
        [change],
        [{ identifier: change.identifier, base: {}, metadata: { 'table-uuid': table.uuid }, metadataLocation: table.metadataLocation, changed: true }],
      ),
    );
  });
  return [{ metadataLocation: table.metadataLocation, metadataJson: table.metadataJson }];
}

/** Drops the table at the remote (its files are the remote's to purge), then forgets it; grants go as for Lakegate's own drops. */
export async function dropRemoteTable(
  ctx: Ctx,
  scope: RequestScope,
  warehouse: FederatedWarehouse,
  record: CatalogObjectRecord,
  purge: boolean,
): Promise<void> {
  if (purge) throw new CatalogError('ERR_NOT_IMPLEMENTED', 'A purge of a federated table is not supported: drop it, and purge at the remote catalog');
  const remote = await ctx.federation.remote(warehouse);
  await remote.dropTable(record.namespace, record.name).catch((e: unknown) => {
    // Already gone at the remote: the drop's outcome is the same.
    if (!(e instanceof CatalogError && e.code === 'ERR_TABLE_NOT_FOUND')) throw e;
  });
  await ctx.store.transaction(async (repo) => {
    await repo.deleteObject(warehouse.name, record.namespace, record.name, 'table', record.id);
    await recordChanges(ctx, repo, warehouse.name, scope.caller, {
      kind: 'table.dropped',
      namespace: record.namespace,
      name: record.name,
      uuid: record.uuid,
      operation: { purge },
    });
  });
  await ctx.access.forgetSecurable({ kind: 'table', id: record.id });
}

/**
 * Drop (with or without purge) and unregister. A drop is soft while the warehouse keeps dropped objects
 * (dropped/soft-drop.ts): the table leaves the catalog with its grants kept for an undrop, and a purge waits
 * for the retention's end unless the caller holds `table:purge-immediately`. Dropping needs `table:drop`;
 * a purge deletes data and needs `table:write-data` too; unregistering answers
 * with the metadata and needs `table:read-metadata` too. The table's grants
 * go with it (its id is never reused).
 */
import { validation } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import type { CatalogRequest } from '../context.js';
import { checkName, checkNamespace } from '../identifiers.js';
import type { MetadataResult } from '../metadata-files.js';
import { softDrop } from '../dropped/soft-drop.js';
import { purgeLocation } from '../kit/purge.js';
import { type TableContext, requireTable, tableNotFound } from '../kit/table-kit.js';
import { recordChanges } from '../outbox/changes.js';
import { isFederatedScope } from '../ports/remote-catalog.js';

export async function dropTable(ctx: TableContext, request: CatalogRequest, namespace: string[], name: string, purge: unknown): Promise<void> {
  // validate
  const levels = checkNamespace(namespace);
  checkName(name, 'table name');
  if (typeof purge !== 'boolean') throw validation('purgeRequested must be true or false');
  const scope = await ctx.scope(request);
  await ctx.federation?.seeTable(scope, levels, name);
  // authorize
  const { record, path } = await requireTable(ctx, scope, levels, name, purge ? ['table:drop', 'table:write-data'] : ['table:drop'], true);
  // execute
  if (ctx.federation && isFederatedScope(scope)) return ctx.federation.drop(scope, record, purge);
  const object = describeObject(scope.warehouse.name, record.namespace, name);
  if (
    await softDrop(ctx, scope, record, {
      purge,
      path,
      object,
      notFound: () => tableNotFound(record.namespace, name),
      change: { kind: 'table.dropped', namespace: record.namespace, name, uuid: record.uuid, operation: { purge } },
    })
  ) {
    return;
  }
  await ctx.store.transaction(async (repo) => {
    if (!(await repo.deleteObject(scope.warehouse.name, record.namespace, record.name, 'table', record.id))) throw tableNotFound(record.namespace, name);
    await recordChanges(ctx, repo, scope.warehouse.name, scope.caller, {
      kind: 'table.dropped',
      namespace: record.namespace,
      name,
      uuid: record.uuid,
      operation: { purge },
    });
  });
  await ctx.access.forgetSecurable({ kind: 'table', id: record.id });
  if (purge) await purgeLocation(ctx, scope, record);
}

export async function unregisterTable(ctx: TableContext, request: CatalogRequest, namespace: string[], name: string): Promise<MetadataResult> {
  const levels = checkNamespace(namespace);
  checkName(name, 'table name');
  const scope = await ctx.scope(request);
  // The answer carries the table's metadata: whoever may only drop it may not read that.
  const { record } = await requireTable(ctx, scope, levels, name, ['table:drop', 'table:read-metadata'], true);
  await ctx.store.transaction(async (repo) => {
    if (!(await repo.deleteObject(scope.warehouse.name, record.namespace, record.name, 'table', record.id))) throw tableNotFound(record.namespace, name);
    await recordChanges(ctx, repo, scope.warehouse.name, scope.caller, {
      kind: 'table.unregistered',
      namespace: record.namespace,
      name,
      uuid: record.uuid,
      operation: { purge: false },
    });
  });
  await ctx.access.forgetSecurable({ kind: 'table', id: record.id });
  return { metadataLocation: record.metadataLocation, metadataJson: record.metadataJson };
}

/** Deleting a dropped table's files: the one rule Iceberg purges and Lance drops share. */
import type { RequestScope, ServiceContext } from './context.js';
import { isPurgeable } from './location-policy.js';
import type { CatalogObjectRecord } from './ports.js';

/**
 * Deletes the files under a table's own location after it left the
 * catalog, unless the location is outside the warehouse (or a root of it),
 * or another live object lives under it.
 */
export async function purgeLocation(ctx: ServiceContext, scope: RequestScope, record: CatalogObjectRecord): Promise<void> {
  const base = { warehouse: scope.warehouse.name, namespace: record.namespace, name: record.name, location: record.location };
  if (!isPurgeable(scope.warehouse, record.location)) {
    ctx.events.emit({ type: 'table.purge-skipped', ...base, reason: 'location is not inside the storage locations of the warehouse' });
    return;
  }
  if ((await ctx.store.repository.findObjectsByLocationPrefix(scope.warehouse.name, record.location)).length > 0) {
    ctx.events.emit({ type: 'table.purge-skipped', ...base, reason: 'another table or view lives under this location' });
    return;
  }
  const objects = await (await ctx.storageFor(scope.warehouse)).deletePrefix(record.location);
  ctx.events.emit({ type: 'table.purged', ...base, objects });
}

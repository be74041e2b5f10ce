/** Deleting a dropped table's files: the one rule Iceberg purges and Lance drops share. */
import type { RequestScope, ServiceContext } from './context.js';
import { allowedRoots, isPurgeable, storageOf } from './location-policy.js';
import { normalizeLocation } from './locations.js';
import type { CatalogObjectRecord } from './ports.js';

/**
 * Deletes the files under a table's own location after it left the
 * catalog, unless the location is outside the warehouse's own storage root
 * (or the root itself), or another live object of any warehouse lives under it.
 * Answers how many objects it deleted, or undefined when it skipped.
 */
export async function purgeLocation(ctx: ServiceContext, scope: RequestScope, record: CatalogObjectRecord): Promise<number | undefined> {
  const base = { warehouse: scope.warehouse.name, namespace: record.namespace, name: record.name, location: record.location };
  if (record.locationOwned !== true) {
    ctx.events.emit({ type: 'table.purge-skipped', ...base, reason: 'the catalog did not create the table at this location (registered, or from before the catalog recorded it)' });
    return undefined;
  }
  if (!isPurgeable(scope.warehouse, record.location)) {
    ctx.events.emit({ type: 'table.purge-skipped', ...base, reason: "location is not inside the warehouse's own storage root" });
    return undefined;
  }
  if (await livesUnder(ctx, record.location)) {
    ctx.events.emit({ type: 'table.purge-skipped', ...base, reason: 'another table or view lives under this location' });
    return undefined;
  }
  const objects = await (await ctx.storageFor(scope.warehouse)).deletePrefix(record.location);
  ctx.events.emit({ type: 'table.purged', ...base, objects });
  return objects;
}

/**
 * Whether a live table or view of any warehouse (of any tenant) lies at or under the location. Warehouse roots do not
 * overlap (warehouses.ts), but databases from before that rule may hold overlapping ones: a purge must not reach into
 * another warehouse's table. Only warehouses whose roots could contain the location are asked.
 */
async function livesUnder(ctx: ServiceContext, location: string): Promise<boolean> {
  const l = normalizeLocation(location);
  const storage = storageOf(l);
  for (const warehouse of await ctx.store.repository.listWarehouses()) {
    if (!allowedRoots(warehouse).some((root) => sameStorage(root, storage))) continue;
    if ((await ctx.store.repository.findObjectsByLocationPrefix(warehouse.name, l)).length > 0) return true;
  }
  return false;
}

function sameStorage(root: string, storage: string): boolean {
  try {
    return storageOf(root) === storage;
  } catch {
    return false;
  }
}

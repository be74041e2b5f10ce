/** Deleting a dropped table's files: the one rule Iceberg purges and Lance drops share. */
import { CatalogError } from '../../errors/catalog-error.js';
import type { RequestScope, ServiceContext } from '../context.js';
import { allowedRoots, isPurgeable, storageOf } from '../location-policy.js';
import { isUnderNormalized, normalizeLocation } from '../locations.js';
import type { CatalogObjectRecord, ObjectStorage } from '../ports/index.js';

/**
 * Deletes the files under a table's own location after it left the catalog, unless the location is outside the
 * warehouse's own storage root (or the root itself). When live objects of any warehouse lie under it (a table created
 * inside a dropped one's location), their files stay and the rest is deleted, file by file from a listing (issue 52:
 * the purge used to skip, and the sweep then forgot the purged table's files for good); a store that cannot list
 * skips. Answers how many objects it deleted, or undefined when it skipped. Fails, for the sweep to retry, when the
 * store refused some.
 */
export async function purgeLocation(ctx: ServiceContext, scope: RequestScope, record: CatalogObjectRecord): Promise<number | undefined> {
  const base = { warehouse: scope.warehouse.name, namespace: record.namespace, name: record.name, location: record.location };
  if (record.locationOwned !== true) {
    ctx.outcomes.report({
      type: 'table.purge-skipped',
      ...base,
      reason: 'the catalog did not create the table at this location (registered, or from before the catalog recorded it)',
    });
    return undefined;
  }
  if (!isPurgeable(scope.warehouse, record.location)) {
    ctx.outcomes.report({ type: 'table.purge-skipped', ...base, reason: "location is not inside the warehouse's own storage root" });
    return undefined;
  }
  const storage = await ctx.storageFor(scope.warehouse);
  const live = await livesUnder(ctx, record.location);
  if (live.length === 0) {
    const objects = await storage.deletePrefix(record.location);
    ctx.outcomes.report({ type: 'table.purged', ...base, objects });
    return objects;
  }
  if (!storage.list || live.includes(normalizeLocation(record.location))) {
    ctx.outcomes.report({
      type: 'table.purge-skipped',
      ...base,
      reason: 'another table or view lives at this location, or under it on a storage that cannot list',
    });
    return undefined;
  }
  const objects = await deleteAround(storage, record.location, live);
  ctx.outcomes.report({ type: 'table.purged', ...base, objects });
  return objects;
}

/** Deletes every object under location that lies under none of the live locations (all normalized). */
async function deleteAround(storage: ObjectStorage, location: string, live: readonly string[]): Promise<number> {
  const files: string[] = [];
  for await (const o of storage.list!(location)) {
    let key: string;
    try {
      key = normalizeLocation(o.uri);
    } catch {
      continue; // a name no location can spell: not the purge's to judge
    }
    if (!live.some((l) => isUnderNormalized(l, key))) files.push(o.uri);
  }
  let deleted = 0;
  for (let i = 0; i < files.length; i += 1000) {
    const result = await storage.deleteMany(files.slice(i, i + 1000));
    deleted += result.deleted.length;
    if (result.failed.length > 0) {
      throw new CatalogError(
        'ERR_STORAGE',
        `purge of ${location} failed for ${result.failed.length} object(s) (${deleted} deleted): ${result.failed[0]!.code}`,
      );
    }
  }
  return deleted;
}

/**
 * The normalized locations of the live tables and views of any warehouse (of any tenant) at or under the location.
 * Warehouse roots do not overlap (warehouses.ts), but databases from before that rule may hold overlapping ones: a
 * purge must not reach into another warehouse's table. Only warehouses whose roots could contain the location are asked.
 */
async function livesUnder(ctx: ServiceContext, location: string): Promise<string[]> {
  const l = normalizeLocation(location);
  const storage = storageOf(l);
  const out: string[] = [];
  for (const warehouse of await ctx.store.repository.listWarehouses()) {
    if (!allowedRoots(warehouse).some((root) => sameStorage(root, storage))) continue;
    for (const o of await ctx.store.repository.findObjectsByLocationPrefix(warehouse.name, l)) {
      try {
        out.push(normalizeLocation(o.location));
      } catch {
        out.push(l); // a live location that no longer parses: keep everything
      }
    }
  }
  return out;
}

function sameStorage(root: string, storage: string): boolean {
  try {
    return storageOf(root) === storage;
  } catch {
    return false;
  }
}

/**
 * Where a warehouse's tables and views may live. Locations come from
 * clients (create, register, set-location, write.metadata.path), and the
 * catalog later writes, vends credentials for and purges them, so every one
 * must lie under the warehouse's storage root or under one of the extra
 * roots the platform listed for it (property `extra-location-roots`,
 * comma-separated) in the same bucket, container or filesystem. The location a client asked for is kept verbatim in the
 * metadata (clients compare it byte for byte); only the check normalizes.
 */
import { validation } from '../errors/catalog-error.js';
import { namespacesOfSegments } from './default-locations.js';
import { isUnderNormalized, normalizeLocation, normalizedLocation } from './locations.js';
import type { CatalogRepository, Warehouse } from './ports/index.js';

export const EXTRA_LOCATION_ROOTS = 'extra-location-roots';

/**
 * The storage a location lives in: scheme and authority (`s3://bucket`, `gs://bucket`,
 * `abfss://container@account.dfs.core.windows.net`, `file://` for the server's filesystem).
 * A warehouse's root lies in its profile's storage (storage/profile-admin.ts checks it), so
 * the root's storage is the profile's.
 */
export function storageOf(location: string): string {
  const l = normalizeLocation(location);
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)/.exec(l);
  return m ? m[1]! : l;
}

/**
 * The warehouse root, and those extra roots (set by the platform: warehouse-admin.ts refuses them from a tenant
 * administrator) that lie in the same storage as the root, i.e. the bucket, container or filesystem of the
 * warehouse's profile. An extra root elsewhere (a `file:` root on an S3 warehouse, another bucket) is ignored:
 * the profile could not reach it, and must not be made to (docs/security.md, storage authority).
 */
export function allowedRoots(warehouse: Warehouse): string[] {
  const own = storageOf(warehouse.storageRoot);
  const extra = (warehouse.properties[EXTRA_LOCATION_ROOTS] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && sameStorage(own, s));
  return [warehouse.storageRoot, ...extra];
}

function sameStorage(storage: string, root: string): boolean {
  try {
    return storageOf(root) === storage;
  } catch {
    return false;
  }
}

export function isAllowedLocation(warehouse: Warehouse, location: string): boolean {
  return isAllowedNormalized(warehouse, normalizeLocation(location));
}

function isAllowedNormalized(warehouse: Warehouse, location: string): boolean {
  return allowedRoots(warehouse).some((root) => isUnderNormalized(normalizedLocation(root), location));
}

/**
 * Validates a client-supplied location and returns it as given, without trailing slashes. With `notRoot` (the
 * location of a table or view), a storage root itself is refused: a table there would contain every later one.
 */
export function checkLocation(warehouse: Warehouse, location: unknown, what = 'location', options: { notRoot?: boolean } = {}): string {
  if (typeof location !== 'string') throw validation(`${what} must be a string`);
  const l = normalizeLocation(location);
  if (!isAllowedNormalized(warehouse, l)) throw validation(`${what} ${location} is outside the storage locations of warehouse ${warehouse.name}`);
  if (options.notRoot && allowedRoots(warehouse).some((root) => normalizedLocation(root) === l)) {
    throw validation(`${what} ${location} is a storage root of warehouse ${warehouse.name}: a table or view needs a location below it`);
  }
  const trimmed = location.replace(/\/+$/, '');
  return trimmed.length > 0 ? trimmed : location;
}

/**
 * True when a purge may delete recursively under location: strictly inside the warehouse's own storage root, the
 * prefix the warehouse owns. Extra roots hold data the platform let tables point at (legacy or foreign data): a
 * drop there deregisters and leaves the files (docs/security.md, "Storage authority").
 */
export function isPurgeable(warehouse: Warehouse, location: string): boolean {
  const l = normalizeLocation(location);
  const root = normalizedLocation(warehouse.storageRoot);
  return l !== root && isUnderNormalized(root, l);
}

/** Every ancestor directory of a location, e.g. s3://b/wh/ns/t → s3://b/wh/ns, s3://b/wh, s3://b. */
function ancestorsOf(location: string): string[] {
  const l = normalizeLocation(location);
  const schemeEnd = l.indexOf('://') >= 0 ? l.indexOf('://') + 3 : l.indexOf(':') + 1;
  const out: string[] = [];
  for (let i = l.lastIndexOf('/'); i > schemeEnd; i = l.lastIndexOf('/', i - 1)) out.push(l.slice(0, i));
  return out;
}

/** What else may share a location with the one being checked: the object itself, and its own stage-creates. */
export interface OverlapExceptions {
  /** The object's own id (a commit that keeps or moves its own location, a registration that replaces it). */
  except?: string;
  /** The table's name: its stage-creates (a retried CTAS, or the one being committed) are alternatives of it, not others. */
  table?: { namespace: string[]; name: string };
  /** Now, for which stage-created tables are still alive. */
  nowMs: number;
  /** The location of a view: it may share with other views (no credentials, no purge), not with a table. */
  view?: boolean;
}

/**
 * A table's data location may not overlap another table's, committed or stage-created: not the same, not inside
 * it, not around it. Credentials are vended for a table's whole location and a purge deletes under it, so an
 * overlapping table would hand its holder the other table's data. Every new table is checked, its location chosen
 * by the client (create, stage-create, register, a commit that moves it) or by the catalog: a default location
 * holds the table's uuid, so nothing lies inside it (`byCatalog` skips that lookup), but it may lie inside a table
 * a client put where this namespace's tables go (its directory, the warehouse root) before any was created there.
 * A view's location is held to the tables' (the catalog writes its metadata files there, and a view inside a
 * table's location would keep that table's purge from deleting anything). Nor may a client-chosen location be
 * the directory of an existing namespace (under the storage root, where its tables and its children's go by
 * default): those would all be refused as overlapping it.
 */
export async function checkNoOverlap(
  repository: CatalogRepository,
  warehouse: Warehouse,
  location: string,
  options: OverlapExceptions & { byCatalog?: boolean },
): Promise<void> {
  const l = normalizeLocation(location);
  const ancestors = ancestorsOf(l);
  const inside = options.byCatalog ? [] : await repository.findObjectsByLocationPrefix(warehouse.name, l);
  const around = await repository.findObjectsAtLocations(warehouse.name, ancestors);
  const other = [...inside, ...around].find((o) => o.id !== options.except && !(options.view && o.kind === 'view'));
  if (other) throw overlaps(location);
  for (const levels of options.byCatalog ? [] : namespacesOfDirectory(warehouse, l)) {
    if (await repository.getNamespace(warehouse.name, levels))
      throw validation(`location ${location} is the directory of a namespace, where its tables go; every table needs a location of its own`);
  }
  const sameTable = (t: { namespace: string[]; name: string }) =>
    options.table !== undefined &&
    t.name === options.table.name &&
    t.namespace.length === options.table.namespace.length &&
    t.namespace.every((level, i) => level === options.table!.namespace[i]);
  for (const staged of await liveStagedLocations(repository, warehouse, options.nowMs)) {
    if (!sameTable(staged) && (isUnderNormalized(staged.location, l) || isUnderNormalized(l, staged.location))) throw overlaps(location);
  }
}

/** The live stage-created tables of a warehouse, their locations normalized (one that no longer parses takes no place). */
async function liveStagedLocations(
  repository: CatalogRepository,
  warehouse: Warehouse,
  nowMs: number,
): Promise<Array<{ namespace: string[]; name: string; location: string }>> {
  const out: Array<{ namespace: string[]; name: string; location: string }> = [];
  for (const staged of await repository.listStagedTableLocations(warehouse.name, nowMs)) {
    try {
      out.push({ namespace: staged.namespace, name: staged.name, location: normalizeLocation(staged.location) });
    } catch {
      // a stored location that no longer parses takes no place
    }
  }
  return out;
}

/**
 * A namespace's `location` (where its tables go by default) may not be a table's or view's location, committed or
 * stage-created, or lie inside one: every table created there would be refused by checkNoOverlap. Refused when the
 * property is set, with a message that says why, instead of at each later create. Around tables is fine
 * (namespaces hold tables). Asks the database: call it after authorization.
 */
export async function checkNamespaceLocationFree(repository: CatalogRepository, warehouse: Warehouse, location: string, nowMs: number): Promise<void> {
  const l = normalizeLocation(location);
  const taken =
    (await repository.findObjectsAtLocations(warehouse.name, [l, ...ancestorsOf(l)])).length > 0 ||
    (await liveStagedLocations(repository, warehouse, nowMs)).some((staged) => isUnderNormalized(staged.location, l));
  if (taken)
    throw validation(
      `the namespace's location ${location} lies inside the location of a table or view; tables created there could not have a location of their own`,
    );
}

/**
 * Never names the other object: the caller may not be allowed to see it (a probe under another namespace's directory
 * would otherwise list its tables' names to anyone who may create a table anywhere).
 */
function overlaps(location: string) {
  return validation(`location ${location} overlaps the location of another table or view; every table needs a location of its own`);
}

/** The namespaces whose default directory (namespaceDirectory of the storage root and its levels, now or before issue 52) the location is. */
function namespacesOfDirectory(warehouse: Warehouse, location: string): string[][] {
  const root = normalizedLocation(warehouse.storageRoot);
  if (!isUnderNormalized(root, location) || location === root) return [];
  return namespacesOfSegments(location.slice(root.length + 1).split('/'));
}

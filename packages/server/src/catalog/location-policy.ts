/**
 * Where a warehouse's tables and views may live. Locations come from
 * clients (create, register, set-location, write.metadata.path), and the
 * catalog later writes, vends credentials for and purges them, so every one
 * must lie under the warehouse's storage root or under one of the extra
 * roots an operator listed for it (property `extra-location-roots`,
 * comma-separated). The location a client asked for is kept verbatim in the
 * metadata (clients compare it byte for byte); only the check normalizes.
 */
import { validation } from '../errors/catalog-error.js';
import { isUnderNormalized, normalizeLocation } from './locations.js';
import type { CatalogRepository, Warehouse } from './ports.js';

export const EXTRA_LOCATION_ROOTS = 'extra-location-roots';

export function allowedRoots(warehouse: Warehouse): string[] {
  const extra = (warehouse.properties[EXTRA_LOCATION_ROOTS] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return [warehouse.storageRoot, ...extra];
}

export function isAllowedLocation(warehouse: Warehouse, location: string): boolean {
  return isAllowedNormalized(warehouse, normalizeLocation(location));
}

/** Normalized roots by their configured text: a handful per deployment, and normalizing one costs ~20 µs. */
const normalizedRoots = new Map<string, string>();

function isAllowedNormalized(warehouse: Warehouse, location: string): boolean {
  return allowedRoots(warehouse).some((root) => {
    let r = normalizedRoots.get(root);
    if (r === undefined) {
      r = normalizeLocation(root);
      if (normalizedRoots.size >= 1_000) normalizedRoots.clear();
      normalizedRoots.set(root, r);
    }
    return isUnderNormalized(r, location);
  });
}

/** Validates a client-supplied location and returns it as given, without trailing slashes. */
export function checkLocation(warehouse: Warehouse, location: unknown, what = 'location'): string {
  if (typeof location !== 'string') throw validation(`${what} must be a string`);
  if (!isAllowedNormalized(warehouse, normalizeLocation(location))) throw validation(`${what} ${location} is outside the storage locations of warehouse ${warehouse.name}`);
  const trimmed = location.replace(/\/+$/, '');
  return trimmed.length > 0 ? trimmed : location;
}

/** True when a purge may delete recursively under location: inside an allowed root, and not a root itself. */
export function isPurgeable(warehouse: Warehouse, location: string): boolean {
  const l = normalizeLocation(location);
  return isAllowedLocation(warehouse, l) && !allowedRoots(warehouse).some((r) => normalizeLocation(r) === l);
}

/** Every ancestor directory of a location, e.g. s3://b/wh/ns/t → s3://b/wh/ns, s3://b/wh, s3://b. */
function ancestorsOf(location: string): string[] {
  const l = normalizeLocation(location);
  const schemeEnd = l.indexOf('://') >= 0 ? l.indexOf('://') + 3 : l.indexOf(':') + 1;
  const out: string[] = [];
  for (let i = l.lastIndexOf('/'); i > schemeEnd; i = l.lastIndexOf('/', i - 1)) out.push(l.slice(0, i));
  return out;
}

/**
 * A table's data location may not overlap another object's: not the same,
 * not inside it, not around it. Credentials are vended for a table's whole
 * location and a purge deletes under it, so an overlapping table (created,
 * stage-created, registered or moved by a commit) would hand its holder
 * the other table's data. `except` is the object's own id (a commit that
 * keeps or moves its own location).
 */
export async function checkNoOverlap(repository: CatalogRepository, warehouse: Warehouse, location: string, except?: string): Promise<void> {
  const l = normalizeLocation(location);
  const inside = await repository.findObjectsByLocationPrefix(warehouse.name, l);
  const around = await repository.findObjectsAtLocations(warehouse.name, ancestorsOf(l));
  const other = [...inside, ...around].find((o) => o.id !== except);
  if (other) {
    throw validation(`location ${location} overlaps the location of ${other.kind === 'view' ? 'view' : 'table'} ${[...other.namespace, other.name].join('.')}; every table needs a location of its own`);
  }
}

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
import { isUnderRoot, normalizeLocation } from '../storage/locations.js';
import type { Warehouse } from './ports.js';

export const EXTRA_LOCATION_ROOTS = 'extra-location-roots';

export function allowedRoots(warehouse: Warehouse): string[] {
  const extra = (warehouse.properties[EXTRA_LOCATION_ROOTS] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return [warehouse.storageRoot, ...extra];
}

export function isAllowedLocation(warehouse: Warehouse, location: string): boolean {
  return allowedRoots(warehouse).some((root) => isUnderRoot(root, location));
}

/** Validates a client-supplied location and returns it as given, without trailing slashes. */
export function checkLocation(warehouse: Warehouse, location: unknown, what = 'location'): string {
  if (typeof location !== 'string') throw validation(`${what} must be a string`);
  normalizeLocation(location);
  if (!isAllowedLocation(warehouse, location)) throw validation(`${what} ${location} is outside the storage locations of warehouse ${warehouse.name}`);
  const trimmed = location.replace(/\/+$/, '');
  return trimmed.length > 0 ? trimmed : location;
}

/** True when a purge may delete recursively under location: inside an allowed root, and not a root itself. */
export function isPurgeable(warehouse: Warehouse, location: string): boolean {
  const l = normalizeLocation(location);
  return isAllowedLocation(warehouse, l) && !allowedRoots(warehouse).some((r) => normalizeLocation(r) === l);
}

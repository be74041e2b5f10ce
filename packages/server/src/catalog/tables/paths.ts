/**
 * Every path a commit or a registration can bring into a table besides its location — a new snapshot's manifest
 * list (or v1 manifests), statistics and partition statistics files, and the `write.*.path` properties where
 * engines put data and metadata — is held to the one location rule of location-policy.ts: inside the warehouse's
 * storage roots (or an operator's extra roots), no `.`/`..` segments, no other scheme. Otherwise a client could
 * point `main` at `file:/etc/passwd`, another bucket or an `http://` URL, and the catalog (and every reader it vends
 * credentials to) would follow it. Paths already in the base metadata are not checked again, so a table registered
 * before this rule stays usable.
 */
import { parseJson } from '../json.js';
import { checkLocation, isAllowedLocation } from '../location-policy.js';
import { isUnderRoot, normalizeLocation } from '../locations.js';
import type { TableMetadata } from '../metadata/index.js';
import type { Warehouse } from '../ports.js';

/** Table properties naming where engines write files (Iceberg's `write.*.path` family). */
export const WRITE_PATH_PROPERTIES = ['write.data.path', 'write.metadata.path', 'write.object-storage.path', 'write.folder-storage.path'] as const;

export function checkIntroducedPaths(warehouse: Warehouse, base: TableMetadata | null, next: TableMetadata): void {
  const knownSnapshots = new Set((base?.snapshots ?? []).map((s) => String(s['snapshot-id'])));
  for (const snapshot of next.snapshots ?? []) {
    if (knownSnapshots.has(String(snapshot['snapshot-id']))) continue;
    const what = `snapshot ${String(snapshot['snapshot-id'])}`;
    if (snapshot['manifest-list'] !== undefined) checkLocation(warehouse, snapshot['manifest-list'], `${what} manifest-list`);
    for (const manifest of snapshot.manifests ?? []) checkLocation(warehouse, manifest, `${what} manifest`);
  }
  const knownFiles = new Set([...(base?.statistics ?? []), ...(base?.['partition-statistics'] ?? [])].map((f) => f['statistics-path']));
  for (const file of [...(next.statistics ?? []), ...(next['partition-statistics'] ?? [])]) {
    if (!knownFiles.has(file['statistics-path'])) checkLocation(warehouse, file['statistics-path'], 'statistics-path');
  }
  for (const key of WRITE_PATH_PROPERTIES) {
    const value = next.properties?.[key];
    if (value !== undefined && value !== base?.properties?.[key]) checkLocation(warehouse, value, `property ${key}`);
  }
}

/**
 * The storage prefixes a table's files live under: its location, plus each `write.*.path` inside the warehouse
 * that is not under the location (engines write data or metadata there). Each gets a storage credential of its own,
 * independently refreshable (`../shared/seeds/000_*`). Reads the metadata only when it names such a property.
 */
export function tablePrefixes(warehouse: Warehouse, location: string, metadataJson: string | undefined): string[] {
  const prefixes = [location];
  if (metadataJson === undefined || !metadataJson.includes('.path"')) return prefixes;
  const properties = (parseJson(metadataJson) as TableMetadata).properties ?? {};
  for (const key of WRITE_PATH_PROPERTIES) {
    const value = properties[key];
    if (typeof value !== 'string' || !isAllowedLocation(warehouse, value)) continue;
    if (prefixes.some((p) => isUnderRoot(p, value) || normalizeLocation(p) === normalizeLocation(value))) continue;
    prefixes.push(value.replace(/\/+$/, ''));
  }
  return prefixes;
}

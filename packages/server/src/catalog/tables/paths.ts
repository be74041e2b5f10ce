/**
 * Every path a commit or a registration can bring into a table besides its location — a new snapshot's manifest
 * list (or v1 manifests), statistics and partition statistics files, and the `write.*.path` properties where
 * engines put data and metadata — is held to the one location rule of location-policy.ts: inside the warehouse's
 * storage roots (or an operator's extra roots), no `.`/`..` segments, no other scheme. Otherwise a client could
 * point `main` at `file:/etc/passwd`, another bucket or an `http://` URL, and the catalog (and every reader it vends
 * credentials to) would follow it. Paths already in the base metadata are not checked again, so a table registered
 * before this rule stays usable.
 *
 * The `write.*.path` properties must moreover lie inside the table's own location: the catalog writes metadata
 * files there, engines write data there, and a table's files are what its credentials cover and its purge deletes.
 * A write path elsewhere would be territory no overlap check sees (another table's location, the warehouse root, a
 * namespace's directory where later tables go), and its credential would reach whatever lives there.
 */
import { validation } from '../../errors/catalog-error.js';
import { checkLocation } from '../location-policy.js';
import { isUnderRoot } from '../locations.js';
import type { TableMetadata } from '../metadata/index.js';
import type { Warehouse } from '../ports/index.js';

/** Table properties naming where engines write files (Iceberg's `write.*.path` family). */
export const WRITE_PATH_PROPERTIES = ['write.data.path', 'write.metadata.path', 'write.object-storage.path', 'write.folder-storage.path'] as const;

export function checkIntroducedPaths(warehouse: Warehouse, base: TableMetadata | null, next: TableMetadata): void {
  const moved = base !== null && base.location !== next.location;
  // A moved table leaves nothing behind: the location it leaves is free for another table (whose credentials and
  // purge cover it), so the files its snapshots still name there would be that table's to read and delete.
  const inside = (path: string, what: string) => {
    if (moved && !isUnderRoot(next.location, path))
      throw validation(`${what} ${path} is outside the new location of the table (${next.location}): a table whose files stay where they are cannot move`);
  };
  const knownSnapshots = new Set((base?.snapshots ?? []).map((s) => String(s['snapshot-id'])));
  for (const snapshot of next.snapshots ?? []) {
    const known = knownSnapshots.has(String(snapshot['snapshot-id']));
    if (known && !moved) continue;
    const what = `snapshot ${String(snapshot['snapshot-id'])}`;
    const files = [
      ...(snapshot['manifest-list'] !== undefined ? [{ path: snapshot['manifest-list'], which: 'manifest-list' }] : []),
      ...(snapshot.manifests ?? []).map((path) => ({ path, which: 'manifest' })),
    ];
    for (const { path, which } of files) {
      if (!known) checkLocation(warehouse, path, `${what} ${which}`);
      inside(path, `${what} ${which}`);
    }
  }
  const knownFiles = new Set([...(base?.statistics ?? []), ...(base?.['partition-statistics'] ?? [])].map((f) => f['statistics-path']));
  for (const file of [...(next.statistics ?? []), ...(next['partition-statistics'] ?? [])]) {
    if (!knownFiles.has(file['statistics-path'])) checkLocation(warehouse, file['statistics-path'], 'statistics-path');
    inside(file['statistics-path'], 'statistics-path');
  }
  for (const key of WRITE_PATH_PROPERTIES) {
    const value = next.properties?.[key];
    if (value === undefined || (value === base?.properties?.[key] && !moved)) continue;
    checkLocation(warehouse, value, `property ${key}`);
    if (!isUnderRoot(next.location, value))
      throw validation(`property ${key} ${value} is outside the location of the table (${next.location}): a table writes only under its own location`);
  }
}

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

type Update = { action?: unknown } & Record<string, unknown>;
const isRecord = (v: unknown): v is Record<string, string> => typeof v === 'object' && v !== null && !Array.isArray(v);
const bySnapshot = (id: unknown) => (f: { 'snapshot-id'?: unknown }) => String(f['snapshot-id']) !== String(id);

/**
 * The same rule for a commit the remote catalog of a federated warehouse applies (federation/federated-tables.ts): the
 * front never sees the resulting metadata before the remote has committed it, so the paths the updates bring in (a
 * `set-location`, as a `REPLACE TABLE … LOCATION` sends, new snapshots' files, statistics files, `write.*.path`
 * properties) are checked against this warehouse's storage on the updates themselves, over the mirrored base, before
 * anything is sent. Without it a remote whose storage is wider than the front's committed such a change, and the front
 * then refused to serve the table: the client was told the commit failed while the remote had it. Only the paths are
 * projected from the updates; everything else about them is the remote's to check.
 */
export function checkIntroducedByUpdates(warehouse: Warehouse, base: TableMetadata | null, updates: readonly unknown[]): void {
  let location = base?.location;
  const properties: Record<string, string> = { ...(base?.properties ?? {}) };
  let snapshots = [...(base?.snapshots ?? [])];
  let statistics = [...(base?.statistics ?? [])];
  let partitionStatistics = [...(base?.['partition-statistics'] ?? [])];
  for (const u of updates as Update[]) {
    if (typeof u !== 'object' || u === null) continue;
    if (u.action === 'set-location') location = checkLocation(warehouse, u.location, 'location', { notRoot: true });
    else if (u.action === 'set-properties' && isRecord(u.updates)) Object.assign(properties, u.updates);
    else if (u.action === 'remove-properties' && Array.isArray(u.removals)) for (const key of u.removals) delete properties[String(key)];
    else if (u.action === 'add-snapshot' && isRecord(u.snapshot)) snapshots.push(u.snapshot as never);
    else if (u.action === 'remove-snapshots' && Array.isArray(u['snapshot-ids'])) {
      const removed = new Set(u['snapshot-ids'].map(String));
      snapshots = snapshots.filter((s) => !removed.has(String(s['snapshot-id'])));
    } else if (u.action === 'set-statistics' && isRecord(u.statistics)) {
      const file = u.statistics as never as { 'snapshot-id'?: unknown };
      statistics = [...statistics.filter(bySnapshot(file['snapshot-id'])), file as never];
    } else if (u.action === 'remove-statistics') statistics = statistics.filter(bySnapshot(u['snapshot-id']));
    else if (u.action === 'set-partition-statistics' && isRecord(u['partition-statistics'])) {
      const file = u['partition-statistics'] as never as { 'snapshot-id'?: unknown };
      partitionStatistics = [...partitionStatistics.filter(bySnapshot(file['snapshot-id'])), file as never];
    } else if (u.action === 'remove-partition-statistics') partitionStatistics = partitionStatistics.filter(bySnapshot(u['snapshot-id']));
  }
  const next = { ...base, location, properties, snapshots, statistics, 'partition-statistics': partitionStatistics } as TableMetadata;
  if (location !== undefined) return checkIntroducedPaths(warehouse, base, next);
  // A create transaction that names no location (the remote chooses it, and the front checks its answer): the write
  // paths can only be held to the warehouse's storage.
  for (const key of WRITE_PATH_PROPERTIES) if (properties[key] !== undefined) checkLocation(warehouse, properties[key], `property ${key}`);
  checkIntroducedPaths(warehouse, base, { ...next, properties: {} } as TableMetadata);
}

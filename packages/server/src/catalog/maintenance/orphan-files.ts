/**
 * Orphan files: objects under a table's location that no metadata reaches (a failed write's data files, manifests
 * of a commit that lost its race, metadata.json files trimmed out of the metadata log beyond
 * `write.metadata.previous-versions-max`), older than a safety age (default 3 days: a write in progress has not
 * committed its files yet, and deleting them would corrupt its commit). Reachable: the current metadata file and
 * those in its log, statistics files, and every snapshot's manifest list, manifests and live data and delete files,
 * read with the streaming manifest reader. Only the table's own location is listed, so nothing else can be deleted.
 * Policy-enforced files under `_lakegate/policy/` follow their own rule (derivedOrphans below).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { normalizeLocation } from '../locations.js';
import type { ManifestReader } from '../manifests/manifest-reader.js';
import type { TableMetadata } from '../metadata/index.js';
import type { ObjectStorage, StoredObject } from '../ports/index.js';
import { parseJson } from '../json.js';
import { SIDE_FILE_MAX_BYTES, type SideFile } from '../planning/restricted.js';
import { forEachBounded } from '../bounded.js';
import type { DeletableFile } from './reachable-files.js';

export const DEFAULT_ORPHAN_AGE_MS = 3 * 86_400_000;

function key(uri: string): string {
  try {
    return normalizeLocation(uri);
  } catch {
    return uri;
  }
}

/** Every file the table's metadata reaches (normalized locations). */
export async function reachableFromMetadata(reader: ManifestReader, metadata: TableMetadata, metadataLocation: string): Promise<Set<string>> {
  const out = new Set<string>([key(metadataLocation)]);
  for (const e of metadata['metadata-log'] ?? []) out.add(key(e['metadata-file']));
  for (const f of [...(metadata.statistics ?? []), ...(metadata['partition-statistics'] ?? [])]) out.add(key(f['statistics-path']));
  const manifests = new Map<string, Parameters<ManifestReader['readManifest']>[0]>();
  // MAINTENANCE_IO_CONCURRENCY reads at a time (catalog/bounded.ts); lists fold into the distinct manifests as they arrive.
  await forEachBounded(metadata.snapshots ?? [], async (s) => {
    if (s['manifest-list'] !== undefined) {
      out.add(key(s['manifest-list']));
      for (const m of await reader.readManifestList(s['manifest-list'])) manifests.set(m.path, m);
    }
    for (const path of s.manifests ?? []) {
      manifests.set(path, { path, length: 0, partitionSpecId: 0, content: 0, sequenceNumber: 0, minSequenceNumber: 0, addedSnapshotId: 0n, partitions: null });
    }
  });
  await forEachBounded(manifests.values(), async (m) => {
    out.add(key(m.path));
    for await (const e of reader.readManifest(m)) out.add(key(e.file.filePath));
  });
  return out;
}

/** The objects under the table's location no metadata reaches and last changed before `nowMs - olderThanMs`. */
export async function findOrphans(
  storage: ObjectStorage,
  reachable: ReadonlySet<string>,
  location: string,
  nowMs: number,
  olderThanMs: number,
  listed?: (n: number) => Promise<void>,
): Promise<DeletableFile[]> {
  if (!storage.list) throw new CatalogError('ERR_NOT_IMPLEMENTED', 'orphan-file removal needs object listing, which this storage does not offer yet');
  const out: DeletableFile[] = [];
  const derivedUnder = `${location.replace(/\/+$/, '')}/_lakegate/policy/`;
  const derived: StoredObject[] = [];
  for await (const o of storage.list(location)) {
    await listed?.(1);
    if (o.uri.startsWith(derivedUnder)) {
      derived.push(o);
      continue;
    }
    if (reachable.has(key(o.uri)) || o.lastModifiedMs > nowMs - olderThanMs) continue;
    out.push({ path: o.uri, kind: o.uri.endsWith('.metadata.json') ? 'metadata' : 'orphan', bytes: o.bytes });
  }
  out.push(...(await derivedOrphans(storage, reachable, derived, nowMs - olderThanMs)));
  return out;
}

/**
 * Policy-enforced files (planning/restricted.ts) no plan can reach any more: a side file whose data file the metadata
 * no longer reaches goes with the Parquet file it names; a Parquet file no kept side file names (a planner's copy that
 * lost a race, a crash between the two writes) goes alone. Only those older than the safety age, so a plan deriving
 * now keeps its files. Kept: every derived file of a reachable data file, of any policy version (a plan of an older
 * version cannot be told apart from a current one here).
 */
async function derivedOrphans(
  storage: ObjectStorage,
  reachable: ReadonlySet<string>,
  objects: readonly StoredObject[],
  before: number,
): Promise<DeletableFile[]> {
  const named = new Set<string>();
  const out: DeletableFile[] = [];
  for (const o of objects.filter((x) => x.uri.endsWith('.json'))) {
    let side: SideFile | undefined;
    try {
      side = parseJson(new TextDecoder().decode(await storage.read(o.uri, SIDE_FILE_MAX_BYTES))) as SideFile;
    } catch {
      side = undefined;
    }
    const live = side?.source !== undefined && reachable.has(key(side.source));
    if (live || o.lastModifiedMs > before) {
      if (side?.uri) named.add(key(side.uri));
      continue;
    }
    out.push({ path: o.uri, kind: 'orphan', bytes: o.bytes });
  }
  for (const o of objects) {
    if (o.uri.endsWith('.json') || named.has(key(o.uri)) || o.lastModifiedMs > before) continue;
    out.push({ path: o.uri, kind: 'orphan', bytes: o.bytes });
  }
  return out;
}

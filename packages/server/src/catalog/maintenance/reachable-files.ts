/**
 * The files an expiry may delete: those the expired snapshots reach and no remaining snapshot (of any ref, or none)
 * does, as Iceberg Java's ReachableFileCleanup computes them: manifest lists of expired snapshots, manifests only
 * they name, and the data and delete files live in those manifests but in no manifest a remaining snapshot names.
 * Every manifest is read through the one streaming reader (catalog/manifests/), which refuses files outside the
 * table's location; every candidate outside it is dropped too. The whole set is computed before anything is
 * deleted or committed, so a manifest that cannot be read fails the job with nothing changed.
 */
import { isUnderRoot } from '../locations.js';
import type { ManifestFile } from '../ports/manifests.js';
import type { ManifestReader } from '../manifests/manifest-reader.js';
import type { Snapshot, TableMetadata } from '../metadata/index.js';
import { forEachBounded, mapBounded } from '../bounded.js';

export interface DeletableFile {
  path: string;
  kind: 'manifest-list' | 'manifest' | 'data' | 'position-deletes' | 'equality-deletes' | 'statistics' | 'metadata' | 'orphan';
  /** Bytes, when the metadata says (a manifest list's size it does not). */
  bytes: number;
}

const idOf = (s: { 'snapshot-id': unknown }) => String(s['snapshot-id']);
const CONTENT: DeletableFile['kind'][] = ['data', 'position-deletes', 'equality-deletes'];

async function manifestsOf(reader: ManifestReader, snapshot: Snapshot): Promise<ManifestFile[]> {
  if (snapshot['manifest-list'] !== undefined) return reader.readManifestList(snapshot['manifest-list']);
  // v1 snapshots may embed their manifests' paths instead of a list: their entries inherit nothing.
  return (snapshot.manifests ?? []).map((path) => ({
    path,
    length: 0,
    partitionSpecId: 0,
    content: 0,
    sequenceNumber: 0,
    minSequenceNumber: 0,
    addedSnapshotId: BigInt(String(snapshot['snapshot-id'])),
    partitions: null,
  }));
}

export class ReachableFiles {
  /** Candidates by path. */
  private readonly candidates = new Map<string, DeletableFile>();
  private readonly keptManifests = new Set<string>();

  private constructor(
    private readonly reader: ManifestReader,
    private readonly location: string,
  ) {}

  /** The files only the `expired` snapshots of `before` reach, with `kept` the snapshots that remain. */
  static async compute(reader: ManifestReader, location: string, before: TableMetadata, expired: ReadonlySet<string>): Promise<ReachableFiles> {
    const r = new ReachableFiles(reader, location);
    const snapshots = before.snapshots ?? [];
    const kept = snapshots.filter((s) => !expired.has(idOf(s)));
    const gone = snapshots.filter((s) => expired.has(idOf(s)));
    if (gone.length === 0) return r;
    const keptLists = new Set(kept.map((s) => s['manifest-list']).filter((p): p is string => p !== undefined));
    // Manifest lists and manifests are read MAINTENANCE_IO_CONCURRENCY at a time (catalog/bounded.ts); each list is folded
    // into the distinct manifests as it arrives, so memory holds the distinct manifests, not every list's copy.
    await forEachBounded(kept, async (s) => {
      for (const m of await manifestsOf(reader, s)) r.keptManifests.add(m.path);
    });
    const goneManifests = new Map<string, ManifestFile>();
    await forEachBounded(gone, async (s) => {
      const list = s['manifest-list'];
      if (list !== undefined && !keptLists.has(list)) r.add({ path: list, kind: 'manifest-list', bytes: 0 });
      for (const m of await manifestsOf(reader, s)) if (!r.keptManifests.has(m.path)) goneManifests.set(m.path, m);
    });
    await forEachBounded(goneManifests.values(), async (m) => {
      r.add({ path: m.path, kind: 'manifest', bytes: m.length });
      for await (const e of reader.readManifest(m)) r.add({ path: e.file.filePath, kind: CONTENT[e.file.content]!, bytes: e.file.fileSizeInBytes });
    });
    // Statistics files of expired snapshots no remaining one shares.
    const keptStats = new Set(
      [...(before.statistics ?? []), ...(before['partition-statistics'] ?? [])]
        .filter((f) => !expired.has(String(f['snapshot-id'])))
        .map((f) => f['statistics-path']),
    );
    for (const f of [...(before.statistics ?? []), ...(before['partition-statistics'] ?? [])]) {
      if (expired.has(String(f['snapshot-id'])) && !keptStats.has(f['statistics-path']))
        r.add({ path: f['statistics-path'], kind: 'statistics', bytes: Number(f['file-size-in-bytes']) });
    }
    if ([...r.candidates.values()].some((f) => CONTENT.includes(f.kind))) await r.keepReachedBy([...r.keptManifests]);
    return r;
  }

  /** Drops every candidate the snapshots reach (those committed meanwhile by others, after the expiry's commit). */
  async keepSnapshots(snapshots: readonly Snapshot[]): Promise<void> {
    const manifests: string[] = [];
    const lists = await mapBounded(snapshots, (s) => manifestsOf(this.reader, s));
    for (const [i, s] of snapshots.entries()) {
      if (s['manifest-list'] !== undefined) this.candidates.delete(s['manifest-list']);
      for (const m of lists[i]!) {
        this.candidates.delete(m.path);
        if (!this.keptManifests.has(m.path)) manifests.push(m.path);
      }
    }
    await this.keepReachedBy(manifests, snapshots);
  }

  /** The candidates, by path (manifests are read concurrently, so the order they were found in is not stable). */
  get files(): DeletableFile[] {
    return [...this.candidates.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  private add(file: DeletableFile): void {
    // Never a file outside the table's own location, whatever a manifest names.
    if (isUnderRoot(this.location, file.path) && file.path !== this.location) this.candidates.set(file.path, file);
  }

  /** Streams the live entries of the manifests, dropping every candidate they name. */
  private async keepReachedBy(paths: readonly string[], snapshots?: readonly Snapshot[]): Promise<void> {
    const byPath = new Map<string, ManifestFile>();
    await forEachBounded(snapshots ?? [], async (s) => {
      for (const m of await manifestsOf(this.reader, s)) byPath.set(m.path, m);
    });
    if (snapshots === undefined) {
      // The remaining snapshots' manifests: read again from their lists for their sequence numbers (entries only need paths).
      for (const p of paths)
        byPath.set(p, { path: p, length: 0, partitionSpecId: 0, content: 0, sequenceNumber: 0, minSequenceNumber: 0, addedSnapshotId: 0n, partitions: null });
    }
    await forEachBounded(byPath.values(), async (m) => {
      for await (const e of this.reader.readManifest(m)) this.candidates.delete(e.file.filePath);
    });
  }
}

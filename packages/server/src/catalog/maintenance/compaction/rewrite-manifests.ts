/**
 * The `rewrite-manifests` maintenance action (issue 59): the small manifests of a v1, v2 or v3 table's current snapshot
 * merged into manifests near `commit.manifest.target-size-bytes`, metadata only (no data file is read or written), as
 * Iceberg's RewriteManifests does:
 * - per kind (data, deletes: merged separately, never together) and partition spec, the manifests below 3/4 of the
 *   target are merged when there are two or more (manifest-groups.ts); larger ones are kept as they are;
 * - only live entries are carried, as EXISTING, with their snapshot id and data and file sequence numbers, so scans,
 *   delete application and time travel see exactly the files they saw; DELETED entries (history already in older
 *   snapshots) are dropped;
 * - entries are clustered by partition value, so each new manifest covers a narrow partition range and the manifest
 *   list's partition summaries keep pruning;
 * - committed as one `replace` snapshot (summary `manifests-created`, `manifests-replaced`, `manifests-kept`,
 *   `entries-processed`, as Iceberg Java writes them, and the parent's totals unchanged) through the catalog's commit
 *   path with `assert-ref-snapshot-id main`. Each attempt plans on main's head as it is then, so a concurrent commit
 *   is never lost: a compare-and-swap conflict deletes that attempt's manifests and list and plans again on the new
 *   head (ATTEMPTS times). Whatever was written and not committed is deleted.
 * A v1 table (format-versions.ts) gets v1 manifests and a v1 manifest list and snapshot: no sequence numbers anywhere
 * (its entries keep their snapshot ids, which v1 requires). A v3 table's merged entries keep their data files'
 * `first_row_id` explicitly, and the list and snapshot carry row lineage (manifests/row-lineage.ts).
 * Memory: the manifest list, and the live entries of one kind and spec's small manifests at a time, held encoded
 * (their Avro records, for the sort), plus one output manifest's bytes. Those entries are bounded
 * (`manifestRewriteMemoryBytes`, 256 MiB by default): once the manifests read so far hold that many bytes, the kind and
 * spec's other small manifests are kept as they are (counted as `deferred-manifests`), for the job's next run (a
 * scheduled job runs again while small manifests are left), so at most the bound plus one manifest's entries are held.
 */
import { CatalogError, validation } from '../../../errors/catalog-error.js';
import { parseJson } from '../../json.js';
import type { ManifestReader } from '../../manifests/manifest-reader.js';
import { type EncodedEntry, encodeManifestOfRecords, entryEncoder, type ListEntry, writableSpec } from '../../manifests/manifest-writer.js';
import type { Snapshot, TableMetadata, TableRequirement, TableUpdate } from '../../metadata/index.js';
import type { Caller, CatalogObjectRecord, ObjectStorage } from '../../ports/index.js';
import type { ManifestFile } from '../../ports/manifests.js';
import type { TableContext } from '../../kit/table-kit.js';
import { rewritableFormat } from './format-versions.js';
import { writeSnapshotList } from './snapshot-list.js';
import { clusterEntries, manifestsToMerge, SMALL_MANIFEST_RATIO } from './manifest-groups.js';
import { ATTEMPTS, commitMaintenanceSnapshot, countsOf, dropAll, maybeCommitted, newSnapshotId } from './replace-commit.js';

/** How many bytes of encoded entries one kind and spec's merge holds at most when no setting says otherwise. */
export const DEFAULT_MANIFEST_REWRITE_MEMORY = 256 * 1024 * 1024;

/** Iceberg's commit.manifest.target-size-bytes default. */
export const DEFAULT_MANIFEST_TARGET = 8 * 1024 * 1024;
/** Below 16 KiB a manifest holds a handful of entries (a unit mistake); above 128 MiB the catalog's reader refuses it. */
export const MIN_MANIFEST_TARGET = 16 * 1024;
export const MAX_MANIFEST_TARGET = 128 * 1024 * 1024;

export interface ManifestRewriteOptions {
  /** Default: the table's commit.manifest.target-size-bytes, else 8 MiB. */
  targetManifestSizeBytes?: number | undefined;
  /** A threshold (the schedule's): nothing is rewritten unless at least this many manifests are to be merged. */
  minManifests?: number | undefined;
  /** Plan only: what would be merged and written is counted, nothing is written. */
  dryRun?: boolean | undefined;
  /** The bound on the entries held per kind and spec (DEFAULT_MANIFEST_REWRITE_MEMORY when unset). */
  memoryBytes?: number | undefined;
}

export interface ManifestRewriteResult {
  outcome: 'committed' | 'nothing-to-do' | 'conflict' | 'dry-run';
  'rewritten-manifests': number;
  'added-manifests': number;
  'kept-manifests': number;
  'entries-processed': number;
  /** Small manifests left for the next run: merging them too would have held more than the memory bound. */
  'deferred-manifests': number;
  attempts: number;
  'snapshot-id'?: string;
  reason?: string;
}

export interface ManifestRewriteDeps {
  ctx: TableContext;
  storage: ObjectStorage;
  reader: ManifestReader;
  caller: Caller;
  warehouse: string;
  /** Aborted when the job lost its lease: checked before each attempt's writes and before its commit. */
  signal?: AbortSignal | undefined;
}

/** A table's manifest target: the request's, else a valid commit.manifest.target-size-bytes, else 8 MiB. */
export function manifestTargetSize(metadata: TableMetadata, requested: number | undefined): number {
  if (requested !== undefined) return requested;
  const raw = metadata.properties?.['commit.manifest.target-size-bytes'];
  const n = raw !== undefined && /^\d{1,12}$/.test(raw) ? Number(raw) : NaN;
  return n >= MIN_MANIFEST_TARGET && n <= MAX_MANIFEST_TARGET ? n : DEFAULT_MANIFEST_TARGET;
}

const none = (attempts: number): ManifestRewriteResult => ({
  outcome: 'nothing-to-do',
  'rewritten-manifests': 0,
  'added-manifests': 0,
  'kept-manifests': 0,
  'entries-processed': 0,
  'deferred-manifests': 0,
  attempts,
});

export async function rewriteManifests(
  deps: ManifestRewriteDeps,
  record: CatalogObjectRecord,
  options: ManifestRewriteOptions,
): Promise<ManifestRewriteResult> {
  const first = parseJson(record.metadataJson) as TableMetadata;
  rewritableFormat('rewrite-manifests', first);
  for (let attempt = 1; ; attempt += 1) {
    const current = await deps.ctx.store.repository.getObject(deps.warehouse, record.namespace, record.name);
    if (!current || current.id !== record.id)
      throw new CatalogError('ERR_TABLE_NOT_FOUND', 'The table was dropped or replaced while its manifests were rewritten');
    const metadata = parseJson(current.metadataJson) as TableMetadata;
    const written: string[] = [];
    try {
      const built = await build(deps, metadata, options, written);
      if (built === undefined) return none(attempt);
      if (built.snapshot === undefined) return { ...built.counts, outcome: 'dry-run', attempts: attempt };
      deps.signal?.throwIfAborted();
      const requirements = [
        { type: 'assert-table-uuid', uuid: metadata['table-uuid'] },
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': built.snapshot['parent-snapshot-id'] },
      ] as TableRequirement[];
      const updates = [
        { action: 'add-snapshot', snapshot: built.snapshot },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': built.snapshot['snapshot-id'] },
      ] as TableUpdate[];
      await commitMaintenanceSnapshot(deps.ctx, { caller: deps.caller, warehouse: deps.warehouse }, [
        { identifier: { namespace: record.namespace, name: record.name }, requirements, updates },
      ]);
      return { ...built.counts, outcome: 'committed', attempts: attempt, 'snapshot-id': String(built.snapshot['snapshot-id']) };
    } catch (e) {
      // Deleted unless the commit's outcome is unknown (the snapshot naming them may be live).
      if (!maybeCommitted(e)) await dropAll(deps.storage, written);
      if (!(e instanceof CatalogError) || e.code !== 'ERR_COMMIT_CONFLICT') throw e;
      if (attempt >= ATTEMPTS) return { ...none(attempt), outcome: 'conflict', reason: `the table kept changing (${ATTEMPTS} attempts)` };
    }
  }
}

type Counts = Omit<ManifestRewriteResult, 'outcome' | 'attempts' | 'snapshot-id' | 'reason'>;

/** Plans on main's head and (unless a dry run) writes the merged manifests and the manifest list; undefined: nothing to merge. */
async function build(
  deps: ManifestRewriteDeps,
  metadata: TableMetadata,
  options: ManifestRewriteOptions,
  written: string[],
): Promise<{ counts: Counts; snapshot?: Snapshot } | undefined> {
  const headId = metadata.refs?.main?.['snapshot-id'] ?? metadata['current-snapshot-id'];
  const parent = (metadata.snapshots ?? []).find((s) => String(s['snapshot-id']) === String(headId));
  if (!parent?.['manifest-list']) return undefined;
  const target = manifestTargetSize(metadata, options.targetManifestSizeBytes);
  const manifests = await deps.reader.readManifestList(parent['manifest-list']);
  const groups = manifestsToMerge(manifests, Math.floor(target * SMALL_MANIFEST_RATIO));
  const candidates = [...groups.values()].reduce((n, g) => n + g.length, 0);
  if (candidates === 0 || (options.minManifests !== undefined && candidates < options.minManifests)) return undefined;
  const version = rewritableFormat('rewrite-manifests', metadata);
  const snapshotId = newSnapshotId();
  // v1 has no sequence numbers: the lists and snapshot written below carry none.
  const sequenceNumber = version === 1 ? 0 : Number(metadata['last-sequence-number'] ?? 0) + 1;
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id'])!;
  const specs = new Map(metadata['partition-specs'].map((s) => [s['spec-id'], s]));
  const metadataDir = (metadata.properties?.['write.metadata.path'] ?? `${metadata.location.replace(/\/+$/, '')}/metadata`).replace(/\/+$/, '');
  const replaced = new Set<ManifestFile>();
  const created: ListEntry[] = [];
  let entries = 0;
  let planned = 0;
  let deferred = 0;
  const memoryBytes = options.memoryBytes ?? DEFAULT_MANIFEST_REWRITE_MEMORY;
  for (const group of groups.values()) {
    const { content, partitionSpecId } = group[0]!;
    const spec = specs.get(partitionSpecId);
    if (!spec) throw validation(`partition spec ${partitionSpecId} is not in the table's metadata`);
    // A spec the writer cannot write with the current schema (an old spec on a dropped column): its manifests are
    // kept as they are, the others are still merged.
    if (!writableSpec(spec, schema)) continue;
    // A new manifest is its header (schema, spec) and its entries, held encoded (a few times smaller than decoded)
    // and weighed by their encoding (not by their share of their old manifest: other writers' headers and
    // statistics differ): runs hold the target minus one header.
    const header = encodeManifestOfRecords({ spec, schema, content, formatVersion: version, entries: [] }).bytes.length;
    const encode = entryEncoder(spec, schema, version);
    const live: (EncodedEntry & { bytes: number; sequenceNumber: number })[] = [];
    let held = 0;
    let merging = 0;
    for (const m of group) {
      // The bound: the manifests left once it is reached stay as they are, for the next run (at least two are merged
      // per run, else a run of huge small manifests would never move).
      if (held >= memoryBytes && merging >= 2) {
        deferred += 1;
        continue;
      }
      const own: typeof live = [];
      let unrewritable = false;
      for await (const e of deps.reader.readManifest(m)) {
        if (e.status === 2) continue;
        // A live entry without a data sequence number (a broken v2 writer) cannot be written as EXISTING: its manifest stays.
        if (e.sequenceNumber === null) {
          unrewritable = true;
          break;
        }
        const record = encode({
          status: 0,
          snapshotId: e.snapshotId,
          sequenceNumber: e.sequenceNumber,
          fileSequenceNumber: e.fileSequenceNumber,
          file: e.file,
        });
        own.push({ record, status: 0, recordCount: e.file.recordCount, partition: e.file.partition, bytes: record.length, sequenceNumber: e.sequenceNumber });
      }
      if (unrewritable) continue;
      for (const e of own) {
        live.push(e);
        held += e.bytes;
      }
      merging += 1;
      replaced.add(m);
    }
    entries += live.length;
    // Avro blocks (64 KiB each) add a sync marker and counts: about 0.05%, and one block's worth.
    const runs = clusterEntries(live, Math.max(Math.floor((target - header) * 0.999) - 32, 1));
    planned += runs.length;
    if (options.dryRun) continue;
    for (const run of runs) {
      const { bytes, counts, partitions } = encodeManifestOfRecords({ spec, schema, content, formatVersion: version, entries: run });
      const path = `${metadataDir}/${deps.ctx.newUuid()}-m-rewrite.avro`;
      deps.signal?.throwIfAborted();
      await deps.storage.writeNew(path, bytes);
      written.push(path);
      created.push({
        path,
        length: bytes.length,
        partitionSpecId,
        content,
        sequenceNumber,
        minSequenceNumber: run.reduce((min, e) => Math.min(min, e.sequenceNumber), Infinity),
        addedSnapshotId: snapshotId,
        partitions,
        counts,
      });
    }
  }
  if (replaced.size === 0) return undefined;
  const kept = manifests.filter((m) => !replaced.has(m));
  const counts: Counts = {
    'rewritten-manifests': replaced.size,
    'added-manifests': planned,
    'kept-manifests': kept.length,
    'entries-processed': entries,
    'deferred-manifests': deferred,
  };
  if (options.dryRun) return { counts };
  const list: ListEntry[] = [...created];
  for (const m of kept) list.push({ ...m, counts: m.counts ?? (await countsOf(deps.reader, m)) });
  const head = BigInt(headId!);
  const listPath = `${metadataDir}/snap-${snapshotId}-1-${deps.ctx.newUuid()}.avro`;
  deps.signal?.throwIfAborted();
  // v3: the merged manifests are assigned first_row_ids (their entries hold their files' ids explicitly), kept ones keep theirs.
  const lineage = await writeSnapshotList(deps.storage, listPath, list, {
    snapshotId,
    parentSnapshotId: head,
    sequenceNumber,
    formatVersion: version,
    metadata,
  });
  written.push(listPath);
  const totals = Object.fromEntries(Object.entries(parent.summary ?? {}).filter(([k]) => k.startsWith('total-')));
  const snapshot = {
    ...(version === 1 ? {} : { 'sequence-number': sequenceNumber }),
    'snapshot-id': snapshotId,
    'parent-snapshot-id': head,
    'timestamp-ms': Math.max(deps.ctx.clock.now(), Number(metadata['last-updated-ms'] ?? 0) + 1),
    'manifest-list': listPath,
    'schema-id': schema['schema-id'],
    ...lineage,
    summary: {
      operation: 'replace',
      'manifests-created': String(created.length),
      'manifests-replaced': String(replaced.size),
      'manifests-kept': String(kept.length),
      'entries-processed': String(entries),
      ...totals,
    },
  } as Snapshot;
  return { counts, snapshot };
}

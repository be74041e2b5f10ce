/**
 * Commits a compaction as an Iceberg `replace` snapshot through the catalog's own commit path (tables/commit.ts:
 * compare-and-swap on the table's metadata), with Iceberg's optimistic concurrency. The snapshot is built on the
 * table's current `main`, not on the snapshot the job planned on, so a concurrent append is never lost:
 * 1. every snapshot committed since the planned one must leave the rewritten files alone: an `append` adds data
 *    files only; any other (a delete, an overwrite, another replace) must not have added a delete file that may apply
 *    to a rewritten file (whose rows the rewrite would bring back), and every rewritten file must still be live (2);
 *    else the job gives up, as Iceberg's RewriteFiles validation does;
 * 2. the data manifests of the current snapshot that hold a rewritten file are written again with those entries
 *    DELETED and the others EXISTING (sequence numbers kept); every other manifest is kept as it is; one manifest
 *    ADDs the new files; every rewritten file must be found live, else it gives up;
 * 3. the commit asserts `main` is still at the snapshot it built on; a conflict drops this attempt's manifests and
 *    starts again at 1 (ATTEMPTS times).
 * Giving up deletes everything the job wrote (new data files included), so the table and its storage are as before.
 * Delete files are kept: position deletes name the old paths, and the new files' sequence number is above every
 * equality delete's, so none applies to the rewritten rows (Iceberg's RewriteFiles keeps them alike). A v3 table's
 * deletion vectors are the exception: a rewritten file's DV (applied by the rewrite) is marked DELETED with it, as a
 * DV must reference a live data file; and the snapshot carries row lineage (row-lineage.ts: `first-row-id`,
 * `added-rows`, the manifest list's `first_row_id`s), the rewritten rows keeping their ids in the new files (compact.ts).
 */
import { randomBytes } from 'node:crypto';
import { CatalogError } from '../../../errors/catalog-error.js';
import { parseJson } from '../../json.js';
import { type Pace } from '../../loop-pacer.js';
import type { ManifestReader } from '../../manifests/manifest-reader.js';
import type { ListEntry, WriteEntry } from '../../manifests/manifest-writer.js';
import type { ContentFile, ManifestCounts, ManifestFile } from '../../ports/manifests.js';
import type { Snapshot, TableMetadata, TableRequirement, TableUpdate } from '../../metadata/index.js';
import type { Caller, ObjectStorage } from '../../ports/index.js';
import { commitTables } from '../../tables/commit.js';
import type { TableContext } from '../../kit/table-kit.js';
import { referencedDataFile } from '../../planning/delete-index.js';
import { partitionKey } from './bin-pack.js';
import { type EncodedManifest, ManifestEncoding } from './encoded-manifest.js';
import { rewritableFormat } from './format-versions.js';
import { writeSnapshotList } from './snapshot-list.js';

export const ATTEMPTS = 4;

/** Failures the commit path answers before anything is committed: the files written for that attempt may be deleted. */
const NOT_COMMITTED = new Set([
  'ERR_COMMIT_CONFLICT',
  'ERR_VALIDATION',
  'ERR_ILLEGAL_ARGUMENT',
  'ERR_BAD_REQUEST',
  'ERR_TABLE_NOT_FOUND',
  'ERR_NAMESPACE_NOT_FOUND',
  'ERR_WAREHOUSE_NOT_FOUND',
  'ERR_FORBIDDEN',
]);

/**
 * Commits a maintenance snapshot through the catalog's commit path (tables/commit.ts). Any failure other than those
 * answered before anything changed leaves it unknown whether the snapshot was committed (a database connection lost
 * at COMMIT): it is rethrown as ERR_COMMIT_STATE_UNKNOWN, and the caller keeps every file the snapshot names
 * (maybeCommitted): deleting them under a committed snapshot would break the table, while orphan removal deletes
 * them later if it was not committed.
 */
export async function commitMaintenanceSnapshot(ctx: TableContext, ...args: Parameters<typeof commitTables> extends [unknown, ...infer R] ? R : never) {
  try {
    return await commitTables(ctx, ...args);
  } catch (e) {
    if (e instanceof CatalogError && NOT_COMMITTED.has(e.code)) throw e;
    throw new CatalogError('ERR_COMMIT_STATE_UNKNOWN', "The maintenance job's commit failed with an unknown outcome; the files it wrote are kept");
  }
}

/** Whether a failure may have left the snapshot committed (its files must stay). */
export const maybeCommitted = (e: unknown): boolean => e instanceof CatalogError && e.code === 'ERR_COMMIT_STATE_UNKNOWN';

export interface ReplaceInput {
  warehouse: string;
  namespace: string[];
  name: string;
  tableId: string;
  caller: Caller;
  plannedSnapshotId: bigint;
  /** Paths of the data files rewritten (as their manifest entries name them). */
  rewritten: ReadonlySet<string>;
  /** Their partitions (bin-pack.ts partitionKey). */
  partitions: ReadonlySet<string>;
  /** The new data files, by partition spec id. */
  added: ReadonlyArray<{ specId: number; file: ContentFile }>;
  /** Awaited once per manifest entry read or written: gives the event loop a turn (loop-pacer.ts). Default: never. */
  pace?: Pace | undefined;
}

const NEVER: Pace = () => undefined;

export type ReplaceOutcome =
  { outcome: 'committed'; snapshotId: string; metadataLocation: string; attempts: number } | { outcome: 'conflict'; reason: string; attempts: number };

const snapshotIdOf = (s: Snapshot) => BigInt(s['snapshot-id']);

/** The snapshots committed on main since `planned`, newest first, or why there is no such line (a rollback, a replaced branch). */
export function snapshotsSince(metadata: TableMetadata, planned: bigint): Snapshot[] | string {
  const byId = new Map((metadata.snapshots ?? []).map((s) => [String(s['snapshot-id']), s]));
  const head = metadata.refs?.main?.['snapshot-id'] ?? metadata['current-snapshot-id'];
  const since: Snapshot[] = [];
  for (
    let s = head === undefined || head === null ? undefined : byId.get(String(head));
    s !== undefined;
    s = s['parent-snapshot-id'] === undefined ? undefined : byId.get(String(s['parent-snapshot-id']))
  ) {
    if (snapshotIdOf(s) === planned) return since;
    since.push(s);
  }
  return `the planned snapshot ${planned} is no longer an ancestor of main`;
}

/**
 * Why a snapshot committed since the plan forbids the replace: a delete file it added that may apply to a rewritten
 * file (one naming it, or one of a rewritten partition, or a global equality delete), whose rows the rewritten file
 * would otherwise bring back. Appends add data files only. A rewritten file removed since is caught when the
 * snapshot is built (it must still be live).
 */
async function addedDeletesConflict(reader: ManifestReader, snapshot: Snapshot, input: ReplaceInput): Promise<string | undefined> {
  const op = snapshot.summary?.operation ?? 'no operation';
  if (op === 'append') return undefined;
  const named = `snapshot ${String(snapshot['snapshot-id'])} (${op})`;
  if (snapshot['manifest-list'] === undefined) return `${named} has no manifest list`;
  for (const m of await reader.readManifestList(snapshot['manifest-list'])) {
    if (m.content !== 1 || m.addedSnapshotId !== snapshotIdOf(snapshot)) continue;
    for await (const e of reader.readManifest(m)) {
      await (input.pace ?? NEVER)();
      if (e.status !== 1) continue;
      const ref = referencedDataFile(e.file);
      const applies =
        ref !== null
          ? input.rewritten.has(ref)
          : (e.file.content === 2 && e.file.partition.length === 0) || input.partitions.has(partitionKey(m.partitionSpecId, e.file.partition));
      if (applies) return `${named} added delete file ${e.file.filePath}, which may apply to a rewritten data file`;
    }
  }
  return undefined;
}

/** Why the replace cannot be committed on the table as it is now, or undefined. */
export async function conflictSince(reader: ManifestReader, metadata: TableMetadata, input: ReplaceInput): Promise<string | undefined> {
  const since = snapshotsSince(metadata, input.plannedSnapshotId);
  if (typeof since === 'string') return since;
  for (const s of since) {
    const reason = await addedDeletesConflict(reader, s, input);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

export async function commitReplace(ctx: TableContext, storage: ObjectStorage, reader: ManifestReader, input: ReplaceInput): Promise<ReplaceOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const record = await ctx.store.repository.getObject(input.warehouse, input.namespace, input.name);
    if (!record || record.id !== input.tableId) throw new CatalogError('ERR_TABLE_NOT_FOUND', 'The table was dropped or replaced while its compaction ran');
    const metadata = parseJson(record.metadataJson) as TableMetadata;
    const conflict = await conflictSince(reader, metadata, input);
    if (conflict !== undefined) return { outcome: 'conflict', reason: conflict, attempts: attempt };
    const written: string[] = [];
    try {
      const built = await buildSnapshot(ctx, storage, reader, metadata, input, written);
      if (typeof built === 'string') {
        await dropAll(storage, written);
        return { outcome: 'conflict', reason: built, attempts: attempt };
      }
      const requirements = [
        { type: 'assert-table-uuid', uuid: metadata['table-uuid'] },
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': built['parent-snapshot-id'] },
      ] as TableRequirement[];
      const updates = [
        { action: 'add-snapshot', snapshot: built },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': built['snapshot-id'] },
      ] as TableUpdate[];
      const [committed] = await commitMaintenanceSnapshot(ctx, { caller: input.caller, warehouse: input.warehouse }, [
        { identifier: { namespace: input.namespace, name: input.name }, requirements, updates },
      ]);
      return { outcome: 'committed', snapshotId: String(built['snapshot-id']), metadataLocation: committed!.metadataLocation, attempts: attempt };
    } catch (e) {
      if (!maybeCommitted(e)) await dropAll(storage, written);
      if (!(e instanceof CatalogError) || e.code !== 'ERR_COMMIT_CONFLICT') throw e;
      if (attempt >= ATTEMPTS) return { outcome: 'conflict', reason: `the table kept changing (${ATTEMPTS} attempts)`, attempts: attempt };
    }
  }
}

export async function dropAll(storage: ObjectStorage, uris: readonly string[]): Promise<void> {
  await Promise.all(uris.map((u) => storage.delete(u).catch(() => undefined)));
}

/** A random positive 63-bit snapshot id (Iceberg Java draws a random UUID's bits alike). */
export const newSnapshotId = (): bigint => randomBytes(8).readBigInt64BE() & 0x7fffffffffffffffn;

async function buildSnapshot(
  ctx: TableContext,
  storage: ObjectStorage,
  reader: ManifestReader,
  metadata: TableMetadata,
  input: ReplaceInput,
  written: string[],
): Promise<Snapshot | string> {
  const head = BigInt(metadata.refs?.main?.['snapshot-id'] ?? metadata['current-snapshot-id'] ?? -1);
  const parent = (metadata.snapshots ?? []).find((s) => snapshotIdOf(s) === head);
  if (!parent?.['manifest-list']) return 'the table has no current snapshot with a manifest list';
  const version = rewritableFormat('rewrite-data-files', metadata);
  const snapshotId = newSnapshotId();
  // v1 has no sequence numbers: the manifests, list and snapshot written below carry none.
  const sequenceNumber = version === 1 ? 0 : Number(metadata['last-sequence-number'] ?? 0) + 1;
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id'])!;
  const specs = new Map(metadata['partition-specs'].map((s) => [s['spec-id'], s]));
  const metadataDir = metadata.properties?.['write.metadata.path'] ?? `${metadata.location.replace(/\/+$/, '')}/metadata`;
  const pace = input.pace ?? NEVER;
  const encoding = new ManifestEncoding(specs, schema, version, sequenceNumber, pace);
  const writeManifest = async (specId: number, encoded: EncodedManifest, content: 0 | 1 = 0): Promise<ListEntry> => {
    const { bytes, counts, partitions } = await encoding.bytes(specId, encoded, content);
    const path = `${metadataDir}/${ctx.newUuid()}-m-compaction.avro`;
    await storage.writeNew(path, bytes);
    written.push(path);
    return {
      path,
      length: bytes.length,
      partitionSpecId: specId,
      content,
      sequenceNumber,
      minSequenceNumber: encoded.minSequenceNumber(),
      addedSnapshotId: snapshotId,
      partitions,
      counts,
    };
  };
  const list: ListEntry[] = [];
  let found = 0;
  let removedBytes = 0;
  let removedRecords = 0;
  const removedDvs = { files: 0, positions: 0 };
  for (const m of await reader.readManifestList(parent['manifest-list'])) {
    // A manifest without live files (only DELETED entries, recorded by the snapshot that deleted them) is not carried
    // forward, as Iceberg's writers drop it: repeated compactions do not pile them up.
    if (m.counts !== undefined && m.counts.addedFiles + m.counts.existingFiles === 0) continue;
    if (m.content !== 0) {
      // v3: the deletion vectors of rewritten files were applied by the rewrite; they go with their files.
      const dropped = version >= 3 ? await withoutDeletionVectors(reader, m, input.rewritten, snapshotId, encoding.manifest(m.partitionSpecId)) : undefined;
      if (dropped === undefined) list.push({ ...m, counts: m.counts ?? (await countsOf(reader, m, pace)) });
      else {
        removedDvs.files += dropped.files;
        removedDvs.positions += dropped.positions;
        list.push(await writeManifest(m.partitionSpecId, dropped.entries, 1));
      }
      continue;
    }
    const entries = encoding.manifest(m.partitionSpecId);
    let hit = false;
    for await (const e of reader.readManifest(m)) {
      const rewritten = input.rewritten.has(e.file.filePath);
      if (rewritten) {
        hit = true;
        found += 1;
        removedBytes += e.file.fileSizeInBytes;
        removedRecords += e.file.recordCount;
      }
      await entries.add({
        status: rewritten ? 2 : 0,
        snapshotId: rewritten ? snapshotId : e.snapshotId,
        sequenceNumber: e.sequenceNumber,
        fileSequenceNumber: e.fileSequenceNumber,
        file: e.file,
      });
    }
    if (!hit) list.push({ ...m, counts: m.counts ?? (await countsOf(reader, m, pace)) });
    else list.push(await writeManifest(m.partitionSpecId, entries));
  }
  if (found !== input.rewritten.size) return `${input.rewritten.size - found} rewritten data file(s) are no longer live in the table`;
  const bySpec = new Map<number, EncodedManifest>();
  for (const a of input.added) {
    const entries = bySpec.get(a.specId) ?? encoding.manifest(a.specId);
    await entries.add({ status: 1, snapshotId, sequenceNumber: null, fileSequenceNumber: null, file: a.file });
    bySpec.set(a.specId, entries);
  }
  for (const [specId, entries] of bySpec) list.unshift(await writeManifest(specId, entries));
  // v3: the new list's data manifests without a first_row_id are assigned one (the new files' manifests, the ones
  // rewritten above: their EXISTING entries keep their files' first_row_id explicitly), and the table's next-row-id moves.
  const listPath = `${metadataDir}/snap-${snapshotId}-1-${ctx.newUuid()}.avro`;
  const lineage = await writeSnapshotList(storage, listPath, list, { snapshotId, parentSnapshotId: head, sequenceNumber, formatVersion: version, metadata });
  written.push(listPath);
  const addedRecords = input.added.reduce((n, a) => n + a.file.recordCount, 0);
  const addedBytes = input.added.reduce((n, a) => n + a.file.fileSizeInBytes, 0);
  return {
    ...(version === 1 ? {} : { 'sequence-number': sequenceNumber }),
    'snapshot-id': snapshotId,
    'parent-snapshot-id': head,
    'timestamp-ms': Math.max(ctx.clock.now(), Number(metadata['last-updated-ms'] ?? 0) + 1),
    'manifest-list': listPath,
    'schema-id': schema['schema-id'],
    ...lineage,
    summary: {
      operation: 'replace',
      'added-data-files': String(input.added.length),
      'deleted-data-files': String(found),
      'added-records': String(addedRecords),
      'deleted-records': String(removedRecords),
      'added-files-size': String(addedBytes),
      'removed-files-size': String(removedBytes),
      ...(removedDvs.files > 0
        ? {
            'removed-delete-files': String(removedDvs.files),
            'removed-dvs': String(removedDvs.files),
            'removed-position-deletes': String(removedDvs.positions),
          }
        : {}),
      ...totals(parent.summary, {
        files: input.added.length - found,
        records: addedRecords - removedRecords,
        bytes: addedBytes - removedBytes,
        deleteFiles: -removedDvs.files,
        positionDeletes: -removedDvs.positions,
      }),
    },
  } as Snapshot;
}

/** The parent's totals moved by the rewrite (only those the parent recorded: a missing total stays missing). */
function totals(
  parent: Record<string, string> | undefined,
  delta: { files: number; records: number; bytes: number; deleteFiles: number; positionDeletes: number },
): Record<string, string> {
  const out: Record<string, string> = {};
  const move = (key: string, by: number) => {
    const v = parent?.[key];
    if (v !== undefined && /^\d+$/.test(v)) out[key] = String(Number(v) + by);
  };
  move('total-data-files', delta.files);
  move('total-records', delta.records);
  move('total-files-size', delta.bytes);
  move('total-delete-files', delta.deleteFiles);
  move('total-position-deletes', delta.positionDeletes);
  move('total-equality-deletes', 0);
  return out;
}

/**
 * A delete manifest's entries with the deletion vectors of rewritten data files marked DELETED (by this snapshot), or
 * undefined when it holds none: the manifest is then carried as it is.
 */
async function withoutDeletionVectors(
  reader: ManifestReader,
  m: ManifestFile,
  rewritten: ReadonlySet<string>,
  snapshotId: bigint,
  entries: EncodedManifest,
): Promise<{ entries: EncodedManifest; files: number; positions: number } | undefined> {
  let files = 0;
  let positions = 0;
  for await (const e of reader.readManifest(m)) {
    const dv = e.file.content === 1 && e.file.fileFormat === 'puffin' && e.file.referencedDataFile !== null && rewritten.has(e.file.referencedDataFile);
    if (dv) {
      files += 1;
      positions += e.file.recordCount;
    }
    await entries.add({
      status: dv ? 2 : 0,
      snapshotId: dv ? snapshotId : e.snapshotId,
      sequenceNumber: e.sequenceNumber,
      fileSequenceNumber: e.fileSequenceNumber,
      file: e.file,
    });
  }
  return files === 0 ? undefined : { entries, files, positions };
}

export async function countsOf(reader: ManifestReader, m: ManifestFile, pace: Pace = NEVER): Promise<ManifestCounts> {
  const counts: ManifestCounts = { addedFiles: 0, existingFiles: 0, deletedFiles: 0, addedRows: 0, existingRows: 0, deletedRows: 0 };
  for await (const e of reader.readManifest(m)) {
    await pace();
    if (e.status === 1) {
      counts.addedFiles += 1;
      counts.addedRows += e.file.recordCount;
    } else {
      counts.existingFiles += 1;
      counts.existingRows += e.file.recordCount;
    }
  }
  return counts;
}

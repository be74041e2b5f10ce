/**
 * Scan planning for a caller a row-filter or column-mask policy restricts on the table (issue 53): the catalog
 * enforces the policy inside the plan, so no engine has to be trusted with it.
 *  - Files are pruned by the scan's filter AND the effective row filter (partition values and column metrics, the
 *    same evaluation as any plan), and every task's residual carries the row filter too. When the caller's own
 *    filter names a masked column it is left out of pruning (pruning on the original values would tell which masked
 *    values exist), and only the residual applies it, to the masked values the caller reads.
 *  - Every planned file is handed out as a policy-enforced file: the rows the row filter admits, the masks applied
 *    and the deletes already applied (position and equality delete files, deletion vectors; so it has no delete
 *    files), written by the DataFileRewriter port under `<table location>/_lakegate/policy/<policy version>/`.
 *    Every file, not only those the filter cuts: the plan's vended credentials then open exactly that prefix (an S3
 *    session policy cannot list arbitrary originals), and the original files are never reachable by a restricted
 *    caller.
 *  - A derived file is named by a digest of (policy version, data file, its delete files: a deletion vector by its
 *    Puffin file and blob offset, any other delete file by its path, as before DVs were read, so files derived
 *    then are still found) and reused until one of them changes: a side file `<digest>.json` records which Parquet
 *    object holds it and its counts, written with writeNew, so two planners racing on one file agree on the first
 *    one written. A new policy version is a new prefix: files of an old version are never named in a plan again.
 *  - Whole answers are kept by the plan cache under a key that holds the policy version (service.ts), so a repeated
 *    plan of an unchanged table by the same version answers at once, and no other caller or version is served it.
 *  - A warm plan does no per-file work beyond a lookup: the derived entry of an original one is kept beside it (a
 *    WeakMap on the manifest cache's own entry object, so it lives exactly as long as that entry) with the policy
 *    version, table location and delete files it was derived for (a few versions each, for callers of different
 *    policies on one table); anything else derives or reads the side file again.
 *  - Column bounds and NaN counts are dropped from derived files (they describe the original values), and stats of
 *    masked columns are never answered.
 *  - A format-version 3 table's derived files carry row lineage (issue 59's rewriter): each row's `_row_id` and
 *    `_last_updated_sequence_number` written out as an unrestricted reader sees them (from the source's first_row_id
 *    and the row's position before the filter and deletes, and the source's data sequence number), and the entry
 *    keeps the source's first_row_id (derivedFile says why). The lineage is part of the digest: v1/v2 digests are
 *    those of before.
 */
import { createHash } from 'node:crypto';
import { CatalogError } from '../../errors/catalog-error.js';
import { forEachBounded } from '../bounded.js';
import { parseJson, stringifyJson } from '../json.js';
import { BoundedMap } from '../bounded-map.js';
import type { ContentFile } from '../ports/manifests.js';
import type { PartitionSpec, Schema } from '../metadata/types.js';
import type { ObjectStorage } from '../object-storage.js';
import { derivedPrefix } from '../policies/derived-location.js';
import type { EffectivePolicy } from '../policies/effective.js';
import { followEffective } from '../policies/follow.js';
import { maskedIds } from '../policies/nested.js';
import { type BoundExpression, bindFilter, boundFieldIds } from '../kit/expression.js';
import type { PlannedFile } from './plan-files.js';
import { deleteIdentity } from './delete-index.js';
import { type DataFileRewriter, type RewrittenFile, rewriteDeleteOf } from './rewrite-ports.js';

/** Whether a policy restricts the caller (an unrestricted caller's plan is left exactly as it was). */
export const isRestricted = (policy: EffectivePolicy | undefined): policy is EffectivePolicy & { policyVersion: string } =>
  policy !== undefined && policy.policies.length > 0 && policy.policyVersion !== undefined;

export { derivedPrefix } from '../policies/derived-location.js';

/** The scan's filters under the policy: what prunes files, and the residual every task carries. */
export function restrictedFilters(
  policy: EffectivePolicy,
  requestFilter: unknown,
  schema: Schema,
  caseSensitive: boolean,
): { prune: BoundExpression; residual: unknown } {
  const own = bindFilter(requestFilter ?? true, schema, caseSensitive);
  // The row filter in this schema's names of the field ids the policies wrote (policies/follow.ts).
  const policyFilter = followEffective(policy, [schema]).rowFilter;
  const rowFilter = policyFilter ?? true;
  const row = bindFilter(rowFilter, schema, true);
  const masked = maskedIds(policy.masks, schema);
  const ownOnMasked = [...boundFieldIds(own)].some((id) => masked.has(id));
  const prune: BoundExpression = ownOnMasked ? row : { op: 'and', left: own, right: row };
  // Masks alone add nothing to the residual (no `and … true` for engines to parse).
  const residual =
    policyFilter === undefined ? requestFilter : requestFilter === undefined ? rowFilter : { type: 'and', left: requestFilter, right: rowFilter };
  return { prune, residual };
}

export interface DeriveContext {
  storage: ObjectStorage;
  rewriter: DataFileRewriter;
  tableLocation: string;
  policy: EffectivePolicy & { policyVersion: string };
  /** The schema the row filter binds to (the scan's). */
  schema: Schema;
  specs: ReadonlyMap<number, PartitionSpec>;
  /**
   * The table's format version: from 3 on, a derived file holds each row's lineage (`_row_id`,
   * `_last_updated_sequence_number`) as the source file gives it (see derivedFile). Older tables: unchanged.
   */
  formatVersion?: number | undefined;
  newUuid: () => string;
  /** Side files read or written by this process (immutable once written): a warm plan reads none from storage. */
  kept?: BoundedMap<string, SideFile> | undefined;
  /** Derived entries by original entry (see the opening comment): a warm plan hashes and builds nothing per file. */
  memo?: DerivedMemo | undefined;
  /** Side files being derived or read now by this process, by path (at most a few per deriving call). */
  inflight?: Map<string, Promise<SideFile>> | undefined;
  /**
   * Runs fn while no other process runs one under the same key (Coherence.claim): neither another worker of this
   * server (`serve --workers N`) nor another replica on the same PostgreSQL. The process that waited then finds the
   * side file written and reads it, where both would have derived the same file at once (a plan on one replica while
   * another prepares, or every process's startup catch-up). A dead claimant's claim lapses with it.
   */
  exclusive?: (<T>(key: string, fn: () => Promise<T>) => Promise<T>) | undefined;
  /** Told of each policy-enforced file this call wrote (not those found written): the metric by trigger. */
  written?: (() => void) | undefined;
}

/**
 * What an original entry was derived as: under which prefix (policy version, table location) with which delete files,
 * and the entry (null: no row left). Up to MEMO_VERSIONS per entry, latest last: callers of different policies on one
 * table each find theirs.
 */
export type DerivedMemo = WeakMap<ContentFile, { prefix: string; deletes: string; file: ContentFile | null }[]>;
const MEMO_VERSIONS = 4;

function memoized(versions: ReturnType<DerivedMemo['get']>, prefix: string, deletes: string) {
  if (versions !== undefined) for (const m of versions) if (m.prefix === prefix && m.deletes === deletes) return m;
  return undefined;
}

/** About 32 MiB of side files (a few hundred bytes each) per planning service. */
export const keptSideFiles = (): BoundedMap<string, SideFile> =>
  new BoundedMap<string, SideFile>({
    maxEntries: Infinity,
    maxSize: 32 * 1024 * 1024,
    sizeOf: (f) => 200 + f.uri.length + (f.source?.length ?? 0) + 24 * (f.columnSizes.length + f.valueCounts.length + f.nullValueCounts.length),
  });

/** Data files derived at once by one plan (each a row group at a time: memory stays bounded). */
const DERIVE_CONCURRENCY = 2;

/** A derived file's side file (`<digest>.json`): which Parquet object holds it, from which data file, and its counts. */
export interface SideFile {
  uri: string;
  /** The data file it was derived from (maintenance/orphan-files.ts removes it once that file is unreachable). */
  source?: string;
  recordCount: number;
  fileSizeInBytes: number;
  columnSizes: [number, number][];
  valueCounts: [number, number][];
  nullValueCounts: [number, number][];
}

export const SIDE_FILE_MAX_BYTES = 1 << 20;

/** The planned files as policy-enforced files (see the opening comment); files left with no row are dropped. */
export async function deriveTasks(tasks: readonly PlannedFile[], ctx: DeriveContext): Promise<PlannedFile[]> {
  const prefix = derivedPrefix(ctx.tableLocation, ctx.policy.policyVersion);
  const rowFilter = followEffective(ctx.policy, [ctx.schema]).rowFilter;
  const filter = rowFilter === undefined ? undefined : bindFilter(rowFilter, ctx.schema, true);
  const masked = maskedIds(ctx.policy.masks, ctx.schema);
  const lineage = (ctx.formatVersion ?? 1) >= 3;
  for (const task of tasks) {
    // A masked column a partition is derived from would show through the file's partition values.
    const spec = ctx.specs.get(task.specId);
    const leaking = spec?.fields.find((f) => f.transform !== 'void' && masked.has(f['source-id']));
    if (leaking)
      throw new CatalogError(
        'ERR_FORBIDDEN',
        `column-mask policy masks field ${leaking['source-id']}, which partition field ${leaking.name} is derived from: this table cannot be read under the policy`,
      );
  }
  const derived: (PlannedFile | undefined)[] = new Array(tasks.length);
  // Entries derived before under this prefix (policy version and table location) with the same deletes: no work.
  const deletesOf: string[] = new Array(tasks.length);
  const misses: number[] = [];
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i]!;
    const deletes = (deletesOf[i] =
      (task.deletes.length === 0 ? '' : task.deletes.map(deleteIdentity).sort().join('\u0000')) + (lineage ? `\u0001${lineageIdentity(task)}` : ''));
    const known = memoized(ctx.memo?.get(task.file), prefix, deletes);
    if (known === undefined) misses.push(i);
    else if (known.file !== null) derived[i] = { ...task, file: known.file, deletes: [] };
  }
  await forEachBounded(
    misses.values(),
    async (i) => {
      const task = tasks[i]!;
      const digest = createHash('sha256')
        .update(
          stringifyJson([
            ctx.policy.policyVersion,
            task.file.filePath,
            task.deletes.map(deleteIdentity).sort(),
            // v3: the lineage the rows are written with (a v1/v2 table's digests are those of before, so still found).
            ...(lineage ? [lineageIdentity(task)] : []),
          ]),
        )
        .digest('base64url')
        .slice(0, 32);
      const side = `${prefix}${digest}.json`;
      let kept = ctx.kept?.get(side);
      if (kept === undefined) {
        // One derivation per side file at a time in this process: a plan arriving while background preparation (or
        // another plan) derives the file waits for it instead of writing a second copy; across workers and replicas,
        // ctx.exclusive does the same.
        let pending = ctx.inflight?.get(side);
        if (pending === undefined) {
          const findOrDerive = async () =>
            (await ctx.storage.exists(side)) ? readSide(ctx.storage, side) : derive(task, ctx, prefix, digest, side, filter, lineage);
          pending = ctx.exclusive ? ctx.exclusive(`derive:${side}`, findOrDerive) : findOrDerive();
          const done = () => void ctx.inflight?.delete(side);
          pending.then(done, done);
          ctx.inflight?.set(side, pending);
        }
        kept = await pending;
        ctx.kept?.set(side, kept);
      }
      const file = kept.recordCount > 0 ? derivedFile(task.file, kept, lineage) : null;
      if (ctx.memo !== undefined) {
        const versions = ctx.memo.get(task.file) ?? [];
        ctx.memo.set(task.file, [...versions.slice(versions.length >= MEMO_VERSIONS ? 1 : 0), { prefix, deletes: deletesOf[i]!, file }]);
      }
      if (file !== null) derived[i] = { ...task, file, deletes: [] };
    },
    DERIVE_CONCURRENCY,
  );
  return derived.filter((t): t is PlannedFile => t !== undefined);
}

async function readSide(storage: ObjectStorage, side: string): Promise<SideFile> {
  return parseJson(new TextDecoder().decode(await storage.read(side, SIDE_FILE_MAX_BYTES))) as SideFile;
}

async function derive(
  task: PlannedFile,
  ctx: DeriveContext,
  prefix: string,
  digest: string,
  side: string,
  filter: BoundExpression | undefined,
  lineage: boolean,
): Promise<SideFile> {
  const deletes = task.deletes.map(rewriteDeleteOf);
  // sha-256-query-local keyed per policy version: derived files are shared by that version's plans (docs/authorization.md).
  const querySalt = createHash('sha256').update(`lakegate sha-256-query-local\u0000${ctx.policy.policyVersion}`).digest();
  const written: RewrittenFile = await ctx.rewriter.rewrite({
    // v3: each row's lineage written out on its position in the source, before the filter and deletes drop rows.
    inputs: [
      {
        uri: task.file.filePath,
        format: task.file.fileFormat,
        deletes,
        ...(lineage ? { lineage: { firstRowId: task.file.firstRowId, dataSequenceNumber: task.dataSequenceNumber } } : {}),
      },
    ],
    filter,
    // A mask never names a lineage column (not in any schema); were one to, the rows' identity is not the policy's.
    transforms: ctx.policy.masks
      .filter((m) => !LINEAGE_FIELDS.has(m.fieldId))
      .map((m) => ({ fieldId: m.fieldId, action: m.action, ...(m.value !== undefined ? { value: m.value } : {}) })),
    output: `${prefix}${digest}.${ctx.newUuid()}.parquet`,
    querySalt,
  });
  ctx.written?.();
  const record: SideFile = {
    uri: written.uri,
    source: task.file.filePath,
    recordCount: written.recordCount,
    fileSizeInBytes: written.fileSizeInBytes,
    columnSizes: [...written.columnSizes],
    valueCounts: [...written.valueCounts],
    nullValueCounts: [...written.nullValueCounts],
  };
  try {
    await ctx.storage.writeNew(side, new TextEncoder().encode(stringifyJson(record)));
    return record;
  } catch (e) {
    // Another planner recorded its copy first: use that one, drop ours.
    if (!(e instanceof CatalogError) || e.code !== 'ERR_STORAGE' || !(await ctx.storage.exists(side))) throw e;
    await ctx.storage.delete(written.uri);
    return readSide(ctx.storage, side);
  }
}

/** v3 row lineage's reserved field ids (spec: "Row Lineage"): `_row_id`, `_last_updated_sequence_number`. */
const LINEAGE_FIELDS: ReadonlySet<number> = new Set([2147483540, 2147483539]);

/** What a v3 derived file's lineage is computed from: the source's first_row_id and data sequence number. */
const lineageIdentity = (task: PlannedFile) => `${task.file.firstRowId ?? ''}/${task.dataSequenceNumber}`;

/**
 * The derived file's entry. Its first_row_id: null for v1/v2 (no lineage); for v3 the source's. A v3 derived file
 * holds every row's `_row_id` explicitly when its source has a first_row_id (that + the row's original position, or
 * the value the source stores), and an explicit value wins over inheritance (spec), so first_row_id + new position
 * (wrong once rows are filtered out) is never what a reader gives. Null would not do: a reader may take a file
 * without a first_row_id for one without lineage and give null for both columns without reading them (Iceberg
 * Java 1.11's ParquetValueReaders.rowIds and lastUpdated do). A source without one keeps null ids in the derived
 * file, as every reader sees them in the source.
 */
function derivedFile(original: ContentFile, kept: SideFile, lineage: boolean): ContentFile {
  return {
    ...original,
    filePath: kept.uri,
    recordCount: kept.recordCount,
    fileSizeInBytes: kept.fileSizeInBytes,
    columnSizes: new Map(kept.columnSizes),
    valueCounts: new Map(kept.valueCounts),
    nullValueCounts: new Map(kept.nullValueCounts),
    nanValueCounts: null,
    lowerBounds: null,
    upperBounds: null,
    keyMetadata: null,
    splitOffsets: null,
    firstRowId: lineage ? original.firstRowId : null,
  };
}

/** Stats ids a restricted caller may be answered: never a masked column's, nor of a field nested in one. */
export function allowedStats(statsIds: ReadonlySet<number>, policy: EffectivePolicy, schema: Schema): Set<number> {
  const masked = maskedIds(policy.masks, schema);
  return new Set([...statsIds].filter((id) => !masked.has(id)));
}

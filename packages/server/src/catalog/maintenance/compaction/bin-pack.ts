/**
 * Which data files a compaction rewrites together: Iceberg's bin-pack planner's candidate and group rules
 * (SizeBasedFileRewritePlanner, BinPackRewriteFilePlanner), per partition (spec id and values):
 * - a file is a candidate when it is outside the size range (below `min-file-size-bytes`, default 3/4 of the target,
 *   or above `max-file-size-bytes`, default 1.8 times the target: split into files of the target), or when at least
 *   `delete-ratio-threshold` (default 0.3) of its rows are deleted by file-scoped deletes (a position delete file
 *   naming only it, a deletion vector), or when at least `delete-file-threshold` delete files apply to it (default:
 *   off), whatever its size.
 * - a partition's candidates are rewritten when there are more than one and at least `min-input-files`, or more than
 *   one holding more than the target in bytes (they make at least one file of the target), or they hold more than
 *   `max-file-size-bytes` (one oversized file is enough), or one of them has deletes over a threshold. Iceberg
 *   applies this to a group of at most `max-file-group-size-bytes` (100 GiB by
 *   default: in practice the partition); here it is applied to the partition, whose candidates are then packed,
 *   largest first, first fit, into groups of at most `groupBytes` input bytes (the memory a group's rewrite holds).
 *   A group of one file is rewritten only for its deletes or its size (rewriting one clean file in range buys nothing).
 * Pure: the job reads the manifests and rewrites the groups.
 */
import type { ContentFile } from '../../ports/manifests.js';
import { referencedDataFile } from '../../planning/delete-index.js';
import { validation } from '../../../errors/catalog-error.js';
import { runSteps, runStepsPaced } from '../../loop-pacer.js';

export interface CandidateFile {
  path: string;
  specId: number;
  partition: unknown[];
  bytes: number;
  /** Its share of rows deleted by file-scoped deletes, 0 to 1 (deletedShare); absent: none. */
  deletedShare?: number | undefined;
  /** How many delete files apply to it (any kind); absent: none. */
  deleteFiles?: number | undefined;
  /** partitionKey(specId, partition), when the caller computed it already (compaction does, between turns of the event loop). */
  key?: string | undefined;
}

export interface BinPackSettings {
  targetBytes: number;
  /** Input bytes a group holds at most (default `targetBytes`). */
  groupBytes?: number | undefined;
  minFileBytes: number;
  /** Iceberg's `max-file-size-bytes`: a file above it is split into files of the target (default 1.8 times the target). */
  maxFileBytes?: number | undefined;
  minInputFiles: number;
  /** Iceberg's `delete-ratio-threshold`: a file with at least this share of its rows deleted is rewritten (default 0.3). */
  deleteRatioThreshold?: number | undefined;
  /** Iceberg's `delete-file-threshold`: a file with at least this many delete files is rewritten (default: off). */
  deleteFileThreshold?: number | undefined;
}

export { DEFAULT_TARGET_FILE_SIZE } from '../../metadata/compaction-properties.js';
export const DEFAULT_DELETE_RATIO_THRESHOLD = 0.3;
/** Iceberg's defaults of `min-file-size-bytes` and `max-file-size-bytes`, as ratios of the target. */
export const MIN_FILE_SIZE_RATIO = 0.75;
export const MAX_FILE_SIZE_RATIO = 1.8;

/**
 * The size range of files left as they are: the request's `min-file-size-bytes` and `max-file-size-bytes`, else 3/4
 * and 1.8 times the target. As Iceberg checks them: the target must lie strictly between the two (else a 400).
 */
export function fileSizeRange(target: number, min: number | undefined, max: number | undefined): { minFileBytes: number; maxFileBytes: number } {
  const minFileBytes = min ?? Math.floor(target * MIN_FILE_SIZE_RATIO);
  const maxFileBytes = max ?? Math.floor(target * MAX_FILE_SIZE_RATIO);
  if (minFileBytes >= target) throw validation(`min-file-size-bytes (${minFileBytes}) must be below the target file size (${target})`);
  if (maxFileBytes <= target) throw validation(`max-file-size-bytes (${maxFileBytes}) must be above the target file size (${target})`);
  return { minFileBytes, maxFileBytes };
}

export const partitionKey = (specId: number, partition: readonly unknown[]): string =>
  `${specId}:${JSON.stringify(partition, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`;

/**
 * The share of a data file's rows that its file-scoped deletes (position delete files scoped to it, deletion vectors)
 * are known to delete (ContentFileUtil.isFileScoped's files, their record counts; at most 1). Equality deletes and
 * position delete files naming several data files count nothing: how many of their rows hit this file is unknown.
 */
export function deletedShare(file: ContentFile, deletes: readonly ContentFile[]): number {
  if (file.recordCount <= 0) return 0;
  let known = 0;
  for (const d of deletes) if (d.content === 1 && referencedDataFile(d) !== null) known += d.recordCount;
  return Math.min(known, file.recordCount) / file.recordCount;
}

export function binPack<F extends CandidateFile>(files: readonly F[], settings: BinPackSettings): F[][] {
  return [...candidatesByPartition(files, settings)].flatMap((list) => packPartition(list, settings));
}

const maxBytes = (settings: BinPackSettings): number => settings.maxFileBytes ?? Math.floor(settings.targetBytes * MAX_FILE_SIZE_RATIO);

/** Deletes over a threshold: the share of its rows deleted (`delete-ratio-threshold`), or its delete files (`delete-file-threshold`). */
const deleteHeavy = (f: CandidateFile, settings: BinPackSettings): boolean =>
  ((f.deletedShare ?? 0) > 0 && (f.deletedShare ?? 0) >= (settings.deleteRatioThreshold ?? DEFAULT_DELETE_RATIO_THRESHOLD)) ||
  (settings.deleteFileThreshold !== undefined && (f.deleteFiles ?? 0) >= settings.deleteFileThreshold);

/** A file rewritten alone: deletes over a threshold, or above `max-file-size-bytes` (split into files of the target). */
const rewrittenAlone = (f: CandidateFile, settings: BinPackSettings): boolean => deleteHeavy(f, settings) || f.bytes > maxBytes(settings);

/**
 * The files Iceberg's bin-pack rules make candidates (small, oversized, or with deletes over a threshold), by partition
 * (in the order partitions first appear): binPack's first step.
 */
export function candidatesByPartition<F extends CandidateFile>(files: readonly F[], settings: BinPackSettings): Iterable<F[]> {
  const byPartition = new Map<string, F[]>();
  for (const f of files) {
    if (f.bytes >= settings.minFileBytes && !rewrittenAlone(f, settings)) continue;
    const key = f.key ?? partitionKey(f.specId, f.partition);
    const list = byPartition.get(key) ?? [];
    list.push(f);
    byPartition.set(key, list);
  }
  return byPartition.values();
}

/** Whether a partition's candidates are rewritten at all (Iceberg's group rule, applied to the partition). */
export function partitionQualifies(list: readonly CandidateFile[], settings: BinPackSettings): boolean {
  if (list.some((f) => deleteHeavy(f, settings))) return true;
  const bytes = list.reduce((n, f) => n + f.bytes, 0);
  // Iceberg's "too much content": more than `max-file-size-bytes` in all (one oversized file is enough).
  if (bytes > maxBytes(settings)) return true;
  if (list.length < 2) return false;
  return list.length >= settings.minInputFiles || bytes > settings.targetBytes;
}

/** One partition's candidates packed into groups: binPack's second step (compaction runs it partition by partition). */
export function packPartition<F extends CandidateFile>(list: readonly F[], settings: BinPackSettings): F[][] {
  return runSteps(packing(list, settings));
}

/**
 * packPartition, awaiting `pace` (a loop pacer, catalog/loop-pacer.ts) after the sort and every PACK_STEP files: first
 * fit over a partition of 10^4 files and thousands of groups is tens of milliseconds. The same groups.
 */
export async function packPartitionPaced<F extends CandidateFile>(
  list: readonly F[],
  settings: BinPackSettings,
  pace: () => Promise<void> | undefined,
): Promise<F[][]> {
  return runStepsPaced(packing(list, settings), pace);
}

/** Files placed between two steps of packing. */
const PACK_STEP = 256;

/** Largest first (then by path, in UTF-16 code units: a plain comparison, as fast as the sizes'). */
const largestFirst = (a: CandidateFile, b: CandidateFile): number => b.bytes - a.bytes || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function* packing<F extends CandidateFile>(list: readonly F[], settings: BinPackSettings): Generator<void, F[][]> {
  if (!partitionQualifies(list, settings)) return [];
  const sorted = [...list].sort(largestFirst);
  yield;
  const limit = settings.groupBytes ?? settings.targetBytes;
  const bins: { bytes: number; files: F[] }[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i]!;
    const bin = bins.find((b) => b.bytes + f.bytes <= limit);
    if (bin) {
      bin.files.push(f);
      bin.bytes += f.bytes;
    } else bins.push({ bytes: f.bytes, files: [f] });
    if (i % PACK_STEP === PACK_STEP - 1) yield;
  }
  return bins.filter((b) => b.files.length > 1 || rewrittenAlone(b.files[0]!, settings)).map((b) => b.files);
}

/**
 * Which small data files a compaction rewrites together (Iceberg's SizeBasedFileRewriter with the bin-pack strategy,
 * reduced): per partition (spec id and values), files below `min-file-size-bytes` (default 3/4 of the target) are
 * packed, largest first, into groups of at most `groupBytes` input bytes (Iceberg's `max-file-group-size-bytes`;
 * default the target), first fit; the rewrite cuts a group's output into files near the target; a group of fewer than
 * `min-input-files` (default 2) files is left as it is (rewriting one file buys nothing). Pure: the job reads the
 * manifests and rewrites the groups.
 */
export interface CandidateFile {
  path: string;
  specId: number;
  partition: unknown[];
  bytes: number;
  /** partitionKey(specId, partition), when the caller computed it already (compaction does, between turns of the event loop). */
  key?: string | undefined;
}

export interface BinPackSettings {
  targetBytes: number;
  /** Input bytes a group holds at most (default `targetBytes`). */
  groupBytes?: number | undefined;
  minFileBytes: number;
  minInputFiles: number;
}

export const DEFAULT_TARGET_FILE_SIZE = 128 * 1024 * 1024;

export const partitionKey = (specId: number, partition: readonly unknown[]): string =>
  `${specId}:${JSON.stringify(partition, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`;

export function binPack<F extends CandidateFile>(files: readonly F[], settings: BinPackSettings): F[][] {
  return [...smallFilesByPartition(files, settings)].flatMap((list) => packPartition(list, settings));
}

/** The files below `minFileBytes`, by partition (in the order partitions first appear): binPack's first step. */
export function smallFilesByPartition<F extends CandidateFile>(files: readonly F[], settings: BinPackSettings): Iterable<F[]> {
  const byPartition = new Map<string, F[]>();
  for (const f of files) {
    if (f.bytes >= settings.minFileBytes) continue;
    const key = f.key ?? partitionKey(f.specId, f.partition);
    const list = byPartition.get(key) ?? [];
    list.push(f);
    byPartition.set(key, list);
  }
  return byPartition.values();
}

/** One partition's small files packed into groups: binPack's second step (compaction runs it partition by partition). */
export function packPartition<F extends CandidateFile>(list: readonly F[], settings: BinPackSettings): F[][] {
  const bins: { bytes: number; files: F[] }[] = [];
  for (const f of [...list].sort((a, b) => b.bytes - a.bytes || a.path.localeCompare(b.path))) {
    const bin = bins.find((b) => b.bytes + f.bytes <= (settings.groupBytes ?? settings.targetBytes));
    if (bin) {
      bin.files.push(f);
      bin.bytes += f.bytes;
    } else bins.push({ bytes: f.bytes, files: [f] });
  }
  return bins.filter((b) => b.files.length >= settings.minInputFiles).map((b) => b.files);
}

/**
 * Which manifests a manifest rewrite (`rewrite-manifests`, Iceberg's RewriteManifests) merges, and how their entries
 * are laid out in the new ones. Pure: the job (rewrite-manifests.ts) reads and writes.
 * - Per kind (content: data or deletes) and partition spec, the manifests smaller than 3/4 of the target are
 *   candidates (the ratio Iceberg's bin-pack uses for small files: a manifest the rewrite filled is not small, so
 *   running it again does not rewrite its own output); a kind and spec with fewer than two of them is left as it is
 *   (rewriting one manifest buys nothing).
 * - Their live entries are sorted by partition value (nulls first, then numbers, strings and bytes in their natural
 *   order), so each new manifest covers a narrow range of partitions and the manifest list's partition summaries
 *   keep pruning, as Iceberg's action clusters entries by partition before writing.
 * - The sorted entries are cut into manifests of about the target size, each entry weighing what it weighed in the
 *   manifest it came from (that manifest's length over its entry count): the output's size is near the sum of its
 *   inputs' shares, as the same Avro encoding writes them.
 */
export interface CandidateManifest {
  content: 0 | 1;
  partitionSpecId: number;
  length: number;
}

/** The share of the target below which a manifest is small. */
export const SMALL_MANIFEST_RATIO = 0.75;

/** The manifests to merge (those below `smallBelow` bytes), by `content:specId`; every other manifest is kept as it is. */
export function manifestsToMerge<M extends CandidateManifest>(manifests: readonly M[], smallBelow: number): Map<string, M[]> {
  const groups = new Map<string, M[]>();
  for (const m of manifests) {
    if (m.length >= smallBelow) continue;
    const key = `${m.content}:${m.partitionSpecId}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  for (const [key, list] of groups) if (list.length < 2) groups.delete(key);
  return groups;
}

/** Orders partition values of one spec: null first, then by type (number and bigint, string, bytes, boolean) and value. */
export function comparePartitions(a: readonly unknown[], b: readonly unknown[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareValue(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number' || typeof v === 'bigint') return 1;
  if (typeof v === 'string') return 2;
  if (v instanceof Uint8Array) return 3;
  return 4;
}

function compareValue(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return (a as number | bigint) < (b as number | bigint) ? -1 : (a as number | bigint) > (b as number | bigint) ? 1 : 0;
  if (ra === 2) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
  if (ra === 3) return Buffer.compare(a as Uint8Array, b as Uint8Array);
  return String(a).localeCompare(String(b));
}

export interface WeighedEntry {
  partition: readonly unknown[];
  /** Its share of its manifest's bytes. */
  bytes: number;
}

/** The entries sorted by partition, cut into runs of about `targetBytes` (a run holds at least one entry). */
export function clusterEntries<E extends WeighedEntry>(entries: readonly E[], targetBytes: number): E[][] {
  const sorted = [...entries].sort((x, y) => comparePartitions(x.partition, y.partition));
  const out: E[][] = [];
  let run: E[] = [];
  let bytes = 0;
  for (const e of sorted) {
    if (run.length > 0 && bytes + e.bytes > targetBytes) {
      out.push(run);
      run = [];
      bytes = 0;
    }
    run.push(e);
    bytes += e.bytes;
  }
  if (run.length > 0) out.push(run);
  return out;
}

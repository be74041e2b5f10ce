/**
 * The files of one snapshot a filter may match, with the delete files that apply to each: Iceberg's client-side
 * planning (ManifestGroup + DeleteFileIndex in Iceberg Java) done by the catalog, so that it plans exactly the
 * files Java would. Given the table's partition specs, the filter is projected onto each spec a manifest was
 * written with: manifests whose partition summaries cannot match are skipped unread, then files by partition
 * tuple, then by column metrics. Data manifests are read one entry at a time; only the (pruned) delete files
 * are held while planning. Every kept task's residual is the whole filter, which is correct, only less tight.
 */
import type { ManifestReader } from '../manifests/manifest-reader.js';
import type { ContentFile, ManifestFile } from '../ports/manifests.js';
import type { PartitionSpec, Schema } from '../metadata/types.js';
import { type DeleteEntry, DeleteIndex } from './delete-index.js';
import type { BoundExpression } from '../kit/expression.js';
import { manifestMightMatch, partitionMatches } from './manifest-filter.js';
import { mightMatch } from './metrics-filter.js';
import { type PartitionExpression, projectInclusive } from './partition-projection.js';

export interface PlannedFile {
  file: ContentFile;
  specId: number;
  dataSequenceNumber: number;
  deletes: ContentFile[];
}

export interface PlannedFiles {
  tasks: PlannedFile[];
  /** Data files read from manifests, and how many of them the filter pruned. */
  filesScanned: number;
  filesPruned: number;
  /** Data and delete manifests skipped unread by their partition summaries (0 without the table's specs). */
  manifestsSkipped?: number;
}

export interface PlanOptions {
  /** Every partition spec the table has had (metadata `partition-specs`): without them no partition pruning. */
  specs?: readonly PartitionSpec[];
  /** The schema the filter is bound to: field types and required-ness for equality delete stats. */
  schema?: Schema;
}

export async function planFiles(reader: ManifestReader, manifestList: string, filter: BoundExpression, options: PlanOptions = {}): Promise<PlannedFiles> {
  const manifests = await reader.readManifestList(manifestList);
  const specs = new Map((options.specs ?? []).map((s) => [s['spec-id'], s]));
  const projections = new Map<number, PartitionExpression | null>();
  /** The filter projected onto a manifest's spec, or null (no pruning) when the spec is not known. */
  const projectionFor = (specId: number): PartitionExpression | null => {
    if (!projections.has(specId)) {
      const spec = specs.get(specId);
      projections.set(specId, spec ? projectInclusive(filter, spec) : null);
    }
    return projections.get(specId)!;
  };
  let manifestsSkipped = 0;
  const live = (m: ManifestFile): PartitionExpression | null | false => {
    const projected = projectionFor(m.partitionSpecId);
    if (projected && !manifestMightMatch(projected, m.partitions)) {
      manifestsSkipped++;
      return false;
    }
    return projected;
  };
  const keep = (projected: PartitionExpression | null, file: ContentFile) =>
    (projected === null || partitionMatches(projected, file.partition)) && mightMatch(filter, file);

  const deletes: DeleteEntry[] = [];
  for (const m of manifests.filter((x) => x.content === 1)) {
    const projected = live(m);
    if (projected === false) continue;
    for await (const e of reader.readManifest(m)) {
      if (!keep(projected, e.file)) continue;
      deletes.push({ file: e.file, specId: m.partitionSpecId, sequenceNumber: e.sequenceNumber ?? 0 });
    }
  }
  const index = new DeleteIndex(deletes, specs, options.schema);

  const tasks: PlannedFile[] = [];
  let filesScanned = 0;
  for (const m of manifests.filter((x) => x.content === 0)) {
    const projected = live(m);
    if (projected === false) continue;
    for await (const e of reader.readManifest(m)) {
      filesScanned++;
      if (!keep(projected, e.file)) continue;
      const seq = e.sequenceNumber ?? 0;
      tasks.push({ file: e.file, specId: m.partitionSpecId, dataSequenceNumber: seq, deletes: index.forDataFile(seq, m.partitionSpecId, e.file) });
    }
  }
  return { tasks, filesScanned, filesPruned: filesScanned - tasks.length, manifestsSkipped };
}

/**
 * The files of one snapshot a filter may match, with the delete files that apply to each: Iceberg's client-side
 * planning done by the catalog. Data manifests are read one entry at a time and pruned by column metrics as
 * they go; delete files are attached by the spec's rules (position deletes and deletion vectors: same spec and
 * partition, data sequence number <= the delete's, and the named data file if one is named; equality deletes:
 * data sequence number < the delete's, same partition or an unpartitioned delete). Partition pruning and
 * residuals are not done yet: every kept task's residual is the whole filter, which is correct, only less tight.
 */
import type { ManifestReader } from '../manifests/manifest-reader.js';
import type { ContentFile } from '../manifests/ports.js';
import type { BoundExpression } from './expression.js';
import { mightMatch } from './metrics-filter.js';

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
}

interface DeleteEntry {
  file: ContentFile;
  specId: number;
  partitionKey: string;
  sequenceNumber: number;
}

export async function planFiles(reader: ManifestReader, manifestList: string, filter: BoundExpression): Promise<PlannedFiles> {
  const manifests = await reader.readManifestList(manifestList);
  const deletes: DeleteEntry[] = [];
  for (const m of manifests.filter((x) => x.content === 1)) {
    for await (const e of reader.readManifest(m)) {
      deletes.push({ file: e.file, specId: m.partitionSpecId, partitionKey: keyOf(e.file.partition), sequenceNumber: e.sequenceNumber ?? 0 });
    }
  }
  const tasks: PlannedFile[] = [];
  let filesScanned = 0;
  for (const m of manifests.filter((x) => x.content === 0)) {
    for await (const e of reader.readManifest(m)) {
      filesScanned++;
      if (!mightMatch(filter, e.file)) continue;
      const seq = e.sequenceNumber ?? 0;
      const key = keyOf(e.file.partition);
      const applying = deletes.filter((d) => applies(d, e.file, m.partitionSpecId, key, seq)).map((d) => d.file);
      tasks.push({ file: e.file, specId: m.partitionSpecId, dataSequenceNumber: seq, deletes: applying });
    }
  }
  return { tasks, filesScanned, filesPruned: filesScanned - tasks.length };
}

function applies(d: DeleteEntry, data: ContentFile, specId: number, partitionKey: string, dataSeq: number): boolean {
  if (d.file.content === 1) {
    if (d.file.referencedDataFile !== null && d.file.referencedDataFile !== data.filePath) return false;
    return d.specId === specId && d.partitionKey === partitionKey && dataSeq <= d.sequenceNumber;
  }
  if (dataSeq >= d.sequenceNumber) return false;
  return d.file.partition.length === 0 || (d.specId === specId && d.partitionKey === partitionKey);
}

const keyOf = (partition: unknown[]): string => JSON.stringify(partition, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));

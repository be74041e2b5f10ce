/**
 * Which delete files apply to a data file (Iceberg spec, "Scan Planning"), decided as Iceberg Java's
 * DeleteFileIndex decides it, so the server attaches exactly the deletes a Java client would:
 *  - a deletion vector (v3, Puffin, `referenced_data_file`) applies to the one data file it names, when its data
 *    sequence number is >= the data file's; a file with a DV needs no position delete file (writers merge them
 *    into the DV), so those are then not attached;
 *  - a position delete file applies to data files of the same spec and partition with a data sequence number
 *    <= its own; one scoped to a single data file (its `referenced_data_file`, or equal lower and upper
 *    `file_path` bounds) only to that file;
 *  - an equality delete file applies to data files with a strictly lower data sequence number: of the same spec
 *    and partition, or of every partition when its spec is unpartitioned (a "global" delete); and only when the
 *    two files' stats leave an overlap on every equality column (null counts, lower and upper bounds).
 */
import type { ContentFile } from '../ports/manifests.js';
import type { PartitionSpec, Schema, StructField } from '../metadata/types.js';
import { compare, fromBinary, typeName } from './values.js';

/**
 * What identifies a delete file: its path, and for a deletion vector also its blob's offset (one Puffin file holds
 * the DVs of many data files, so the path alone names several deletes). Anything that lists, dedups or caches by
 * delete file keys on this, never on the path alone.
 */
export const deleteIdentity = (d: ContentFile): string => (d.contentOffset === null ? d.filePath : `${d.filePath}#${d.contentOffset}`);

export interface DeleteEntry {
  file: ContentFile;
  specId: number;
  /** Data sequence number. */
  sequenceNumber: number;
}

/** The reserved field id of `file_path` in position delete files (spec: "Position Delete Files"). */
export const DELETE_FILE_PATH_ID = 2147483546;

export class DeleteIndex {
  private readonly dvs = new Map<string, DeleteEntry>();
  private readonly posByPath = new Map<string, DeleteEntry[]>();
  private readonly posByPartition = new Map<string, DeleteEntry[]>();
  private readonly eqByPartition = new Map<string, DeleteEntry[]>();
  private readonly eqGlobal: DeleteEntry[] = [];
  private readonly fields = new Map<number, StructField>();

  constructor(entries: readonly DeleteEntry[], specs: ReadonlyMap<number, PartitionSpec>, schema?: Schema) {
    for (const f of schema?.fields ?? []) this.fields.set(f.id, f);
    for (const d of entries) {
      if (d.file.content === 1) {
        if (d.file.fileFormat === 'puffin') {
          if (d.file.referencedDataFile !== null) this.dvs.set(d.file.referencedDataFile, d);
          continue;
        }
        const path = referencedDataFile(d.file);
        if (path !== null) push(this.posByPath, path, d);
        else push(this.posByPartition, partitionKey(d.specId, d.file.partition), d);
      } else if (d.file.content === 2) {
        const spec = specs.get(d.specId);
        const unpartitioned = spec ? !spec.fields.some((f) => f.transform !== 'void') : d.file.partition.length === 0;
        if (unpartitioned) this.eqGlobal.push(d);
        else push(this.eqByPartition, partitionKey(d.specId, d.file.partition), d);
      }
    }
    this.empty = this.dvs.size + this.posByPath.size + this.posByPartition.size + this.eqByPartition.size + this.eqGlobal.length === 0;
  }

  private readonly empty: boolean;

  forDataFile(dataSeq: number, specId: number, data: ContentFile): ContentFile[] {
    if (this.empty) return [];
    const key = partitionKey(specId, data.partition);
    const eq = [...this.eqGlobal, ...(this.eqByPartition.get(key) ?? [])].filter((d) => d.sequenceNumber > dataSeq && this.eqMayApply(data, d.file));
    const dv = this.dvs.get(data.filePath);
    if (dv !== undefined && dv.sequenceNumber >= dataSeq) return [...eq.map((d) => d.file), dv.file];
    const pos = [...(this.posByPartition.get(key) ?? []), ...(this.posByPath.get(data.filePath) ?? [])].filter((d) => d.sequenceNumber >= dataSeq);
    return [...eq, ...pos].map((d) => d.file);
  }

  /** DeleteFileIndex.canContainEqDeletesForFile: false when some equality column's values cannot overlap. */
  private eqMayApply(data: ContentFile, del: ContentFile): boolean {
    const checkRanges = data.lowerBounds !== null && data.upperBounds !== null && del.lowerBounds !== null && del.upperBounds !== null;
    for (const id of del.equalityIds ?? []) {
      const field = this.fields.get(id);
      // Nested columns (not in the top-level fields) and unknown ones keep no stats here: assume a match.
      if (field === undefined || typeof field.type !== 'string') continue;
      const required = field.required;
      const containsNull = (f: ContentFile) => !required && (f.nullValueCounts?.get(id) === undefined || f.nullValueCounts.get(id)! > 0);
      const allNonNull = (f: ContentFile) => required || (f.nullValueCounts?.get(id) !== undefined && f.nullValueCounts.get(id)! <= 0);
      const allNull = (f: ContentFile) =>
        !required && f.nullValueCounts?.get(id) !== undefined && f.valueCounts?.get(id) !== undefined && f.nullValueCounts.get(id) === f.valueCounts.get(id);
      if (containsNull(data) && containsNull(del)) continue;
      if (allNull(data) && allNonNull(del)) return false;
      if (allNull(del) && allNonNull(data)) return false;
      if (!checkRanges) continue;
      const type = typeName(field.type);
      const [dl, du, xl, xu] = [data.lowerBounds!.get(id), data.upperBounds!.get(id), del.lowerBounds!.get(id), del.upperBounds!.get(id)].map((b) =>
        fromBinary(type, b),
      );
      if (dl === undefined || du === undefined || xl === undefined || xu === undefined) continue;
      // Ranges overlap unless one ends before the other starts (an incomparable pair, NaN, keeps the delete).
      if (compare(xl, du) > 0 || compare(dl, xu) > 0) return false;
    }
    return true;
  }
}

/** ContentFileUtil.referencedDataFileLocation: the one data file a position delete file is scoped to, if any. */
export function referencedDataFile(f: ContentFile): string | null {
  if (f.referencedDataFile !== null) return f.referencedDataFile;
  const lower = f.lowerBounds?.get(DELETE_FILE_PATH_ID);
  const upper = f.upperBounds?.get(DELETE_FILE_PATH_ID);
  if (lower === undefined || upper === undefined || Buffer.compare(lower, upper) !== 0) return null;
  return Buffer.from(lower).toString('utf8');
}

function push(map: Map<string, DeleteEntry[]>, key: string, d: DeleteEntry): void {
  const list = map.get(key);
  if (list) list.push(d);
  else map.set(key, [d]);
}

const partitionKey = (specId: number, partition: unknown[]): string =>
  `${specId}:${JSON.stringify(partition, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))}`;

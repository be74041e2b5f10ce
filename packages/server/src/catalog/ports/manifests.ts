/**
 * What the manifest reader needs from storage: bounded reads of one object, with the catalog's own
 * credentials. Any ObjectStorage (catalog/ports/index.ts) is one; the reader knows no storage SDK.
 */
export interface ManifestSource {
  /** The object's bytes, never more than `maxBytes` (larger fails with ERR_PAYLOAD_TOO_LARGE, missing with ERR_STORAGE). */
  read(uri: string, maxBytes: number): Promise<Uint8Array>;
}

/** One entry of a manifest list (Iceberg spec, "Manifest Lists"); v1 lists lack the sequence numbers and content (0). */
export interface ManifestFile {
  path: string;
  length: number;
  partitionSpecId: number;
  /** 0: data, 1: deletes. */
  content: 0 | 1;
  sequenceNumber: number;
  minSequenceNumber: number;
  addedSnapshotId: bigint;
  partitions: FieldSummary[] | null;
  /** The entry's file and row counts by status (v2 and later lists record them; absent in v1). */
  counts?: ManifestCounts | undefined;
  /**
   * v3 row lineage: the first row id of the manifest's data files that have none of their own (spec: "First Row ID
   * Inheritance"); null or absent for a delete manifest, a v1/v2 list, or a manifest not assigned one yet.
   */
  firstRowId?: number | null | undefined;
}

export interface ManifestCounts {
  addedFiles: number;
  existingFiles: number;
  deletedFiles: number;
  addedRows: number;
  existingRows: number;
  deletedRows: number;
}

export interface FieldSummary {
  containsNull: boolean;
  containsNan: boolean | null;
  lowerBound: Uint8Array | null;
  upperBound: Uint8Array | null;
}

/** 0: existing, 1: added, 2: deleted. */
export type EntryStatus = 0 | 1 | 2;

export interface ContentFile {
  /** 0: data, 1: position deletes, 2: equality deletes. */
  content: 0 | 1 | 2;
  filePath: string;
  fileFormat: string;
  /** Partition values in the order of the spec's fields, as stored (dates as days, timestamps as micros). */
  partition: unknown[];
  recordCount: number;
  fileSizeInBytes: number;
  columnSizes: Map<number, number> | null;
  valueCounts: Map<number, number> | null;
  nullValueCounts: Map<number, number> | null;
  nanValueCounts: Map<number, number> | null;
  lowerBounds: Map<number, Uint8Array> | null;
  upperBounds: Map<number, Uint8Array> | null;
  keyMetadata: Uint8Array | null;
  splitOffsets: number[] | null;
  equalityIds: number[] | null;
  sortOrderId: number | null;
  firstRowId: number | null;
  referencedDataFile: string | null;
  contentOffset: number | null;
  contentSizeInBytes: number | null;
}

export interface ManifestEntry {
  status: EntryStatus;
  snapshotId: bigint;
  /** Data sequence number, inherited from the manifest when null in the file (spec: "Sequence Number Inheritance"). */
  sequenceNumber: number | null;
  fileSequenceNumber: number | null;
  file: ContentFile;
}

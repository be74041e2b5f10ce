/**
 * Iceberg JSON wire shapes (kebab-case, exactly as the REST spec and the
 * metadata-file format spell them).
 *
 * 64-bit integers: Iceberg snapshot ids are random 63-bit longs, which a plain
 * `JSON.parse` silently rounds. Every int64 field is therefore typed `Int64`
 * (`number` when it is a safe integer, `bigint` otherwise), matching the
 * lossless JSON parsing in `../json.ts`. Readers refuse integers beyond 2^53
 * that arrive as (already rounded) numbers.
 */

export type Int64 = number | bigint;

// ---------------------------------------------------------------- schemas

/** A primitive type name, e.g. "long", "decimal(10, 2)", "fixed[16]", or "variant". */
export type PrimitiveType = string;

export interface StructField {
  id: number;
  name: string;
  required: boolean;
  type: IcebergType;
  doc?: string;
  'initial-default'?: unknown;
  'write-default'?: unknown;
}

export interface StructType {
  type: 'struct';
  fields: StructField[];
}

export interface ListType {
  type: 'list';
  'element-id': number;
  element: IcebergType;
  'element-required': boolean;
}

export interface MapType {
  type: 'map';
  'key-id': number;
  key: IcebergType;
  'value-id': number;
  value: IcebergType;
  'value-required': boolean;
}

export type IcebergType = PrimitiveType | StructType | ListType | MapType;

export interface Schema {
  type: 'struct';
  'schema-id': number;
  'identifier-field-ids'?: number[];
  fields: StructField[];
}

// ---------------------------------------------------------------- partitioning and sorting

export interface PartitionField {
  'field-id': number;
  'source-id': number;
  name: string;
  transform: string;
}

export interface PartitionSpec {
  'spec-id': number;
  fields: PartitionField[];
}

export type SortDirection = 'asc' | 'desc';
export type NullOrder = 'nulls-first' | 'nulls-last';

export interface SortField {
  transform: string;
  'source-id': number;
  direction: SortDirection;
  'null-order': NullOrder;
}

export interface SortOrder {
  'order-id': number;
  fields: SortField[];
}

// ---------------------------------------------------------------- snapshots

export interface SnapshotSummary {
  operation: string;
  [key: string]: string;
}

export interface Snapshot {
  /** Omitted when 0 (v1 and the first v2 sequence number), as Iceberg Java writes it. */
  'sequence-number'?: Int64;
  'snapshot-id': Int64;
  'parent-snapshot-id'?: Int64;
  'timestamp-ms': Int64;
  summary?: SnapshotSummary;
  'manifest-list'?: string;
  /** v1 only: manifest paths embedded instead of a manifest list. */
  manifests?: string[];
  'schema-id'?: number;
  'first-row-id'?: Int64;
  'added-rows'?: Int64;
  'key-id'?: string;
}

export type SnapshotRefType = 'branch' | 'tag';

export interface SnapshotReference {
  'snapshot-id': Int64;
  type: SnapshotRefType;
  'min-snapshots-to-keep'?: number;
  'max-snapshot-age-ms'?: Int64;
  'max-ref-age-ms'?: Int64;
}

export interface SnapshotLogEntry {
  'timestamp-ms': Int64;
  'snapshot-id': Int64;
}

export interface MetadataLogEntry {
  'timestamp-ms': Int64;
  'metadata-file': string;
}

export interface BlobMetadata {
  type: string;
  'snapshot-id': Int64;
  'sequence-number': Int64;
  fields: number[];
  properties?: Record<string, string>;
}

export interface StatisticsFile {
  'snapshot-id': Int64;
  'statistics-path': string;
  'file-size-in-bytes': Int64;
  'file-footer-size-in-bytes': Int64;
  'key-metadata'?: string;
  'blob-metadata': BlobMetadata[];
}

export interface PartitionStatisticsFile {
  'snapshot-id': Int64;
  'statistics-path': string;
  'file-size-in-bytes': Int64;
}

export interface EncryptedKey {
  'key-id': string;
  'encrypted-key-metadata': string;
  'encrypted-by-id'?: string;
  properties?: Record<string, string>;
}

// ---------------------------------------------------------------- table metadata

export type TableFormatVersion = 1 | 2 | 3;

export interface TableMetadata {
  'format-version': TableFormatVersion;
  'table-uuid': string;
  location: string;
  /** Written for v2 and later. */
  'last-sequence-number'?: Int64;
  'last-updated-ms': Int64;
  'last-column-id': number;
  /** v1 only: legacy copy of the current schema. */
  schema?: Schema;
  'current-schema-id': number;
  schemas: Schema[];
  /** v1 only: legacy copy of the default spec's fields. */
  'partition-spec'?: PartitionField[];
  'default-spec-id': number;
  'partition-specs': PartitionSpec[];
  'last-partition-id': number;
  'default-sort-order-id': number;
  'sort-orders': SortOrder[];
  properties: Record<string, string>;
  /** -1 (v1, v2) or null (v3) when the table has no current snapshot. */
  'current-snapshot-id': Int64 | null;
  /** Written for v3 and later (row lineage). */
  'next-row-id'?: Int64;
  'encryption-keys'?: EncryptedKey[];
  refs: Record<string, SnapshotReference>;
  snapshots: Snapshot[];
  statistics: StatisticsFile[];
  'partition-statistics': PartitionStatisticsFile[];
  'snapshot-log': SnapshotLogEntry[];
  'metadata-log': MetadataLogEntry[];
}

// ---------------------------------------------------------------- views

export interface SqlViewRepresentation {
  type: 'sql';
  sql: string;
  dialect: string;
}

export type ViewRepresentation = SqlViewRepresentation;

export interface ViewVersion {
  'version-id': number;
  'timestamp-ms': Int64;
  /** -1 in an add-view-version update means "the schema added last in this change set". */
  'schema-id': number;
  summary: Record<string, string>;
  'default-catalog'?: string;
  'default-namespace': string[];
  representations: ViewRepresentation[];
}

export interface ViewHistoryEntry {
  'timestamp-ms': Int64;
  'version-id': number;
}

export interface ViewMetadata {
  'view-uuid': string;
  'format-version': 1;
  location: string;
  properties: Record<string, string>;
  schemas: Schema[];
  'current-version-id': number;
  versions: ViewVersion[];
  'version-log': ViewHistoryEntry[];
}

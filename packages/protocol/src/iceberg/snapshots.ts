/**
 * Snapshots, references, logs, statistics files and encryption keys of Iceberg table metadata. Every id,
 * timestamp, sequence number and size is an int64 (see ../schema/int64.ts).
 */
import { type Static, type TUnsafe, Type } from '@sinclair/typebox';
import { StringEnum, StringMap } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';

/** A snapshot summary: the operation and string counters such as `added-files`. */
export type SnapshotSummary = { operation: string; [key: string]: string };
const SnapshotSummary: TUnsafe<SnapshotSummary> = Type.Unsafe<SnapshotSummary>({
  type: 'object',
  required: ['operation'],
  properties: { operation: { type: 'string', description: 'append, replace, overwrite or delete' } },
  additionalProperties: { type: 'string' },
});

/** A snapshot. `manifest-list` is absent only in v1 snapshots that embed `manifests`. */
export const Snapshot = Type.Object(
  {
    'snapshot-id': Int64(),
    'parent-snapshot-id': Type.Optional(Int64()),
    'sequence-number': Type.Optional(Int64({ description: 'Omitted when 0 (v1 tables)' })),
    'timestamp-ms': Int64(),
    'manifest-list': Type.Optional(Type.String({ description: "Location of the snapshot's manifest list" })),
    manifests: Type.Optional(Type.Array(Type.String(), { description: 'v1 only: manifest locations instead of a manifest list' })),
    summary: Type.Optional(SnapshotSummary),
    'schema-id': Type.Optional(Type.Integer()),
    'first-row-id': Type.Optional(Int64({ description: 'v3: the first row id assigned in this snapshot' })),
    'added-rows': Type.Optional(Int64({ description: 'v3: an upper bound of the rows assigned row ids' })),
    'key-id': Type.Optional(Type.String()),
  },
  { $id: 'Snapshot' },
);
export type Snapshot = Static<typeof Snapshot>;

const referenceProperties = {
  type: StringEnum(['branch', 'tag']),
  'snapshot-id': Int64(),
  'max-ref-age-ms': Type.Optional(Int64()),
  'max-snapshot-age-ms': Type.Optional(Int64()),
  'min-snapshots-to-keep': Type.Optional(Type.Integer()),
};

/** A branch or tag. */
export const SnapshotReference = Type.Object(referenceProperties, { $id: 'SnapshotReference' });
export type SnapshotReference = Static<typeof SnapshotReference>;
/** The properties of a reference, for updates that carry one inline. */
export const SNAPSHOT_REFERENCE_PROPERTIES = referenceProperties;

/** An entry of the snapshot log. */
export const SnapshotLogEntry = Type.Object({ 'snapshot-id': Int64(), 'timestamp-ms': Int64() }, { $id: 'SnapshotLogEntry' });
export type SnapshotLogEntry = Static<typeof SnapshotLogEntry>;

/** An entry of the metadata log. */
export const MetadataLogEntry = Type.Object({ 'metadata-file': Type.String(), 'timestamp-ms': Int64() }, { $id: 'MetadataLogEntry' });
export type MetadataLogEntry = Static<typeof MetadataLogEntry>;

/** A blob of a Puffin statistics file. */
export const BlobMetadata = Type.Object(
  { type: Type.String(), 'snapshot-id': Int64(), 'sequence-number': Int64(), fields: Type.Array(Type.Integer()), properties: Type.Optional(StringMap()) },
  { $id: 'BlobMetadata' },
);
export type BlobMetadata = Static<typeof BlobMetadata>;

/** A table statistics file. */
export const StatisticsFile = Type.Object(
  {
    'snapshot-id': Int64(),
    'statistics-path': Type.String(),
    'file-size-in-bytes': Int64(),
    'file-footer-size-in-bytes': Int64(),
    'key-metadata': Type.Optional(Type.String()),
    'blob-metadata': Type.Array(Type.Ref(BlobMetadata)),
  },
  { $id: 'StatisticsFile' },
);
export type StatisticsFile = Static<typeof StatisticsFile>;

/** A partition statistics file. */
export const PartitionStatisticsFile = Type.Object(
  { 'snapshot-id': Int64(), 'statistics-path': Type.String(), 'file-size-in-bytes': Int64() },
  { $id: 'PartitionStatisticsFile' },
);
export type PartitionStatisticsFile = Static<typeof PartitionStatisticsFile>;

/** A (wrapped) table encryption key. */
export const EncryptedKey = Type.Object(
  {
    'key-id': Type.String(),
    'encrypted-key-metadata': Type.String({ contentEncoding: 'base64' }),
    'encrypted-by-id': Type.Optional(Type.String()),
    properties: Type.Optional(StringMap()),
  },
  { $id: 'EncryptedKey' },
);
export type EncryptedKey = Static<typeof EncryptedKey>;

/** Named schemas of this file. */
export const ICEBERG_SNAPSHOT_SCHEMAS = [
  Snapshot,
  SnapshotReference,
  SnapshotLogEntry,
  MetadataLogEntry,
  BlobMetadata,
  StatisticsFile,
  PartitionStatisticsFile,
  EncryptedKey,
];

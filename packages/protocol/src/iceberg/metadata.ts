/**
 * Table and view metadata as the REST API returns them. Of a table only what every format version's
 * metadata file has is required (format version, UUID, location), so the shapes fit any compliant catalog;
 * Lakegate itself always writes the full metadata of its format version.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Dictionary, Nullable, StringMap } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';
import { Namespace } from './common.js';
import { PartitionField, PartitionSpec, Schema, SortOrder } from './schema.js';
import { EncryptedKey, MetadataLogEntry, PartitionStatisticsFile, Snapshot, SnapshotLogEntry, SnapshotReference, StatisticsFile } from './snapshots.js';

/** Table metadata (the content of a metadata.json file). */
export const TableMetadata = Type.Object(
  {
    'format-version': Type.Integer({ minimum: 1, maximum: 3 }),
    'table-uuid': Type.String(),
    location: Type.String(),
    'last-sequence-number': Type.Optional(Int64()),
    'last-updated-ms': Type.Optional(Int64()),
    'last-column-id': Type.Optional(Type.Integer()),
    schema: Type.Optional(Type.Ref(Schema, { description: 'v1 only: the current schema' })),
    schemas: Type.Optional(Type.Array(Type.Ref(Schema))),
    'current-schema-id': Type.Optional(Type.Integer()),
    'partition-spec': Type.Optional(Type.Array(Type.Ref(PartitionField), { description: "v1 only: the default spec's fields" })),
    'partition-specs': Type.Optional(Type.Array(Type.Ref(PartitionSpec))),
    'default-spec-id': Type.Optional(Type.Integer()),
    'last-partition-id': Type.Optional(Type.Integer()),
    'sort-orders': Type.Optional(Type.Array(Type.Ref(SortOrder))),
    'default-sort-order-id': Type.Optional(Type.Integer()),
    properties: Type.Optional(StringMap()),
    'current-snapshot-id': Type.Optional(Nullable(Int64(), { description: '-1 (v1, v2) or null (v3) when the table has no snapshot' })),
    'next-row-id': Type.Optional(Int64({ description: 'v3: the next row id to assign' })),
    'encryption-keys': Type.Optional(Type.Array(Type.Ref(EncryptedKey))),
    refs: Type.Optional(Dictionary(Type.Ref(SnapshotReference))),
    snapshots: Type.Optional(Type.Array(Type.Ref(Snapshot))),
    statistics: Type.Optional(Type.Array(Type.Ref(StatisticsFile))),
    'partition-statistics': Type.Optional(Type.Array(Type.Ref(PartitionStatisticsFile))),
    'snapshot-log': Type.Optional(Type.Array(Type.Ref(SnapshotLogEntry))),
    'metadata-log': Type.Optional(Type.Array(Type.Ref(MetadataLogEntry))),
  },
  { $id: 'TableMetadata' },
);
export type TableMetadata = Static<typeof TableMetadata>;

/** How a view version is written: SQL in a dialect. */
export const ViewRepresentation = Type.Object(
  { type: Type.String({ examples: ['sql'] }), sql: Type.String(), dialect: Type.String() },
  { $id: 'ViewRepresentation' },
);
export type ViewRepresentation = Static<typeof ViewRepresentation>;

/** A view version. `schema-id` -1 in an add-view-version update means the schema added last in the same change. */
export const ViewVersion = Type.Object(
  {
    'version-id': Type.Integer(),
    'timestamp-ms': Int64(),
    'schema-id': Type.Integer(),
    summary: StringMap(),
    representations: Type.Array(Type.Ref(ViewRepresentation)),
    'default-catalog': Type.Optional(Nullable(Type.String())),
    'default-namespace': Type.Ref(Namespace),
  },
  { $id: 'ViewVersion' },
);
export type ViewVersion = Static<typeof ViewVersion>;

/** An entry of a view's version log. */
export const ViewHistoryEntry = Type.Object({ 'version-id': Type.Integer(), 'timestamp-ms': Int64() }, { $id: 'ViewHistoryEntry' });
export type ViewHistoryEntry = Static<typeof ViewHistoryEntry>;

/** View metadata. */
export const ViewMetadata = Type.Object(
  {
    'view-uuid': Type.String(),
    'format-version': Type.Integer({ minimum: 1, maximum: 1 }),
    location: Type.String(),
    'current-version-id': Type.Integer(),
    versions: Type.Array(Type.Ref(ViewVersion)),
    'version-log': Type.Array(Type.Ref(ViewHistoryEntry)),
    schemas: Type.Array(Type.Ref(Schema)),
    properties: Type.Optional(StringMap()),
  },
  { $id: 'ViewMetadata' },
);
export type ViewMetadata = Static<typeof ViewMetadata>;

/** Named schemas of this file. */
export const ICEBERG_METADATA_SCHEMAS = [TableMetadata, ViewRepresentation, ViewVersion, ViewHistoryEntry, ViewMetadata];

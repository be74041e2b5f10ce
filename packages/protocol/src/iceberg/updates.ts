/**
 * Metadata updates of table and view commits, one schema per `action`. `TableUpdate` and `ViewUpdate` are
 * discriminated by `action`, so a request with an unknown action or a malformed update gets one precise error.
 */
import { type Static, type TProperties, Type } from '@sinclair/typebox';
import { StringMap, TaggedUnion } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';
import { ViewVersion } from './metadata.js';
import { PartitionSpec, Schema, SortOrder } from './schema.js';
import { EncryptedKey, PartitionStatisticsFile, SNAPSHOT_REFERENCE_PROPERTIES, Snapshot, StatisticsFile } from './snapshots.js';

const update = <const A extends string, P extends TProperties>(action: A, name: string, properties: P, description?: string) =>
  Type.Object({ action: Type.Literal(action), ...properties }, { $id: name, ...(description ? { description } : {}) });

export const AssignUuidUpdate = update('assign-uuid', 'AssignUUIDUpdate', { uuid: Type.String() }, 'Only when creating a table or view');
export const UpgradeFormatVersionUpdate = update('upgrade-format-version', 'UpgradeFormatVersionUpdate', { 'format-version': Type.Integer() });
export const AddSchemaUpdate = update('add-schema', 'AddSchemaUpdate', {
  schema: Type.Ref(Schema),
  'last-column-id': Type.Optional(Type.Integer({ deprecated: true, description: 'Ignored: the catalog computes it' })),
});
export const SetCurrentSchemaUpdate = update('set-current-schema', 'SetCurrentSchemaUpdate', {
  'schema-id': Type.Integer({ description: '-1: the schema added last in this commit' }),
});
export const AddPartitionSpecUpdate = update('add-spec', 'AddPartitionSpecUpdate', { spec: Type.Ref(PartitionSpec) });
export const SetDefaultSpecUpdate = update('set-default-spec', 'SetDefaultSpecUpdate', {
  'spec-id': Type.Integer({ description: '-1: the spec added last in this commit' }),
});
export const AddSortOrderUpdate = update('add-sort-order', 'AddSortOrderUpdate', { 'sort-order': Type.Ref(SortOrder) });
export const SetDefaultSortOrderUpdate = update('set-default-sort-order', 'SetDefaultSortOrderUpdate', {
  'sort-order-id': Type.Integer({ description: '-1: the sort order added last in this commit' }),
});
export const AddSnapshotUpdate = update('add-snapshot', 'AddSnapshotUpdate', { snapshot: Type.Ref(Snapshot) });
export const SetSnapshotRefUpdate = update('set-snapshot-ref', 'SetSnapshotRefUpdate', { 'ref-name': Type.String(), ...SNAPSHOT_REFERENCE_PROPERTIES });
export const RemoveSnapshotsUpdate = update('remove-snapshots', 'RemoveSnapshotsUpdate', { 'snapshot-ids': Type.Array(Int64()) });
export const RemoveSnapshotRefUpdate = update('remove-snapshot-ref', 'RemoveSnapshotRefUpdate', { 'ref-name': Type.String() });
export const SetLocationUpdate = update('set-location', 'SetLocationUpdate', { location: Type.String() });
export const SetPropertiesUpdate = update('set-properties', 'SetPropertiesUpdate', { updates: StringMap() });
export const RemovePropertiesUpdate = update('remove-properties', 'RemovePropertiesUpdate', { removals: Type.Array(Type.String()) });
export const SetStatisticsUpdate = update('set-statistics', 'SetStatisticsUpdate', {
  'snapshot-id': Type.Optional(Int64({ deprecated: true, description: 'Ignored: the statistics file names its snapshot' })),
  statistics: Type.Ref(StatisticsFile),
});
export const RemoveStatisticsUpdate = update('remove-statistics', 'RemoveStatisticsUpdate', { 'snapshot-id': Int64() });
export const SetPartitionStatisticsUpdate = update('set-partition-statistics', 'SetPartitionStatisticsUpdate', {
  'partition-statistics': Type.Ref(PartitionStatisticsFile),
});
export const RemovePartitionStatisticsUpdate = update('remove-partition-statistics', 'RemovePartitionStatisticsUpdate', { 'snapshot-id': Int64() });
export const RemovePartitionSpecsUpdate = update('remove-partition-specs', 'RemovePartitionSpecsUpdate', { 'spec-ids': Type.Array(Type.Integer()) });
export const RemoveSchemasUpdate = update('remove-schemas', 'RemoveSchemasUpdate', { 'schema-ids': Type.Array(Type.Integer()) });
export const AddEncryptionKeyUpdate = update('add-encryption-key', 'AddEncryptionKeyUpdate', { 'encryption-key': Type.Ref(EncryptedKey) });
export const RemoveEncryptionKeyUpdate = update('remove-encryption-key', 'RemoveEncryptionKeyUpdate', { 'key-id': Type.String() });
export const AddViewVersionUpdate = update('add-view-version', 'AddViewVersionUpdate', { 'view-version': Type.Ref(ViewVersion) });
export const SetCurrentViewVersionUpdate = update('set-current-view-version', 'SetCurrentViewVersionUpdate', {
  'view-version-id': Type.Integer({ description: '-1: the view version added last in this commit' }),
});

export type AssignUuidUpdate = Static<typeof AssignUuidUpdate>;
export type UpgradeFormatVersionUpdate = Static<typeof UpgradeFormatVersionUpdate>;
export type AddSchemaUpdate = Static<typeof AddSchemaUpdate>;
export type SetCurrentSchemaUpdate = Static<typeof SetCurrentSchemaUpdate>;
export type AddPartitionSpecUpdate = Static<typeof AddPartitionSpecUpdate>;
export type SetDefaultSpecUpdate = Static<typeof SetDefaultSpecUpdate>;
export type AddSortOrderUpdate = Static<typeof AddSortOrderUpdate>;
export type SetDefaultSortOrderUpdate = Static<typeof SetDefaultSortOrderUpdate>;
export type AddSnapshotUpdate = Static<typeof AddSnapshotUpdate>;
export type SetSnapshotRefUpdate = Static<typeof SetSnapshotRefUpdate>;
export type RemoveSnapshotsUpdate = Static<typeof RemoveSnapshotsUpdate>;
export type RemoveSnapshotRefUpdate = Static<typeof RemoveSnapshotRefUpdate>;
export type SetLocationUpdate = Static<typeof SetLocationUpdate>;
export type SetPropertiesUpdate = Static<typeof SetPropertiesUpdate>;
export type RemovePropertiesUpdate = Static<typeof RemovePropertiesUpdate>;
export type SetStatisticsUpdate = Static<typeof SetStatisticsUpdate>;
export type RemoveStatisticsUpdate = Static<typeof RemoveStatisticsUpdate>;
export type SetPartitionStatisticsUpdate = Static<typeof SetPartitionStatisticsUpdate>;
export type RemovePartitionStatisticsUpdate = Static<typeof RemovePartitionStatisticsUpdate>;
export type RemovePartitionSpecsUpdate = Static<typeof RemovePartitionSpecsUpdate>;
export type RemoveSchemasUpdate = Static<typeof RemoveSchemasUpdate>;
export type AddEncryptionKeyUpdate = Static<typeof AddEncryptionKeyUpdate>;
export type RemoveEncryptionKeyUpdate = Static<typeof RemoveEncryptionKeyUpdate>;
export type AddViewVersionUpdate = Static<typeof AddViewVersionUpdate>;
export type SetCurrentViewVersionUpdate = Static<typeof SetCurrentViewVersionUpdate>;

const TABLE_UPDATES = [
  AssignUuidUpdate,
  UpgradeFormatVersionUpdate,
  AddSchemaUpdate,
  SetCurrentSchemaUpdate,
  AddPartitionSpecUpdate,
  SetDefaultSpecUpdate,
  AddSortOrderUpdate,
  SetDefaultSortOrderUpdate,
  AddSnapshotUpdate,
  SetSnapshotRefUpdate,
  RemoveSnapshotsUpdate,
  RemoveSnapshotRefUpdate,
  SetLocationUpdate,
  SetPropertiesUpdate,
  RemovePropertiesUpdate,
  SetStatisticsUpdate,
  RemoveStatisticsUpdate,
  SetPartitionStatisticsUpdate,
  RemovePartitionStatisticsUpdate,
  RemovePartitionSpecsUpdate,
  RemoveSchemasUpdate,
  AddEncryptionKeyUpdate,
  RemoveEncryptionKeyUpdate,
];

const VIEW_UPDATES = [
  AssignUuidUpdate,
  UpgradeFormatVersionUpdate,
  AddSchemaUpdate,
  SetLocationUpdate,
  SetPropertiesUpdate,
  RemovePropertiesUpdate,
  AddViewVersionUpdate,
  SetCurrentViewVersionUpdate,
];

/** One update of a table commit, by `action`. */
export const TableUpdate = TaggedUnion('action', TABLE_UPDATES, { $id: 'TableUpdate' });
export type TableUpdate = Static<typeof TableUpdate>;

/** One update of a view commit, by `action`. */
export const ViewUpdate = TaggedUnion('action', VIEW_UPDATES, { $id: 'ViewUpdate' });
export type ViewUpdate = Static<typeof ViewUpdate>;

/** The `action` values a table commit accepts. */
export const TABLE_UPDATE_ACTIONS = TABLE_UPDATES.map((u) => u.properties.action.const);

/** Named schemas of this file. */
export const ICEBERG_UPDATE_SCHEMAS = [...TABLE_UPDATES, AddViewVersionUpdate, SetCurrentViewVersionUpdate, TableUpdate, ViewUpdate];

/**
 * What clients send to change metadata, in the REST spec's spelling: the inputs of a create, the table and
 * view updates, and the requirements a commit asserts (the metadata model itself is in ./types.ts).
 */
import type {
  EncryptedKey,
  Int64,
  PartitionField,
  PartitionStatisticsFile,
  Schema,
  Snapshot,
  SnapshotReference,
  SortField,
  StatisticsFile,
  ViewVersion,
} from './types.js';

/** A schema as sent by clients: schema-id is read-only and may be omitted. */
export type SchemaInput = Omit<Schema, 'schema-id'> & { 'schema-id'?: number };
export type PartitionFieldInput = Omit<PartitionField, 'field-id'> & { 'field-id'?: number };
export interface PartitionSpecInput {
  'spec-id'?: number;
  fields: PartitionFieldInput[];
}
export interface SortOrderInput {
  'order-id'?: number;
  fields: SortField[];
}

export interface AssignUuidUpdate {
  action: 'assign-uuid';
  uuid: string;
}
export interface UpgradeFormatVersionUpdate {
  action: 'upgrade-format-version';
  'format-version': number;
}
export interface AddSchemaUpdate {
  action: 'add-schema';
  schema: SchemaInput;
  'last-column-id'?: number;
}
export interface SetCurrentSchemaUpdate {
  action: 'set-current-schema';
  'schema-id': number;
}
export interface AddPartitionSpecUpdate {
  action: 'add-spec';
  spec: PartitionSpecInput;
}
export interface SetDefaultSpecUpdate {
  action: 'set-default-spec';
  'spec-id': number;
}
export interface AddSortOrderUpdate {
  action: 'add-sort-order';
  'sort-order': SortOrderInput;
}
export interface SetDefaultSortOrderUpdate {
  action: 'set-default-sort-order';
  'sort-order-id': number;
}
export interface AddSnapshotUpdate {
  action: 'add-snapshot';
  snapshot: Snapshot;
}
export interface SetSnapshotRefUpdate extends SnapshotReference {
  action: 'set-snapshot-ref';
  'ref-name': string;
}
export interface RemoveSnapshotsUpdate {
  action: 'remove-snapshots';
  'snapshot-ids': Int64[];
}
export interface RemoveSnapshotRefUpdate {
  action: 'remove-snapshot-ref';
  'ref-name': string;
}
export interface SetLocationUpdate {
  action: 'set-location';
  location: string;
}
export interface SetPropertiesUpdate {
  action: 'set-properties';
  updates: Record<string, string>;
}
export interface RemovePropertiesUpdate {
  action: 'remove-properties';
  removals: string[];
}
export interface SetStatisticsUpdate {
  action: 'set-statistics';
  statistics: StatisticsFile;
  'snapshot-id'?: Int64;
}
export interface RemoveStatisticsUpdate {
  action: 'remove-statistics';
  'snapshot-id': Int64;
}
export interface SetPartitionStatisticsUpdate {
  action: 'set-partition-statistics';
  'partition-statistics': PartitionStatisticsFile;
}
export interface RemovePartitionStatisticsUpdate {
  action: 'remove-partition-statistics';
  'snapshot-id': Int64;
}
export interface RemovePartitionSpecsUpdate {
  action: 'remove-partition-specs';
  'spec-ids': number[];
}
export interface RemoveSchemasUpdate {
  action: 'remove-schemas';
  'schema-ids': number[];
}
export interface AddEncryptionKeyUpdate {
  action: 'add-encryption-key';
  'encryption-key': EncryptedKey;
}
export interface RemoveEncryptionKeyUpdate {
  action: 'remove-encryption-key';
  'key-id': string;
}
export interface AddViewVersionUpdate {
  action: 'add-view-version';
  'view-version': ViewVersion;
}
export interface SetCurrentViewVersionUpdate {
  action: 'set-current-view-version';
  'view-version-id': number;
}

export type TableUpdate =
  | AssignUuidUpdate
  | UpgradeFormatVersionUpdate
  | AddSchemaUpdate
  | SetCurrentSchemaUpdate
  | AddPartitionSpecUpdate
  | SetDefaultSpecUpdate
  | AddSortOrderUpdate
  | SetDefaultSortOrderUpdate
  | AddSnapshotUpdate
  | SetSnapshotRefUpdate
  | RemoveSnapshotsUpdate
  | RemoveSnapshotRefUpdate
  | SetLocationUpdate
  | SetPropertiesUpdate
  | RemovePropertiesUpdate
  | SetStatisticsUpdate
  | RemoveStatisticsUpdate
  | SetPartitionStatisticsUpdate
  | RemovePartitionStatisticsUpdate
  | RemovePartitionSpecsUpdate
  | RemoveSchemasUpdate
  | AddEncryptionKeyUpdate
  | RemoveEncryptionKeyUpdate;

export type ViewUpdate =
  | AssignUuidUpdate
  | UpgradeFormatVersionUpdate
  | AddSchemaUpdate
  | SetLocationUpdate
  | SetPropertiesUpdate
  | RemovePropertiesUpdate
  | AddViewVersionUpdate
  | SetCurrentViewVersionUpdate;

// ---------------------------------------------------------------- requirements

export interface AssertCreate {
  type: 'assert-create';
}
export interface AssertTableUuid {
  type: 'assert-table-uuid';
  uuid: string;
}
export interface AssertRefSnapshotId {
  type: 'assert-ref-snapshot-id';
  ref: string;
  'snapshot-id': Int64 | null;
}
export interface AssertLastAssignedFieldId {
  type: 'assert-last-assigned-field-id';
  'last-assigned-field-id': number;
}
export interface AssertCurrentSchemaId {
  type: 'assert-current-schema-id';
  'current-schema-id': number;
}
export interface AssertLastAssignedPartitionId {
  type: 'assert-last-assigned-partition-id';
  'last-assigned-partition-id': number;
}
export interface AssertDefaultSpecId {
  type: 'assert-default-spec-id';
  'default-spec-id': number;
}
export interface AssertDefaultSortOrderId {
  type: 'assert-default-sort-order-id';
  'default-sort-order-id': number;
}

export type TableRequirement =
  | AssertCreate
  | AssertTableUuid
  | AssertRefSnapshotId
  | AssertLastAssignedFieldId
  | AssertCurrentSchemaId
  | AssertLastAssignedPartitionId
  | AssertDefaultSpecId
  | AssertDefaultSortOrderId;

export interface AssertViewUuid {
  type: 'assert-view-uuid';
  uuid: string;
}
export type ViewRequirement = AssertViewUuid;

// ---------------------------------------------------------------- request-like inputs

export interface CreateViewInput {
  name?: string;
  location?: string;
  schema: SchemaInput;
  'view-version': ViewVersion;
  properties?: Record<string, string>;
}

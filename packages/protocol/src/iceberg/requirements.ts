/**
 * Commit requirements: assertions on the current metadata that must hold for a commit to apply. A failed
 * requirement answers 409 (CommitFailedException); a malformed one 400.
 */
import { type Static, type TProperties, Type } from '@sinclair/typebox';
import { Nullable, TaggedUnion } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';

const requirement = <const T extends string, P extends TProperties>(type: T, name: string, properties: P, description: string) =>
  Type.Object({ type: Type.Literal(type), ...properties }, { $id: name, description });

export const AssertCreate = requirement('assert-create', 'AssertCreate', {}, 'The table must not exist yet (create transactions)');
export const AssertTableUuid = requirement('assert-table-uuid', 'AssertTableUUID', { uuid: Type.String() }, "The table's UUID must be `uuid`");
export const AssertRefSnapshotId = requirement(
  'assert-ref-snapshot-id',
  'AssertRefSnapshotId',
  { ref: Type.String(), 'snapshot-id': Nullable(Int64()) },
  'The branch or tag `ref` must point at `snapshot-id`; null: the ref must not exist',
);
export const AssertLastAssignedFieldId = requirement(
  'assert-last-assigned-field-id',
  'AssertLastAssignedFieldId',
  { 'last-assigned-field-id': Type.Integer() },
  'The last assigned column id must match',
);
export const AssertCurrentSchemaId = requirement(
  'assert-current-schema-id',
  'AssertCurrentSchemaId',
  { 'current-schema-id': Type.Integer() },
  'The current schema id must match',
);
export const AssertLastAssignedPartitionId = requirement(
  'assert-last-assigned-partition-id',
  'AssertLastAssignedPartitionId',
  { 'last-assigned-partition-id': Type.Integer() },
  'The last assigned partition field id must match',
);
export const AssertDefaultSpecId = requirement(
  'assert-default-spec-id',
  'AssertDefaultSpecId',
  { 'default-spec-id': Type.Integer() },
  'The default partition spec id must match',
);
export const AssertDefaultSortOrderId = requirement(
  'assert-default-sort-order-id',
  'AssertDefaultSortOrderId',
  { 'default-sort-order-id': Type.Integer() },
  'The default sort order id must match',
);
export const AssertViewUuid = requirement('assert-view-uuid', 'AssertViewUUID', { uuid: Type.String() }, "The view's UUID must be `uuid`");

export type AssertCreate = Static<typeof AssertCreate>;
export type AssertTableUuid = Static<typeof AssertTableUuid>;
export type AssertRefSnapshotId = Static<typeof AssertRefSnapshotId>;
export type AssertLastAssignedFieldId = Static<typeof AssertLastAssignedFieldId>;
export type AssertCurrentSchemaId = Static<typeof AssertCurrentSchemaId>;
export type AssertLastAssignedPartitionId = Static<typeof AssertLastAssignedPartitionId>;
export type AssertDefaultSpecId = Static<typeof AssertDefaultSpecId>;
export type AssertDefaultSortOrderId = Static<typeof AssertDefaultSortOrderId>;
export type AssertViewUuid = Static<typeof AssertViewUuid>;

const TABLE_REQUIREMENTS = [
  AssertCreate,
  AssertTableUuid,
  AssertRefSnapshotId,
  AssertLastAssignedFieldId,
  AssertCurrentSchemaId,
  AssertLastAssignedPartitionId,
  AssertDefaultSpecId,
  AssertDefaultSortOrderId,
];

/** One requirement of a table commit, by `type`. */
export const TableRequirement = TaggedUnion('type', TABLE_REQUIREMENTS, { $id: 'TableRequirement' });
export type TableRequirement = Static<typeof TableRequirement>;

/** One requirement of a view commit, by `type`. */
export const ViewRequirement = TaggedUnion('type', [AssertViewUuid], { $id: 'ViewRequirement' });
export type ViewRequirement = Static<typeof ViewRequirement>;

/** Named schemas of this file. */
export const ICEBERG_REQUIREMENT_SCHEMAS = [...TABLE_REQUIREMENTS, AssertViewUuid, TableRequirement, ViewRequirement];

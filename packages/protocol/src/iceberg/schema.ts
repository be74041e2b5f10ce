/**
 * Iceberg data types and table schemas. A type is a primitive name ("long", "decimal(10,2)", "fixed[16]",
 * "variant") or a nested struct, list or map; nested types refer back to `Type` recursively.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { StringEnum } from '../schema/helpers.js';

const fieldProperties = <T extends TSchema>(type: T) => ({
  id: Type.Integer(),
  name: Type.String(),
  required: Type.Boolean(),
  type,
  doc: Type.Optional(Type.String()),
  'initial-default': Type.Optional(Type.Unknown({ description: 'Default for rows written before the field existed (JSON single-value form)' })),
  'write-default': Type.Optional(Type.Unknown({ description: 'Default for rows written without the field (JSON single-value form)' })),
});

/** A field type: a primitive type name, or a struct, list or map of further types. */
export const IcebergType = Type.Recursive(
  (This) =>
    Type.Union([
      Type.String({ description: 'A primitive type, e.g. long, string, decimal(10,2), fixed[16], variant' }),
      Type.Object({ type: Type.Literal('struct'), fields: Type.Array(Type.Object(fieldProperties(This))) }),
      Type.Object({ type: Type.Literal('list'), 'element-id': Type.Integer(), element: This, 'element-required': Type.Boolean() }),
      Type.Object({
        type: Type.Literal('map'),
        'key-id': Type.Integer(),
        key: This,
        'value-id': Type.Integer(),
        value: This,
        'value-required': Type.Boolean(),
      }),
    ]),
  { $id: 'Type' },
);
export type IcebergType = Static<typeof IcebergType>;

/** A field of a struct or schema. */
export const StructField = Type.Object(fieldProperties(Type.Ref(IcebergType)), { $id: 'StructField' });
export type StructField = Static<typeof StructField>;

/** A table or view schema: a struct with an id (assigned by the catalog when omitted in a request). */
export const Schema = Type.Object(
  {
    type: Type.Literal('struct'),
    'schema-id': Type.Optional(Type.Integer({ readOnly: true })),
    'identifier-field-ids': Type.Optional(Type.Array(Type.Integer())),
    fields: Type.Array(Type.Ref(StructField)),
  },
  { $id: 'Schema' },
);
export type Schema = Static<typeof Schema>;

/** A partition or sort transform: identity, year, month, day, hour, void, bucket[N], truncate[W]. */
export const Transform = Type.String({ $id: 'Transform', examples: ['identity', 'day', 'bucket[16]', 'truncate[4]'] });

/** A partition field; `field-id` is assigned by the catalog when omitted. */
export const PartitionField = Type.Object(
  { 'field-id': Type.Optional(Type.Integer()), 'source-id': Type.Integer(), name: Type.String(), transform: Type.Ref(Transform) },
  { $id: 'PartitionField' },
);
export type PartitionField = Static<typeof PartitionField>;

/** A partition spec; `spec-id` is assigned by the catalog when omitted. */
export const PartitionSpec = Type.Object(
  { 'spec-id': Type.Optional(Type.Integer({ readOnly: true })), fields: Type.Array(Type.Ref(PartitionField)) },
  { $id: 'PartitionSpec' },
);
export type PartitionSpec = Static<typeof PartitionSpec>;

/** A sort field. */
export const SortField = Type.Object(
  {
    'source-id': Type.Integer(),
    transform: Type.Ref(Transform),
    direction: StringEnum(['asc', 'desc']),
    'null-order': StringEnum(['nulls-first', 'nulls-last']),
  },
  { $id: 'SortField' },
);
export type SortField = Static<typeof SortField>;

/** A sort order; `order-id` is assigned by the catalog when omitted. */
export const SortOrder = Type.Object(
  { 'order-id': Type.Optional(Type.Integer({ readOnly: true })), fields: Type.Array(Type.Ref(SortField)) },
  { $id: 'SortOrder' },
);
export type SortOrder = Static<typeof SortOrder>;

/** Named schemas of this file. */
export const ICEBERG_SCHEMA_SCHEMAS = [IcebergType, StructField, Schema, Transform, PartitionField, PartitionSpec, SortField, SortOrder];

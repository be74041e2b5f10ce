/**
 * Catalog-supplied labels (apache/iceberg#15750; Iceberg Java 1.12's LabelsParser): string key-values a catalog
 * keeps about a table or view and its columns (by field id), answered on loadTable and loadView when present. Not
 * table state: never in the metadata file, never committed. Lakegate's administrators set them through the
 * management API (SetLabelsRequest is this same object); the bounds below are Lakegate's, refused with a 400.
 */
import { type Static, Type } from '@sinclair/typebox';

export const MAX_OBJECT_LABELS = 100;
export const MAX_LABELLED_FIELDS = 1_000;
export const MAX_LABEL_KEY_LENGTH = 256;
export const MAX_LABEL_VALUE_LENGTH = 4_096;

const LabelMap = (description: string) =>
  Type.Record(Type.String({ minLength: 1, maxLength: MAX_LABEL_KEY_LENGTH }), Type.String({ maxLength: MAX_LABEL_VALUE_LENGTH }), {
    maxProperties: MAX_OBJECT_LABELS,
    description,
  });

export const FieldLabels = Type.Object(
  {
    'field-id': Type.Integer({ minimum: 0, maximum: 2147483647, description: "The column's field id (stable across renames)" }),
    labels: LabelMap("The column's labels"),
  },
  { $id: 'FieldLabels', additionalProperties: false },
);
export type FieldLabels = Static<typeof FieldLabels>;

export const Labels = Type.Object(
  {
    'object-labels': Type.Optional(LabelMap("The table's or view's labels")),
    fields: Type.Optional(Type.Array(Type.Ref(FieldLabels), { maxItems: MAX_LABELLED_FIELDS, description: 'Labels of columns, by field id' })),
  },
  {
    $id: 'Labels',
    additionalProperties: false,
    examples: [{ 'object-labels': { owner: 'team-sales', classification: 'internal' }, fields: [{ 'field-id': 2, labels: { pii: 'email' } }] }],
  },
);
export type Labels = Static<typeof Labels>;

/** Named schemas of this file. */
export const ICEBERG_LABEL_SCHEMAS = [FieldLabels, Labels];

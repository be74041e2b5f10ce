/**
 * Read restrictions on loadTable (apache/iceberg#13879, merged into the REST spec): the row filter and the column
 * projections a client MUST apply to read the table. Lakegate sends them only to an engine an administrator declared
 * able to enforce them (a `read-restrictions` policy enforcer, issue 54), acting for a user the table's policies
 * restrict: the spec leaves trust to the catalog.
 */
import { type Static, Type } from '@sinclair/typebox';
import { POLICY_MASK_ACTIONS } from '../constants.js';
import { StringEnum } from '../schema/helpers.js';

export const ColumnProjection = Type.Object(
  {
    'field-id': Type.Integer({ description: 'The column, by field id' }),
    action: StringEnum([...POLICY_MASK_ACTIONS]),
    value: Type.Optional(Type.Unknown({ description: "mask-to-fixed-value: the value shown (the spec's single-value JSON of the column's type)" })),
  },
  { $id: 'ColumnProjection' },
);

export const ReadRestrictions = Type.Object(
  {
    'required-row-filter': Type.Optional(
      Type.Unknown({ description: 'The rows the client may return: an Expression (terms name the columns by their current names)' }),
    ),
    'required-column-projections': Type.Optional(
      Type.Array(Type.Ref(ColumnProjection), { description: 'The action to apply to each listed column before returning it' }),
    ),
  },
  { $id: 'ReadRestrictions' },
);
export type ReadRestrictions = Static<typeof ReadRestrictions>;

export const ICEBERG_READ_RESTRICTION_SCHEMAS = [ColumnProjection, ReadRestrictions];

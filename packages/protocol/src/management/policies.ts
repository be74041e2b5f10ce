/**
 * Row-filter and column-mask policies on tables (issue 53): bound to roles, kept by the catalog with a version per
 * change. A row filter is the Iceberg REST expression JSON; masks use the read-restriction actions of the REST
 * proposal (apache/iceberg#13879). Requests are strict: unknown keys are refused, and no field is nullable.
 */
import { type Static, Type } from '@sinclair/typebox';
import { POLICY_MASK_ACTIONS } from '../constants.js';
import { AnyButNull, ExpressionJson, StringEnum } from '../schema/helpers.js';

export const POLICY_KINDS = ['row-filter', 'column-mask'] as const;

const RoleNames = Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
  minItems: 1,
  maxItems: 100,
  uniqueItems: true,
  description: "The roles (of the table's tenant) the policy restricts",
});
const Filter = ExpressionJson({
  description: "row-filter: the rows the roles may read, in the Iceberg REST spec's Expression JSON (a boolean or an expression object; terms name columns)",
});

export const ColumnMaskInput = Type.Object(
  {
    column: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        description: "The column (nested fields dotted: a struct's field, a list's `element`, a map's `value`); or field-id",
      }),
    ),
    'field-id': Type.Optional(
      Type.Integer({ minimum: 0, description: "The column by field id (a struct's field's, a list element's or a map value's too); or column" }),
    ),
    action: StringEnum([...POLICY_MASK_ACTIONS]),
    value: Type.Optional(AnyButNull({ description: "mask-to-fixed-value only: the value shown, of the column's type (replace-with-null shows null)" })),
  },
  { $id: 'ColumnMaskInput', additionalProperties: false },
);

export const CreatePolicyRequest = Type.Object(
  {
    kind: StringEnum([...POLICY_KINDS]),
    roles: RoleNames,
    filter: Type.Optional(Filter),
    masks: Type.Optional(Type.Array(Type.Ref(ColumnMaskInput), { minItems: 1, maxItems: 1000 })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  {
    $id: 'CreatePolicyRequest',
    additionalProperties: false,
    examples: [{ kind: 'row-filter', roles: ['analysts-eu'], filter: { type: 'eq', term: 'region', value: 'eu' } }],
  },
);
export type CreatePolicyRequest = Static<typeof CreatePolicyRequest>;

export const UpdatePolicyRequest = Type.Object(
  {
    roles: RoleNames,
    filter: Type.Optional(Filter),
    masks: Type.Optional(Type.Array(Type.Ref(ColumnMaskInput), { minItems: 1, maxItems: 1000 })),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version the change is based on: 409 when the policy has moved since' })),
  },
  { $id: 'UpdatePolicyRequest', additionalProperties: false },
);
export type UpdatePolicyRequest = Static<typeof UpdatePolicyRequest>;

export const ColumnMask = Type.Object(
  { 'field-id': Type.Integer(), column: Type.String(), action: StringEnum([...POLICY_MASK_ACTIONS]), value: Type.Optional(Type.Unknown()) },
  { $id: 'ColumnMask' },
);

export const PolicyTable = Type.Object({ warehouse: Type.String(), namespace: Type.Array(Type.String()), name: Type.String() });

export const TablePolicy = Type.Object(
  {
    id: Type.String(),
    kind: StringEnum([...POLICY_KINDS]),
    table: PolicyTable,
    'object-type': Type.Optional(StringEnum(['table', 'view'], { description: 'What `table` names: a table, or a view' })),
    roles: Type.Array(Type.String()),
    filter: Type.Optional(
      Type.Unknown({ description: "The row filter, its columns named as the table's current schema names its field ids (a rename is followed)" }),
    ),
    'field-ids': Type.Optional(Type.Array(Type.Integer(), { description: 'The field ids the filter referred to when it was written' })),
    masks: Type.Optional(Type.Array(Type.Ref(ColumnMask))),
    description: Type.Optional(Type.String()),
    status: Type.Optional(
      StringEnum(['enforced', 'unusable'], {
        description:
          "Whether the policy applies to the object's current schema (`enforced`), or no longer can (`unusable`: a column it names is gone or no longer suits it; restricted reads are refused, 403, until it is updated or deleted). A Lance table's policies are shown against its latest version",
      }),
    ),
    reason: Type.Optional(Type.String({ description: 'Why the policy is `unusable` (absent when it is enforced)' })),
    version: Type.Integer({ minimum: 1 }),
    'created-at-ms': Type.Integer(),
    'updated-at-ms': Type.Integer(),
  },
  { $id: 'TablePolicy' },
);
export type TablePolicy = Static<typeof TablePolicy>;

export const ListPoliciesResponse = Type.Object({ policies: Type.Array(Type.Ref(TablePolicy)) }, { $id: 'ListPoliciesResponse' });
export type ListPoliciesResponse = Static<typeof ListPoliciesResponse>;

/** What the policies on a table add up to for the caller, and which apply (docs/authorization.md). */
export const EffectivePolicy = Type.Object(
  {
    restricted: Type.Boolean({ description: 'True when any policy applies: no storage access to the table is handed out' }),
    'row-filter': Type.Optional(Type.Unknown({ description: "The rows the caller may read (the OR of its roles' filters)" })),
    masks: Type.Array(Type.Ref(ColumnMask), { description: 'One mask per masked column (the least revealing when roles disagree)' }),
    'policy-version': Type.Optional(Type.String({ description: 'Changes whenever an applying policy changes' })),
    policies: Type.Array(
      Type.Object({
        id: Type.String(),
        kind: StringEnum([...POLICY_KINDS]),
        version: Type.Integer(),
        roles: Type.Array(Type.String(), { description: 'The roles of the caller it binds' }),
      }),
    ),
    summary: Type.String(),
  },
  { $id: 'EffectivePolicy' },
);
export type EffectivePolicy = Static<typeof EffectivePolicy>;

/** Named schemas of this file. */
export const MANAGEMENT_POLICY_SCHEMAS = [
  ColumnMaskInput,
  CreatePolicyRequest,
  UpdatePolicyRequest,
  ColumnMask,
  TablePolicy,
  ListPoliciesResponse,
  EffectivePolicy,
];

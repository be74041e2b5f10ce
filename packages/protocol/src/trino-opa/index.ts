/**
 * The decision endpoints Trino's OPA access control (`access-control.name=opa`, Trino 476) asks, served by Lakegate
 * (issue 54): the shapes the plugin sends and reads, learned from its sources (io.trino.plugin.opa.schema). Requests
 * are open (the plugin adds fields from release to release; unknown keys are ignored, never refused), answers are
 * exactly what the plugin parses: `result` as a boolean, a list of indices, a list of row-filter expressions, one
 * column-mask expression (or null), or indexed column-mask expressions.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../schema/helpers.js';

const name = Type.String({ maxLength: 1024 });

export const TrinoOpaIdentity = Type.Object(
  { user: Type.String({ minLength: 1, maxLength: 255 }), groups: Type.Optional(Type.Array(name, { maxItems: 1000 })), principal: Type.Optional(name) },
  {
    $id: 'TrinoOpaIdentity',
    description:
      "The Trino user the decision is for and its groups (Trino's group provider): asserted by the engine, honoured for a declared trino-opa enforcer as the asserted user and groups of those names (docs/authorization.md, 'Engine-enforced policies')",
  },
);

export const TrinoOpaResource = Type.Object(
  {
    user: Type.Optional(Type.Object({ user: name })),
    catalog: Type.Optional(Type.Object({ name })),
    schema: Type.Optional(Type.Object({ catalogName: name, schemaName: name })),
    table: Type.Optional(Type.Object({ catalogName: name, schemaName: name, tableName: name, columns: Type.Optional(Type.Array(name, { maxItems: 10_000 })) })),
    column: Type.Optional(
      Type.Object({ catalogName: name, schemaName: name, tableName: name, columnName: name, columnType: Type.String({ maxLength: 4096 }) }),
    ),
  },
  {
    $id: 'TrinoOpaResource',
    description: 'One resource of a decision (the plugin sends other kinds too: functions, session properties; they are answered by operation)',
  },
);
export type TrinoOpaResource = Static<typeof TrinoOpaResource>;

export const TrinoOpaRequest = Type.Object(
  {
    input: Type.Object({
      context: Type.Object({ identity: Type.Ref(TrinoOpaIdentity), softwareStack: Type.Optional(Type.Object({ trinoVersion: Type.Optional(name) })) }),
      action: Type.Object({
        operation: Type.String({ minLength: 1, maxLength: 255, examples: ['SelectFromColumns', 'FilterTables', 'GetRowFilters', 'GetColumnMask'] }),
        resource: Type.Optional(Type.Ref(TrinoOpaResource)),
        targetResource: Type.Optional(Type.Ref(TrinoOpaResource)),
        filterResources: Type.Optional(Type.Array(Type.Ref(TrinoOpaResource), { maxItems: 100_000 })),
      }),
    }),
  },
  { $id: 'TrinoOpaRequest', description: "The OPA plugin's query: who (context.identity) wants to do what (action) to which resources" },
);
export type TrinoOpaRequest = Static<typeof TrinoOpaRequest>;

export const TrinoOpaAllowResponse = Type.Object({ result: Type.Boolean() }, { $id: 'TrinoOpaAllowResponse' });
export const TrinoOpaBatchResponse = Type.Object(
  {
    result: Type.Array(Type.Integer({ minimum: 0 }), {
      description: "The indices of filterResources (or, for FilterColumns, of its one table's columns) allowed",
    }),
  },
  { $id: 'TrinoOpaBatchResponse' },
);

export const TrinoViewExpression = Type.Object(
  { expression: Type.String({ description: 'Trino SQL' }), identity: Type.Optional(Type.String()) },
  { $id: 'TrinoViewExpression' },
);
export const TrinoOpaRowFiltersResponse = Type.Object({ result: Type.Array(Type.Ref(TrinoViewExpression)) }, { $id: 'TrinoOpaRowFiltersResponse' });
export const TrinoOpaColumnMaskResponse = Type.Object({ result: Nullable(Type.Ref(TrinoViewExpression)) }, { $id: 'TrinoOpaColumnMaskResponse' });
export const TrinoOpaBatchColumnMasksResponse = Type.Object(
  { result: Type.Array(Type.Object({ index: Type.Integer({ minimum: 0 }), viewExpression: Type.Ref(TrinoViewExpression) })) },
  { $id: 'TrinoOpaBatchColumnMasksResponse' },
);
export type TrinoViewExpression = Static<typeof TrinoViewExpression>;

/** Named schemas of this file. */
export const TRINO_OPA_SCHEMAS = [
  TrinoOpaIdentity,
  TrinoOpaResource,
  TrinoOpaRequest,
  TrinoOpaAllowResponse,
  TrinoOpaBatchResponse,
  TrinoViewExpression,
  TrinoOpaRowFiltersResponse,
  TrinoOpaColumnMaskResponse,
  TrinoOpaBatchColumnMasksResponse,
];

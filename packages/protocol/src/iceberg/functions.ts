/**
 * Read-only functions (SQL UDFs) of the Iceberg REST Catalog (apache/iceberg#15180; the shapes of
 * `open-api/rest-catalog-open-api.yaml` on apache/iceberg main at 7f879b1, which also carries `specific-name` from
 * #17364): listFunctions answers identifiers as plain level lists (the spec's CatalogObjectIdentifier, the function's
 * name last), loadFunction the function's metadata (every overloaded definition in one answer). The spec defines no
 * write operation; Lakegate's administrators put a FunctionMetadata through the management API.
 */
import { type Static, Type } from '@sinclair/typebox';
import { PageToken } from './common.js';

/**
 * A parameter or return type: a type string (`int`, `decimal(9,2)`, no spaces or quotes) or a nested list, map or
 * struct object. Kept open here (the nesting is recursive); the server checks it all the way down.
 */
export const FunctionDataType = Type.Union(
  [
    Type.String({ minLength: 1 }),
    Type.Object({ type: Type.Union([Type.Literal('list'), Type.Literal('map'), Type.Literal('struct')]) }, { additionalProperties: true }),
  ],
  { $id: 'FunctionDataType', description: 'A type string, or a list/map/struct object whose element, key, value and field types are FunctionDataTypes' },
);
export type FunctionDataType = string | { type: 'list' | 'map' | 'struct'; [key: string]: unknown };

export const FunctionParameter = Type.Object(
  { type: Type.Ref(FunctionDataType), name: Type.String({ minLength: 1 }), doc: Type.Optional(Type.String()) },
  { $id: 'FunctionParameter' },
);
export type FunctionParameter = Static<typeof FunctionParameter>;

export const FunctionSQLRepresentation = Type.Object(
  { type: Type.Literal('sql'), dialect: Type.String({ minLength: 1, description: 'e.g. "spark", "trino"' }), sql: Type.String({ minLength: 1 }) },
  { $id: 'FunctionSQLRepresentation' },
);
export type FunctionSQLRepresentation = Static<typeof FunctionSQLRepresentation>;

export const FunctionDefinitionVersion = Type.Object(
  {
    'version-id': Type.Integer(),
    representations: Type.Array(Type.Ref(FunctionSQLRepresentation)),
    deterministic: Type.Optional(Type.Boolean({ default: false })),
    'on-null-input': Type.Optional(Type.Union([Type.Literal('return-null'), Type.Literal('call')], { default: 'call' })),
    'timestamp-ms': Type.Integer(),
  },
  { $id: 'FunctionDefinitionVersion' },
);
export type FunctionDefinitionVersion = Static<typeof FunctionDefinitionVersion>;

export const FunctionDefinition = Type.Object(
  {
    'definition-id': Type.String({ description: 'The parameter types, comma-separated, no spaces' }),
    'specific-name': Type.Optional(Type.String()),
    parameters: Type.Array(Type.Ref(FunctionParameter)),
    'return-type': Type.Ref(FunctionDataType),
    'return-nullable': Type.Optional(Type.Boolean({ default: true })),
    versions: Type.Array(Type.Ref(FunctionDefinitionVersion)),
    'current-version-id': Type.Integer(),
    'function-type': Type.Union([Type.Literal('udf'), Type.Literal('udtf')]),
    doc: Type.Optional(Type.String()),
  },
  { $id: 'FunctionDefinition' },
);
export type FunctionDefinition = Static<typeof FunctionDefinition>;

export const FunctionDefinitionLogEntry = Type.Object(
  {
    'timestamp-ms': Type.Integer(),
    'definition-versions': Type.Array(Type.Object({ 'definition-id': Type.String(), 'version-id': Type.Integer() })),
  },
  { $id: 'FunctionDefinitionLogEntry' },
);
export type FunctionDefinitionLogEntry = Static<typeof FunctionDefinitionLogEntry>;

export const FunctionMetadata = Type.Object(
  {
    'function-uuid': Type.String({ format: 'uuid' }),
    'format-version': Type.Literal(1),
    definitions: Type.Array(Type.Ref(FunctionDefinition)),
    'definition-log': Type.Array(Type.Ref(FunctionDefinitionLogEntry)),
    location: Type.Optional(Type.String()),
    properties: Type.Optional(Type.Record(Type.String(), Type.String())),
    secure: Type.Optional(Type.Boolean({ default: false })),
    doc: Type.Optional(Type.String()),
  },
  { $id: 'FunctionMetadata', description: 'Portable UDF metadata (format-version 1)' },
);
export type FunctionMetadata = Static<typeof FunctionMetadata>;

/**
 * What an administrator puts through the management API (Lakegate's, the spec defines no write shape): a
 * FunctionMetadata whose `function-uuid` (kept from the function replaced, else new) and `definition-log` (the current
 * versions, now) may be left out.
 */
export const PutFunctionRequest = Type.Composite(
  [
    Type.Omit(FunctionMetadata, ['function-uuid', 'definition-log']),
    Type.Object({
      'function-uuid': Type.Optional(Type.String({ format: 'uuid' })),
      'definition-log': Type.Optional(Type.Array(Type.Ref(FunctionDefinitionLogEntry))),
    }),
  ],
  { $id: 'PutFunctionRequest' },
);
export type PutFunctionRequest = Static<typeof PutFunctionRequest>;

export const LoadFunctionResult = Type.Object(
  { 'metadata-location': Type.Optional(Type.String()), metadata: Type.Ref(FunctionMetadata) },
  { $id: 'LoadFunctionResult', description: 'Lakegate keeps function metadata in its catalog database: no metadata-location' },
);
export type LoadFunctionResult = Static<typeof LoadFunctionResult>;

export const ListFunctionsResponse = Type.Object(
  {
    identifiers: Type.Array(Type.Array(Type.String()), { description: 'Namespace levels, then the function name' }),
    'next-page-token': Type.Optional(Type.Ref(PageToken)),
  },
  { $id: 'ListFunctionsResponse' },
);
export type ListFunctionsResponse = Static<typeof ListFunctionsResponse>;

/** Named schemas of this file. */
export const ICEBERG_FUNCTION_SCHEMAS = [
  FunctionDataType,
  FunctionParameter,
  FunctionSQLRepresentation,
  FunctionDefinitionVersion,
  FunctionDefinition,
  FunctionDefinitionLogEntry,
  FunctionMetadata,
  PutFunctionRequest,
  LoadFunctionResult,
  ListFunctionsResponse,
];

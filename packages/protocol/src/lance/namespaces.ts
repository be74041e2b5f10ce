/** Request and response bodies of the Lance namespace operations (and the table listing of a namespace). */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, StringMap } from '../schema/helpers.js';
import { LANCE_COMMON_BODY } from './common.js';

export const LanceIdRequest = Type.Object(LANCE_COMMON_BODY, {
  $id: 'LanceIdRequest',
  description: 'The body of describe, exists, drop and deregister of a table, and of describe and exists of a namespace',
});
export type LanceIdRequest = Static<typeof LanceIdRequest>;

export const LanceCreateNamespaceRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    mode: Type.Optional(Type.String({ description: 'create (default), exist_ok or overwrite; case-insensitive' })),
    properties: Type.Optional(StringMap()),
  },
  { $id: 'LanceCreateNamespaceRequest' },
);
export type LanceCreateNamespaceRequest = Static<typeof LanceCreateNamespaceRequest>;

export const LanceDropNamespaceRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    mode: Type.Optional(Type.String({ description: 'fail (default) or skip; case-insensitive' })),
    behavior: Type.Optional(Type.String({ description: 'restrict (default); case-insensitive' })),
  },
  { $id: 'LanceDropNamespaceRequest' },
);
export type LanceDropNamespaceRequest = Static<typeof LanceDropNamespaceRequest>;

export const LanceListNamespacesResponse = Type.Object(
  {
    namespaces: Type.Array(Type.String(), { description: 'Child names, relative to the listed namespace' }),
    page_token: Type.Optional(Nullable(Type.String())),
  },
  { $id: 'LanceListNamespacesResponse' },
);
export type LanceListNamespacesResponse = Static<typeof LanceListNamespacesResponse>;

export const LanceNamespaceResponse = Type.Object(
  { properties: Type.Optional(Nullable(StringMap())) },
  { $id: 'LanceNamespaceResponse', description: 'The answer of create, describe and drop of a namespace' },
);
export type LanceNamespaceResponse = Static<typeof LanceNamespaceResponse>;

export const LanceListTablesResponse = Type.Object(
  { tables: Type.Array(Type.String(), { description: 'Table names, relative to the listed namespace' }), page_token: Type.Optional(Nullable(Type.String())) },
  { $id: 'LanceListTablesResponse' },
);
export type LanceListTablesResponse = Static<typeof LanceListTablesResponse>;

/** Named schemas of this file. */
export const LANCE_NAMESPACE_SCHEMAS = [
  LanceIdRequest,
  LanceCreateNamespaceRequest,
  LanceDropNamespaceRequest,
  LanceListNamespacesResponse,
  LanceNamespaceResponse,
  LanceListTablesResponse,
];

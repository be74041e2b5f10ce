/** Request and response bodies of the Iceberg namespace operations. */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, StringMap } from '../schema/helpers.js';
import { Namespace, PageToken } from './common.js';

export const CreateNamespaceRequest = Type.Object(
  { namespace: Type.Ref(Namespace), properties: Type.Optional(StringMap()) },
  { $id: 'CreateNamespaceRequest' },
);
export type CreateNamespaceRequest = Static<typeof CreateNamespaceRequest>;

export const CreateNamespaceResponse = Type.Object(
  { namespace: Type.Ref(Namespace), properties: Type.Optional(StringMap()) },
  { $id: 'CreateNamespaceResponse' },
);
export type CreateNamespaceResponse = Static<typeof CreateNamespaceResponse>;

export const GetNamespaceResponse = Type.Object(
  {
    namespace: Type.Ref(Namespace),
    properties: Type.Optional(Nullable(StringMap(), { description: 'Lakegate shows the default location of a namespace without one' })),
  },
  { $id: 'GetNamespaceResponse' },
);
export type GetNamespaceResponse = Static<typeof GetNamespaceResponse>;

export const ListNamespacesResponse = Type.Object(
  { namespaces: Type.Array(Type.Ref(Namespace)), 'next-page-token': Type.Optional(Type.Ref(PageToken)) },
  { $id: 'ListNamespacesResponse' },
);
export type ListNamespacesResponse = Static<typeof ListNamespacesResponse>;

export const UpdateNamespacePropertiesRequest = Type.Object(
  { removals: Type.Optional(Type.Array(Type.String(), { uniqueItems: true })), updates: Type.Optional(StringMap()) },
  { $id: 'UpdateNamespacePropertiesRequest', description: 'A key may not be both updated and removed' },
);
export type UpdateNamespacePropertiesRequest = Static<typeof UpdateNamespacePropertiesRequest>;

export const UpdateNamespacePropertiesResponse = Type.Object(
  {
    updated: Type.Array(Type.String(), { description: 'Keys added or changed' }),
    removed: Type.Array(Type.String(), { description: 'Keys removed' }),
    missing: Type.Optional(Nullable(Type.Array(Type.String()), { description: 'Keys asked to be removed that were not set' })),
  },
  { $id: 'UpdateNamespacePropertiesResponse' },
);
export type UpdateNamespacePropertiesResponse = Static<typeof UpdateNamespacePropertiesResponse>;

/** Named schemas of this file. */
export const ICEBERG_NAMESPACE_SCHEMAS = [
  CreateNamespaceRequest,
  CreateNamespaceResponse,
  GetNamespaceResponse,
  ListNamespacesResponse,
  UpdateNamespacePropertiesRequest,
  UpdateNamespacePropertiesResponse,
];

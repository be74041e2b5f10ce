/** Request and response bodies of the Iceberg view operations. */
import { type Static, Type } from '@sinclair/typebox';
import { StringMap } from '../schema/helpers.js';
import { Labels } from './labels.js';
import { TableIdentifier } from './common.js';
import { ViewMetadata, ViewVersion } from './metadata.js';
import { ViewRequirement } from './requirements.js';
import { Schema } from './schema.js';
import { ViewUpdate } from './updates.js';

export const CreateViewRequest = Type.Object(
  {
    name: Type.String(),
    location: Type.Optional(Type.String()),
    schema: Type.Ref(Schema),
    'view-version': Type.Ref(ViewVersion, { description: 'Its schema-id is replaced by the id assigned to `schema`' }),
    properties: Type.Optional(StringMap()),
  },
  { $id: 'CreateViewRequest' },
);
export type CreateViewRequest = Static<typeof CreateViewRequest>;

export const LoadViewResult = Type.Object(
  {
    'metadata-location': Type.String(),
    metadata: Type.Ref(ViewMetadata),
    config: Type.Optional(StringMap()),
    labels: Type.Optional(Type.Ref(Labels, { description: 'Catalog-supplied labels (apache/iceberg#15750); absent when the view has none' })),
  },
  { $id: 'LoadViewResult' },
);
export type LoadViewResult = Static<typeof LoadViewResult>;

export const CommitViewRequest = Type.Object(
  {
    identifier: Type.Optional(Type.Ref(TableIdentifier)),
    requirements: Type.Optional(Type.Array(Type.Ref(ViewRequirement))),
    updates: Type.Array(Type.Ref(ViewUpdate)),
  },
  { $id: 'CommitViewRequest' },
);
export type CommitViewRequest = Static<typeof CommitViewRequest>;

export const RegisterViewRequest = Type.Object({ name: Type.String(), 'metadata-location': Type.String() }, { $id: 'RegisterViewRequest' });
export type RegisterViewRequest = Static<typeof RegisterViewRequest>;

/** Named schemas of this file. */
export const ICEBERG_VIEW_SCHEMAS = [CreateViewRequest, LoadViewResult, CommitViewRequest, RegisterViewRequest];

/** Request and response bodies of the Iceberg table operations (create, load, commit, register, rename, transactions, credentials). */
import { type Static, Type } from '@sinclair/typebox';
import { NullMeansAbsent, StringMap } from '../schema/helpers.js';
import { PageToken, TableIdentifier } from './common.js';
import { TableMetadata } from './metadata.js';
import { TableRequirement } from './requirements.js';
import { PartitionSpec, Schema, SortOrder } from './schema.js';
import { TableUpdate } from './updates.js';
import { RemoteSigningConfig } from './signing.js';
import { ReadRestrictions } from './read-restrictions.js';
import { ICEBERG_LABEL_SCHEMAS, Labels } from './labels.js';

export const ListTablesResponse = Type.Object(
  { identifiers: Type.Array(Type.Ref(TableIdentifier)), 'next-page-token': Type.Optional(Type.Ref(PageToken)) },
  { $id: 'ListTablesResponse', description: 'Also the answer of listViews' },
);
export type ListTablesResponse = Static<typeof ListTablesResponse>;

export const CreateTableRequest = Type.Object(
  {
    name: Type.String(),
    // Iceberg Java serializes this request with Jackson's defaults and writes these three as null when unset.
    location: Type.Optional(NullMeansAbsent(Type.String(), { description: "Default: under the namespace's location; null means absent" })),
    schema: Type.Ref(Schema),
    'partition-spec': Type.Optional(NullMeansAbsent(Type.Ref(PartitionSpec), { description: 'Default: unpartitioned; null means absent' })),
    'write-order': Type.Optional(NullMeansAbsent(Type.Ref(SortOrder), { description: 'Default: unsorted; null means absent' })),
    'stage-create': Type.Optional(Type.Boolean({ description: 'Stage the table for a create transaction instead of creating it' })),
    properties: Type.Optional(StringMap()),
  },
  { $id: 'CreateTableRequest' },
);
export type CreateTableRequest = Static<typeof CreateTableRequest>;

export const RegisterTableRequest = Type.Object(
  { name: Type.String(), 'metadata-location': Type.String(), overwrite: Type.Optional(Type.Boolean({ default: false })) },
  { $id: 'RegisterTableRequest' },
);
export type RegisterTableRequest = Static<typeof RegisterTableRequest>;

/** A storage credential vended for locations under `prefix` (clients pick the longest matching prefix). */
export const StorageCredential = Type.Object({ prefix: Type.String(), config: StringMap() }, { $id: 'StorageCredential' });
export type StorageCredential = Static<typeof StorageCredential>;

export const LoadCredentialsResponse = Type.Object({ 'storage-credentials': Type.Array(Type.Ref(StorageCredential)) }, { $id: 'LoadCredentialsResponse' });
export type LoadCredentialsResponse = Static<typeof LoadCredentialsResponse>;

export const LoadTableResult = Type.Object(
  {
    'metadata-location': Type.Optional(Type.String({ description: 'Absent for a staged table (the REST spec also allows null)' })),
    metadata: Type.Ref(TableMetadata),
    config: Type.Optional(StringMap({ description: 'Table-specific client configuration (FileIO, token)' })),
    'storage-credentials': Type.Optional(Type.Array(Type.Ref(StorageCredential))),
    'remote-signing-config': Type.Optional(Type.Ref(RemoteSigningConfig, { description: 'Present when the table is accessed through remote signing' })),
    'read-restrictions': Type.Optional(
      Type.Ref(ReadRestrictions, { description: 'Only to a declared read-restrictions enforcer acting for a restricted user' }),
    ),
    labels: Type.Optional(Type.Ref(Labels, { description: 'Catalog-supplied labels (apache/iceberg#15750); absent when the table has none' })),
  },
  { $id: 'LoadTableResult' },
);
export type LoadTableResult = Static<typeof LoadTableResult>;

const commitProperties = {
  identifier: Type.Optional(Type.Ref(TableIdentifier, { description: 'Must name the table in the path when given; required in a transaction' })),
  requirements: Type.Optional(Type.Array(Type.Ref(TableRequirement), { description: 'Default: none' })),
  updates: Type.Array(Type.Ref(TableUpdate)),
};

export const CommitTableRequest = Type.Object(commitProperties, { $id: 'CommitTableRequest' });
export type CommitTableRequest = Static<typeof CommitTableRequest>;

/** One table's change in a multi-table transaction: a commit that names its table. */
export const TableChange = Type.Object({ ...commitProperties, identifier: Type.Ref(TableIdentifier) }, { $id: 'TableChange' });
export type TableChange = Static<typeof TableChange>;

export const CommitTransactionRequest = Type.Object({ 'table-changes': Type.Array(Type.Ref(TableChange)) }, { $id: 'CommitTransactionRequest' });
export type CommitTransactionRequest = Static<typeof CommitTransactionRequest>;

export const CommitTableResponse = Type.Object({ 'metadata-location': Type.String(), metadata: Type.Ref(TableMetadata) }, { $id: 'CommitTableResponse' });
export type CommitTableResponse = Static<typeof CommitTableResponse>;

export const UnregisterTableResult = Type.Object({ 'metadata-location': Type.String(), metadata: Type.Ref(TableMetadata) }, { $id: 'UnregisterTableResult' });
export type UnregisterTableResult = Static<typeof UnregisterTableResult>;

export const RenameTableRequest = Type.Object(
  { source: Type.Ref(TableIdentifier), destination: Type.Ref(TableIdentifier) },
  { $id: 'RenameTableRequest', description: 'Also the body of renameView' },
);
export type RenameTableRequest = Static<typeof RenameTableRequest>;

/** Named schemas of this file. */
export const ICEBERG_TABLE_SCHEMAS = [
  ...ICEBERG_LABEL_SCHEMAS,
  ListTablesResponse,
  CreateTableRequest,
  RegisterTableRequest,
  StorageCredential,
  LoadCredentialsResponse,
  LoadTableResult,
  CommitTableRequest,
  TableChange,
  CommitTransactionRequest,
  CommitTableResponse,
  UnregisterTableResult,
  RenameTableRequest,
];

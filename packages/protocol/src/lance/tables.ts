/** Request and response bodies of the Lance table metadata operations (the data is read and written on storage by the client). */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, OpaqueObject, StringMap } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';
import { LANCE_COMMON_BODY } from './common.js';

export const LanceDeclareTableRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    location: Type.Optional(Type.String({ description: 'Default: chosen by the catalog under the namespace' })),
    vend_credentials: Type.Optional(Type.Boolean()),
    properties: Type.Optional(StringMap()),
  },
  { $id: 'LanceDeclareTableRequest', description: 'Also the body of create-empty, the name older clients use' },
);
export type LanceDeclareTableRequest = Static<typeof LanceDeclareTableRequest>;

export const LanceRegisterTableRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    location: Type.String(),
    mode: Type.Optional(Type.String({ description: 'create (default) or overwrite; case-insensitive' })),
    properties: Type.Optional(StringMap()),
  },
  { $id: 'LanceRegisterTableRequest' },
);
export type LanceRegisterTableRequest = Static<typeof LanceRegisterTableRequest>;

export const LanceDescribeTableRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    version: Type.Optional(Nullable(Int64())),
    tag: Type.Optional(
      Nullable(Type.String({ description: "Describe the version this tag names (read from the dataset's _refs/tags/); not with version or branch" })),
    ),
    branch: Type.Optional(Nullable(Type.String({ description: 'Describe on this branch (absent, "" or "main": the main branch)' }))),
    with_table_uri: Type.Optional(Type.Boolean()),
    load_detailed_metadata: Type.Optional(
      Type.Boolean({
        description:
          "Also answer table, namespace, version, schema, stats and metadata, read by opening the dataset through the Lance library (406 without it) at the version asked for (directly, on a branch or by tag); a caller a row/column policy restricts gets its policy-derived dataset's",
      }),
    ),
    check_declared: Type.Optional(Type.Boolean({ description: 'Answer is_only_declared' })),
    vend_credentials: Type.Optional(Type.Boolean()),
  },
  { $id: 'LanceDescribeTableRequest' },
);
export type LanceDescribeTableRequest = Static<typeof LanceDescribeTableRequest>;

const locationProperties = {
  location: Type.String({ description: 'The dataset root' }),
  storage_options: Type.Optional(StringMap({ description: "Options for Lance's object store: vended, prefix-scoped credentials and expires_at_millis" })),
  properties: Type.Optional(Nullable(StringMap())),
  managed_versioning: Type.Optional(
    Type.Boolean({ description: 'True: the client commits each version through CreateTableVersion and reads them from the catalog' }),
  ),
};

export const LanceTableLocationResponse = Type.Object(locationProperties, {
  $id: 'LanceTableLocationResponse',
  description:
    "The answer of declare, create-empty and register (register's carries no storage_options, as the spec's RegisterTableResponse has none: DescribeTable vends them)",
});
export type LanceTableLocationResponse = Static<typeof LanceTableLocationResponse>;

export const LanceJsonArrowDataType = Type.Object(
  {
    type: Type.String({ description: 'The Arrow type name: int32, utf8, large_utf8, fixed_size_list, struct, timestamp, ...' }),
    fields: Type.Optional(
      Type.Array(OpaqueObject({ description: 'A LanceJsonArrowField' }), { description: 'The children of a list, fixed_size_list, struct or map' }),
    ),
    length: Type.Optional(Int64({ description: 'fixed_size_list and fixed_size_binary: the size; decimals: precision * 1000 + scale' })),
  },
  { $id: 'LanceJsonArrowDataType', description: "lance-namespace's JsonArrowDataType" },
);
export type LanceJsonArrowDataType = Static<typeof LanceJsonArrowDataType>;

export const LanceJsonArrowField = Type.Object(
  { name: Type.String(), nullable: Type.Boolean(), type: Type.Ref(LanceJsonArrowDataType), metadata: Type.Optional(StringMap()) },
  { $id: 'LanceJsonArrowField', description: "lance-namespace's JsonArrowField" },
);
export type LanceJsonArrowField = Static<typeof LanceJsonArrowField>;

export const LanceJsonArrowSchema = Type.Object(
  { fields: Type.Array(Type.Ref(LanceJsonArrowField)), metadata: Type.Optional(StringMap()) },
  { $id: 'LanceJsonArrowSchema', description: "lance-namespace's JsonArrowSchema: a table schema in JSON" },
);
export type LanceJsonArrowSchema = Static<typeof LanceJsonArrowSchema>;

export const LanceTableBasicStats = Type.Object(
  {
    num_deleted_rows: Int64({ description: "Rows the version's deletion files delete" }),
    num_fragments: Int64({ description: "The version's fragments" }),
  },
  { $id: 'LanceTableBasicStats', description: "lance-namespace's TableBasicStats: of the version opened" },
);
export type LanceTableBasicStats = Static<typeof LanceTableBasicStats>;

export const LanceDescribeTableResponse = Type.Object(
  {
    ...locationProperties,
    table: Type.Optional(Type.String({ description: 'With load_detailed_metadata: the table name' })),
    namespace: Type.Optional(Type.Array(Type.String(), { description: 'With load_detailed_metadata: the namespace id' })),
    schema: Type.Optional(Type.Ref(LanceJsonArrowSchema, { description: 'With load_detailed_metadata: the schema of the version opened' })),
    table_uri: Type.Optional(Type.String()),
    version: Type.Optional(
      Int64({
        description: "The version asked for (directly or by tag); with load_detailed_metadata the version opened (a restricted caller's derived dataset's own)",
      }),
    ),
    is_only_declared: Type.Optional(Type.Boolean({ description: 'With check_declared: declared, and nothing written on storage yet' })),
    stats: Type.Optional(Nullable(Type.Ref(LanceTableBasicStats, { description: 'With load_detailed_metadata: the stats of the version opened' }))),
    metadata: Type.Optional(
      StringMap({
        description:
          "With load_detailed_metadata: the dataset's table metadata at the version opened (Lance's table_metadata, pylance's LanceDataset.metadata, set with update_metadata); {} when none is set. Lance's version summary (total_rows...) is not here: its counts the spec names are in stats",
      }),
    ),
  },
  { $id: 'LanceDescribeTableResponse' },
);
export type LanceDescribeTableResponse = Static<typeof LanceDescribeTableResponse>;

export const LanceDroppedTableResponse = Type.Object(
  { id: Type.Array(Type.String()), location: Type.String(), properties: Type.Optional(Nullable(StringMap())) },
  { $id: 'LanceDroppedTableResponse', description: 'The answer of drop and deregister' },
);
export type LanceDroppedTableResponse = Static<typeof LanceDroppedTableResponse>;

export const LanceCreateTableResponse = Type.Object(
  {
    ...locationProperties,
    storage_options: Type.Optional(
      StringMap({
        description:
          "What DescribeTable by the caller would answer right after the create: credentials scoped to the table's location, in the mode the caller's privileges on the new table give, with expires_at_millis and refresh_offset_millis (the client refreshes through DescribeTable); {} where the warehouse vends nothing or the caller may not describe the table",
      }),
    ),
    version: Int64({ description: "The dataset's first version, written by the catalog (through its own CreateTableVersion)" }),
  },
  { $id: 'LanceCreateTableResponse', description: 'The answer of CreateTable: the table created with its first version' },
);
export type LanceCreateTableResponse = Static<typeof LanceCreateTableResponse>;

/** The body of CreateTable: the rows, as an Arrow IPC stream (its schema is the table's). */
export const LanceArrowIpcStream = Type.String({
  $id: 'LanceArrowIpcStream',
  format: 'binary',
  description: 'An Arrow IPC stream (schema and record batches)',
});

/** Named schemas of this file. */
export const LANCE_TABLE_SCHEMAS = [
  LanceDeclareTableRequest,
  LanceRegisterTableRequest,
  LanceDescribeTableRequest,
  LanceTableLocationResponse,
  LanceJsonArrowDataType,
  LanceJsonArrowField,
  LanceJsonArrowSchema,
  LanceTableBasicStats,
  LanceDescribeTableResponse,
  LanceDroppedTableResponse,
  LanceCreateTableResponse,
  LanceArrowIpcStream,
];

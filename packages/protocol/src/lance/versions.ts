/**
 * Bodies of the Lance table version operations (catalog-managed versions, `managed_versioning: true`) and of
 * RenameTable, as lance-namespace's spec (docs/src/spec.yaml) names them. The client writes a manifest to a staging
 * path and CreateTableVersion makes it version N; `manifest_path` travels as an object-store path relative to the
 * store's root (what Lance sends) or as a URI, and answers come in the same form.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, StringMap } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';
import { LANCE_COMMON_BODY } from './common.js';

const branch = Type.Optional(
  Type.String({
    description:
      'The branch (absent, "" or "main": the main branch). Another branch keeps its own chain under <table>/tree/<branch>/; it exists once CreateTableVersion gave it a version, else reads answer TableBranchNotFound (22)',
  }),
);

export const LanceTableVersion = Type.Object(
  {
    version: Int64(),
    manifest_path: Type.String({ description: 'The final manifest, _versions/<name> under the table location' }),
    manifest_size: Type.Optional(Int64()),
    e_tag: Type.Optional(Type.String()),
    timestamp_millis: Type.Optional(Int64()),
    metadata: Type.Optional(StringMap()),
  },
  { $id: 'LanceTableVersion' },
);
export type LanceTableVersion = Static<typeof LanceTableVersion>;

export const LanceCreateTableVersionRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    version: Int64({ description: 'The next version: the latest plus one (a taken one answers 409 ConcurrentModification, which clients retry)' }),
    branch,
    manifest_path: Type.String({ description: 'The staged manifest, inside the table location' }),
    manifest_size: Type.Optional(Int64()),
    e_tag: Type.Optional(Type.String()),
    metadata: Type.Optional(StringMap()),
    naming_scheme: Type.Optional(
      Type.String({ description: 'V1 (_versions/<version>.manifest) or V2 (default: _versions/<u64::MAX - version, 20 digits>.manifest)' }),
    ),
  },
  { $id: 'LanceCreateTableVersionRequest' },
);
export type LanceCreateTableVersionRequest = Static<typeof LanceCreateTableVersionRequest>;

export const LanceCreateTableVersionResponse = Type.Object(
  { transaction_id: Type.Optional(Type.String()), version: Type.Ref(LanceTableVersion) },
  { $id: 'LanceCreateTableVersionResponse' },
);
export type LanceCreateTableVersionResponse = Static<typeof LanceCreateTableVersionResponse>;

export const LanceListTableVersionsRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    branch,
    page_token: Type.Optional(Type.String()),
    limit: Type.Optional(Type.Integer({ minimum: 0 })),
    descending: Type.Optional(Type.Boolean()),
  },
  {
    $id: 'LanceListTableVersionsRequest',
    description: 'The REST client sends these as query parameters; a body carrying them is read when the query does not',
  },
);
export type LanceListTableVersionsRequest = Static<typeof LanceListTableVersionsRequest>;

export const LanceListTableVersionsResponse = Type.Object(
  { versions: Type.Array(Type.Ref(LanceTableVersion)), page_token: Type.Optional(Type.String()) },
  { $id: 'LanceListTableVersionsResponse' },
);
export type LanceListTableVersionsResponse = Static<typeof LanceListTableVersionsResponse>;

export const LanceDescribeTableVersionRequest = Type.Object(
  { ...LANCE_COMMON_BODY, version: Type.Optional(Int64({ description: 'Default: the latest' })), branch },
  { $id: 'LanceDescribeTableVersionRequest' },
);
export type LanceDescribeTableVersionRequest = Static<typeof LanceDescribeTableVersionRequest>;

export const LanceDescribeTableVersionResponse = Type.Object({ version: Type.Ref(LanceTableVersion) }, { $id: 'LanceDescribeTableVersionResponse' });
export type LanceDescribeTableVersionResponse = Static<typeof LanceDescribeTableVersionResponse>;

export const LanceVersionRange = Type.Object(
  { start_version: Int64({ description: 'Inclusive' }), end_version: Int64({ description: 'Exclusive; -1: up to the latest' }) },
  { $id: 'LanceVersionRange' },
);

export const LanceBatchDeleteTableVersionsRequest = Type.Object(
  { ...LANCE_COMMON_BODY, branch, ranges: Type.Array(Type.Ref(LanceVersionRange)) },
  { $id: 'LanceBatchDeleteTableVersionsRequest', description: 'Forgets version records (the latest version is always kept); the manifest files stay' },
);
export type LanceBatchDeleteTableVersionsRequest = Static<typeof LanceBatchDeleteTableVersionsRequest>;

export const LanceBatchDeleteTableVersionsResponse = Type.Object(
  { deleted_count: Int64(), transaction_id: Type.Optional(Type.String()) },
  { $id: 'LanceBatchDeleteTableVersionsResponse' },
);
export type LanceBatchDeleteTableVersionsResponse = Static<typeof LanceBatchDeleteTableVersionsResponse>;

export const LanceRenameTableRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    new_table_name: Type.String(),
    new_namespace_id: Type.Optional(Type.Array(Type.String(), { description: 'Default: the same namespace' })),
  },
  { $id: 'LanceRenameTableRequest' },
);
export type LanceRenameTableRequest = Static<typeof LanceRenameTableRequest>;

export const LanceTransactionResponse = Type.Object(
  { transaction_id: Type.Optional(Type.String()) },
  { $id: 'LanceTransactionResponse', description: 'The answer of rename' },
);
export type LanceTransactionResponse = Static<typeof LanceTransactionResponse>;

export const LanceRestoreTableRequest = Type.Object(
  { ...LANCE_COMMON_BODY, version: Int64({ description: "The version whose state becomes the table's next version" }), branch },
  { $id: 'LanceRestoreTableRequest', description: 'Restores a table of catalog-managed versions: its next version is a copy of this one (no data is copied)' },
);
export type LanceRestoreTableRequest = Static<typeof LanceRestoreTableRequest>;

export const LanceRestoreTableResponse = Type.Object(
  { transaction_id: Type.Optional(Type.String({ description: 'The uuid of the Restore transaction written beside the new manifest' })) },
  { $id: 'LanceRestoreTableResponse' },
);
export type LanceRestoreTableResponse = Static<typeof LanceRestoreTableResponse>;

export const LanceFieldMetadataUpdate = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      description:
        'The field: its top-level name, or a nested one\'s path from the top, segments joined by "." (a segment holding "." or "`" quoted in backticks, a backtick in it doubled)',
    }),
    metadata: Type.Record(Type.String(), Nullable(Type.String()), { description: 'Keys to set; a null value deletes that key' }),
    replace: Type.Optional(Type.Boolean({ description: "true: the field's metadata becomes exactly these keys (default: merged into it)" })),
  },
  { $id: 'LanceFieldMetadataUpdate' },
);
export type LanceFieldMetadataUpdate = Static<typeof LanceFieldMetadataUpdate>;

export const LanceUpdateFieldMetadataRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    branch,
    updates: Type.Array(Type.Ref(LanceFieldMetadataUpdate), { minItems: 1, maxItems: 1000, description: 'Applied in order, in one new version' }),
  },
  {
    $id: 'LanceUpdateFieldMetadataRequest',
    description: 'Changes field metadata of a table of catalog-managed versions: one new version, written by the catalog through the Lance library',
  },
);
export type LanceUpdateFieldMetadataRequest = Static<typeof LanceUpdateFieldMetadataRequest>;

export const LanceUpdateFieldMetadataResponse = Type.Object(
  {
    version: Int64({ description: 'The version the change was committed as (through CreateTableVersion)' }),
    fields: Type.Record(Type.String(), StringMap(), { description: "Each updated field's metadata after the change, by its canonical path" }),
  },
  { $id: 'LanceUpdateFieldMetadataResponse' },
);
export type LanceUpdateFieldMetadataResponse = Static<typeof LanceUpdateFieldMetadataResponse>;

export const LanceAddColumnsEntry = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'The new column' }),
    expression: Type.Optional(Nullable(Type.String({ description: 'A SQL expression evaluated once over the existing rows (rows appended later read null)' }))),
    computed: Type.Optional(
      Nullable(
        Type.String({
          description: 'A SQL expression declaring a computed column: added all-null, the expression kept as its binding; rows are filled by a refresh',
        }),
      ),
    ),
    virtual_column: Type.Optional(Nullable(Type.Unknown({ description: 'A UDF-backed virtual column: not served (406)' }))),
  },
  { $id: 'LanceAddColumnsEntry', description: 'One new column: exactly one of expression, computed or virtual_column' },
);
export type LanceAddColumnsEntry = Static<typeof LanceAddColumnsEntry>;

export const LanceAlterTableAddColumnsRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    branch,
    new_columns: Type.Array(Type.Ref(LanceAddColumnsEntry), { minItems: 1, maxItems: 100, description: 'Added in one new version' }),
  },
  {
    $id: 'LanceAlterTableAddColumnsRequest',
    description: 'Adds columns to a table of catalog-managed versions: one new version, written by the catalog through the Lance library',
  },
);
export type LanceAlterTableAddColumnsRequest = Static<typeof LanceAlterTableAddColumnsRequest>;

export const LanceAlterTableAddColumnsResponse = Type.Object(
  { version: Int64({ description: 'The version the new columns were committed as (through CreateTableVersion)' }) },
  { $id: 'LanceAlterTableAddColumnsResponse' },
);
export type LanceAlterTableAddColumnsResponse = Static<typeof LanceAlterTableAddColumnsResponse>;

/** Named schemas of this file. */
export const LANCE_VERSION_SCHEMAS = [
  LanceTableVersion,
  LanceCreateTableVersionRequest,
  LanceCreateTableVersionResponse,
  LanceListTableVersionsRequest,
  LanceListTableVersionsResponse,
  LanceDescribeTableVersionRequest,
  LanceDescribeTableVersionResponse,
  LanceVersionRange,
  LanceBatchDeleteTableVersionsRequest,
  LanceBatchDeleteTableVersionsResponse,
  LanceRenameTableRequest,
  LanceTransactionResponse,
  LanceRestoreTableRequest,
  LanceRestoreTableResponse,
  LanceFieldMetadataUpdate,
  LanceUpdateFieldMetadataRequest,
  LanceUpdateFieldMetadataResponse,
  LanceAddColumnsEntry,
  LanceAlterTableAddColumnsRequest,
  LanceAlterTableAddColumnsResponse,
];

/**
 * Bodies of the Lance materialized view operations and AlterTableBackfillColumns (lance-namespace 0.13). Lakegate stores
 * a view's definition (CreateMaterializedView); running its query or a column's computation needs an engine the catalog
 * does not have, so RefreshMaterializedView, CreateMaterializedView with `with_no_data: false` or `auto_refresh: true`,
 * and AlterTableBackfillColumns answer 406 with code 0 (Unsupported). Fields the spec lets be null are Nullable, as
 * the generated clients send them.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, OpaqueObject, StringEnum } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';
import { LANCE_COMMON_BODY } from './common.js';

/** The kinds of materialized view of the spec. */
export const LANCE_MATERIALIZED_VIEW_KINDS = ['query', 'udtf', 'chunker'] as const;
export type LanceMaterializedViewKind = (typeof LANCE_MATERIALIZED_VIEW_KINDS)[number];

const FieldPath = Type.String({ minLength: 1, description: 'A Lance field path (dot-separated segments; backtick-quoted for literal dots)' });

export const LanceMaterializedViewUdtfEntry = Type.Object(
  {
    kind: StringEnum(['udtf', 'chunker'] as const, { description: "Must equal the request's kind" }),
    udtf: Type.String({ minLength: 1, description: 'Base64-encoded UDTFSpec / ChunkerSpec JSON envelope' }),
    udtf_sha: Type.String({ description: 'The SHA-256 (hex) of the base64 text in udtf; checked' }),
    udtf_name: Type.String({ minLength: 1 }),
    udtf_version: Type.String({ minLength: 1 }),
    input_columns: Type.Optional(Nullable(Type.Array(FieldPath, { description: 'Null: every field (batch UDTF only)' }))),
    partition_by: Type.Optional(Nullable(FieldPath)),
    partition_by_indexed_column: Type.Optional(Nullable(FieldPath)),
    num_cpus: Type.Optional(Nullable(Type.Number())),
    num_gpus: Type.Optional(Nullable(Type.Number())),
    memory: Type.Optional(Nullable(Int64({ description: 'Bytes' }))),
    error_handling: Type.Optional(Nullable(OpaqueObject({ description: 'Batch UDTF only: a serialized ErrorHandlingConfig' }))),
    batch: Type.Optional(Nullable(Type.Boolean({ description: 'Chunker only' }))),
    manifest: Type.Optional(Nullable(Type.String({ description: 'JSON-serialized GenevaManifest' }))),
    manifest_checksum: Type.Optional(Nullable(Type.String())),
  },
  { $id: 'LanceMaterializedViewUdtfEntry', description: 'The UDTF of a udtf or chunker view; stored as given' },
);
export type LanceMaterializedViewUdtfEntry = Static<typeof LanceMaterializedViewUdtfEntry>;

export const LanceCreateMaterializedViewRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    kind: StringEnum(LANCE_MATERIALIZED_VIEW_KINDS, { description: 'query (1:1 rows), udtf (N:M rows) or chunker (1:N rows)' }),
    source_query: Type.String({ minLength: 1, description: "The view's source query, serialized by the client; stored without being interpreted" }),
    output_schema: Type.String({ minLength: 1, description: "The view's output Arrow schema, base64-encoded" }),
    udtf_spec: Type.Optional(Nullable(Type.Ref(LanceMaterializedViewUdtfEntry, { description: 'Required for udtf and chunker views; none for query' }))),
    with_no_data: Type.Optional(
      Type.Boolean({ description: 'Default true: the view is declared with no data. false (an initial refresh now) is not supported (406)' }),
    ),
    auto_refresh: Type.Optional(Nullable(Type.Boolean({ description: 'Default false. true (refresh when the source changes) is not supported (406)' }))),
  },
  { $id: 'LanceCreateMaterializedViewRequest' },
);
export type LanceCreateMaterializedViewRequest = Static<typeof LanceCreateMaterializedViewRequest>;

export const LanceCreateMaterializedViewResponse = Type.Object(
  {
    version: Int64({ description: '0: the view is declared and holds no version of data yet' }),
    job_id: Type.Optional(Type.String({ description: 'Never answered: no refresh job is started' })),
  },
  { $id: 'LanceCreateMaterializedViewResponse' },
);
export type LanceCreateMaterializedViewResponse = Static<typeof LanceCreateMaterializedViewResponse>;

const nullableInt = (description?: string) => Type.Optional(Nullable(Int64(description ? { description } : {})));

export const LanceRefreshMaterializedViewRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    src_version: nullableInt('The source version to refresh from'),
    max_rows_per_fragment: nullableInt(),
    concurrency: nullableInt(),
    intra_applier_concurrency: nullableInt(),
    source_task_size: nullableInt(),
    cluster: Type.Optional(Nullable(Type.String())),
    output_limit: nullableInt('Chunker views only'),
    manifest: Type.Optional(Nullable(Type.String())),
  },
  { $id: 'LanceRefreshMaterializedViewRequest', description: 'Not supported (406): the catalog runs no query engine' },
);
export type LanceRefreshMaterializedViewRequest = Static<typeof LanceRefreshMaterializedViewRequest>;

export const LanceAlterTableBackfillColumnsRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    branch: Type.Optional(Type.String()),
    column: Type.String({ minLength: 1, description: 'The Lance field path of the computed or virtual column' }),
    where: Type.Optional(Nullable(Type.String())),
    concurrency: nullableInt(),
    intra_applier_concurrency: nullableInt(),
    min_checkpoint_size: nullableInt(),
    max_checkpoint_size: nullableInt(),
    batch_checkpoint_flush_interval_seconds: Type.Optional(Nullable(Type.Number())),
    read_version: nullableInt(),
    task_size: nullableInt(),
    num_frags: nullableInt(),
    checkpoint_size: nullableInt(),
    commit_granularity: nullableInt(),
    cluster: Type.Optional(Nullable(Type.String())),
    manifest: Type.Optional(Nullable(Type.String())),
  },
  { $id: 'LanceAlterTableBackfillColumnsRequest', description: "Not supported (406): computing a column's values needs an engine" },
);
export type LanceAlterTableBackfillColumnsRequest = Static<typeof LanceAlterTableBackfillColumnsRequest>;

export const LanceJobResponse = Type.Object(
  { job_id: Type.String() },
  { $id: 'LanceJobResponse', description: "The spec's answer of RefreshMaterializedView and AlterTableBackfillColumns; Lakegate starts no jobs" },
);
export type LanceJobResponse = Static<typeof LanceJobResponse>;

/** Named schemas of this file. */
export const LANCE_MATERIALIZED_VIEW_SCHEMAS = [
  LanceMaterializedViewUdtfEntry,
  LanceCreateMaterializedViewRequest,
  LanceCreateMaterializedViewResponse,
  LanceRefreshMaterializedViewRequest,
  LanceAlterTableBackfillColumnsRequest,
  LanceJobResponse,
];

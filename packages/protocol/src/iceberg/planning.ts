/**
 * Server-side scan planning (Iceberg REST 1.11: planTableScan, fetchPlanningResult, cancelPlanning,
 * fetchScanTasks). Shapes as rest-catalog-open-api.yaml defines them (PlanTableScanRequest, ScanTasks,
 * CompletedPlanningWithIDResult, FileScanTask, DataFile/DeleteFile), with storage-credentials in the planning
 * result (apache/iceberg#14563). The filter is the spec's expression JSON; the server binds it to the table's
 * schema and answers 400 with the reason for anything it cannot bind, so the schema here only says "JSON".
 */
import { type Static, Type } from '@sinclair/typebox';
import { ExpressionJson } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';
import { ErrorModel } from './common.js';
import { StorageCredential } from './tables.js';

const FieldName = Type.String({ description: 'A full field name (nested fields joined by ".")' });

export const PlanTableScanRequest = Type.Object(
  {
    'snapshot-id': Type.Optional(
      Int64({ description: 'The snapshot of a point-in-time scan (default: the current snapshot of main; a branch or tag is read through its snapshot id)' }),
    ),
    select: Type.Optional(Type.Array(FieldName, { description: 'Selected columns (checked against the schema)' })),
    filter: Type.Optional(ExpressionJson({ description: "The row filter, in the spec's Expression JSON (a boolean or an expression object)" })),
    'min-rows-requested': Type.Optional(Int64({ description: 'A hint; the server may return more rows' })),
    'case-sensitive': Type.Optional(Type.Boolean({ default: true })),
    'use-snapshot-schema': Type.Optional(
      Type.Boolean({ default: false, description: 'Bind the filter to the schema of the snapshot instead of the current one' }),
    ),
    'start-snapshot-id': Type.Optional(Int64({ description: 'Incremental append scan: the start (exclusive); must be an ancestor of end-snapshot-id' })),
    'end-snapshot-id': Type.Optional(Int64({ description: 'Incremental append scan: the end (inclusive); required with start-snapshot-id' })),
    'stats-fields': Type.Optional(Type.Array(FieldName, { description: 'Columns whose statistics the data files carry in the answer (none when absent)' })),
  },
  { $id: 'PlanTableScanRequest' },
);
export type PlanTableScanRequest = Static<typeof PlanTableScanRequest>;

const CountMap = Type.Object({ keys: Type.Array(Type.Integer()), values: Type.Array(Int64()) });
const ValueMap = Type.Object({ keys: Type.Array(Type.Integer()), values: Type.Array(Type.Unknown()) });

const contentFileProperties = {
  'file-path': Type.String(),
  'file-format': Type.String({ description: 'avro, orc, parquet or puffin' }),
  'spec-id': Type.Integer(),
  partition: Type.Array(Type.Unknown(), { description: "Partition values in the order of the spec's fields, in the spec's single-value JSON" }),
  'file-size-in-bytes': Int64(),
  'record-count': Int64(),
  'key-metadata': Type.Optional(Type.String({ description: 'Uppercase hex' })),
  'split-offsets': Type.Optional(Type.Array(Int64())),
  'sort-order-id': Type.Optional(Type.Integer()),
};

export const DataFile = Type.Object(
  {
    content: Type.Literal('data'),
    ...contentFileProperties,
    'first-row-id': Type.Optional(Int64()),
    'column-sizes': Type.Optional(CountMap),
    'value-counts': Type.Optional(CountMap),
    'null-value-counts': Type.Optional(CountMap),
    'nan-value-counts': Type.Optional(CountMap),
    'lower-bounds': Type.Optional(ValueMap),
    'upper-bounds': Type.Optional(ValueMap),
  },
  { $id: 'DataFile' },
);
export type DataFile = Static<typeof DataFile>;

export const DeleteFile = Type.Object(
  {
    content: Type.Union([Type.Literal('position-deletes'), Type.Literal('equality-deletes')]),
    ...contentFileProperties,
    'referenced-data-file': Type.Optional(Type.String()),
    'content-offset': Type.Optional(Int64()),
    'content-size-in-bytes': Type.Optional(Int64()),
    'equality-ids': Type.Optional(Type.Array(Type.Integer())),
  },
  { $id: 'DeleteFile' },
);
export type DeleteFile = Static<typeof DeleteFile>;

export const FileScanTask = Type.Object(
  {
    'data-file': Type.Ref(DataFile),
    'delete-file-references': Type.Optional(Type.Array(Type.Integer({ minimum: 0 }), { description: 'Indices into delete-files of the same answer' })),
    'residual-filter': Type.Optional(
      Type.Unknown({ description: 'The filter rows of this file must still pass (Lakegate returns the bound original filter)' }),
    ),
  },
  { $id: 'FileScanTask' },
);
export type FileScanTask = Static<typeof FileScanTask>;

const scanTasks = {
  'delete-files': Type.Optional(Type.Array(Type.Ref(DeleteFile))),
  'file-scan-tasks': Type.Optional(Type.Array(Type.Ref(FileScanTask))),
  'plan-tasks': Type.Optional(Type.Array(Type.String(), { description: 'Opaque, sealed units of planning work for fetchScanTasks' })),
};

export const PlanTableScanResult = Type.Object(
  {
    status: Type.Union([Type.Literal('completed'), Type.Literal('submitted')], {
      description:
        "completed; submitted (with plan-id) only for scans above the server's planningAsyncManifests, off by default since PyIceberg 0.12 refuses submitted",
    }),
    'plan-id': Type.Optional(Type.String()),
    ...scanTasks,
    'storage-credentials': Type.Optional(Type.Array(Type.Ref(StorageCredential), { description: 'Read-only credentials for the files of the plan' })),
  },
  { $id: 'PlanTableScanResult' },
);
export type PlanTableScanResult = Static<typeof PlanTableScanResult>;

export const FetchPlanningResult = Type.Object(
  {
    status: Type.Union([Type.Literal('completed'), Type.Literal('submitted'), Type.Literal('cancelled'), Type.Literal('failed')]),
    ...scanTasks,
    error: Type.Optional(Type.Ref(ErrorModel, { description: 'Why a failed plan failed (status failed)' })),
    'storage-credentials': Type.Optional(Type.Array(Type.Ref(StorageCredential))),
  },
  { $id: 'FetchPlanningResult' },
);
export type FetchPlanningResult = Static<typeof FetchPlanningResult>;

export const FetchScanTasksRequest = Type.Object({ 'plan-task': Type.String({ minLength: 1 }) }, { $id: 'FetchScanTasksRequest' });
export type FetchScanTasksRequest = Static<typeof FetchScanTasksRequest>;

export const FetchScanTasksResult = Type.Object(scanTasks, {
  $id: 'FetchScanTasksResult',
  description: 'The spec gives it no storage-credentials: those of the planning result (or loadCredentials) cover every file',
});
export type FetchScanTasksResult = Static<typeof FetchScanTasksResult>;

export const ICEBERG_PLANNING_SCHEMAS = [
  PlanTableScanRequest,
  DataFile,
  DeleteFile,
  FileScanTask,
  PlanTableScanResult,
  FetchPlanningResult,
  FetchScanTasksRequest,
  FetchScanTasksResult,
];

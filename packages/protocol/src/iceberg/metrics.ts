/**
 * Metrics reports (`POST …/tables/{table}/metrics`): a scan or commit report of an engine. Lakegate stores
 * reports as sent; only the fields that identify a report are checked.
 */
import { type Static, Type } from '@sinclair/typebox';
import { AnyButNull, Dictionary, StringMap } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';

/** A counter (`unit`, `value`) or a timer (`time-unit`, `count`, `total-duration`). */
export const MetricResult = Type.Union(
  [
    Type.Object({ unit: Type.String(), value: Int64() }, { title: 'CounterResult' }),
    Type.Object({ 'time-unit': Type.String(), count: Int64(), 'total-duration': Int64() }, { title: 'TimerResult' }),
  ],
  { $id: 'MetricResult' },
);
export type MetricResult = Static<typeof MetricResult>;

export const ReportMetricsRequest = Type.Object(
  {
    'report-type': Type.String({ examples: ['scan-report', 'commit-report'] }),
    'table-name': Type.Optional(Type.String()),
    'snapshot-id': Type.Optional(Int64()),
    'sequence-number': Type.Optional(Int64()),
    operation: Type.Optional(Type.String()),
    'schema-id': Type.Optional(Type.Integer()),
    'projected-field-ids': Type.Optional(Type.Array(Type.Integer())),
    'projected-field-names': Type.Optional(Type.Array(Type.String())),
    filter: Type.Optional(AnyButNull({ description: 'The scan filter expression, stored as the engine sent it' })),
    metrics: Type.Optional(Dictionary(Type.Ref(MetricResult))),
    metadata: Type.Optional(StringMap()),
  },
  { $id: 'ReportMetricsRequest' },
);
export type ReportMetricsRequest = Static<typeof ReportMetricsRequest>;

/** Named schemas of this file. */
export const ICEBERG_METRICS_SCHEMAS = [MetricResult, ReportMetricsRequest];

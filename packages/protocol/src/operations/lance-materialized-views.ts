/**
 * The Lance materialized view operations and AlterTableBackfillColumns (lance-namespace 0.13), at /lance/{prefix}/v1/….
 * The catalog stores a view's definition as a declared Lance table (listed, described and dropped as tables are); what
 * needs an engine to run a query or compute a column answers 406 with code 0 (Unsupported), after the request is
 * validated and authorized and the object found.
 */
import { Type } from '@sinclair/typebox';
import {
  LanceAlterTableBackfillColumnsRequest,
  LanceCreateMaterializedViewRequest,
  LanceCreateMaterializedViewResponse,
  LanceJobResponse,
  LanceRefreshMaterializedViewRequest,
} from '../lance/materialized-views.js';
import { lance } from './lance.js';

export const LANCE_MATERIALIZED_VIEW_OPERATIONS = [
  lance({
    operationId: 'lanceCreateMaterializedView',
    method: 'POST',
    path: '/materialized_view/{id}/create',
    status: 201,
    summary:
      "Create a materialized view: its definition (kind, source query, output schema, UDTF) is stored on a declared Lance table with no data; DescribeTable answers it in the table's properties (materialized_view.*). An initial refresh (with_no_data false) or auto_refresh is not supported (406)",
    body: LanceCreateMaterializedViewRequest,
    response: { description: 'Created, with no data (version 0)', schema: Type.Ref(LanceCreateMaterializedViewResponse) },
    errors: [404, 406, 409],
  }),
  lance({
    operationId: 'lanceRefreshMaterializedView',
    method: 'POST',
    path: '/materialized_view/{id}/refresh',
    status: 202,
    summary:
      'Not supported (406 after the view is found and the caller authorized): the catalog stores definitions and runs no query engine; the engine that computes the view (e.g. LanceDB or Geneva) writes its data and commits its versions as a client',
    body: LanceRefreshMaterializedViewRequest,
    response: { description: 'Never answered', schema: Type.Ref(LanceJobResponse) },
    errors: [404, 406],
  }),
  lance({
    operationId: 'lanceAlterTableBackfillColumns',
    method: 'POST',
    path: '/table/{id}/backfill_column',
    status: 202,
    summary:
      "Not supported (406 after the table is found and the caller authorized): computing a column's values needs an engine; the client that computes them writes the data and commits the version",
    body: LanceAlterTableBackfillColumnsRequest,
    response: { description: 'Never answered', schema: Type.Ref(LanceJobResponse) },
    errors: [404, 406],
  }),
];

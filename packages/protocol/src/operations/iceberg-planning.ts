/** Iceberg REST: server-side scan planning (1.11): plan, fetch or cancel a plan, expand a plan task. */
import { Type } from '@sinclair/typebox';
import { FetchPlanningResult, FetchScanTasksRequest, FetchScanTasksResult, PlanTableScanRequest, PlanTableScanResult } from '../iceberg/planning.js';
import { AccessDelegationHeader, NamespaceParam, Prefix, TableParam } from './iceberg-parameters.js';
import { defineOperation, jsonBody, parameters } from './types.js';

const tags = ['Catalog API'];
const PlanIdParam = Type.String({ description: 'The plan-id planTableScan answered' });
const tablePath = parameters({ prefix: Prefix, namespace: NamespaceParam, table: TableParam });
const planPath = parameters({ prefix: Prefix, namespace: NamespaceParam, table: TableParam, 'plan-id': PlanIdParam });

export const ICEBERG_PLANNING_OPERATIONS = [
  defineOperation({
    operationId: 'planTableScan',
    surface: 'iceberg',
    method: 'POST',
    path: '/v1/{prefix}/namespaces/{namespace}/tables/{table}/plan',
    summary: 'Plan a scan of the table on the server',
    description:
      "Needs table:read-data. Answers completed: the file scan tasks of a small scan, or sealed plan-tasks (bound to the caller, the table and an expiry) that fetchScanTasks expands, each covering a bounded range of manifests. Bad input (unknown column, a literal of the wrong type, a malformed expression, an unknown snapshot, a start snapshot that is not an ancestor of the end) is 400 with the reason; a manifest that cannot be read is 422. storage-credentials are read-only and scoped to the table's location.",
    tags,
    params: tablePath,
    headers: [AccessDelegationHeader],
    body: jsonBody(PlanTableScanRequest),
    responses: { 200: { description: 'The plan (completed)', schema: Type.Ref(PlanTableScanResult) } },
    errors: [404, 422],
    security: 'authenticated',
    advertised: true,
  }),
  defineOperation({
    operationId: 'fetchPlanningResult',
    surface: 'iceberg',
    method: 'GET',
    path: '/v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}',
    summary: 'Fetch the result of a plan',
    description:
      "Only the principal that made the plan may fetch it; an unknown, expired, cancelled or another principal's plan id is 404 (NoSuchPlanIdException).",
    tags,
    params: planPath,
    headers: [AccessDelegationHeader],
    responses: { 200: { description: 'The plan', schema: Type.Ref(FetchPlanningResult) } },
    errors: [404],
    security: 'authenticated',
    advertised: true,
  }),
  defineOperation({
    operationId: 'cancelPlanning',
    surface: 'iceberg',
    method: 'DELETE',
    path: '/v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}',
    summary: 'Cancel a plan and release what the server holds for it',
    description:
      "Its plan tasks are refused afterwards (on the server process that holds the plan). An unknown, expired or another principal's plan id is 404.",
    tags,
    params: planPath,
    responses: { 204: { description: 'Cancelled' } },
    errors: [404],
    security: 'authenticated',
    advertised: true,
  }),
  defineOperation({
    operationId: 'fetchScanTasks',
    surface: 'iceberg',
    method: 'POST',
    path: '/v1/{prefix}/namespaces/{namespace}/tables/{table}/tasks',
    summary: 'Expand a plan task into file scan tasks',
    description:
      'Needs table:read-data now (a revoked grant stops it). A plan task the server did not hand out to this caller for this table, or an expired one, is 404 (NoSuchPlanTaskException).',
    tags,
    params: tablePath,
    body: jsonBody(FetchScanTasksRequest),
    responses: { 200: { description: 'File scan tasks (and maybe further plan tasks)', schema: Type.Ref(FetchScanTasksResult) } },
    errors: [404, 422],
    security: 'authenticated',
    advertised: true,
  }),
];

/**
 * Server-side scan planning of an Iceberg REST catalog (planTableScan, fetchPlanningResult, cancelPlanning,
 * fetchScanTasks), called through IcebergRestCatalog (catalog.ts), which lends its negotiated config and transport.
 */
import { CatalogError } from '../errors.js';
import type { NegotiatedConfig } from './negotiated-config.js';
import type { TransportRequest } from '../transport/http-transport.js';
import type { AccessDelegation, FetchPlanningResult, FetchScanTasksResult, PlanTableScanRequest, PlanTableScanResult, TableIdentifier } from './types.js';

/** @internal what the catalog lends its operation modules (planning.ts, functions.ts). */
export interface CatalogCalls {
  negotiated(): Promise<NegotiatedConfig>;
  send<T>(request: Omit<TransportRequest, 'errorModel'> & { mutation?: boolean }): Promise<{ body: T }>;
}

export interface AwaitPlanOptions {
  pollMs?: number;
  signal?: AbortSignal;
  accessDelegation?: AccessDelegation;
}

export function delegationHeader(mode: AccessDelegation | undefined): Record<string, string> {
  return mode ? { 'x-iceberg-access-delegation': mode } : {};
}

/** Asks the server to plan a scan (planTableScan): file scan tasks, or plan tasks to expand with {@link fetchScanTasks}. */
export async function planTableScan(
  calls: CatalogCalls,
  identifier: TableIdentifier,
  request: PlanTableScanRequest = {},
  options: { accessDelegation?: AccessDelegation } = {},
): Promise<PlanTableScanResult> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan', 'planTableScan');
  const { body } = await calls.send<PlanTableScanResult>({
    method: 'POST',
    path: `${c.tablePath(identifier)}/plan`,
    body: request,
    headers: delegationHeader(options.accessDelegation),
    mutation: true,
  });
  return body;
}

/** The result of a plan this caller made (fetchPlanningResult); `submitted` while the server still plans it. */
export async function fetchPlanningResult(
  calls: CatalogCalls,
  identifier: TableIdentifier,
  planId: string,
  options: { accessDelegation?: AccessDelegation } = {},
): Promise<FetchPlanningResult> {
  const c = await calls.negotiated();
  c.require('GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}', 'fetchPlanningResult');
  return (
    await calls.send<FetchPlanningResult>({
      method: 'GET',
      path: `${c.tablePath(identifier)}/plan/${encodeURIComponent(planId)}`,
      headers: delegationHeader(options.accessDelegation),
    })
  ).body;
}

/**
 * A plan, completed: a `submitted` (async) plan is fetched again every `pollMs` (doubling up to 2 s) until the
 * server finishes it. A `failed` plan throws the server's error as a CatalogError; aborting `signal` stops
 * waiting and cancels the plan on the server.
 */
export async function awaitPlan(
  calls: CatalogCalls,
  identifier: TableIdentifier,
  plan: PlanTableScanResult | FetchPlanningResult,
  options: AwaitPlanOptions = {},
): Promise<PlanTableScanResult | FetchPlanningResult> {
  let current = plan;
  const planId = (plan as PlanTableScanResult)['plan-id'];
  let wait = options.pollMs ?? 100;
  while (current.status === 'submitted') {
    if (planId === undefined) throw new TypeError('a submitted plan has no plan-id');
    if (options.signal?.aborted) {
      await cancelPlanning(calls, identifier, planId);
      throw options.signal.reason ?? new Error('aborted');
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, 2000);
    current = await fetchPlanningResult(calls, identifier, planId, options.accessDelegation ? { accessDelegation: options.accessDelegation } : {});
  }
  if (current.status === 'failed') {
    const error = (current as FetchPlanningResult).error;
    throw new CatalogError({
      message: error?.message ?? 'the plan failed',
      status: error?.code ?? 0,
      type: error?.type ?? 'PlanningFailed',
      protocol: 'iceberg',
      request: `plan ${planId ?? ''}`,
    });
  }
  return current;
}

/** Tells the server a plan is no longer needed (cancelPlanning). */
export async function cancelPlanning(calls: CatalogCalls, identifier: TableIdentifier, planId: string): Promise<void> {
  const c = await calls.negotiated();
  c.require('DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}', 'cancelPlanning');
  await calls.send({ method: 'DELETE', path: `${c.tablePath(identifier)}/plan/${encodeURIComponent(planId)}`, mutation: true });
}

/** Expands one plan task into file scan tasks (and maybe further plan tasks). */
export async function fetchScanTasks(calls: CatalogCalls, identifier: TableIdentifier, planTask: string): Promise<FetchScanTasksResult> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/tasks', 'fetchScanTasks');
  return (await calls.send<FetchScanTasksResult>({ method: 'POST', path: `${c.tablePath(identifier)}/tasks`, body: { 'plan-task': planTask }, mutation: true }))
    .body;
}

/**
 * Every page of file scan tasks of a completed plan, following its plan tasks one at a time (each page's
 * `delete-file-references` index that page's `delete-files`).
 */
export async function* scanTaskPages(
  calls: CatalogCalls,
  identifier: TableIdentifier,
  plan: PlanTableScanResult | FetchPlanningResult,
): AsyncGenerator<FetchScanTasksResult> {
  if (plan.status !== 'completed') throw new TypeError(`the plan is ${plan.status}, not completed`);
  const { 'plan-tasks': first = [], ...page } = plan;
  yield { 'file-scan-tasks': page['file-scan-tasks'] ?? [], ...(page['delete-files'] ? { 'delete-files': page['delete-files'] } : {}) };
  const pending = [...first];
  while (pending.length > 0) {
    const { 'plan-tasks': more = [], ...tasks } = await fetchScanTasks(calls, identifier, pending.shift()!);
    pending.push(...more);
    yield tasks;
  }
}

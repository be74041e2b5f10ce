/**
 * Table operations of an Iceberg REST catalog beyond create, load and commit (which stay in catalog.ts with the
 * staged create they share): drop, rename, register, credentials, metrics reports and multi-table transactions.
 * Called through IcebergRestCatalog, which lends these its negotiated config and transport (as for views.ts).
 */
import type { CatalogCalls } from './planning.js';
import type { LoadCredentialsResponse, LoadTableResult, Namespace, TableChange, TableIdentifier } from './types.js';

export async function dropTable(calls: CatalogCalls, identifier: TableIdentifier, options: { purge?: boolean }): Promise<void> {
  const c = await calls.negotiated();
  c.require('DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}', 'dropTable');
  await calls.send({ method: 'DELETE', path: c.tablePath(identifier), query: { purgeRequested: options.purge ? 'true' : undefined }, mutation: true });
}

export async function renameTable(calls: CatalogCalls, from: TableIdentifier, to: TableIdentifier): Promise<void> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/tables/rename', 'renameTable');
  await calls.send({ method: 'POST', path: `${c.base}/tables/rename`, body: { source: from, destination: to }, mutation: true });
}

export async function registerTable(
  calls: CatalogCalls,
  namespace: Namespace,
  name: string,
  metadataLocation: string,
  options: { overwrite?: boolean },
): Promise<LoadTableResult> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/namespaces/{namespace}/register', 'registerTable');
  const body: Record<string, unknown> = { name, 'metadata-location': metadataLocation };
  if (options.overwrite) body['overwrite'] = true;
  const response = await calls.send<LoadTableResult>({ method: 'POST', path: `${c.namespacePath(namespace)}/register`, body, mutation: true });
  return response.body;
}

export async function loadCredentials(
  calls: CatalogCalls,
  identifier: TableIdentifier,
  options: { storageRefreshToken?: string; signal?: AbortSignal },
): Promise<LoadCredentialsResponse> {
  const c = await calls.negotiated();
  c.require('GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials', 'loadCredentials');
  const { body } = await calls.send<LoadCredentialsResponse>({
    method: 'GET',
    path: `${c.tablePath(identifier)}/credentials`,
    query: { storageRefreshToken: options.storageRefreshToken },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return body;
}

export async function reportMetrics(calls: CatalogCalls, identifier: TableIdentifier, report: Record<string, unknown>): Promise<void> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics', 'reportMetrics');
  await calls.send({ method: 'POST', path: `${c.tablePath(identifier)}/metrics`, body: report, mutation: true });
}

export async function commitTransaction(calls: CatalogCalls, changes: TableChange[]): Promise<void> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/transactions/commit', 'commitTransaction');
  await calls.send({ method: 'POST', path: `${c.base}/transactions/commit`, body: { 'table-changes': changes }, mutation: true });
}

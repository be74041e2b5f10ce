/**
 * Views of an Iceberg REST catalog: create, load, exists, replace, drop and rename, called through IcebergRestCatalog
 * (catalog.ts), which lends these its negotiated config and transport (as for functions.ts and planning.ts). Each call
 * first checks that the server advertises the endpoint in /v1/config (an UnsupportedOperationError otherwise).
 */
import { falseIfNotFound } from './found.js';
import type { CatalogCalls } from './planning.js';
import type { CreateViewRequest, LoadViewResult, Namespace, TableIdentifier, TableRequirement, TableUpdate } from './types.js';

export async function createView(calls: CatalogCalls, namespace: Namespace, request: CreateViewRequest): Promise<LoadViewResult> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/namespaces/{namespace}/views', 'createView');
  const { body } = await calls.send<LoadViewResult>({ method: 'POST', path: `${c.namespacePath(namespace)}/views`, body: request, mutation: true });
  return body;
}

export async function loadView(calls: CatalogCalls, identifier: TableIdentifier): Promise<LoadViewResult> {
  const c = await calls.negotiated();
  c.require('GET /v1/{prefix}/namespaces/{namespace}/views/{view}', 'loadView');
  const { body } = await calls.send<LoadViewResult>({ method: 'GET', path: c.viewPath(identifier) });
  return body;
}

/** HEAD when the server advertises it, otherwise a load. */
export async function viewExists(calls: CatalogCalls, identifier: TableIdentifier): Promise<boolean> {
  const c = await calls.negotiated();
  if (c.endpoints.has('HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}')) {
    return calls.send({ method: 'HEAD', path: c.viewPath(identifier) }).then(() => true, falseIfNotFound);
  }
  return loadView(calls, identifier).then(() => true, falseIfNotFound);
}

export async function replaceView(
  calls: CatalogCalls,
  identifier: TableIdentifier,
  change: { requirements?: TableRequirement[]; updates: TableUpdate[] },
): Promise<LoadViewResult> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/namespaces/{namespace}/views/{view}', 'replaceView');
  const { body } = await calls.send<LoadViewResult>({
    method: 'POST',
    path: c.viewPath(identifier),
    body: { identifier, requirements: change.requirements ?? [], updates: change.updates },
    mutation: true,
  });
  return body;
}

export async function dropView(calls: CatalogCalls, identifier: TableIdentifier): Promise<void> {
  const c = await calls.negotiated();
  c.require('DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}', 'dropView');
  await calls.send({ method: 'DELETE', path: c.viewPath(identifier), mutation: true });
}

export async function renameView(calls: CatalogCalls, from: TableIdentifier, to: TableIdentifier): Promise<void> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/views/rename', 'renameView');
  await calls.send({ method: 'POST', path: `${c.base}/views/rename`, body: { source: from, destination: to }, mutation: true });
}

/**
 * Namespaces of an Iceberg REST catalog: list, create, load, exists, update properties and drop, called through
 * IcebergRestCatalog (catalog.ts), which lends these its negotiated config and transport (as for views.ts). Each call
 * first checks that the server advertises the endpoint in /v1/config (an UnsupportedOperationError otherwise).
 */
import { falseIfNotFound } from './found.js';
import { pageQuery } from './paging.js';
import type { CatalogCalls } from './planning.js';
import type { Namespace, Page, PageOptions } from './types.js';

export async function listNamespaces(calls: CatalogCalls, parent: Namespace | undefined, page: PageOptions): Promise<Page<Namespace>> {
  const c = await calls.negotiated();
  c.require('GET /v1/{prefix}/namespaces', 'listNamespaces');
  const { body } = await calls.send<{ namespaces: Namespace[]; 'next-page-token'?: string | null }>({
    method: 'GET',
    path: `${c.base}/namespaces`,
    query: { parent: parent && parent.length ? c.encodeNamespace(parent, false) : undefined, ...pageQuery(page) },
  });
  return { items: body.namespaces, nextPageToken: body['next-page-token'] ?? undefined };
}

export async function createNamespace(
  calls: CatalogCalls,
  namespace: Namespace,
  properties: Record<string, string>,
): Promise<{ namespace: Namespace; properties: Record<string, string> }> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/namespaces', 'createNamespace');
  const { body } = await calls.send<{ namespace: Namespace; properties?: Record<string, string> }>({
    method: 'POST',
    path: `${c.base}/namespaces`,
    body: { namespace, properties },
    mutation: true,
  });
  return { namespace: body.namespace, properties: body.properties ?? {} };
}

export async function loadNamespace(calls: CatalogCalls, namespace: Namespace): Promise<Record<string, string>> {
  const c = await calls.negotiated();
  c.require('GET /v1/{prefix}/namespaces/{namespace}', 'loadNamespace');
  const { body } = await calls.send<{ properties?: Record<string, string> }>({ method: 'GET', path: c.namespacePath(namespace) });
  return body.properties ?? {};
}

/** HEAD when the server advertises it, otherwise a load. */
export async function namespaceExists(calls: CatalogCalls, namespace: Namespace): Promise<boolean> {
  const c = await calls.negotiated();
  if (c.endpoints.has('HEAD /v1/{prefix}/namespaces/{namespace}')) {
    return calls.send({ method: 'HEAD', path: c.namespacePath(namespace) }).then(() => true, falseIfNotFound);
  }
  return loadNamespace(calls, namespace).then(() => true, falseIfNotFound);
}

export async function updateNamespaceProperties(
  calls: CatalogCalls,
  namespace: Namespace,
  change: { updates?: Record<string, string>; removals?: string[] },
): Promise<{ updated: string[]; removed: string[]; missing: string[] }> {
  const c = await calls.negotiated();
  c.require('POST /v1/{prefix}/namespaces/{namespace}/properties', 'updateNamespaceProperties');
  const { body } = await calls.send<{ updated: string[]; removed: string[]; missing?: string[] | null }>({
    method: 'POST',
    path: `${c.namespacePath(namespace)}/properties`,
    body: { updates: change.updates ?? {}, removals: change.removals ?? [] },
    mutation: true,
  });
  return { updated: body.updated, removed: body.removed, missing: body.missing ?? [] };
}

export async function dropNamespace(calls: CatalogCalls, namespace: Namespace): Promise<void> {
  const c = await calls.negotiated();
  c.require('DELETE /v1/{prefix}/namespaces/{namespace}', 'dropNamespace');
  await calls.send({ method: 'DELETE', path: c.namespacePath(namespace), mutation: true });
}

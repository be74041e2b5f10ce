/**
 * Read-only functions (SQL UDFs) of an Iceberg REST catalog (apache/iceberg#15180): listFunctions and loadFunction,
 * called through IcebergRestCatalog (catalog.ts), which lends these its negotiated config and transport. A server that
 * does not advertise the endpoints in /v1/config gets no call (an UnsupportedOperationError).
 */
import type * as protocol from '@lakegate/protocol';
import type { NegotiatedConfig } from './negotiated-config.js';
import { pageQuery } from './paging.js';
import type { Namespace, Page, PageOptions, TableIdentifier } from './types.js';
import type { TransportRequest } from '../transport/http-transport.js';

/**
 * A loaded function: `metadata` (function-uuid, definitions with parameters, return type, versions and their SQL
 * bodies per dialect, the definition log).
 *
 * @example
 * ```ts
 * const { metadata } = await catalog.loadFunction({ namespace: ['db'], name: 'add_one' });
 * const spark = metadata.definitions[0]!.versions.at(-1)!.representations.find((r) => r.dialect === 'spark')?.sql;
 * ```
 */
export type LoadFunctionResult = protocol.LoadFunctionResult;
export type FunctionMetadata = protocol.FunctionMetadata;

/** @internal what the catalog lends. */
export interface FunctionCalls {
  negotiated(): Promise<NegotiatedConfig>;
  send<T>(request: Omit<TransportRequest, 'errorModel'>): Promise<{ body: T }>;
}

export async function listFunctions(calls: FunctionCalls, namespace: Namespace, page: PageOptions): Promise<Page<TableIdentifier>> {
  const c = await calls.negotiated();
  c.require('GET /v1/{prefix}/namespaces/{namespace}/functions', 'listFunctions');
  const { body } = await calls.send<protocol.ListFunctionsResponse>({ method: 'GET', path: `${c.namespacePath(namespace)}/functions`, query: pageQuery(page) });
  // The spec answers each function as its levels, the name last.
  return {
    items: body.identifiers.map((levels) => ({ namespace: levels.slice(0, -1), name: levels.at(-1) ?? '' })),
    nextPageToken: body['next-page-token'] ?? undefined,
  };
}

export async function loadFunction(calls: FunctionCalls, identifier: TableIdentifier): Promise<LoadFunctionResult> {
  const c = await calls.negotiated();
  c.require('GET /v1/{prefix}/namespaces/{namespace}/functions/{function}', 'loadFunction');
  const { body } = await calls.send<LoadFunctionResult>({
    method: 'GET',
    path: `${c.namespacePath(identifier.namespace)}/functions/${encodeURIComponent(identifier.name)}`,
  });
  return body;
}

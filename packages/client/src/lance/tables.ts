/**
 * Tables of a Lance REST namespace: list (one namespace, or the whole warehouse), describe, exists, declare,
 * register, drop, deregister and rename, called through LanceNamespace (namespace.ts), which lends these its delimiter
 * and transport (calls.ts).
 */
import type { Page } from '../iceberg/types.js';
import { falseIfNotFound, type LanceCalls, pageQuery } from './calls.js';
import type { DeclareTableResponse, DescribeTableResponse, RegisterTableMode, TableLocationResponse } from './types.js';

export async function listTables(calls: LanceCalls, namespace: string[], page: { limit?: number; pageToken?: string }): Promise<Page<string>> {
  const { body } = await calls.send<{ tables?: string[]; page_token?: string | null }>({
    method: 'GET',
    path: calls.path('namespace', namespace, 'table/list'),
    query: pageQuery(calls, page),
  });
  return { items: body?.tables ?? [], nextPageToken: body?.page_token ?? undefined };
}

/** ListAllTables: full ids joined by the delimiter on the wire, split here. */
export async function listAllTables(calls: LanceCalls, page: { limit?: number; pageToken?: string }): Promise<Page<string[]>> {
  const { body } = await calls.send<{ tables?: string[]; page_token?: string | null }>({ method: 'GET', path: 'v1/table', query: pageQuery(calls, page) });
  return { items: (body?.tables ?? []).map((id) => id.split(calls.delimiter)), nextPageToken: body?.page_token ?? undefined };
}

export interface DescribeTableOptions {
  vendCredentials?: boolean;
  withTableUri?: boolean;
  loadDetailedMetadata?: boolean;
  version?: number;
  /** Describe the version this tag names (not with `version` or `branch`). */
  tag?: string;
  /** Describe on this branch (default: main). */
  branch?: string;
  signal?: AbortSignal;
}

export async function describeTable(calls: LanceCalls, id: string[], options: DescribeTableOptions): Promise<DescribeTableResponse> {
  const body: Record<string, unknown> = { id };
  if (options.vendCredentials !== undefined) body['vend_credentials'] = options.vendCredentials;
  if (options.withTableUri !== undefined) body['with_table_uri'] = options.withTableUri;
  if (options.loadDetailedMetadata !== undefined) body['load_detailed_metadata'] = options.loadDetailedMetadata;
  if (options.version !== undefined) body['version'] = options.version;
  if (options.tag !== undefined) body['tag'] = options.tag;
  if (options.branch !== undefined) body['branch'] = options.branch;
  const response = await calls.send<DescribeTableResponse>({
    method: 'POST',
    path: calls.path('table', id, 'describe'),
    body,
    idempotent: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return response.body ?? {};
}

export async function tableExists(calls: LanceCalls, id: string[]): Promise<boolean> {
  return calls.send({ method: 'POST', path: calls.path('table', id, 'exists'), body: { id }, idempotent: true }).then(() => true, falseIfNotFound);
}

export async function declareTable(calls: LanceCalls, id: string[], options: { location?: string; vendCredentials?: boolean }): Promise<DeclareTableResponse> {
  const body: Record<string, unknown> = { id };
  if (options.location !== undefined) body['location'] = options.location;
  if (options.vendCredentials !== undefined) body['vend_credentials'] = options.vendCredentials;
  const response = await calls.send<DeclareTableResponse>({ method: 'POST', path: calls.path('table', id, 'declare'), body });
  return response.body ?? {};
}

export async function registerTable(
  calls: LanceCalls,
  id: string[],
  location: string,
  options: { mode?: RegisterTableMode; properties?: Record<string, string> },
): Promise<TableLocationResponse> {
  const response = await calls.send<TableLocationResponse>({
    method: 'POST',
    path: calls.path('table', id, 'register'),
    body: { id, location, ...(options.mode ? { mode: options.mode } : {}), ...(options.properties ? { properties: options.properties } : {}) },
  });
  return response.body ?? {};
}

/** Drop (`op: 'drop'`, the data too) or deregister (`op: 'deregister'`, the data stays). */
export async function removeTable(calls: LanceCalls, id: string[], op: 'drop' | 'deregister'): Promise<TableLocationResponse> {
  const response = await calls.send<TableLocationResponse>({ method: 'POST', path: calls.path('table', id, op), body: { id } });
  return response.body ?? {};
}

export async function renameTable(calls: LanceCalls, id: string[], newName: string, newNamespace: string[] | undefined): Promise<void> {
  await calls.send({
    method: 'POST',
    path: calls.path('table', id, 'rename'),
    body: { id, new_table_name: newName, ...(newNamespace ? { new_namespace_id: newNamespace } : {}) },
  });
}

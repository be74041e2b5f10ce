/**
 * Namespaces of a Lance REST namespace: list, create, describe, exists and drop, called through LanceNamespace
 * (namespace.ts), which lends these its delimiter and transport (calls.ts).
 */
import type { Page } from '../iceberg/types.js';
import { falseIfNotFound, type LanceCalls, pageQuery } from './calls.js';
import type { CreateNamespaceMode } from './types.js';

export async function listNamespaces(calls: LanceCalls, parent: string[], page: { limit?: number; pageToken?: string }): Promise<Page<string>> {
  const { body } = await calls.send<{ namespaces?: string[]; page_token?: string | null }>({
    method: 'GET',
    path: calls.path('namespace', parent, 'list'),
    query: pageQuery(calls, page),
  });
  return { items: body?.namespaces ?? [], nextPageToken: body?.page_token ?? undefined };
}

export async function createNamespace(
  calls: LanceCalls,
  id: string[],
  options: { mode?: CreateNamespaceMode; properties?: Record<string, string> },
): Promise<{ properties?: Record<string, string> | null }> {
  const { body } = await calls.send<{ properties?: Record<string, string> | null }>({
    method: 'POST',
    path: calls.path('namespace', id, 'create'),
    body: { id, ...(options.mode ? { mode: options.mode } : {}), ...(options.properties ? { properties: options.properties } : {}) },
  });
  return body ?? {};
}

export async function describeNamespace(calls: LanceCalls, id: string[]): Promise<{ properties?: Record<string, string> | null }> {
  const { body } = await calls.send<{ properties?: Record<string, string> | null }>({
    method: 'POST',
    path: calls.path('namespace', id, 'describe'),
    body: { id },
    idempotent: true,
  });
  return body ?? {};
}

export async function namespaceExists(calls: LanceCalls, id: string[]): Promise<boolean> {
  return calls.send({ method: 'POST', path: calls.path('namespace', id, 'exists'), body: { id }, idempotent: true }).then(() => true, falseIfNotFound);
}

export async function dropNamespace(calls: LanceCalls, id: string[], options: { mode?: 'fail' | 'skip'; behavior?: 'restrict' | 'cascade' }): Promise<void> {
  await calls.send({ method: 'POST', path: calls.path('namespace', id, 'drop'), body: { id, ...options } });
}

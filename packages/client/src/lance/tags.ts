/**
 * The tag operations of LanceNamespace (namespace.ts; lance-namespace 0.13): the dataset's tags (`_refs/tags/`), read
 * and written by the server through the Lance library, on every Lance table, registered datasets included.
 */
import type { LanceGetTableTagVersionResponse, LanceListTableTagsResponse, LanceTagContents } from '@lakegate/protocol';
import { type LanceCalls, pageQuery } from './calls.js';

export async function listTableTags(
  calls: LanceCalls,
  id: string[],
  page: { limit?: number; pageToken?: string },
): Promise<{ tags: Record<string, LanceTagContents>; nextPageToken: string | undefined }> {
  const { body } = await calls.send<LanceListTableTagsResponse>({
    method: 'POST',
    path: calls.path('table', id, 'tags/list'),
    query: pageQuery(calls, page),
    idempotent: true,
  });
  return { tags: body?.tags ?? {}, nextPageToken: body?.page_token || undefined };
}

export async function getTableTagVersion(calls: LanceCalls, id: string[], tag: string): Promise<{ version: number; branch?: string }> {
  const { body } = await calls.send<LanceGetTableTagVersionResponse>({
    method: 'POST',
    path: calls.path('table', id, 'tags/version'),
    body: { id, tag },
    idempotent: true,
  });
  return { version: Number(body?.version), ...(body?.branch !== undefined ? { branch: body.branch } : {}) };
}

export async function putTableTag(calls: LanceCalls, id: string[], tag: string, version: number, op: 'create' | 'update'): Promise<void> {
  await calls.send({ method: 'POST', path: calls.path('table', id, `tags/${op}`), body: { id, tag, version } });
}

export async function deleteTableTag(calls: LanceCalls, id: string[], tag: string): Promise<void> {
  await calls.send({ method: 'POST', path: calls.path('table', id, 'tags/delete'), body: { id, tag } });
}

/**
 * Versions and branches of a table whose versions the catalog manages (`managed_versioning`): create (one table or
 * several at once), list, describe, delete, restore, and list/create/delete branches; called through LanceNamespace
 * (namespace.ts), which lends these its delimiter and transport (calls.ts).
 */
import type {
  LanceBatchCreateTableVersionsResponse,
  LanceBatchDeleteTableVersionsResponse,
  LanceBranchContents,
  LanceCreateTableVersionResponse,
  LanceDescribeTableVersionResponse,
  LanceListTableBranchesResponse,
  LanceListTableVersionsResponse,
  LanceRestoreTableResponse,
  LanceTableVersion,
} from '@lakegate/protocol';
import type { Page } from '../iceberg/types.js';
import { type LanceCalls, pageQuery } from './calls.js';

export async function createTableVersion(
  calls: LanceCalls,
  id: string[],
  version: number,
  manifestPath: string,
  options: { manifestSize?: number; namingScheme?: 'V1' | 'V2'; metadata?: Record<string, string>; branch?: string },
): Promise<LanceTableVersion> {
  const body: Record<string, unknown> = { id, version, manifest_path: manifestPath };
  if (options.branch !== undefined) body['branch'] = options.branch;
  if (options.manifestSize !== undefined) body['manifest_size'] = options.manifestSize;
  if (options.namingScheme !== undefined) body['naming_scheme'] = options.namingScheme;
  if (options.metadata !== undefined) body['metadata'] = options.metadata;
  const response = await calls.send<LanceCreateTableVersionResponse>({ method: 'POST', path: calls.path('table', id, 'version/create'), body });
  return response.body!.version;
}

export async function listTableVersions(
  calls: LanceCalls,
  id: string[],
  page: { limit?: number; pageToken?: string; descending?: boolean },
): Promise<Page<LanceTableVersion>> {
  const { body } = await calls.send<LanceListTableVersionsResponse>({
    method: 'POST',
    path: calls.path('table', id, 'version/list'),
    query: { ...pageQuery(calls, page), descending: page.descending },
    idempotent: true,
  });
  return { items: body?.versions ?? [], nextPageToken: body?.page_token ?? undefined };
}

export async function describeTableVersion(calls: LanceCalls, id: string[], version: number | undefined): Promise<LanceTableVersion> {
  const response = await calls.send<LanceDescribeTableVersionResponse>({
    method: 'POST',
    path: calls.path('table', id, 'version/describe'),
    body: { id, ...(version === undefined ? {} : { version }) },
    idempotent: true,
  });
  return response.body!.version;
}

export async function deleteTableVersions(calls: LanceCalls, id: string[], ranges: Array<{ start: number; end: number }>): Promise<number> {
  const response = await calls.send<LanceBatchDeleteTableVersionsResponse>({
    method: 'POST',
    path: calls.path('table', id, 'version/delete'),
    body: { id, ranges: ranges.map((r) => ({ start_version: r.start, end_version: r.end })) },
  });
  return Number(response.body?.deleted_count ?? 0);
}

export async function restoreTable(calls: LanceCalls, id: string[], version: number): Promise<string | undefined> {
  const response = await calls.send<LanceRestoreTableResponse>({ method: 'POST', path: calls.path('table', id, 'restore'), body: { id, version } });
  return response.body?.transaction_id;
}

export async function batchCreateTableVersions(
  calls: LanceCalls,
  entries: Array<{ id: string[]; version: number; manifestPath: string; branch?: string; namingScheme?: 'V1' | 'V2' }>,
): Promise<LanceTableVersion[]> {
  const body = {
    entries: entries.map((e) => ({
      id: e.id,
      version: e.version,
      manifest_path: e.manifestPath,
      ...(e.branch !== undefined ? { branch: e.branch } : {}),
      ...(e.namingScheme ? { naming_scheme: e.namingScheme } : {}),
    })),
  };
  const response = await calls.send<LanceBatchCreateTableVersionsResponse>({ method: 'POST', path: 'v1/table/version/batch-create', body });
  return response.body?.versions ?? [];
}

export async function listTableBranches(
  calls: LanceCalls,
  id: string[],
  page: { limit?: number; pageToken?: string },
): Promise<{ branches: Record<string, LanceBranchContents>; nextPageToken: string | undefined }> {
  const { body } = await calls.send<LanceListTableBranchesResponse>({
    method: 'POST',
    path: calls.path('table', id, 'branches/list'),
    query: pageQuery(calls, page),
    idempotent: true,
  });
  return { branches: body?.branches ?? {}, nextPageToken: body?.page_token ?? undefined };
}

export async function createTableBranch(calls: LanceCalls, id: string[], name: string, from: { branch?: string; version?: number }): Promise<void> {
  await calls.send({
    method: 'POST',
    path: calls.path('table', id, 'branches/create'),
    body: {
      id,
      name,
      ...(from.branch !== undefined ? { from_branch: from.branch } : {}),
      ...(from.version !== undefined ? { from_version: from.version } : {}),
    },
  });
}

export async function deleteTableBranch(calls: LanceCalls, id: string[], name: string): Promise<void> {
  await calls.send({ method: 'POST', path: calls.path('table', id, 'branches/delete'), body: { id, name } });
}

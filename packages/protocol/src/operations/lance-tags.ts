/**
 * The Lance table tag operations (lance-namespace 0.13), at /lance/{prefix}/v1/table/{id}/tags/…. Tags live in the
 * dataset (`_refs/tags/`); the catalog reads and writes them through the Lance library, acting for the caller, on
 * every Lance table: one of catalog-managed versions and a registered dataset that manages its own.
 */
import { Type } from '@sinclair/typebox';
import { LanceContextResponse } from '../lance/branches.js';
import { LanceDelimiter } from '../lance/common.js';
import {
  LanceCreateTableTagRequest,
  LanceDeleteTableTagRequest,
  LanceGetTableTagVersionRequest,
  LanceGetTableTagVersionResponse,
  LanceListTableTagsRequest,
  LanceListTableTagsResponse,
  LanceUpdateTableTagRequest,
} from '../lance/tags.js';
import { parameters } from './types.js';
import { lance } from './lance.js';

export const LANCE_TAG_OPERATIONS = [
  lance({
    operationId: 'lanceListTableTags',
    method: 'POST',
    path: '/table/{id}/tags/list',
    summary: "List the tags of a table, read from the dataset's _refs/tags/ through the Lance library, in name order",
    body: LanceListTableTagsRequest,
    query: parameters({
      delimiter: Type.Optional(LanceDelimiter),
      page_token: Type.Optional(Type.String()),
      limit: Type.Optional(Type.Integer({ minimum: 0, description: 'The most tags in one page (at most 1000)' })),
    }),
    response: { description: 'A page of tags', schema: Type.Ref(LanceListTableTagsResponse) },
    errors: [404, 406],
  }),
  lance({
    operationId: 'lanceGetTableTagVersion',
    method: 'POST',
    path: '/table/{id}/tags/version',
    summary: 'The version (and branch) a tag of the table names',
    body: LanceGetTableTagVersionRequest,
    response: { description: 'The version', schema: Type.Ref(LanceGetTableTagVersionResponse) },
    errors: [404, 406],
  }),
  lance({
    operationId: 'lanceCreateTableTag',
    method: 'POST',
    path: '/table/{id}/tags/create',
    summary: "Create a tag naming a version of the table's main branch, written by the Lance library for the caller",
    body: LanceCreateTableTagRequest,
    response: { description: 'Created', schema: Type.Ref(LanceContextResponse) },
    errors: [404, 406, 409],
  }),
  lance({
    operationId: 'lanceUpdateTableTag',
    method: 'POST',
    path: '/table/{id}/tags/update',
    summary: "Move a tag to another version of the table's main branch",
    body: LanceUpdateTableTagRequest,
    response: { description: 'Updated', schema: Type.Ref(LanceContextResponse) },
    errors: [404, 406],
  }),
  lance({
    operationId: 'lanceDeleteTableTag',
    method: 'POST',
    path: '/table/{id}/tags/delete',
    summary: 'Delete a tag of the table (the version it named stays)',
    body: LanceDeleteTableTagRequest,
    response: { description: 'Deleted', schema: Type.Ref(LanceContextResponse) },
    errors: [404, 406],
  }),
];

/** The Lance table branch operations and BatchCreateTableVersions (lance-namespace 0.13), at /lance/{prefix}/v1/…. */
import { Type } from '@sinclair/typebox';
import {
  LanceBatchCreateTableVersionsRequest,
  LanceBatchCreateTableVersionsResponse,
  LanceContextResponse,
  LanceCreateTableBranchRequest,
  LanceDeleteTableBranchRequest,
  LanceListTableBranchesRequest,
  LanceListTableBranchesResponse,
} from '../lance/branches.js';
import { LanceDelimiter } from '../lance/common.js';
import { defineOperation, jsonBody, parameters } from './types.js';
import { lance } from './lance.js';

export const LANCE_BRANCH_OPERATIONS = [
  lance({
    operationId: 'lanceListTableBranches',
    method: 'POST',
    path: '/table/{id}/branches/list',
    summary: 'List the branches of a table of catalog-managed versions (those the catalog holds versions of), with the parent Lance recorded',
    body: LanceListTableBranchesRequest,
    query: parameters({
      delimiter: Type.Optional(LanceDelimiter),
      page_token: Type.Optional(Type.String()),
      limit: Type.Optional(Type.Integer({ minimum: 0, description: 'The most branches in one page (at most 1000)' })),
    }),
    response: { description: 'A page of branches', schema: Type.Ref(LanceListTableBranchesResponse) },
    errors: [404],
  }),
  lance({
    operationId: 'lanceCreateTableBranch',
    method: 'POST',
    path: '/table/{id}/branches/create',
    summary:
      "Create a branch of a table of catalog-managed versions from a version of another branch: Lance writes the branch's ref and first manifest, and that version is committed through CreateTableVersion",
    body: LanceCreateTableBranchRequest,
    response: { description: 'Created', schema: Type.Ref(LanceContextResponse) },
    errors: [404, 409],
  }),
  lance({
    operationId: 'lanceDeleteTableBranch',
    method: 'POST',
    path: '/table/{id}/branches/delete',
    summary: "Delete a branch: the catalog forgets its versions and Lance's ref; its files stay for Lance's cleanup",
    body: LanceDeleteTableBranchRequest,
    response: { description: 'Deleted', schema: Type.Ref(LanceContextResponse) },
    errors: [404],
  }),
  defineOperation({
    operationId: 'lanceBatchCreateTableVersions',
    surface: 'lance',
    method: 'POST',
    path: '/lance/{prefix}/v1/table/version/batch-create',
    summary: 'Create versions of several tables of catalog-managed versions atomically: all are recorded, or none',
    tags: ['Lance Namespace API'],
    params: parameters({ prefix: Type.String({ description: 'The warehouse (the Lance root namespace)' }) }),
    query: parameters({ delimiter: Type.Optional(LanceDelimiter) }),
    body: jsonBody(LanceBatchCreateTableVersionsRequest),
    responses: { 200: { description: 'The versions created, in the order of the entries', schema: Type.Ref(LanceBatchCreateTableVersionsResponse) } },
    errors: [404, 409],
    security: 'authenticated',
  }),
];

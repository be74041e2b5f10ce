/**
 * Bodies of the Lance table branch operations and of BatchCreateTableVersions (lance-namespace 0.13). Branch contents
 * keep the spec's camelCase keys (parentBranch, parentVersion, createAt, manifestSize), which are also the keys Lance
 * writes in `_refs/branches/<name>.json`.
 */
import { type Static, Type } from '@sinclair/typebox';
import { StringMap } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';
import { LANCE_COMMON_BODY } from './common.js';
import { LanceTableVersion } from './versions.js';

export const LanceBranchContents = Type.Object(
  {
    parentBranch: Type.Optional(Type.String({ description: 'Absent when the branch was created from main' })),
    parentVersion: Int64({ description: 'The version of the parent the branch was created from' }),
    createAt: Int64({ description: 'Unix seconds' }),
    manifestSize: Int64({ description: "The size of the branch's latest manifest" }),
    metadata: Type.Optional(StringMap()),
  },
  { $id: 'LanceBranchContents' },
);
export type LanceBranchContents = Static<typeof LanceBranchContents>;

export const LanceListTableBranchesRequest = Type.Object(
  { ...LANCE_COMMON_BODY, page_token: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 0 })) },
  { $id: 'LanceListTableBranchesRequest' },
);
export type LanceListTableBranchesRequest = Static<typeof LanceListTableBranchesRequest>;

export const LanceListTableBranchesResponse = Type.Object(
  { branches: Type.Record(Type.String(), Type.Ref(LanceBranchContents)), page_token: Type.Optional(Type.String()) },
  { $id: 'LanceListTableBranchesResponse', description: 'The branches other than main the catalog holds versions of, by name' },
);
export type LanceListTableBranchesResponse = Static<typeof LanceListTableBranchesResponse>;

export const LanceDeleteTableBranchRequest = Type.Object(
  { ...LANCE_COMMON_BODY, name: Type.String({ minLength: 1 }) },
  { $id: 'LanceDeleteTableBranchRequest' },
);
export type LanceDeleteTableBranchRequest = Static<typeof LanceDeleteTableBranchRequest>;

export const LanceCreateTableBranchRequest = Type.Object(
  {
    ...LANCE_COMMON_BODY,
    name: Type.String({
      minLength: 1,
      description: 'The new branch: path segments of letters, digits, ".", "_" and "-" joined by "/", without "..", not ending with ".lock"',
    }),
    from_branch: Type.Optional(Type.String({ description: 'The branch it starts from (absent, "" or "main": main)' })),
    from_version: Type.Optional(Int64({ description: "The source branch's version it starts from (absent: its latest)" })),
  },
  { $id: 'LanceCreateTableBranchRequest' },
);
export type LanceCreateTableBranchRequest = Static<typeof LanceCreateTableBranchRequest>;

export const LanceCreateTableVersionEntry = Type.Object(
  {
    id: Type.Array(Type.String(), { description: 'The table' }),
    version: Int64(),
    branch: Type.Optional(Type.String()),
    manifest_path: Type.String(),
    manifest_size: Type.Optional(Int64()),
    e_tag: Type.Optional(Type.String()),
    metadata: Type.Optional(StringMap()),
    naming_scheme: Type.Optional(Type.String()),
  },
  { $id: 'LanceCreateTableVersionEntry' },
);
export type LanceCreateTableVersionEntry = Static<typeof LanceCreateTableVersionEntry>;

export const LanceBatchCreateTableVersionsRequest = Type.Object(
  { identity: LANCE_COMMON_BODY.identity, context: LANCE_COMMON_BODY.context, entries: Type.Array(Type.Ref(LanceCreateTableVersionEntry), { minItems: 1 }) },
  { $id: 'LanceBatchCreateTableVersionsRequest', description: 'Versions of several tables (each table at most once), created all or none' },
);
export type LanceBatchCreateTableVersionsRequest = Static<typeof LanceBatchCreateTableVersionsRequest>;

export const LanceBatchCreateTableVersionsResponse = Type.Object(
  { transaction_id: Type.Optional(Type.String()), versions: Type.Array(Type.Ref(LanceTableVersion), { description: 'In the order of the entries' }) },
  { $id: 'LanceBatchCreateTableVersionsResponse' },
);
export type LanceBatchCreateTableVersionsResponse = Static<typeof LanceBatchCreateTableVersionsResponse>;

export const LanceContextResponse = Type.Object(
  { transaction_id: Type.Optional(Type.String()) },
  { $id: 'LanceContextResponse', description: 'The answer of CreateTableBranch and DeleteTableBranch' },
);

/** Named schemas of this file. */
export const LANCE_BRANCH_SCHEMAS = [
  LanceBranchContents,
  LanceListTableBranchesRequest,
  LanceListTableBranchesResponse,
  LanceDeleteTableBranchRequest,
  LanceCreateTableBranchRequest,
  LanceCreateTableVersionEntry,
  LanceBatchCreateTableVersionsRequest,
  LanceBatchCreateTableVersionsResponse,
  LanceContextResponse,
];

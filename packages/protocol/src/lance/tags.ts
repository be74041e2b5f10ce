/**
 * Bodies of the Lance table tag operations (lance-namespace 0.13: ListTableTags, GetTableTagVersion, CreateTableTag,
 * UpdateTableTag, DeleteTableTag). A tag lives in the dataset, `_refs/tags/<tag>.json`, written by Lance; its contents
 * keep the spec's keys (TagContents: `branch`, `version`, `manifestSize`), as Lance writes them.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from '../schema/helpers.js';
import { Int64 } from '../schema/int64.js';
import { LANCE_COMMON_BODY } from './common.js';

const tagName = (description: string) =>
  Type.String({ minLength: 1, description: `${description}: letters, digits, ".", "_" and "-" (at most 200 characters)` });
const branch = Type.Optional(Nullable(Type.String({ description: 'The branch the version is on (absent, null, "" or "main": main)' })));

export const LanceTagContents = Type.Object(
  {
    branch: Type.Optional(Type.String({ description: 'The branch the tagged version is on; absent for main' })),
    version: Int64({ description: 'The version the tag names' }),
    manifestSize: Int64({ description: "The size of that version's manifest file in bytes" }),
  },
  { $id: 'LanceTagContents' },
);
export type LanceTagContents = Static<typeof LanceTagContents>;

export const LanceListTableTagsRequest = Type.Object(
  { ...LANCE_COMMON_BODY, page_token: Type.Optional(Type.String()), limit: Type.Optional(Type.Integer({ minimum: 0 })) },
  { $id: 'LanceListTableTagsRequest' },
);
export type LanceListTableTagsRequest = Static<typeof LanceListTableTagsRequest>;

export const LanceListTableTagsResponse = Type.Object(
  { tags: Type.Record(Type.String(), Type.Ref(LanceTagContents)), page_token: Type.Optional(Type.String()) },
  { $id: 'LanceListTableTagsResponse', description: "The dataset's tags by name, a page of them in name order" },
);
export type LanceListTableTagsResponse = Static<typeof LanceListTableTagsResponse>;

export const LanceGetTableTagVersionRequest = Type.Object({ ...LANCE_COMMON_BODY, tag: tagName('The tag') }, { $id: 'LanceGetTableTagVersionRequest' });
export type LanceGetTableTagVersionRequest = Static<typeof LanceGetTableTagVersionRequest>;

export const LanceGetTableTagVersionResponse = Type.Object(
  {
    version: Int64({ description: 'The version the tag names' }),
    branch: Type.Optional(Type.String({ description: "The branch the tag's version is on; absent for main" })),
  },
  { $id: 'LanceGetTableTagVersionResponse' },
);
export type LanceGetTableTagVersionResponse = Static<typeof LanceGetTableTagVersionResponse>;

export const LanceCreateTableTagRequest = Type.Object(
  { ...LANCE_COMMON_BODY, tag: tagName('The new tag'), version: Int64({ description: 'The version it names' }), branch },
  { $id: 'LanceCreateTableTagRequest' },
);
export type LanceCreateTableTagRequest = Static<typeof LanceCreateTableTagRequest>;

export const LanceUpdateTableTagRequest = Type.Object(
  { ...LANCE_COMMON_BODY, tag: tagName('The tag to move'), version: Int64({ description: 'The version it names from now on' }), branch },
  { $id: 'LanceUpdateTableTagRequest' },
);
export type LanceUpdateTableTagRequest = Static<typeof LanceUpdateTableTagRequest>;

export const LanceDeleteTableTagRequest = Type.Object({ ...LANCE_COMMON_BODY, tag: tagName('The tag to delete') }, { $id: 'LanceDeleteTableTagRequest' });
export type LanceDeleteTableTagRequest = Static<typeof LanceDeleteTableTagRequest>;

/** Named schemas of this file. */
export const LANCE_TAG_SCHEMAS = [
  LanceTagContents,
  LanceListTableTagsRequest,
  LanceListTableTagsResponse,
  LanceGetTableTagVersionRequest,
  LanceGetTableTagVersionResponse,
  LanceCreateTableTagRequest,
  LanceUpdateTableTagRequest,
  LanceDeleteTableTagRequest,
];

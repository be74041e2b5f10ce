/** The Lance table version operations (catalog-managed versions) and RenameTable, at /lance/{prefix}/v1/table/{id}/…. */
import { Type } from '@sinclair/typebox';
import { LanceDelimiter } from '../lance/common.js';
import {
  LanceAlterTableAddColumnsRequest,
  LanceAlterTableAddColumnsResponse,
  LanceBatchDeleteTableVersionsRequest,
  LanceBatchDeleteTableVersionsResponse,
  LanceCreateTableVersionRequest,
  LanceCreateTableVersionResponse,
  LanceDescribeTableVersionRequest,
  LanceDescribeTableVersionResponse,
  LanceListTableVersionsRequest,
  LanceListTableVersionsResponse,
  LanceRenameTableRequest,
  LanceRestoreTableRequest,
  LanceRestoreTableResponse,
  LanceUpdateFieldMetadataRequest,
  LanceUpdateFieldMetadataResponse,
  LanceTransactionResponse,
} from '../lance/versions.js';
import { lance } from './lance.js';
import { parameters } from './types.js';

export const LANCE_VERSION_OPERATIONS = [
  lance({
    operationId: 'lanceCreateTableVersion',
    method: 'POST',
    path: '/table/{id}/version/create',
    summary: 'Make a staged manifest the next version of a table (the catalog copies it to its final name)',
    body: LanceCreateTableVersionRequest,
    response: { description: 'The version created', schema: Type.Ref(LanceCreateTableVersionResponse) },
    errors: [404, 409],
  }),
  lance({
    operationId: 'lanceListTableVersions',
    method: 'POST',
    path: '/table/{id}/version/list',
    summary: 'List the versions of a table',
    body: LanceListTableVersionsRequest,
    query: parameters({
      delimiter: Type.Optional(LanceDelimiter),
      branch: Type.Optional(Type.String()),
      page_token: Type.Optional(Type.String()),
      limit: Type.Optional(Type.Integer({ minimum: 0, description: 'The most versions in one page (at most 1000)' })),
      descending: Type.Optional(Type.Boolean({ description: 'Latest first; default: oldest first' })),
    }),
    response: { description: 'A page of versions', schema: Type.Ref(LanceListTableVersionsResponse) },
    errors: [404],
  }),
  lance({
    operationId: 'lanceDescribeTableVersion',
    method: 'POST',
    path: '/table/{id}/version/describe',
    summary: 'Describe one version of a table (default: the latest)',
    body: LanceDescribeTableVersionRequest,
    response: { description: 'The version', schema: Type.Ref(LanceDescribeTableVersionResponse) },
    errors: [404],
  }),
  lance({
    operationId: 'lanceBatchDeleteTableVersions',
    method: 'POST',
    path: '/table/{id}/version/delete',
    summary: 'Forget version records of a table (the latest is kept; the manifest files stay)',
    body: LanceBatchDeleteTableVersionsRequest,
    response: { description: 'How many were forgotten', schema: Type.Ref(LanceBatchDeleteTableVersionsResponse) },
    errors: [404],
  }),
  lance({
    operationId: 'lanceRenameTable',
    method: 'POST',
    path: '/table/{id}/rename',
    summary: 'Rename a table, or move it to another namespace (its location does not move)',
    body: LanceRenameTableRequest,
    response: { description: 'Renamed', schema: Type.Ref(LanceTransactionResponse) },
    errors: [404, 409],
  }),
  lance({
    operationId: 'lanceRestoreTable',
    method: 'POST',
    path: '/table/{id}/restore',
    summary: "Restore a table to an earlier version: its next version is that version's state (a new manifest, no data copied)",
    body: LanceRestoreTableRequest,
    response: { description: 'Restored', schema: Type.Ref(LanceRestoreTableResponse) },
    errors: [404, 409],
  }),
  lance({
    operationId: 'lanceUpdateFieldMetadata',
    method: 'POST',
    path: '/table/{id}/update_field_metadata',
    summary:
      'Change field metadata of a table of catalog-managed versions: one new version, written by the catalog through LanceDB and committed through its own CreateTableVersion (406 without the Lance library)',
    body: LanceUpdateFieldMetadataRequest,
    response: { description: 'The new version and the fields as they are now', schema: Type.Ref(LanceUpdateFieldMetadataResponse) },
    errors: [404, 406, 409],
  }),
  lance({
    operationId: 'lanceAlterTableAddColumns',
    method: 'POST',
    path: '/table/{id}/add_columns',
    summary:
      'Add columns to a table of catalog-managed versions (SQL `expression` evaluated once, or `computed`: declared all-null with its expression kept for a refresh): one new version, written by the catalog through LanceDB and committed through its own CreateTableVersion (406 without the Lance library, and for `virtual_column`)',
    body: LanceAlterTableAddColumnsRequest,
    response: { description: 'The new version', schema: Type.Ref(LanceAlterTableAddColumnsResponse) },
    errors: [404, 406, 409],
  }),
];

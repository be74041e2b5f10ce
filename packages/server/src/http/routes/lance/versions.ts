/**
 * Lance REST Namespace API: the version operations of catalog-managed tables and RenameTable. Each route validates
 * its request shape (the contract), calls one service method and writes the spec's answer.
 */
import type {
  LanceBatchDeleteTableVersionsRequest,
  LanceCreateTableVersionRequest,
  LanceDescribeTableVersionRequest,
  LanceListTableVersionsRequest,
  LanceRenameTableRequest,
  LanceRestoreTableRequest,
} from '@lakegate/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LanceVersionInfo } from '../../../catalog/lance/versions/version-service.js';
import type { CatalogServices } from '../../../catalog/services.js';
import { catalogRequest } from '../../caller.js';
import { booleanQuery, lanceBody, type LanceParams, pageQuery, requestId } from './common.js';

type Req = FastifyRequest<{ Params: LanceParams }>;

/** A version as the spec's TableVersion. */
export const lanceVersionWire = (v: LanceVersionInfo) => ({
  version: v.version,
  manifest_path: v.manifestPath,
  manifest_size: v.manifestSize,
  ...(v.eTag !== undefined ? { e_tag: v.eTag } : {}),
  timestamp_millis: v.timestampMs,
  metadata: { ...v.metadata, 'lakegate.created-by': v.createdBy },
});

export function lanceVersionRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { versions, renames } = services.lance;

  app.post('/:prefix/v1/table/:id/version/create', { schema: { operationId: 'lanceCreateTableVersion' } }, async (req: Req) => {
    const body = lanceBody<LanceCreateTableVersionRequest>(req);
    const id = requestId(req, body.id);
    const created = await versions.create(catalogRequest(req), id, {
      version: body.version,
      manifestPath: body.manifest_path,
      manifestSize: body.manifest_size,
      namingScheme: body.naming_scheme,
      branch: body.branch,
      metadata: body.metadata,
    });
    return { version: lanceVersionWire(created) };
  });

  app.post('/:prefix/v1/table/:id/version/list', { schema: { operationId: 'lanceListTableVersions' } }, async (req: Req) => {
    const body = lanceBody<LanceListTableVersionsRequest>(req);
    const id = requestId(req, body.id);
    const query = (req.query ?? {}) as { branch?: string };
    const paging = pageQuery(req);
    const result = await versions.list(catalogRequest(req), id, {
      paging: { pageToken: paging.pageToken ?? body.page_token, pageSize: paging.pageSize ?? body.limit },
      descending: booleanQuery(req, 'descending') ?? body.descending,
      branch: query.branch ?? body.branch,
    });
    return { versions: result.versions.map(lanceVersionWire), ...(result.nextPageToken ? { page_token: result.nextPageToken } : {}) };
  });

  app.post('/:prefix/v1/table/:id/version/describe', { schema: { operationId: 'lanceDescribeTableVersion' } }, async (req: Req) => {
    const body = lanceBody<LanceDescribeTableVersionRequest>(req);
    const id = requestId(req, body.id);
    return { version: lanceVersionWire(await versions.describe(catalogRequest(req), id, { version: body.version, branch: body.branch })) };
  });

  app.post('/:prefix/v1/table/:id/version/delete', { schema: { operationId: 'lanceBatchDeleteTableVersions' } }, async (req: Req) => {
    const body = lanceBody<LanceBatchDeleteTableVersionsRequest>(req);
    const id = requestId(req, body.id);
    return { deleted_count: await versions.batchDelete(catalogRequest(req), id, { ranges: body.ranges, branch: body.branch }) };
  });

  app.post('/:prefix/v1/table/:id/rename', { schema: { operationId: 'lanceRenameTable' } }, async (req: Req) => {
    const body = lanceBody<LanceRenameTableRequest>(req);
    const id = requestId(req, body.id);
    await renames.rename(catalogRequest(req), id, { newTableName: body.new_table_name, newNamespaceId: body.new_namespace_id });
    return {};
  });

  app.post('/:prefix/v1/table/:id/restore', { schema: { operationId: 'lanceRestoreTable' } }, async (req: Req) => {
    const body = lanceBody<LanceRestoreTableRequest>(req);
    const id = requestId(req, body.id);
    const { transactionId } = await versions.restore(catalogRequest(req), id, { version: body.version, branch: body.branch });
    return { transaction_id: transactionId };
  });
}

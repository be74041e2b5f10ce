/**
 * Lance REST Namespace API: the branch operations of tables with catalog-managed versions and BatchCreateTableVersions
 * (lance-namespace 0.13).
 * Each route validates its request shape (the contract), calls one service method and writes the spec's answer.
 * CreateTableBranch is not served (the surface answers Unsupported): Lance creates a branch itself and commits its
 * first version through CreateTableVersion (catalog/lance/versions/branch-service.ts).
 */
import type { LanceBatchCreateTableVersionsRequest, LanceDeleteTableBranchRequest, LanceListTableBranchesRequest } from '@lakegate/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { catalogRequest } from '../../caller.js';
import { lanceBody, type LanceParams, pageQuery, requestId } from './common.js';
import { lanceVersionWire } from './versions.js';

type Req = FastifyRequest<{ Params: LanceParams }>;

export function lanceBranchRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { branches, batchVersions } = services.lance;

  // BatchCreateTableVersions: its entries name their tables (no id in the path).
  app.post('/:prefix/v1/table/version/batch-create', { schema: { operationId: 'lanceBatchCreateTableVersions' } }, async (req: FastifyRequest<{ Params: { prefix: string } }>) => {
    const body = lanceBody<LanceBatchCreateTableVersionsRequest>(req);
    const created = await batchVersions.create(catalogRequest(req), body.entries);
    return { versions: created.map(lanceVersionWire) };
  });

  app.post('/:prefix/v1/table/:id/branches/list', { schema: { operationId: 'lanceListTableBranches' } }, async (req: Req) => {
    const body = lanceBody<LanceListTableBranchesRequest>(req);
    const id = requestId(req, body.id);
    const query = pageQuery(req);
    const result = await branches.list(catalogRequest(req), id, { pageToken: query.pageToken ?? body.page_token, pageSize: query.pageSize ?? body.limit });
    return { branches: result.branches, ...(result.nextPageToken !== undefined ? { page_token: result.nextPageToken } : {}) };
  });

  app.post('/:prefix/v1/table/:id/branches/delete', { schema: { operationId: 'lanceDeleteTableBranch' } }, async (req: Req) => {
    const body = lanceBody<LanceDeleteTableBranchRequest>(req);
    const id = requestId(req, body.id);
    await branches.delete(catalogRequest(req), id, body.name);
    return {};
  });
}

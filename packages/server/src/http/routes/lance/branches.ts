/**
 * Lance REST Namespace API: the branch operations of tables with catalog-managed versions and BatchCreateTableVersions
 * (lance-namespace 0.13).
 * Each route validates its request shape (the contract), calls one service method and writes the spec's answer.
 * CreateTableBranch has the catalog's Lance create the branch, committing its first version through CreateTableVersion
 * (catalog/lance/versions/branch-service.ts); its answer is the spec's empty one.
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { catalogRequest } from '../../caller.js';
import { lanceBody, pageQuery, requestId } from './common.js';
import { lanceVersionWire } from './versions.js';
import { operationRoute } from '../../operation-route.js';

export function lanceBranchRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { branches, batchVersions } = services.lance;

  // BatchCreateTableVersions: its entries name their tables (no id in the path).
  operationRoute(app, 'lanceBatchCreateTableVersions', async (req) => {
    const body = lanceBody(req.body);
    const created = await batchVersions.create(catalogRequest(req), body.entries);
    return { versions: created.map(lanceVersionWire) };
  });

  operationRoute(app, 'lanceListTableBranches', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    const query = pageQuery(req.query);
    const result = await branches.list(catalogRequest(req), id, { pageToken: query.pageToken ?? body.page_token, pageSize: query.pageSize ?? body.limit });
    return { branches: result.branches, ...(result.nextPageToken !== undefined ? { page_token: result.nextPageToken } : {}) };
  });

  operationRoute(app, 'lanceCreateTableBranch', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    await branches.create(catalogRequest(req), id, { name: body.name, from_branch: body.from_branch, from_version: body.from_version });
    return {};
  });

  operationRoute(app, 'lanceDeleteTableBranch', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    await branches.delete(catalogRequest(req), id, body.name);
    return {};
  });
}

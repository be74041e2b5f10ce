/** Lance REST Namespace API: namespace operations and the table listing of a namespace. */
import type { LanceCreateNamespaceRequest, LanceDropNamespaceRequest, LanceIdRequest } from '@lakegate/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import { catalogRequest } from '../../caller.js';
import { booleanQuery, lanceBody, type LanceParams, pageQuery, pathId, requestId } from './common.js';
import { lanceNamespaceListings, lanceTableListings, sendListing } from '../../serializers.js';

type Req = FastifyRequest<{ Params: LanceParams }>;

export function lanceNamespaceRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { namespaces, tables } = services.lance;

  app.get('/:prefix/v1/namespace/:id/list', { schema: { operationId: 'lanceListNamespaces' } }, async (req: Req, reply) => {
    const result = await namespaces.list(catalogRequest(req), pathId(req), pageQuery(req));
    return sendListing(reply, lanceNamespaceListings, result.namespaces, result.nextPageToken);
  });

  app.post('/:prefix/v1/namespace/:id/create', { schema: { operationId: 'lanceCreateNamespace' } }, async (req: Req) => {
    const body = lanceBody<LanceCreateNamespaceRequest>(req);
    const id = requestId(req, body.id);
    return { properties: await namespaces.create(catalogRequest(req), id, body.mode, body.properties) };
  });

  app.post('/:prefix/v1/namespace/:id/describe', { schema: { operationId: 'lanceDescribeNamespace' } }, async (req: Req) => {
    const id = requestId(req, lanceBody<LanceIdRequest>(req).id);
    return { properties: await namespaces.describe(catalogRequest(req), id) };
  });

  app.post('/:prefix/v1/namespace/:id/exists', { schema: { operationId: 'lanceNamespaceExists' } }, async (req: Req, reply) => {
    const id = requestId(req, lanceBody<LanceIdRequest>(req).id);
    if (!(await namespaces.exists(catalogRequest(req), id))) throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${id.join('.')}`);
    return reply.code(200).send();
  });

  app.post('/:prefix/v1/namespace/:id/drop', { schema: { operationId: 'lanceDropNamespace' } }, async (req: Req) => {
    const body = lanceBody<LanceDropNamespaceRequest>(req);
    const id = requestId(req, body.id);
    const properties = await namespaces.drop(catalogRequest(req), id, body.mode, body.behavior);
    return properties === undefined ? {} : { properties };
  });

  app.get('/:prefix/v1/namespace/:id/table/list', { schema: { operationId: 'lanceListTables' } }, async (req: Req, reply) => {
    const result = await tables.list(catalogRequest(req), pathId(req), pageQuery(req), booleanQuery(req, 'include_declared'));
    return sendListing(reply, lanceTableListings, result.tables, result.nextPageToken);
  });
}

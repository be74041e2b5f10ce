/** Lance REST Namespace API: namespace operations and the table listing of a namespace. */
import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import { catalogRequest } from '../../caller.js';
import { lanceBody, pageQuery, pathId, requestId } from './common.js';
import { lanceNamespaceListings, lanceTableListings, sendListing } from '../../serializers.js';
import { operationRoute } from '../../operation-route.js';

export function lanceNamespaceRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { namespaces, tables } = services.lance;

  operationRoute(app, 'lanceListNamespaces', async (req, reply) => {
    const result = await namespaces.list(catalogRequest(req), pathId(req), pageQuery(req.query));
    return sendListing(reply, lanceNamespaceListings, result.namespaces, result.nextPageToken);
  });

  operationRoute(app, 'lanceCreateNamespace', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    return { properties: await namespaces.create(catalogRequest(req), id, body.mode, body.properties) };
  });

  operationRoute(app, 'lanceDescribeNamespace', async (req) => {
    const id = requestId(req, lanceBody(req.body).id);
    return { properties: await namespaces.describe(catalogRequest(req), id) };
  });

  operationRoute(app, 'lanceNamespaceExists', async (req, reply) => {
    const id = requestId(req, lanceBody(req.body).id);
    if (!(await namespaces.exists(catalogRequest(req), id))) throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${id.join('.')}`);
    return reply.code(200).send();
  });

  operationRoute(app, 'lanceDropNamespace', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    const properties = await namespaces.drop(catalogRequest(req), id, body.mode, body.behavior);
    return properties === undefined ? {} : { properties };
  });

  operationRoute(app, 'lanceListTables', async (req, reply) => {
    const result = await tables.list(catalogRequest(req), pathId(req), pageQuery(req.query), req.query.include_declared);
    return sendListing(reply, lanceTableListings, result.tables, result.nextPageToken);
  });
}

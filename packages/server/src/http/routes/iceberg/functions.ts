/**
 * Iceberg REST functions (apache/iceberg#15180): listFunctions and loadFunction. Each route validates its request
 * shape, calls one FunctionService method, and writes the Iceberg response (identifiers as level lists, the function
 * name last; the stored metadata JSON spliced under `metadata`, with no metadata-location: Lakegate keeps no file).
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { catalogRequest, namespaceParam, pageQuery, sendJson } from './common.js';
import { operationRoute } from '../../operation-route.js';

export function functionRoutes(app: FastifyInstance, services: CatalogServices): void {
  operationRoute(app, 'listFunctions', async (req, reply) => {
    const r = await services.functions.list(catalogRequest(req), namespaceParam(req.params.namespace), pageQuery(req));
    return sendJson(reply, JSON.stringify({ identifiers: r.identifiers, 'next-page-token': r.nextPageToken }));
  });

  operationRoute(app, 'loadFunction', async (req, reply) => {
    const metadataJson = await services.functions.load(catalogRequest(req), namespaceParam(req.params.namespace), req.params.function);
    return sendJson(reply, `{"metadata":${metadataJson}}`);
  });
}

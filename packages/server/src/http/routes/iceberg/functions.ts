/**
 * Iceberg REST functions (apache/iceberg#15180): listFunctions and loadFunction. Each route validates its request
 * shape, calls one FunctionService method, and writes the Iceberg response (identifiers as level lists, the function
 * name last; the stored metadata JSON spliced under `metadata`, with no metadata-location: Lakegate keeps no file).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { type NamespaceParams, catalogRequest, namespaceParam, pageQuery, sendJson } from './common.js';

type FunctionParams = NamespaceParams & { function: string };

export function functionRoutes(app: FastifyInstance, services: CatalogServices): void {
  app.get('/:prefix/namespaces/:namespace/functions', { schema: { operationId: 'listFunctions' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>, reply) => {
    const r = await services.functions.list(catalogRequest(req), namespaceParam(req.params.namespace), pageQuery(req));
    return sendJson(reply, JSON.stringify({ identifiers: r.identifiers, 'next-page-token': r.nextPageToken }));
  });

  app.get('/:prefix/namespaces/:namespace/functions/:function', { schema: { operationId: 'loadFunction' } }, async (req: FastifyRequest<{ Params: FunctionParams }>, reply) => {
    const metadataJson = await services.functions.load(catalogRequest(req), namespaceParam(req.params.namespace), req.params.function);
    return sendJson(reply, `{"metadata":${metadataJson}}`);
  });
}

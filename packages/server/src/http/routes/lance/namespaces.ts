/** Lance REST Namespace API: namespace operations and the table listing of a namespace. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import { catalogRequest } from '../../caller.js';
import { Bodies, type LanceParams, pageQuery, parseBody, pathId, requestId } from './common.js';
import { lanceListNamespacesBody, lanceListTablesBody, sendCompiled } from '../../serializers.js';

const tags = ['Lance Namespace API'];
type Req = FastifyRequest<{ Params: LanceParams }>;

export function lanceNamespaceRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { namespaces, tables } = services.lance;

  app.get('/:prefix/v1/namespace/:id/list', { schema: { tags, operationId: 'lanceListNamespaces' } }, async (req: Req, reply) => {
    const result = await namespaces.list(catalogRequest(req), pathId(req), pageQuery(req));
    return sendCompiled(reply, lanceListNamespacesBody, { namespaces: result.namespaces, page_token: result.nextPageToken });
  });

  app.post('/:prefix/v1/namespace/:id/create', { schema: { tags, operationId: 'lanceCreateNamespace' } }, async (req: Req) => {
    const body = parseBody(req, Bodies.createNamespace, 'CreateNamespaceRequest');
    const id = requestId(req, body.id);
    return { properties: await namespaces.create(catalogRequest(req), id, body.mode, body.properties) };
  });

  app.post('/:prefix/v1/namespace/:id/describe', { schema: { tags, operationId: 'lanceDescribeNamespace' } }, async (req: Req) => {
    const id = requestId(req, parseBody(req, Bodies.idOnly, 'DescribeNamespaceRequest').id);
    return { properties: await namespaces.describe(catalogRequest(req), id) };
  });

  app.post('/:prefix/v1/namespace/:id/exists', { schema: { tags, operationId: 'lanceNamespaceExists' } }, async (req: Req, reply) => {
    const id = requestId(req, parseBody(req, Bodies.idOnly, 'NamespaceExistsRequest').id);
    if (!(await namespaces.exists(catalogRequest(req), id))) throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${id.join('.')}`);
    return reply.code(200).send();
  });

  app.post('/:prefix/v1/namespace/:id/drop', { schema: { tags, operationId: 'lanceDropNamespace' } }, async (req: Req) => {
    const body = parseBody(req, Bodies.dropNamespace, 'DropNamespaceRequest');
    const id = requestId(req, body.id);
    const properties = await namespaces.drop(catalogRequest(req), id, body.mode, body.behavior);
    return properties === undefined ? {} : { properties };
  });

  app.get('/:prefix/v1/namespace/:id/table/list', { schema: { tags, operationId: 'lanceListTables' } }, async (req: Req, reply) => {
    const result = await tables.list(catalogRequest(req), pathId(req), pageQuery(req));
    return sendCompiled(reply, lanceListTablesBody, { tables: result.tables, page_token: result.nextPageToken });
  });
}

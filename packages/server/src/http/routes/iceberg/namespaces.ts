import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import { type NamespaceParams, type PrefixParams, bodyObject, catalogRequest, namespaceParam, noContent, pageQuery } from './common.js';
import { namespaceListings, sendEveryPage, sendListing } from '../../serializers.js';


export function namespaceRoutes(app: FastifyInstance, services: CatalogServices): void {
  const ns = services.namespaces;

  app.get('/:prefix/namespaces', { schema: { operationId: 'listNamespaces' } }, async (req: FastifyRequest<{ Params: PrefixParams }>, reply) => {
    const { parent } = req.query as { parent?: string };
    const paging = pageQuery(req);
    // Without pageToken the spec asks for every namespace in one answer (next-page-token null), streamed.
    if (paging.pageToken === undefined) return sendEveryPage(reply, namespaceListings, 'namespaces', 'next-page-token', await ns.listAll(catalogRequest(req), parent ? namespaceParam(parent) : undefined));
    const result = await ns.list(catalogRequest(req), parent ? namespaceParam(parent) : undefined, paging);
    return sendListing(reply, namespaceListings, result.namespaces, result.nextPageToken);
  });

  app.post('/:prefix/namespaces', { schema: { operationId: 'createNamespace' } }, async (req: FastifyRequest<{ Params: PrefixParams }>) => {
    const body = bodyObject(req);
    const created = await ns.create(catalogRequest(req), body.namespace, body.properties);
    return { namespace: created.levels, properties: created.properties };
  });

  app.get('/:prefix/namespaces/:namespace', { schema: { operationId: 'loadNamespaceMetadata' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>) => {
    const found = await ns.load(catalogRequest(req), namespaceParam(req.params.namespace), { effectiveLocation: true });
    return { namespace: found.levels, properties: found.properties };
  });

  app.head('/:prefix/namespaces/:namespace', { schema: { operationId: 'namespaceExists' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>, reply) => {
    if (!(await ns.exists(catalogRequest(req), namespaceParam(req.params.namespace)))) throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', 'Namespace does not exist');
    return noContent(reply);
  });

  app.delete('/:prefix/namespaces/:namespace', { schema: { operationId: 'dropNamespace' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>, reply) => {
    await ns.drop(catalogRequest(req), namespaceParam(req.params.namespace));
    return noContent(reply);
  });

  app.post('/:prefix/namespaces/:namespace/properties', { schema: { operationId: 'updateProperties' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>) => {
    const body = bodyObject(req);
    return ns.updateProperties(catalogRequest(req), namespaceParam(req.params.namespace), body.removals, body.updates);
  });
}

import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import { catalogRequest, namespaceParam, noContent, pageQuery } from './common.js';
import { namespaceListings, sendEveryPage, sendListing } from '../../serializers.js';
import { operationRoute } from '../../operation-route.js';

export function namespaceRoutes(app: FastifyInstance, services: CatalogServices): void {
  const ns = services.namespaces;

  operationRoute(app, 'listNamespaces', async (req, reply) => {
    const { parent } = req.query;
    const paging = pageQuery(req);
    // Without pageToken the spec asks for every namespace in one answer (next-page-token null), streamed.
    if (paging.pageToken === undefined)
      return sendEveryPage(
        reply,
        namespaceListings,
        'namespaces',
        'next-page-token',
        await ns.listAll(catalogRequest(req), parent ? namespaceParam(parent) : undefined),
      );
    const result = await ns.list(catalogRequest(req), parent ? namespaceParam(parent) : undefined, paging);
    return sendListing(reply, namespaceListings, result.namespaces, result.nextPageToken);
  });

  operationRoute(app, 'createNamespace', async (req) => {
    const body = req.body;
    const created = await ns.create(catalogRequest(req), body.namespace, body.properties);
    return { namespace: created.levels, properties: created.properties };
  });

  operationRoute(app, 'loadNamespaceMetadata', async (req) => {
    const found = await ns.load(catalogRequest(req), namespaceParam(req.params.namespace), { effectiveLocation: true });
    return { namespace: found.levels, properties: found.properties };
  });

  operationRoute(app, 'namespaceExists', async (req, reply) => {
    if (!(await ns.exists(catalogRequest(req), namespaceParam(req.params.namespace))))
      throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', 'Namespace does not exist');
    return noContent(reply);
  });

  operationRoute(app, 'dropNamespace', async (req, reply) => {
    await ns.drop(catalogRequest(req), namespaceParam(req.params.namespace));
    return noContent(reply);
  });

  operationRoute(app, 'updateProperties', async (req) => {
    const body = req.body;
    return ns.updateProperties(catalogRequest(req), namespaceParam(req.params.namespace), body.removals, body.updates);
  });
}

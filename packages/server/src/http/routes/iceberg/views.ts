import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import { type NamespaceParams, type PrefixParams, type ViewParams, bodyObject, catalogRequest, metadataAnswer, namespaceParam, noContent, pageQuery, sendJson } from './common.js';
import { sendEveryPage, sendListing, tableListings } from '../../serializers.js';


export function viewRoutes(app: FastifyInstance, services: CatalogServices): void {
  const views = services.views;

  app.get('/:prefix/namespaces/:namespace/views', { schema: { operationId: 'listViews' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>, reply) => {
    const paging = pageQuery(req);
    // Without pageToken the spec asks for every view in one answer (next-page-token null), streamed.
    if (paging.pageToken === undefined) return sendEveryPage(reply, tableListings, 'identifiers', 'next-page-token', await views.listAll(catalogRequest(req), namespaceParam(req.params.namespace)));
    const r = await views.list(catalogRequest(req), namespaceParam(req.params.namespace), paging);
    return sendListing(reply, tableListings, r.identifiers, r.nextPageToken);
  });

  app.post('/:prefix/namespaces/:namespace/views', { schema: { operationId: 'createView' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>, reply) => {
    const body = bodyObject(req);
    const r = await views.create(catalogRequest(req), namespaceParam(req.params.namespace), {
      name: body.name,
      location: body.location,
      schema: body.schema,
      viewVersion: body['view-version'],
      properties: body.properties,
    });
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson, { config: {} }));
  });

  app.get('/:prefix/namespaces/:namespace/views/:view', { schema: { operationId: 'loadView' } }, async (req: FastifyRequest<{ Params: ViewParams }>, reply) => {
    const r = await views.load(catalogRequest(req), namespaceParam(req.params.namespace), req.params.view);
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson, { config: {} }, r.labelsJson));
  });

  app.head('/:prefix/namespaces/:namespace/views/:view', { schema: { operationId: 'viewExists' } }, async (req: FastifyRequest<{ Params: ViewParams }>, reply) => {
    if (!(await views.exists(catalogRequest(req), namespaceParam(req.params.namespace), req.params.view))) throw new CatalogError('ERR_VIEW_NOT_FOUND', 'View does not exist');
    return noContent(reply);
  });

  app.post('/:prefix/namespaces/:namespace/views/:view', { schema: { operationId: 'replaceView' } }, async (req: FastifyRequest<{ Params: ViewParams }>, reply) => {
    const body = bodyObject(req);
    const r = await views.replace(catalogRequest(req), namespaceParam(req.params.namespace), req.params.view, body.requirements, body.updates);
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson, { config: {} }));
  });

  app.delete('/:prefix/namespaces/:namespace/views/:view', { schema: { operationId: 'dropView' } }, async (req: FastifyRequest<{ Params: ViewParams }>, reply) => {
    await views.drop(catalogRequest(req), namespaceParam(req.params.namespace), req.params.view);
    return noContent(reply);
  });

  app.post('/:prefix/views/rename', { schema: { operationId: 'renameView' } }, async (req: FastifyRequest<{ Params: PrefixParams }>, reply) => {
    const body = bodyObject(req);
    await views.rename(catalogRequest(req), body.source, body.destination);
    return noContent(reply);
  });

  app.post('/:prefix/namespaces/:namespace/register-view', { schema: { operationId: 'registerView' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>, reply) => {
    const body = bodyObject(req);
    const r = await views.register(catalogRequest(req), namespaceParam(req.params.namespace), body.name, body['metadata-location']);
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson, { config: {} }));
  });
}

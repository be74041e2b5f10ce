import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import { catalogRequest, metadataAnswer, namespaceParam, noContent, sendJson, sendObjectListing } from './common.js';
import { operationRoute } from '../../operation-route.js';

export function viewRoutes(app: FastifyInstance, services: CatalogServices): void {
  const views = services.views;

  operationRoute(app, 'listViews', (req, reply) => sendObjectListing(req, reply, views));

  operationRoute(app, 'createView', async (req, reply) => {
    const body = req.body;
    const r = await views.create(catalogRequest(req), namespaceParam(req.params.namespace), {
      name: body.name,
      location: body.location,
      schema: body.schema,
      viewVersion: body['view-version'],
      properties: body.properties,
    });
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson, { config: {} }));
  });

  operationRoute(app, 'loadView', async (req, reply) => {
    const r = await views.load(catalogRequest(req), namespaceParam(req.params.namespace), req.params.view);
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson, { config: {} }, r.labelsJson));
  });

  operationRoute(app, 'viewExists', async (req, reply) => {
    if (!(await views.exists(catalogRequest(req), namespaceParam(req.params.namespace), req.params.view)))
      throw new CatalogError('ERR_VIEW_NOT_FOUND', 'View does not exist');
    return noContent(reply);
  });

  operationRoute(app, 'replaceView', async (req, reply) => {
    const body = req.body;
    const r = await views.replace(catalogRequest(req), namespaceParam(req.params.namespace), req.params.view, body.requirements, body.updates);
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson, { config: {} }));
  });

  operationRoute(app, 'dropView', async (req, reply) => {
    await views.drop(catalogRequest(req), namespaceParam(req.params.namespace), req.params.view);
    return noContent(reply);
  });

  operationRoute(app, 'renameView', async (req, reply) => {
    const body = req.body;
    await views.rename(catalogRequest(req), body.source, body.destination);
    return noContent(reply);
  });

  operationRoute(app, 'registerView', async (req, reply) => {
    const body = req.body;
    const r = await views.register(catalogRequest(req), namespaceParam(req.params.namespace), body.name, body['metadata-location']);
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson, { config: {} }));
  });
}

/**
 * Lance REST Namespace API: CreateMaterializedView, RefreshMaterializedView and AlterTableBackfillColumns
 * (lance-namespace 0.13). Each route validates its request shape (the contract), calls one service method
 * (catalog/lance/materialized-views.ts) and writes the spec's answer: 201 with the view's version for a create;
 * refresh and backfill need an engine, so their service always refuses (406) once the request is checked.
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { catalogRequest } from '../../caller.js';
import { operationRoute } from '../../operation-route.js';
import { lanceBody, requestId } from './common.js';

export function lanceMaterializedViewRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { materializedViews } = services.lance;

  operationRoute(app, 'lanceCreateMaterializedView', async (req, reply) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    return reply.code(201).send(await materializedViews.create(catalogRequest(req), id, body));
  });

  operationRoute(app, 'lanceRefreshMaterializedView', async (req) => {
    const body = lanceBody(req.body);
    return materializedViews.refresh(catalogRequest(req), requestId(req, body.id), body);
  });

  operationRoute(app, 'lanceAlterTableBackfillColumns', async (req) => {
    const body = lanceBody(req.body);
    return materializedViews.backfill(catalogRequest(req), requestId(req, body.id), body);
  });
}

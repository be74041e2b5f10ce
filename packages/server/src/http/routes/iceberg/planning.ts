/** Iceberg REST scan planning routes: each validates its request shape, calls one PlanningService method, and writes the Iceberg response. */
import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { stringifyJson } from '../../../catalog/json.js';
import { planAnswerJson } from '../../../catalog/planning/answer-json.js';
import { icebergError } from '../../mappers/iceberg-errors.js';
import { accessDelegation, catalogRequest, namespaceParam, noContent, sendJson } from './common.js';
import { operationRoute } from '../../operation-route.js';

export function planningRoutes(app: FastifyInstance, services: CatalogServices): void {
  const planning = services.planning;

  operationRoute(app, 'planTableScan', async (req, reply) => {
    const result = await planning.plan(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, req.body, accessDelegation(req));
    // Answers hold read-only credentials and are the caller's alone.
    reply.header('cache-control', 'no-store');
    // A page planned once is written once (catalog/planning/answer-json.ts): the same text as stringifyJson(result).
    return sendJson(reply, planAnswerJson(result));
  });

  operationRoute(app, 'fetchPlanningResult', async (req, reply) => {
    const result = await planning.fetchResult(
      catalogRequest(req),
      namespaceParam(req.params.namespace),
      req.params.table,
      req.params.planId,
      accessDelegation(req),
    );
    reply.header('cache-control', 'no-store');
    // A failed async plan is a 200 whose `error` is the spec's ErrorModel, mapped as the error itself would be.
    if (result.status === 'failed')
      return sendJson(reply, stringifyJson({ status: 'failed', error: icebergError(result.error.code, result.error.message).body.error }));
    return sendJson(reply, stringifyJson(result));
  });

  operationRoute(app, 'cancelPlanning', async (req, reply) => {
    await planning.cancel(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, req.params.planId);
    return noContent(reply);
  });

  operationRoute(app, 'fetchScanTasks', async (req, reply) => {
    const result = await planning.fetchTasks(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, req.body['plan-task']);
    reply.header('cache-control', 'no-store');
    return sendJson(reply, stringifyJson(result));
  });
}

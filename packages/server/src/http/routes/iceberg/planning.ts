/** Iceberg REST scan planning routes: each validates its request shape, calls one PlanningService method, and writes the Iceberg response. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { stringifyJson } from '../../../catalog/json.js';
import { planAnswerJson } from '../../../catalog/planning/answer-json.js';
import { icebergError } from '../../mappers/iceberg-errors.js';
import { type TableParams, accessDelegation, bodyObject, catalogRequest, namespaceParam, noContent, sendJson } from './common.js';

/** The spec's {plan-id}, routed as :planId (Fastify ends a parameter name at "-": @lakegate/protocol routeParamName). */
interface PlanParams extends TableParams {
  planId: string;
}

export function planningRoutes(app: FastifyInstance, services: CatalogServices): void {
  const planning = services.planning;

  app.post('/:prefix/namespaces/:namespace/tables/:table/plan', { schema: { operationId: 'planTableScan' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    const result = await planning.plan(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, bodyObject(req), accessDelegation(req));
    // Answers hold read-only credentials and are the caller's alone.
    reply.header('cache-control', 'no-store');
    // A page planned once is written once (catalog/planning/answer-json.ts): the same text as stringifyJson(result).
    return sendJson(reply, planAnswerJson(result));
  });

  app.get('/:prefix/namespaces/:namespace/tables/:table/plan/:planId', { schema: { operationId: 'fetchPlanningResult' } }, async (req: FastifyRequest<{ Params: PlanParams }>, reply) => {
    const result = await planning.fetchResult(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, req.params.planId, accessDelegation(req));
    reply.header('cache-control', 'no-store');
    // A failed async plan is a 200 whose `error` is the spec's ErrorModel, mapped as the error itself would be.
    if (result.status === 'failed') return sendJson(reply, stringifyJson({ status: 'failed', error: icebergError(result.error.code, result.error.message).body.error }));
    return sendJson(reply, stringifyJson(result));
  });

  app.delete('/:prefix/namespaces/:namespace/tables/:table/plan/:planId', { schema: { operationId: 'cancelPlanning' } }, async (req: FastifyRequest<{ Params: PlanParams }>, reply) => {
    await planning.cancel(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, req.params.planId);
    return noContent(reply);
  });

  app.post('/:prefix/namespaces/:namespace/tables/:table/tasks', { schema: { operationId: 'fetchScanTasks' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    const result = await planning.fetchTasks(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, bodyObject(req)['plan-task']);
    reply.header('cache-control', 'no-store');
    return sendJson(reply, stringifyJson(result));
  });
}

/**
 * Routes of Trino's OPA decision endpoints (catalog/trino-opa/): each takes the plugin's request as the protocol
 * package types it, calls one decision method with the asking engine, and writes the answer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TrinoOpaRequest } from '@lakegate/protocol';
import type { TrinoOpaDecisions } from '../../catalog/trino-opa/decisions.js';
import type { TrinoOpaExpressions } from '../../catalog/trino-opa/expressions.js';
import { callerOf } from '../caller.js';

type Decision = FastifyRequest<{ Body: TrinoOpaRequest }>;

export function trinoOpaRoutes(app: FastifyInstance, decisions: TrinoOpaDecisions, expressions: TrinoOpaExpressions): void {
  app.post('/allow', { schema: { operationId: 'trinoOpaAllow' } }, async (req: Decision) => decisions.allow(callerOf(req), req.body));
  app.post('/batch', { schema: { operationId: 'trinoOpaBatch' } }, async (req: Decision) => decisions.batch(callerOf(req), req.body));
  app.post('/row-filters', { schema: { operationId: 'trinoOpaRowFilters' } }, async (req: Decision) => expressions.rowFilters(callerOf(req), req.body));
  app.post('/column-mask', { schema: { operationId: 'trinoOpaColumnMask' } }, async (req: Decision) => expressions.columnMask(callerOf(req), req.body));
  app.post('/batch-column-masks', { schema: { operationId: 'trinoOpaBatchColumnMasks' } }, async (req: Decision) => expressions.batchColumnMasks(callerOf(req), req.body));
}

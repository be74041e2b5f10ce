/**
 * Routes of Trino's OPA decision endpoints (catalog/trino-opa/): each takes the plugin's request as the protocol
 * package types it, calls one decision method with the asking engine, and writes the answer.
 */
import type { FastifyInstance } from 'fastify';
import type { TrinoOpaDecisions } from '../../catalog/trino-opa/decisions.js';
import type { TrinoOpaExpressions } from '../../catalog/trino-opa/expressions.js';
import { callerOf } from '../caller.js';
import { operationRoute } from '../operation-route.js';

export function trinoOpaRoutes(app: FastifyInstance, decisions: TrinoOpaDecisions, expressions: TrinoOpaExpressions): void {
  operationRoute(app, 'trinoOpaAllow', async (req) => decisions.allow(callerOf(req), req.body), { under: '/trino-opa' });
  operationRoute(app, 'trinoOpaBatch', async (req) => decisions.batch(callerOf(req), req.body), { under: '/trino-opa' });
  operationRoute(app, 'trinoOpaRowFilters', async (req) => expressions.rowFilters(callerOf(req), req.body), { under: '/trino-opa' });
  operationRoute(app, 'trinoOpaColumnMask', async (req) => expressions.columnMask(callerOf(req), req.body), { under: '/trino-opa' });
  operationRoute(app, 'trinoOpaBatchColumnMasks', async (req) => expressions.batchColumnMasks(callerOf(req), req.body), { under: '/trino-opa' });
}

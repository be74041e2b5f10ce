/**
 * Management routes for trusted policy enforcers (catalog/management/enforcer-admin.ts): each takes its request as
 * the protocol package types it, calls one EnforcerAdmin method, and writes the answer.
 */
import type { FastifyInstance } from 'fastify';
import type { EnforcerAdmin } from '../../../catalog/management/enforcer-admin.js';
import { callerOf } from '../../caller.js';
import { operationRoute } from '../../operation-route.js';

export function enforcerRoutes(app: FastifyInstance, enforcers: EnforcerAdmin): void {
  operationRoute(app, 'listPolicyEnforcers', async (req) => enforcers.list({ caller: callerOf(req), warehouse: req.params.warehouse }));

  operationRoute(app, 'setPolicyEnforcer', async (req) =>
    enforcers.set({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.clientId, req.body),
  );

  operationRoute(app, 'removePolicyEnforcer', async (req, reply) => {
    await enforcers.remove({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.clientId);
    return reply.code(204).send();
  });
}

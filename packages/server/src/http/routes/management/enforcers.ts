/**
 * Management routes for trusted policy enforcers (catalog/management/enforcer-admin.ts): each takes its request as
 * the protocol package types it, calls one EnforcerAdmin method, and writes the answer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SetPolicyEnforcerRequest } from '@lakegate/protocol';
import type { EnforcerAdmin } from '../../../catalog/management/enforcer-admin.js';
import { callerOf } from '../../caller.js';

type ByWarehouse = FastifyRequest<{ Params: { warehouse: string } }>;
type ByEnforcer = FastifyRequest<{ Params: { warehouse: string; clientId: string } }>;

const ENFORCERS = '/warehouses/:warehouse/policy-enforcers';

export function enforcerRoutes(app: FastifyInstance, enforcers: EnforcerAdmin): void {
  app.get(ENFORCERS, { schema: { operationId: 'listPolicyEnforcers' } }, async (req: ByWarehouse) => enforcers.list({ caller: callerOf(req), warehouse: req.params.warehouse }));

  app.put(`${ENFORCERS}/:clientId`, { schema: { operationId: 'setPolicyEnforcer' } }, async (req: ByEnforcer) =>
    enforcers.set({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.clientId, req.body as SetPolicyEnforcerRequest),
  );

  app.delete(`${ENFORCERS}/:clientId`, { schema: { operationId: 'removePolicyEnforcer' } }, async (req: ByEnforcer, reply: FastifyReply) => {
    await enforcers.remove({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.clientId);
    return reply.code(204).send();
  });
}

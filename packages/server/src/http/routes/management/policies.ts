/**
 * Management routes for row-filter and column-mask policies (catalog/management/policy-admin.ts): each takes its
 * request as the protocol package types it, calls one PolicyAdmin method, and writes the answer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PolicyAdmin } from '../../../catalog/management/policy-admin.js';
import { namespaceParam } from '../iceberg/common.js';
import { callerOf } from '../../caller.js';
import { operationRoute } from '../../operation-route.js';

type ByTable = FastifyRequest<{ Params: { warehouse: string; namespace: string; table: string } }>;

const requestOf = (req: ByTable) => ({ caller: callerOf(req), warehouse: req.params.warehouse });

export function policyRoutes(app: FastifyInstance, policies: PolicyAdmin): void {
  operationRoute(app, 'listTablePolicies', async (req) => policies.list(requestOf(req), namespaceParam(req.params.namespace), req.params.table));

  operationRoute(app, 'createTablePolicy', async (req, reply) => {
    const created = await policies.create(requestOf(req), namespaceParam(req.params.namespace), req.params.table, req.body);
    return reply.code(201).send(created);
  });

  operationRoute(app, 'getTablePolicy', async (req) =>
    policies.get(requestOf(req), namespaceParam(req.params.namespace), req.params.table, req.params.policyId),
  );

  operationRoute(app, 'updateTablePolicy', async (req) =>
    policies.update(requestOf(req), namespaceParam(req.params.namespace), req.params.table, req.params.policyId, req.body),
  );

  operationRoute(app, 'deleteTablePolicy', async (req, reply) => {
    await policies.delete(requestOf(req), namespaceParam(req.params.namespace), req.params.table, req.params.policyId);
    return reply.code(204).send();
  });

  operationRoute(app, 'getEffectivePolicy', async (req) => policies.effective(requestOf(req), namespaceParam(req.params.namespace), req.params.table));
}

/**
 * Management routes for row-filter and column-mask policies (catalog/management/policy-admin.ts): each takes its
 * request as the protocol package types it, calls one PolicyAdmin method, and writes the answer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CreatePolicyRequest, UpdatePolicyRequest } from '@lakegate/protocol';
import type { PolicyAdmin } from '../../../catalog/management/policy-admin.js';
import { namespaceParam } from '../iceberg/common.js';
import { callerOf } from '../../caller.js';

type ByTable = FastifyRequest<{ Params: { warehouse: string; namespace: string; table: string } }>;
type ByPolicy = FastifyRequest<{ Params: { warehouse: string; namespace: string; table: string; policyId: string } }>;

const POLICIES = '/warehouses/:warehouse/namespaces/:namespace/tables/:table/policies';
const requestOf = (req: ByTable) => ({ caller: callerOf(req), warehouse: req.params.warehouse });

export function policyRoutes(app: FastifyInstance, policies: PolicyAdmin): void {
  app.get(POLICIES, { schema: { operationId: 'listTablePolicies' } }, async (req: ByTable) => policies.list(requestOf(req), namespaceParam(req.params.namespace), req.params.table));

  app.post(POLICIES, { schema: { operationId: 'createTablePolicy' } }, async (req: ByTable, reply: FastifyReply) => {
    const created = await policies.create(requestOf(req), namespaceParam(req.params.namespace), req.params.table, req.body as CreatePolicyRequest);
    return reply.code(201).send(created);
  });

  app.get(`${POLICIES}/:policyId`, { schema: { operationId: 'getTablePolicy' } }, async (req: ByPolicy) => policies.get(requestOf(req), namespaceParam(req.params.namespace), req.params.table, req.params.policyId));

  app.put(`${POLICIES}/:policyId`, { schema: { operationId: 'updateTablePolicy' } }, async (req: ByPolicy) =>
    policies.update(requestOf(req), namespaceParam(req.params.namespace), req.params.table, req.params.policyId, req.body as UpdatePolicyRequest),
  );

  app.delete(`${POLICIES}/:policyId`, { schema: { operationId: 'deleteTablePolicy' } }, async (req: ByPolicy, reply: FastifyReply) => {
    await policies.delete(requestOf(req), namespaceParam(req.params.namespace), req.params.table, req.params.policyId);
    return reply.code(204).send();
  });

  app.get('/warehouses/:warehouse/namespaces/:namespace/tables/:table/effective-policy', { schema: { operationId: 'getEffectivePolicy' } }, async (req: ByTable) =>
    policies.effective(requestOf(req), namespaceParam(req.params.namespace), req.params.table),
  );
}

/**
 * Management routes for row-filter and column-mask policies of tables and views (catalog/management/policy-admin.ts):
 * each takes its request as the protocol package types it, calls one PolicyAdmin method, and writes the answer. A
 * table's and a view's routes differ only in the object they address.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OperationId } from '@lakegate/protocol';
import type { PolicyAdmin, PolicyObjectKind, PolicyTarget } from '../../../catalog/management/policy-admin.js';
import { namespaceParam } from '../iceberg/common.js';
import { callerOf } from '../../caller.js';
import { operationRoute } from '../../operation-route.js';

type ByObject = FastifyRequest<{ Params: { warehouse: string; namespace: string; table?: string; view?: string } }>;

const requestOf = (req: ByObject) => ({ caller: callerOf(req), warehouse: req.params.warehouse });

export function policyRoutes(app: FastifyInstance, policies: PolicyAdmin): void {
  const routes = [
    ['table', 'listTablePolicies', 'createTablePolicy', 'getTablePolicy', 'updateTablePolicy', 'deleteTablePolicy', 'getEffectivePolicy'],
    ['view', 'listViewPolicies', 'createViewPolicy', 'getViewPolicy', 'updateViewPolicy', 'deleteViewPolicy', 'getViewEffectivePolicy'],
  ] as const satisfies ReadonlyArray<readonly [PolicyObjectKind, ...OperationId[]]>;
  for (const [kind, list, create, get, update, remove, effective] of routes) {
    const target = (req: ByObject): PolicyTarget => ({
      kind,
      namespace: namespaceParam(req.params.namespace),
      name: (kind === 'table' ? req.params.table : req.params.view) ?? '',
    });

    operationRoute(app, list, async (req) => policies.list(requestOf(req), target(req)));

    operationRoute(app, create, async (req, reply) => reply.code(201).send(await policies.create(requestOf(req), target(req), req.body)));

    operationRoute(app, get, async (req) => policies.get(requestOf(req), target(req), req.params.policyId));

    operationRoute(app, update, async (req) => policies.update(requestOf(req), target(req), req.params.policyId, req.body));

    operationRoute(app, remove, async (req, reply) => {
      await policies.delete(requestOf(req), target(req), req.params.policyId);
      return reply.code(204).send();
    });

    operationRoute(app, effective, async (req) => policies.effective(requestOf(req), target(req)));
  }
}

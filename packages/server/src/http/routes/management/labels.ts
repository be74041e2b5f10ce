/**
 * Management routes for the catalog-supplied labels of tables and views (catalog/management/label-admin.ts): each
 * takes its request as the protocol package types it (Labels), calls one LabelAdmin method, and writes the answer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OperationId } from '@lakegate/protocol';
import { operationRoute } from '../../operation-route.js';
import type { LabelAdmin, LabelledKind } from '../../../catalog/management/label-admin.js';
import { namespaceParam } from '../iceberg/common.js';
import { callerOf } from '../../caller.js';

type ByObject = FastifyRequest<{ Params: { warehouse: string; namespace: string; table?: string; view?: string } }>;

const requestOf = (req: ByObject) => ({ caller: callerOf(req), warehouse: req.params.warehouse });

export function labelRoutes(app: FastifyInstance, labels: LabelAdmin): void {
  const routes = [
    ['table', 'getTableLabels', 'setTableLabels', 'deleteTableLabels'],
    ['view', 'getViewLabels', 'setViewLabels', 'deleteViewLabels'],
  ] as const satisfies ReadonlyArray<readonly [LabelledKind, OperationId, OperationId, OperationId]>;
  for (const [kind, get, set, remove] of routes) {
    const nameOf = (req: ByObject) => (kind === 'table' ? req.params.table : req.params.view) ?? '';
    operationRoute(app, get, async (req) => labels.get(requestOf(req), kind, namespaceParam(req.params.namespace), nameOf(req)));
    operationRoute(app, set, async (req) => labels.set(requestOf(req), kind, namespaceParam(req.params.namespace), nameOf(req), req.body));
    operationRoute(app, remove, async (req, reply) => {
      await labels.remove(requestOf(req), kind, namespaceParam(req.params.namespace), nameOf(req));
      return reply.code(204).send();
    });
  }
}

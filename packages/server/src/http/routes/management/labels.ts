/**
 * Management routes for the catalog-supplied labels of tables and views (catalog/management/label-admin.ts): each
 * takes its request as the protocol package types it (Labels), calls one LabelAdmin method, and writes the answer.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Labels } from '@lakegate/protocol';
import type { LabelAdmin, LabelledKind } from '../../../catalog/management/label-admin.js';
import { namespaceParam } from '../iceberg/common.js';
import { callerOf } from '../../caller.js';

type ByObject = FastifyRequest<{ Params: { warehouse: string; namespace: string; table?: string; view?: string } }>;

const requestOf = (req: ByObject) => ({ caller: callerOf(req), warehouse: req.params.warehouse });

export function labelRoutes(app: FastifyInstance, labels: LabelAdmin): void {
  const routes: Array<[LabelledKind, string, string]> = [
    ['table', '/warehouses/:warehouse/namespaces/:namespace/tables/:table/labels', 'Table'],
    ['view', '/warehouses/:warehouse/namespaces/:namespace/views/:view/labels', 'View'],
  ];
  for (const [kind, path, Kind] of routes) {
    const nameOf = (req: ByObject) => (kind === 'table' ? req.params.table : req.params.view) ?? '';
    app.get(path, { schema: { operationId: `get${Kind}Labels` } }, async (req: ByObject) => labels.get(requestOf(req), kind, namespaceParam(req.params.namespace), nameOf(req)));
    app.put(path, { schema: { operationId: `set${Kind}Labels` } }, async (req: ByObject) => labels.set(requestOf(req), kind, namespaceParam(req.params.namespace), nameOf(req), req.body as Labels));
    app.delete(path, { schema: { operationId: `delete${Kind}Labels` } }, async (req: ByObject, reply: FastifyReply) => {
      await labels.remove(requestOf(req), kind, namespaceParam(req.params.namespace), nameOf(req));
      return reply.code(204).send();
    });
  }
}

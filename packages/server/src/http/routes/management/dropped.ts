/**
 * Management routes for dropped (soft-deleted) objects (catalog/dropped/dropped-service.ts) and table maintenance
 * (maintenance-service.ts): each validates its request shape, calls one service method, and writes the answer.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DroppedObjectService } from '../../../catalog/dropped/dropped-service.js';
import type { MaintenanceService } from '../../../catalog/maintenance/maintenance-service.js';
import { namespaceParam } from '../iceberg/common.js';
import { callerOf } from '../../caller.js';

export function droppedRoutes(app: FastifyInstance, dropped: DroppedObjectService): void {
  app.get('/warehouses/:warehouse/dropped', { schema: { operationId: 'listDroppedObjects' } }, async (req: FastifyRequest<{ Params: { warehouse: string } }>) => {
    const { pageToken, pageSize } = req.query as { pageToken?: string; pageSize?: number };
    return dropped.list({ caller: callerOf(req), warehouse: req.params.warehouse }, pageToken, pageSize);
  });

  app.post('/warehouses/:warehouse/dropped/:id/undrop', { schema: { operationId: 'undropObject' } }, async (req: FastifyRequest<{ Params: { warehouse: string; id: string } }>) =>
    dropped.undrop({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.id, req.body),
  );

}

export function maintenanceRoutes(app: FastifyInstance, maintenance: MaintenanceService): void {
  app.post(
    '/warehouses/:warehouse/namespaces/:namespace/tables/:table/maintenance',
    { schema: { operationId: 'runTableMaintenance' } },
    async (req: FastifyRequest<{ Params: { warehouse: string; namespace: string; table: string } }>) =>
      maintenance.run({ caller: callerOf(req), warehouse: req.params.warehouse }, namespaceParam(req.params.namespace), req.params.table, req.body),
  );
  app.get(
    '/warehouses/:warehouse/namespaces/:namespace/tables/:table/maintenance',
    { schema: { operationId: 'getTableMaintenance' } },
    async (req: FastifyRequest<{ Params: { warehouse: string; namespace: string; table: string } }>) =>
      maintenance.job({ caller: callerOf(req), warehouse: req.params.warehouse }, namespaceParam(req.params.namespace), req.params.table),
  );
}

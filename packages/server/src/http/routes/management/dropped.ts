/**
 * Management routes for dropped (soft-deleted) objects (catalog/dropped/dropped-service.ts) and table maintenance
 * (maintenance-service.ts): each validates its request shape, calls one service method, and writes the answer.
 */
import type { FastifyInstance } from 'fastify';
import type { DroppedObjectService } from '../../../catalog/dropped/dropped-service.js';
import type { MaintenanceService } from '../../../catalog/maintenance/maintenance-service.js';
import { namespaceParam } from '../iceberg/common.js';
import { callerOf } from '../../caller.js';
import { operationRoute } from '../../operation-route.js';

export function droppedRoutes(app: FastifyInstance, dropped: DroppedObjectService): void {
  operationRoute(app, 'listDroppedObjects', async (req) => {
    const { pageToken, pageSize } = req.query;
    return dropped.list({ caller: callerOf(req), warehouse: req.params.warehouse }, pageToken, pageSize);
  });

  operationRoute(app, 'undropObject', async (req) => dropped.undrop({ caller: callerOf(req), warehouse: req.params.warehouse }, req.params.id, req.body));
}

export function maintenanceRoutes(app: FastifyInstance, maintenance: MaintenanceService): void {
  operationRoute(app, 'runTableMaintenance', async (req) =>
    maintenance.run({ caller: callerOf(req), warehouse: req.params.warehouse }, namespaceParam(req.params.namespace), req.params.table, req.body),
  );
  operationRoute(app, 'getTableMaintenance', async (req) =>
    maintenance.job({ caller: callerOf(req), warehouse: req.params.warehouse }, namespaceParam(req.params.namespace), req.params.table),
  );
}

/** Management routes for warehouses and their metrics reports. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { UpdateWarehouseRequest, UpdateWarehouseStorageRequest } from '@lakegate/protocol';
import type { WarehouseAdmin } from '../../../catalog/management/warehouse-admin.js';
import type { TableService } from '../../../catalog/tables/table-service.js';
import { callerOf } from '../../caller.js';
import { namespaceParam } from '../iceberg/common.js';


export function warehouseRoutes(app: FastifyInstance, admin: WarehouseAdmin, tables: TableService): void {
  app.get('/warehouses', { schema: { operationId: 'listWarehouses' } }, async (req) => ({ warehouses: await admin.list(callerOf(req)) }));

  app.post('/warehouses', { schema: { operationId: 'createWarehouse' } }, async (req, reply) => reply.code(201).send(await admin.create(callerOf(req), req.body)));

  app.post(
    '/warehouses/:warehouse/properties',
    { schema: { operationId: 'updateWarehouseProperties' } },
    async (req: FastifyRequest<{ Params: { warehouse: string }; Body: UpdateWarehouseRequest }>) => admin.updateProperties(callerOf(req), req.params.warehouse, req.body),
  );

  app.put(
    '/warehouses/:warehouse/storage-profile',
    { schema: { operationId: 'updateWarehouseStorageProfile' } },
    async (req: FastifyRequest<{ Params: { warehouse: string }; Body: UpdateWarehouseStorageRequest }>) => admin.updateStorage(callerOf(req), req.params.warehouse, req.body),
  );

  app.get(
    '/warehouses/:warehouse/namespaces/:namespace/tables/:table/metrics-reports',
    { schema: { operationId: 'listMetricsReports' } },
    async (req: FastifyRequest<{ Params: { warehouse: string; namespace: string; table: string } }>) => {
      const { limit = 100 } = req.query as { limit?: number };
      const reports = await tables.listMetrics({ caller: callerOf(req), warehouse: req.params.warehouse }, namespaceParam(req.params.namespace), req.params.table, Number(limit));
      return { reports: reports.map((r) => ({ id: r.id, 'report-type': r.reportType, 'created-at-ms': r.createdAtMs, report: r.report })) };
    },
  );
}

/** Management routes for warehouses and their metrics reports. */
import type { FastifyInstance } from 'fastify';
import type { WarehouseAdmin } from '../../../catalog/management/warehouse-admin.js';
import type { TableService } from '../../../catalog/tables/table-service.js';
import { callerOf } from '../../caller.js';
import { namespaceParam } from '../iceberg/common.js';
import { operationRoute } from '../../operation-route.js';

export function warehouseRoutes(app: FastifyInstance, admin: WarehouseAdmin, tables: TableService): void {
  operationRoute(app, 'listWarehouses', async (req) => ({ warehouses: await admin.list(callerOf(req)) }));

  operationRoute(app, 'createWarehouse', async (req, reply) => reply.code(201).send(await admin.create(callerOf(req), req.body)));

  operationRoute(app, 'updateWarehouseProperties', async (req) => admin.updateProperties(callerOf(req), req.params.warehouse, req.body));

  operationRoute(app, 'updateWarehouseStorageProfile', async (req) => admin.updateStorage(callerOf(req), req.params.warehouse, req.body));

  operationRoute(app, 'listMetricsReports', async (req) => {
    const { limit = 100 } = req.query;
    const reports = await tables.listMetrics(
      { caller: callerOf(req), warehouse: req.params.warehouse },
      namespaceParam(req.params.namespace),
      req.params.table,
      Number(limit),
    );
    return { reports: reports.map((r) => ({ id: r.id, 'report-type': r.reportType, 'created-at-ms': r.createdAtMs, report: r.report })) };
  });
}

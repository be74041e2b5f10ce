/** Management routes for warehouses and their metrics reports. */
import type { FastifyInstance } from 'fastify';
import type { WarehouseAdmin } from '../../../catalog/management/warehouse-admin.js';
import type { TableService } from '../../../catalog/tables/table-service.js';
import { callerOf } from '../../caller.js';
import { namespaceParam } from '../iceberg/common.js';
import { operationRoute } from '../../operation-route.js';
import { icebergError } from '../../mappers/iceberg-errors.js';

export function warehouseRoutes(app: FastifyInstance, admin: WarehouseAdmin, tables: TableService): void {
  operationRoute(app, 'listWarehouses', async (req) => ({ warehouses: await admin.list(callerOf(req)) }));

  operationRoute(app, 'createWarehouse', async (req, reply) => reply.code(201).send(await admin.create(callerOf(req), req.body)));

  operationRoute(app, 'updateWarehouseProperties', async (req) => admin.updateProperties(callerOf(req), req.params.warehouse, req.body));

  operationRoute(app, 'updateWarehouseStorageProfile', async (req) => admin.updateStorage(callerOf(req), req.params.warehouse, req.body));
  operationRoute(app, 'updateWarehouseFederation', async (req) => admin.updateFederation(callerOf(req), req.params.warehouse, req.body));
  operationRoute(app, 'getWarehouseFederationStatus', async (req) => {
    const s = await admin.federationStatus(callerOf(req), req.params.warehouse);
    return {
      warehouse: s.warehouse,
      kind: s.kind,
      ok: s.ok,
      'checked-at-ms': s.checkedAtMs,
      'elapsed-ms': s.elapsedMs,
      // The remote's failure in the error model, its message kept even for a 5xx code: it is the remote's, never internal.
      ...(s.error ? { error: { ...icebergError(s.error.code, s.error.message).body.error, message: s.error.message } } : {}),
    };
  });

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

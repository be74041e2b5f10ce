/** Management routes for warehouses and their metrics reports. */
import type { FastifyInstance } from 'fastify';
import type { WarehouseAdmin } from '../../../catalog/management/warehouse-admin.js';
import type { TableService } from '../../../catalog/tables/table-service.js';
import { callerOf } from '../../caller.js';
import { namespaceParam } from '../iceberg/common.js';
import { operationRoute } from '../../operation-route.js';
import { icebergError } from '../../mappers/iceberg-errors.js';
import type { CatalogErrorCode } from '../../../errors/catalog-error.js';
import type { RemoteFailure } from '../../../catalog/ports/remote-failures.js';

/**
 * The remote's failure in the error model, its message kept even for a 5xx code: it is the remote's, never internal. A
 * recorded code this release does not know (a row older than a renamed code) is answered as unavailable.
 */
function remoteError(e: { code: string; message: string }) {
  let mapped: { type: string; code: number };
  try {
    mapped = icebergError(e.code as CatalogErrorCode, e.message).body.error;
  } catch {
    mapped = { type: 'ServiceUnavailableException', code: 503 };
  }
  return { message: e.message, type: mapped.type, code: mapped.code };
}

const failureView = (f: RemoteFailure) => ({
  operation: f.operation,
  error: remoteError(f),
  count: f.count,
  'first-at-ms': f.firstAtMs,
  'last-at-ms': f.lastAtMs,
});

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
      ...(s.error ? { error: remoteError(s.error) } : {}),
      'recent-failures': s.recentFailures.map(failureView),
      ...(s.lastAnsweredAtMs === undefined ? {} : { 'last-answered-at-ms': s.lastAnsweredAtMs }),
    };
  });

  operationRoute(app, 'listWarehouseFederationFailures', async (req) => {
    const { pageToken, pageSize } = req.query;
    const page = await admin.federationFailures(callerOf(req), req.params.warehouse, pageToken, pageSize);
    return { failures: page.failures.map(failureView), ...(page.nextPageToken === undefined ? {} : { 'next-page-token': page.nextPageToken }) };
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

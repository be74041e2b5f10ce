/** Lakegate's own management API (not part of the Iceberg spec). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogServices } from '../../catalog/services.js';
import { namespaceParam } from './iceberg/common.js';

export function adminRoutes(app: FastifyInstance, services: CatalogServices): void {
  const tags = ['Lakegate management'];
  app.get('/management/v1/warehouses', { schema: { tags, operationId: 'listWarehouses' } }, async () => ({
    warehouses: (await services.warehouses.list()).map((w) => ({ name: w.name, 'storage-root': w.storageRoot, properties: w.properties })),
  }));

  app.get(
    '/management/v1/warehouses/:warehouse/namespaces/:namespace/tables/:table/metrics-reports',
    { schema: { tags, operationId: 'listMetricsReports' } },
    async (req: FastifyRequest<{ Params: { warehouse: string; namespace: string; table: string } }>) => {
      const warehouse = await services.warehouses.require(req.params.warehouse);
      const { limit = '100' } = req.query as { limit?: string };
      const reports = await services.tables.listMetrics({ warehouse }, namespaceParam(req.params.namespace), req.params.table, Number(limit));
      return { reports: reports.map((r) => ({ id: r.id, 'report-type': r.reportType, 'created-at-ms': r.createdAtMs, report: r.report })) };
    },
  );
}

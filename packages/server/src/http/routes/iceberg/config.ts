import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { callerOf } from './common.js';
import { ICEBERG_ENDPOINTS } from './endpoints.js';

export function configRoutes(app: FastifyInstance, services: CatalogServices, idempotencyLifetime: string): void {
  app.get('/config', { schema: { tags: ['Configuration API'], operationId: 'getConfig' } }, async (req) => {
    const { warehouse } = req.query as { warehouse?: string };
    const wh = await services.warehouses.resolve(callerOf(req), warehouse);
    return {
      defaults: {},
      overrides: { prefix: encodeURIComponent(wh.name), warehouse: wh.name },
      endpoints: ICEBERG_ENDPOINTS,
      'idempotency-key-lifetime': idempotencyLifetime,
    };
  });
}

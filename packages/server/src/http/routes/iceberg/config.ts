import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { callerOf, sendJson } from './common.js';
import { ICEBERG_ENDPOINTS } from './endpoints.js';

export function configRoutes(app: FastifyInstance, services: CatalogServices, idempotencyLifetime: string): void {
  // The answer depends on the warehouse's name only: serialised once per name (bounded by the warehouses that exist).
  const answers = new Map<string, string>();
  const answerFor = (name: string) => {
    let body = answers.get(name);
    if (body === undefined) {
      body = JSON.stringify({
        defaults: {},
        overrides: { prefix: encodeURIComponent(name), warehouse: name },
        endpoints: ICEBERG_ENDPOINTS,
        'idempotency-key-lifetime': idempotencyLifetime,
      });
      answers.set(name, body);
    }
    return body;
  };
  app.get('/config', { schema: { operationId: 'getConfig' } }, async (req, reply) => {
    const { warehouse } = req.query as { warehouse?: string };
    const wh = await services.warehouses.resolve(callerOf(req), warehouse);
    return sendJson(reply, answerFor(wh.name));
  });
}

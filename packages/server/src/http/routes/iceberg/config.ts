import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { callerOf, sendJson } from './common.js';
import { ICEBERG_ENDPOINTS } from './endpoints.js';
import { SCAN_PLANNING_MODE, warehousePlanningMode } from '../../../catalog/kit/planning-mode.js';
import { operationRoute } from '../../operation-route.js';

export function configRoutes(app: FastifyInstance, services: CatalogServices, idempotencyLifetime: string): void {
  // The answer depends on the warehouse's name and planning mode only: serialised once per pair (bounded by the warehouses that exist, times two).
  const answers = new Map<string, string>();
  const answerFor = (name: string, planningMode: string | undefined) => {
    const key = `${name}\u001f${planningMode ?? ''}`;
    let body = answers.get(key);
    if (body === undefined) {
      body = JSON.stringify({
        // The warehouse's scan planning recommendation (catalog/kit/planning-mode.ts): PyIceberg reads it from here.
        defaults: planningMode === undefined ? {} : { [SCAN_PLANNING_MODE]: planningMode },
        overrides: { prefix: encodeURIComponent(name), warehouse: name },
        endpoints: ICEBERG_ENDPOINTS,
        'idempotency-key-lifetime': idempotencyLifetime,
      });
      answers.set(key, body);
    }
    return body;
  };
  operationRoute(app, 'getConfig', async (req, reply) => {
    const { warehouse } = req.query;
    const wh = await services.warehouses.resolve(callerOf(req), warehouse);
    return sendJson(reply, answerFor(wh.name, warehousePlanningMode(wh)));
  });
}

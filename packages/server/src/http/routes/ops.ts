/** Health, readiness, metrics and the OpenAPI document: unauthenticated operational endpoints. */
import type { FastifyInstance } from 'fastify';
import type { CatalogStore } from '../../catalog/ports.js';
import type { HttpMetrics } from '../../observability/metrics.js';

export interface OpsDeps {
  store: CatalogStore;
  metrics: HttpMetrics;
}

export function opsRoutes(app: FastifyInstance, deps: OpsDeps): void {
  const hide = { schema: { hide: true } };
  app.get('/healthz', hide, async () => ({ status: 'ok' }));
  app.get('/readyz', hide, async (_req, reply) => {
    const ok = await deps.store.ping();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'database unavailable' });
  });
  app.get('/metrics', hide, async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return reply.send(await deps.metrics.exposition());
  });
  app.get('/openapi.json', hide, async () => app.swagger());
}

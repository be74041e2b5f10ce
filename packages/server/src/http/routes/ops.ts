/** Health, readiness, metrics and the OpenAPI document: unauthenticated operational endpoints. */
import type { FastifyInstance, FastifySchema } from 'fastify';
import { buildOpenApiDocument } from '@lakegate/protocol';
import type { CatalogStore } from '../../catalog/ports/index.js';
import type { HttpMetrics } from '../../observability/metrics.js';

export interface OpsDeps {
  store: CatalogStore;
  metrics: HttpMetrics;
  /** The token endpoint the document's OAuth2 security schemes name (relative to the server by default). */
  tokenUrl?: string;
  /** True once shutdown began: readiness answers 503 so a load balancer stops sending requests (docs/deployment.md). */
  draining?: () => boolean;
}

export function opsRoutes(app: FastifyInstance, deps: OpsDeps): void {
  const hide: { schema: FastifySchema } = { schema: { hide: true } };
  app.get('/healthz', hide, async () => ({ status: 'ok' }));
  app.get('/readyz', hide, async (_req, reply) => {
    if (deps.draining?.()) return reply.code(503).send({ status: 'draining' });
    const ok = await deps.store.ping();
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'database unavailable' });
  });
  app.get('/metrics', hide, async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return reply.send(await deps.metrics.exposition());
  });
  // The document the contract's schemas generate (the same ones every request is validated against), serialised once.
  let document: string | undefined;
  app.get('/openapi.json', hide, async (_req, reply) => {
    document ??= JSON.stringify(buildOpenApiDocument({ tokenUrl: deps.tokenUrl }));
    return reply.type('application/json; charset=utf-8').send(document);
  });
}

/**
 * The Fastify instance and its app-wide plugins (app.ts's HTTP step): request logging and metrics, tracing,
 * write coalescing and per-turn dispatch, lossless JSON, repeated query parameters refused, the actor
 * declared, and the Iceberg error model for paths no surface owns. The surfaces are mounted by compose/surfaces.ts.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { LakegateConfig } from '../config/config.js';
import { icebergEnvelope } from '../http/mappers/iceberg-errors.js';
import { declareActor } from '../http/plugins/authenticate.js';
import { SurfaceEnvelopes, useErrorEnvelope } from '../http/plugins/errors.js';
import { refuseRepeatedQueryParameters } from '../http/plugins/query.js';
import { useLosslessJson } from '../http/plugins/json-body.js';
import { clientErrorHandler } from '../http/client-errors.js';
import { trustedProxies } from '../http/plugins/drain.js';
import { coalesceWrites } from '../http/write-coalescing.js';
import { dispatchRequestsPerTurn } from '../http/turn-dispatch.js';
import { RequestObserver, requestLoggingRoot } from '../http/plugins/request-log.js';
import type { HttpMetrics } from '../observability/metrics.js';
import type { Tracing } from '../observability/tracing.js';

export function createHttpApp(config: LakegateConfig, logger: Logger, metrics: HttpMetrics, tracing: Tracing | undefined): FastifyInstance {
  const envelopes = new SurfaceEnvelopes(icebergEnvelope);
  const app = Fastify({
    // Request log lines and metrics without a pino child logger per request (http/plugins/request-log.ts).
    loggerInstance: requestLoggingRoot(logger),
    frameworkErrors: envelopes.frameworkErrors,
    bodyLimit: config.bodyLimitBytes,
    exposeHeadRoutes: false,
    return503OnClosing: true,
    ...trustedProxies(config.trustedProxies),
    clientErrorHandler,
    routerOptions: { maxParamLength: 2048 },
    logController: new RequestObserver(logger, (method, route, status, seconds) => metrics.observe(method, route, status, seconds)),
  });
  app.server.on('connection', coalesceWrites);
  // Before the per-turn dispatch wraps the request listener: each request's handler then runs in its span's context.
  if (tracing) tracing.traceRequests(app);
  dispatchRequestsPerTurn(app.server);
  useLosslessJson(app);
  refuseRepeatedQueryParameters(app);
  declareActor(app);
  // Paths no surface owns (outside /v1, /lance, /management/v1) get the Iceberg error model.
  useErrorEnvelope(app, icebergEnvelope);
  app.decorate('surfaceEnvelopes', envelopes);
  return app;
}

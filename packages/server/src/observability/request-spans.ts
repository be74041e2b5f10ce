/**
 * One server span per HTTP request, joined to the caller's trace by its W3C `traceparent` (and `tracestate`).
 * Installed only when tracing is on: it replaces the server's request listener by one that starts the span, binds
 * the request and response streams to its context (so Fastify's body reading and hooks run inside it) and ends it
 * when the response is finished. Routing names the span (`GET /v1/{prefix}/namespaces/{namespace}/tables/{table}`)
 * through an onRequest hook, by the route template only.
 *
 * Deliberately not recorded: the URL (its path names objects, its query may carry a signature or a token), every
 * header (Authorization, cookies, X-Amz-Security-Token), the client's address and the body.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type TextMapGetter, type Tracer, context, trace } from '@opentelemetry/api';
import type { TextMapPropagator } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Reads only the propagation headers the propagator asks for. */
const headerGetter: TextMapGetter<IncomingMessage> = {
  keys: () => [],
  get: (req, key) => req.headers[key.toLowerCase()],
};

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** Traces every request the app serves: call before anything else replaces the server's request listener. */
export function traceRequests(app: FastifyInstance, tracer: Tracer, propagator: TextMapPropagator): void {
  const server: Server = app.server;
  const spans = new WeakMap<IncomingMessage, Span>();
  const listeners = server.listeners('request') as Handler[];
  if (listeners.length !== 1) throw new TypeError(`expected the application's request listener alone, found ${listeners.length}`);
  const handler = listeners[0]!;
  server.removeListener('request', handler);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const parent = propagator.extract(ROOT_CONTEXT, req, headerGetter);
    const method = METHODS.has(req.method ?? '') ? req.method! : '_OTHER';
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'url.scheme': 'http' } }, parent);
    spans.set(req, span);
    const ctx = trace.setSpan(parent, span);
    res.once('close', () => {
      const status = res.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setAttribute('error.type', 'response_aborted');
      span.end();
    });
    context.bind(ctx, req);
    context.bind(ctx, res);
    context.with(ctx, () => handler(req, res));
  });
  app.addHook('onRequest', (request, _reply, done) => {
    const span = spans.get(request.raw);
    const route = request.routeOptions.url;
    if (span && route !== undefined) {
      span.setAttribute('http.route', route);
      span.updateName(`${METHODS.has(request.method) ? request.method : '_OTHER'} ${route}`);
    }
    done();
  });
}

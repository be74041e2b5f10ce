/**
 * OpenTelemetry trace export, configured by the standard OTEL_* environment variables and OFF by default: without
 * them nothing here is loaded into the request path (the catalog gets `noSpans`, the HTTP server no span per
 * request, the database and object store no wrappers that do anything), so tracing costs nothing when off.
 *
 * On when OTEL_TRACES_EXPORTER names `otlp` (or `console`), or when an OTLP endpoint is set
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and OTEL_TRACES_EXPORTER is not `none`;
 * OTEL_SDK_DISABLED=true turns it off whatever else is set. Export is OTLP over HTTP (JSON), batched; the
 * exporter itself reads the endpoint, headers and timeout variables, the resource detector OTEL_SERVICE_NAME and
 * OTEL_RESOURCE_ATTRIBUTES. Sampling: parent-based (a request whose traceparent says "sampled" is recorded, one that
 * says "not sampled" is not), always on for requests without a parent, or OTEL_TRACES_SAMPLER_ARG's ratio with
 * OTEL_TRACES_SAMPLER=parentbased_traceidratio.
 *
 * One provider per process (each worker of `serve --workers N` has its own and exports its own spans); the
 * AsyncLocalStorage context manager is registered once, globally, as OpenTelemetry's API requires for active spans.
 *
 * This module loads the OpenTelemetry SDK, so nothing imports it at start: the server imports it only when the
 * environment turns tracing on (traces-exporters.ts), and it is the package's `@lakegate/server/tracing` entry.
 */
import { type TextMapPropagator, type Tracer, context, diag } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  InMemorySpanExporter,
  ParentBasedSampler,
  type ReadableSpan,
  type Sampler,
  SimpleSpanProcessor,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Spans } from '../catalog/ports/tracing.js';
import type { FastifyInstance } from 'fastify';
import { OtelSpans } from './spans.js';
import { traceRequests } from './request-spans.js';
import { tracesExporters } from './traces-exporters.js';

export { tracesExporters } from './traces-exporters.js';

export interface Tracing {
  spans: Spans;
  tracer: Tracer;
  propagator: TextMapPropagator;
  /** Starts a server span per HTTP request of the app (request-spans.ts). */
  traceRequests(app: FastifyInstance): void;
  /** Exports what has ended so far. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const SCOPE = '@lakegate/server';

let contextManager: AsyncLocalStorageContextManager | undefined;

function useAsyncContext(): void {
  if (contextManager) return;
  contextManager = new AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
}

/** A tracer provider over the given span processors (the tests' in-memory exporter; the OTLP exporter in service). */
export function createTracing(processors: SpanProcessor[], options: { serviceName?: string; sampler?: Sampler } = {}): Tracing {
  useAsyncContext();
  const detected = detectResources({ detectors: [envDetector] });
  // process.pid tells the workers of `serve --workers N` apart; not the command line, which may hold a database URL.
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? 'lakegate', 'process.pid': process.pid }).merge(detected);
  const provider = new TracerProvider({
    resource,
    spanProcessors: processors,
    sampler: options.sampler ?? new ParentBasedSampler({ root: new AlwaysOnSampler() }),
  });
  const tracer = provider.getTracer(SCOPE);
  const propagator = new W3CTraceContextPropagator();
  return {
    spans: new OtelSpans(tracer),
    tracer,
    propagator,
    traceRequests: (app) => traceRequests(app, tracer, propagator),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Tracing into memory, each span kept as it ends: for tests and benchmarks of the instrumentation itself. */
export function memoryTracing(): { tracing: Tracing; finished(): ReadableSpan[]; reset(): void } {
  const exporter = new InMemorySpanExporter();
  return { tracing: createTracing([new SimpleSpanProcessor({ exporter })]), finished: () => exporter.getFinishedSpans(), reset: () => exporter.reset() };
}

type Env = Record<string, string | undefined>;

function samplerFromEnv(env: Env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase();
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const bounded = Number.isFinite(ratio) && ratio >= 0 && ratio <= 1 ? ratio : 1;
  if (name === 'traceidratio') return new TraceIdRatioBasedSampler(bounded);
  if (name === 'parentbased_traceidratio') return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(bounded) });
  if (name === 'always_on') return new AlwaysOnSampler();
  return new ParentBasedSampler({ root: new AlwaysOnSampler() });
}

let fromEnv: { key: string; tracing: Tracing | undefined } | undefined;

/** The process's tracing as OTEL_* configures it, built once per process; undefined when tracing is off. */
export function tracingFromEnv(env: Env = process.env, warn: (message: string) => void = () => undefined): Tracing | undefined {
  const exporters = tracesExporters(env);
  const key = exporters.join(',');
  if (fromEnv?.key === key) return fromEnv.tracing;
  if (exporters.length === 0) {
    fromEnv = { key, tracing: undefined };
    return undefined;
  }
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/json').trim();
  if (exporters.includes('otlp') && protocol !== 'http/json' && protocol !== 'http/protobuf')
    warn(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: traces are exported as OTLP/HTTP (JSON)`);
  // The standard batch settings (this SDK version leaves them to the caller): delay, queue, batch size, timeout.
  const whole = (name: string) => {
    const n = Number(env[name]);
    return env[name] !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
  };
  const batch = {
    ...(whole('OTEL_BSP_SCHEDULE_DELAY') ? { scheduledDelayMillis: whole('OTEL_BSP_SCHEDULE_DELAY') } : {}),
    ...(whole('OTEL_BSP_MAX_QUEUE_SIZE') ? { maxQueueSize: whole('OTEL_BSP_MAX_QUEUE_SIZE') } : {}),
    ...(whole('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ? { maxExportBatchSize: whole('OTEL_BSP_MAX_EXPORT_BATCH_SIZE') } : {}),
    ...(whole('OTEL_BSP_EXPORT_TIMEOUT') ? { exportTimeoutMillis: whole('OTEL_BSP_EXPORT_TIMEOUT') } : {}),
  };
  const processors: SpanProcessor[] = [];
  for (const name of exporters) {
    if (name === 'otlp') processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), ...batch }));
    else if (name === 'console') processors.push(new BatchSpanProcessor({ exporter: new ConsoleSpanExporter(), ...batch }));
    else warn(`OTEL_TRACES_EXPORTER=${name} is not supported (otlp, console, none)`);
  }
  // The SDK's own diagnostics (an unreachable collector) go to the server's log as warnings, never as thrown errors.
  diag.setLogger({ error: warn, warn, info: () => undefined, debug: () => undefined, verbose: () => undefined });
  const tracing = processors.length > 0 ? createTracing(processors, { sampler: samplerFromEnv(env) }) : undefined;
  fromEnv = { key, tracing };
  return tracing;
}

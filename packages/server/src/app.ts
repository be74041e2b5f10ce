/**
 * Composition root: the only file that picks concrete adapters. It builds
 * the store, storage and services from configuration and mounts the HTTP
 * routes on a Fastify instance; each step is one function of compose/.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Clock, systemClock } from './catalog/ports/index.js';
import type { WorkerLink } from './cluster/worker-link.js';
import type { LakegateStore } from './store.js';
import type { CatalogServices } from './catalog/services.js';
import type { LakegateConfig } from './config/config.js';
import { createLogger, resolveLogFormat } from './observability/logger.js';
import { HttpMetrics } from './observability/metrics.js';
import type { Tracing } from './observability/tracing.js';
import { tracesExporters } from './observability/traces-exporters.js';
import type { PrincipalService } from './auth/issuer/principals.js';
import { CONSOLE_PREFIX, consoleBuilt } from './http/surfaces/console.js';
import { createCoherence, createStore } from './compose/store.js';
import { openStorage } from './compose/storage.js';
import { createAuthentication, createIdentity } from './compose/identity.js';
import { createConsole } from './compose/console.js';
import { createPlanning } from './compose/planning.js';
import { createRewriting, type RewriterWrapper } from './compose/rewriting.js';
import type { RewriteThreads } from './compose/rewrite-threads.js';
import type { AuditThread } from './compose/audit-thread.js';
import { createCatalog } from './compose/catalog.js';
import { createHttpApp } from './compose/http.js';
import { createAdministration } from './compose/administration.js';
import { createEvents, type Delivery } from './compose/events.js';
import { mountSurfaces } from './compose/surfaces.js';
import { attachLanceOptimizer } from './compose/lance-optimizer.js';
import { attachCompactionExecutor } from './compose/compaction-executor.js';
import { shareWithWorkers, startBackground } from './compose/background.js';
import { brokerConfigErrors } from './events/broker-config.js';
import type { HostResolver } from './catalog/outbox/sink-destinations.js';

export { createStore };

export interface Lakegate {
  app: FastifyInstance;
  services: CatalogServices;
  store: LakegateStore;
  logger: Logger;
  principals: PrincipalService;
  /** Where the first start wrote the admin's credentials, if this start created them. */
  adminCredentialsFile: string | undefined;
  /** Where the web console is served (path below the server's URL), or undefined when it was not built. */
  consolePath: string | undefined;
  /** Where change events are delivered from: in-process, or the delivery thread (compose/delivery-thread.ts). */
  eventDelivery: Delivery;
  /** The thread the audit trail's batches are written by (SQLite, compose/audit-thread.ts), or undefined when the store writes them on this thread. */
  auditThread: AuditThread | undefined;
  /** The threads Parquet rewrites run in (compose/rewrite-threads.ts), or undefined when they run on the request thread. */
  rewriteThreads: RewriteThreads | undefined;
  /** Sets the URL clients reach this server at (the token issuer's identifier) once it is known. */
  setPublicUrl(url: string): void;
  /** Runs the change events' retention sweep now (it also runs every minute); how many events it deleted. */
  sweepEvents(): Promise<number>;
  /** Shutdown's first step (docs/deployment.md): /readyz answers 503 and every response closes its connection; requests are still served. */
  drain(): void;
  close(): Promise<void>;
}

export interface BuildOptions {
  config: LakegateConfig;
  logger?: Logger;
  clock?: Clock;
  /** This process is one worker of several (`serve --workers N`): its link to the others. */
  worker?: WorkerLink;
  /** Trace export (default: as the OTEL_* environment variables say, off without them; observability/tracing.ts). */
  tracing?: Tracing | undefined;
  /** How event sink destinations are resolved (default: the system resolver; tests answer as a rebinding DNS would). */
  hostResolver?: HostResolver | undefined;
  /**
   * Wraps the data-file rewriter of policy-enforced files and compaction (its second argument: the Parquet one, in
   * the rewrite threads unless `rewriteThreads` is 0; compose/rewriting.ts). Tests wrap it to time a concurrent writer.
   */
  rewriter?: RewriterWrapper;
}

/** The OTEL_* environment's tracing; the OpenTelemetry SDK is imported only when it names an exporter. */
async function tracingFromEnv(warn: (message: string) => void): Promise<Tracing | undefined> {
  if (tracesExporters(process.env).length === 0) return undefined;
  return (await import('./observability/tracing.js')).tracingFromEnv(process.env, warn);
}

export async function buildLakegate(options: BuildOptions): Promise<Lakegate> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel, undefined, resolveLogFormat(config.logFormat));
  const clock = options.clock ?? systemClock;
  const tracing = 'tracing' in options ? options.tracing : await tracingFromEnv((message) => logger.warn({ component: 'tracing' }, message));
  const spans = tracing?.spans;
  const storage = await openStorage(config, spans);
  const { store, secretKey, box } = storage;
  const metrics = new HttpMetrics();
  const { worker } = options;
  const replicas = await createCoherence(config, worker, (message) => logger.warn({ component: 'coherence' }, message));
  const { coherence } = replicas;
  let publicUrl = config.publicUrl || `http://${config.host}:${config.port}`;
  const identity = await createIdentity(config, { store, box, clock, coherence, logger, publicUrl: () => publicUrl });
  const { principals, audit, external, limiter } = identity;
  const rewriting = createRewriting(config, {
    warehouseStorage: storage.warehouseStorage,
    warn: (message, detail) => logger.warn({ component: 'rewrite-threads', ...detail }, message),
    wrap: options.rewriter,
  });
  const { planRows, planning } = createPlanning(config, { store, secretKey, metrics, logger, rewriter: rewriting.rewriter });
  const { deps, accessPorts, services } = await createCatalog(config, { ...storage, clock, coherence, metrics, logger, audit, spans, planning });
  const app = createHttpApp(config, logger, metrics, tracing);
  const web = createConsole(config, { store, principals, audit, limiter, external, box, clock, issuer: identity.issuerId });
  const authentication = createAuthentication(config, identity, web.sessions, clock, spans);
  const admin = createAdministration({ store, deps, services, accessPorts, principals, external, clock });
  const events = createEvents(config, {
    admins: admin.accessAdmin,
    deps,
    services,
    box,
    registry: metrics.registry,
    baseUrl: () => publicUrl,
    warn: (message, detail) => logger.warn({ component: 'events', ...detail }, message),
    // Off the request thread unless asked otherwise, or unless functions were injected (they stay in this thread).
    thread: config.eventDeliveryThread === 'worker' && !options.clock ? { secretKey, graceMs: config.shutdownGraceSeconds * 1000 } : undefined,
    sinkConfigChecks: { kafka: (c) => brokerConfigErrors('kafka', c), nats: (c) => brokerConfigErrors('nats', c) },
    resolveHost: options.hostResolver,
  });
  const drain = await mountSurfaces(app, {
    config,
    store,
    box,
    warehouseStorage: storage.warehouseStorage,
    clock,
    metrics,
    identity,
    authentication,
    deps,
    services,
    admin,
    events,
    web,
    worker,
    publicUrl: () => publicUrl,
  });
  attachLanceOptimizer(config, { services, store, clock, box, logger, metrics });
  attachCompactionExecutor(config, { services, store, clock, box, logger, metrics });
  shareWithWorkers(worker, metrics, audit);
  const background = startBackground(config, { app, store, services, accessPorts, events, web, clock, logger });

  return {
    app,
    services,
    store,
    logger,
    principals,
    adminCredentialsFile: identity.adminCredentialsFile,
    eventDelivery: events.delivery,
    auditThread: identity.auditThread,
    rewriteThreads: rewriting.threads,
    consolePath: consoleBuilt(web.dir) ? `${CONSOLE_PREFIX}/` : undefined,
    setPublicUrl(url: string) {
      if (!config.publicUrl) publicUrl = url.replace(/\/+$/, '');
      events.publicUrlChanged();
    },
    sweepEvents: () => events.sweep(),
    drain: drain.drain,
    async close() {
      await background.stop();
      await events.delivery.stop();
      await app.close();
      // Async scan plans stop between manifests before the stores they read and settle into close.
      await services.planning.background.stop();
      await services.planning.prepared?.stop();
      await services.lance.tables.policyPreparer.stop();
      // Rewrites still running (a plan's derived files, a compaction group) fail; their scratch files go.
      await rewriting.close();
      await planRows.flush();
      await deps.remoteFailures?.flush();
      await audit.flush().catch((err: unknown) => logger.error({ err }, 'writing the audit trail failed'));
      await identity.auditThread?.stop();
      await accessPorts.close?.();
      await replicas.close();
      await store.close();
      // Spans of the last requests are exported before the process goes (the provider stays: others may share it).
      await tracing?.flush().catch((err: unknown) => logger.warn({ err }, 'exporting the last spans failed'));
    },
  };
}

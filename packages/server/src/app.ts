/**
 * Composition root: the only file that picks concrete adapters. It builds
 * the store, storage and services from configuration and mounts the HTTP
 * routes on a Fastify instance; each step is one function of compose/.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Clock, type Coherence, LocalCoherence, type ObjectStorage, systemClock } from './catalog/ports/index.js';
import type { DataFileRewriter } from './catalog/planning/rewrite-ports.js';
import type { WorkerLink } from './cluster/worker-link.js';
import type { LakegateStore } from './store.js';
import type { CatalogServices } from './catalog/services.js';
import type { LakegateConfig } from './config/config.js';
import { createLogger, resolveLogFormat } from './observability/logger.js';
import { HttpMetrics } from './observability/metrics.js';
import { type Tracing, tracingFromEnv } from './observability/tracing.js';
import type { PrincipalService } from './auth/issuer/principals.js';
import { CONSOLE_PREFIX, consoleBuilt } from './http/surfaces/console.js';
import { createStore } from './compose/store.js';
import { openStorage } from './compose/storage.js';
import { createAuthentication, createIdentity } from './compose/identity.js';
import { createConsole } from './compose/console.js';
import { createPlanning } from './compose/planning.js';
import { createCatalog } from './compose/catalog.js';
import { createHttpApp } from './compose/http.js';
import { createAdministration } from './compose/administration.js';
import { createEvents, type Delivery } from './compose/events.js';
import { mountSurfaces } from './compose/surfaces.js';
import { shareWithWorkers, startBackground } from './compose/background.js';
import { brokerConfigErrors } from './events/broker-sinks.js';
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
  /** The data-file rewriter of policy-enforced files and compaction (default: the Parquet one; tests wrap it to time a concurrent writer). */
  rewriter?: (storage: ObjectStorage) => DataFileRewriter;
}

export async function buildLakegate(options: BuildOptions): Promise<Lakegate> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel, undefined, resolveLogFormat(config.logFormat));
  const clock = options.clock ?? systemClock;
  const tracing = 'tracing' in options ? options.tracing : tracingFromEnv(process.env, (message) => logger.warn({ component: 'tracing' }, message));
  const spans = tracing?.spans;
  const storage = await openStorage(config, spans);
  const { store, secretKey, box } = storage;
  const metrics = new HttpMetrics();
  const { worker } = options;
  const coherence: Coherence = worker ?? new LocalCoherence();
  let publicUrl = config.publicUrl || `http://${config.host}:${config.port}`;
  const identity = await createIdentity(config, { store, box, clock, coherence, logger, publicUrl: () => publicUrl });
  const { principals, audit, external, limiter } = identity;
  const { planRows, planning } = createPlanning(config, { store, secretKey, metrics, logger, rewriter: options.rewriter });
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
  shareWithWorkers(worker, metrics, audit);
  const background = startBackground(config, { store, services, accessPorts, events, web, clock, logger });

  return {
    app,
    services,
    store,
    logger,
    principals,
    adminCredentialsFile: identity.adminCredentialsFile,
    eventDelivery: events.delivery,
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
      await planRows.flush();
      await audit.flush().catch((err: unknown) => logger.error({ err }, 'writing the audit trail failed'));
      await accessPorts.close?.();
      await store.close();
      // Spans of the last requests are exported before the process goes (the provider stays: others may share it).
      await tracing?.flush().catch((err: unknown) => logger.warn({ err }, 'exporting the last spans failed'));
    },
  };
}

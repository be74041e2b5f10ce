/**
 * Composition root: the only file that picks concrete adapters. It builds
 * the store, storage and services from configuration and mounts the HTTP
 * routes on a Fastify instance.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { CatalogDeps } from './catalog/context.js';
import { type Clock, type Coherence, LocalCoherence, type ObjectStorage, systemClock } from './catalog/ports/index.js';
import type { DataFileRewriter } from './catalog/planning/rewrite-ports.js';
import type { WorkerLink } from './cluster/worker-link.js';
import type { LakegateStore } from './store.js';
import { parquetRewriter } from './policy-files/index.js';
import { type CatalogServices, createCatalogServices } from './catalog/services.js';
import type { LakegateConfig } from './config/config.js';
import { EXTRA_LOCATION_ROOTS } from './catalog/location-policy.js';
import { icebergEnvelope } from './http/mappers/iceberg-errors.js';
import { declareActor } from './http/plugins/authenticate.js';
import { SurfaceEnvelopes, useErrorEnvelope } from './http/plugins/errors.js';
import { refuseRepeatedQueryParameters } from './http/plugins/query.js';
import { useLosslessJson } from './http/plugins/json-body.js';
import { clientErrorHandler } from './http/client-errors.js';
import { ICEBERG_PREFIX, icebergSurface } from './http/surfaces/iceberg.js';
import { LANCE_PREFIX, lanceSurface } from './http/surfaces/lance.js';
import { MANAGEMENT_PREFIX, TRINO_OPA_PREFIX, managementSurface, trinoOpaSurface } from './http/surfaces/management.js';
import { oauthSurface } from './http/surfaces/oauth.js';
import { opsSurface } from './http/surfaces/ops.js';
import { drainSwitch, trustedProxies } from './http/plugins/drain.js';
import { coalesceWrites } from './http/write-coalescing.js';
import { dispatchRequestsPerTurn } from './http/turn-dispatch.js';
import { WriteBehindPlans } from './catalog/planning/plan-write-behind.js';
import { createLogger, resolveLogFormat } from './observability/logger.js';
import { RequestObserver, requestLoggingRoot } from './http/plugins/request-log.js';
import { HttpMetrics } from './observability/metrics.js';
import { LoggedChanges } from './observability/logged-changes.js';
import { type Tracing, tracingFromEnv } from './observability/tracing.js';
import { traceRequests } from './observability/request-spans.js';
import { createStore } from './compose/store.js';
import { Keyring } from './security/keyring.js';
import { AuditTrail } from './auth/audit.js';
import { AuthenticatorChain } from './auth/authn/authenticator.js';
import { JwtAuthenticator } from './auth/authn/jwt-authenticator.js';
import { ApiKeyAuthenticator } from './auth/authn/api-key-authenticator.js';
import { SigV4Authenticator } from './auth/authn/sigv4-authenticator.js';
import { MachineKeys } from './auth/credentials-keys.js';
import { ExternalIssuers } from './auth/idp/external-issuers.js';
import { parseTrustedIssuers } from './compose/trusted-issuers.js';

import { DEFAULT_FAILURE_LIMITS, FailureLimiter } from './auth/issuer/failure-limiter.js';
import { SessionAuthenticator } from './auth/authn/session-authenticator.js';
import { createConsole } from './compose/console.js';
import { CONSOLE_PREFIX, consoleBuilt, consoleSurface } from './http/surfaces/console.js';
import { clientCredentialsGrant } from './auth/issuer/grants/client-credentials.js';
import { refreshTokenGrant } from './auth/issuer/grants/refresh-token.js';
import { tokenExchangeGrant } from './auth/issuer/grants/token-exchange.js';
import { ADMIN_ROLE, PrincipalService } from './auth/issuer/principals.js';
import { AuditReader } from './auth/management/audit-reader.js';
import { PrincipalAdmin } from './auth/management/principal-admin.js';
import { ASSERTED_ISSUER, type Actor } from './auth/actor.js';
import { AccessAdmin } from './catalog/management/access-admin.js';
import { WarehouseAdmin } from './catalog/management/warehouse-admin.js';
import { StorageGrantAdmin } from './catalog/management/storage-grant-admin.js';
import { callerOfActor } from './http/caller.js';
import { ProfileAdmin } from './storage/profile-admin.js';
import { INTENT_RECOVERY_AFTER_MS, createAccessPorts } from './compose/access.js';
import { TokenEndpoint } from './auth/issuer/token-endpoint.js';
import { TokenState } from './auth/token-state.js';
import { bareGroups } from './auth/delegation-policy.js';
import { TokenIssuer, generateEs256Jwk } from './auth/issuer/token-issuer.js';
import { SecretBox } from './security/secret-box.js';
import { SealedRemoteCatalogs } from './federation/remote-catalogs.js';
import { loadSecretKey } from './security/secret-key.js';
import { PageTokens } from './catalog/paging.js';
import { SealedPlanTasks } from './catalog/planning/plan-tasks.js';
import { StorageRefreshTokens } from './storage/refresh-token.js';
import { WarehouseStorage } from './storage/warehouse-storage.js';
import { createEvents, type Delivery } from './compose/events.js';
import { startSweeps } from './compose/sweeps.js';
import { brokerConfigErrors } from './events/broker-sinks.js';
import type { HostResolver } from './catalog/outbox/sink-destinations.js';

/** Delegation policies stored before issuers were recorded may hold bare group names, which match nothing now. */
async function warnAboutBareGroups(principals: PrincipalService, logger: Logger): Promise<void> {
  for (const p of await principals.list()) {
    const groups = bareGroups(p.delegation);
    if (groups.length > 0) {
      logger.warn({ clientId: p.clientId, groups }, 'delegation policy names groups without their issuer; they match no user until set again with {"issuer", "name"} (docs/security.md)');
    }
  }
}

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
  const store = createStore(config, spans);
  await store.migrate();
  const secretKey = loadSecretKey(config.secretKey, config.dataDir);
  const box = new SecretBox(secretKey);
  const warehouseStorage = new WarehouseStorage(store, box, spans);
  const metrics = new HttpMetrics();
  const { worker } = options;
  const coherence: Coherence = worker ?? new LocalCoherence();
  let publicUrl = config.publicUrl || `http://${config.host}:${config.port}`;
  const issuer = new TokenIssuer(
    new Keyring('issuer-es256', store, box, clock, generateEs256Jwk),
    () => publicUrl,
    { accessSeconds: config.accessTokenTtlSeconds, refreshSeconds: config.refreshTokenTtlSeconds, maxSessionSeconds: config.maxSessionLifetimeSeconds },
    () => clock.now(),
  );
  // A change of a principal made through this process is seen by its token checks at once (other replicas: identityCacheSeconds).
  const principals = new PrincipalService(store.identity, () => clock.now(), () => tokenState.forgetPrincipals());
  const external = new ExternalIssuers(parseTrustedIssuers(config.trustedIssuers));
  const tokenState = new TokenState({
    identity: store.identity,
    issuerId: () => issuer.issuerId,
    trustedIssuerTenant: (iss) => external.tenantOf(iss),
    now: () => clock.now(),
    cacheTtlMs: config.identityCacheSeconds * 1000,
    coherence,
  });
  await warnAboutBareGroups(principals, logger);
  const audit = new AuditTrail(store.identity, logger.child({ component: 'audit' }), () => clock.now());
  const planRows = new WriteBehindPlans(store.plans, (err, plans) => logger.error({ err, plans }, 'writing completed scan plans failed; their ids answer 404'));
  const tokenEndpoint = new TokenEndpoint();
  for (const grant of [clientCredentialsGrant, refreshTokenGrant, tokenExchangeGrant]) tokenEndpoint.registerGrant(grant);
  const adminCredentialsFile = await principals.bootstrapAdmin(config.dataDir, 'v1/oauth/tokens');
  if (adminCredentialsFile) logger.warn({ file: adminCredentialsFile }, 'created the admin service principal; its client id and secret are in this file (mode 0600)');
  if (config.auth === 'disabled') logger.warn('authentication is DISABLED: every request is anonymous; use this for local development only');
  const changes = new LoggedChanges(logger.child({ component: 'catalog' }), metrics);
  store.listen(changes);
  const deps: CatalogDeps = {
    store,
    storageFor: (warehouse) => warehouseStorage.storageFor(warehouse),
    clock,
    newUuid: randomUUID,
    outcomes: changes,
    audit: {
      record: (caller, d) => audit.record(d.type, caller.description, d.detail, { tenant: caller.tenant, decision: d.decision, action: d.action, object: d.object, requestId: caller.requestId }),
    },
    settings: { stagedTableTtlMs: config.stagedTableTtlSeconds * 1000, commitRetries: config.commitRetries, maintenanceLeaseMs: config.maintenanceLeaseMs },
    coherence,
    pageTokens: new PageTokens(secretKey),
    spans,
    remotes: new SealedRemoteCatalogs(() => store.repository, box, (warehouse) => warehouseStorage.storageFor(warehouse)),
  };
  const accessPorts = await createAccessPorts(config, store, clock);
  const services = createCatalogServices(deps, config.defaultWarehouse, {
    vendorFor: (warehouse) => warehouseStorage.vendorFor(warehouse),
    tokens: new StorageRefreshTokens(new Keyring('storage-refresh', store, box, clock), config.storageRefreshTokenTtlSeconds, () => clock.now()),
    metrics: metrics.vending,
    maxCacheSeconds: config.credentialCacheMaxSeconds,
    lifetimeSeconds: config.vendedCredentialLifetimeSeconds,
    reportedLifetimeSeconds: config.reportedCredentialLifetimeSeconds,
  }, accessPorts, warehouseStorage, {
    // In the catalog database: every worker and replica answers fetchPlanningResult and cancelPlanning (issue 51);
    // plans answered at once are written behind their answer, a batch at a time (plan-write-behind.ts, issue 55).
    store: planRows,
    // Sealed with the server's secret key: every replica (serve --workers N) opens every plan task.
    tasks: new SealedPlanTasks(secretKey),
    limits: { inlineManifests: config.planningInlineManifests, manifestsPerTask: config.planningManifestsPerTask, planTtlMs: config.planningTtlSeconds * 1000, manifestCacheEntries: config.planningManifestCacheEntries, asyncManifests: config.planningAsyncManifests, answerCacheBytes: config.planningAnswerCacheBytes },
    metrics: metrics.planning,
    rewriter: options.rewriter ?? parquetRewriter,
  }, store.labels, store.functions);
  const { created, warehouse } = await services.warehouses.ensure(
    config.defaultWarehouse,
    config.warehouseRoot,
    config.extraLocationRoots ? { [EXTRA_LOCATION_ROOTS]: config.extraLocationRoots } : {},
  );
  if (created) logger.info({ warehouse: warehouse.name, storageRoot: warehouse.storageRoot }, 'created default warehouse');

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
  if (tracing) traceRequests(app, tracing.tracer, tracing.propagator);
  dispatchRequestsPerTurn(app.server);
  useLosslessJson(app);
  refuseRepeatedQueryParameters(app);
  declareActor(app);
  // Paths no surface owns (outside /v1, /lance, /management/v1) get the Iceberg error model.
  useErrorEnvelope(app, icebergEnvelope);
  app.decorate('surfaceEnvelopes', envelopes);
  const machineKeys = new MachineKeys(store.identity, box, () => clock.now());
  const issuerId = () => issuer.issuerId;
  const limiter = new FailureLimiter(DEFAULT_FAILURE_LIMITS, () => clock.now(), coherence);
  const web = createConsole(config, { store, principals, audit, limiter, external, box, clock, issuer: issuerId });
  const chain = new AuthenticatorChain([
    new JwtAuthenticator(issuer, tokenState, external, () => clock.now()),
    new SigV4Authenticator(machineKeys, principals, { service: config.sigv4SigningName, region: config.sigv4Region, clockSkewMs: 15 * 60_000 }, () => clock.now(), issuerId),
    new ApiKeyAuthenticator(machineKeys, principals, issuerId),
    // Last: a request with a bearer token, a signature or an API key is never authenticated by a cookie.
    new SessionAuthenticator(web.sessions),
  ]);
  const authentication = { chain, required: config.auth === 'required', spans };
  const idempotency = { store, clock, lifetimeSeconds: config.idempotencyLifetimeSeconds, box };
  // One encapsulated plugin per surface: each owns its prefix, its authentication requirement, idempotency and error model.
  await app.register(oauthSurface, {
    endpoint: tokenEndpoint,
    issuer,
    principals,
    state: tokenState,
    audit,
    limiter,
    // Throws for a bad token of a trusted issuer (refused as invalid_request); undefined for an untrusted issuer.
    verifyExternal: external.configured ? (token) => external.verify(token) : undefined,
    options: { clientCredentialsRefreshTokens: config.clientCredentialsRefreshTokens },
  });
  const drain = drainSwitch(app);
  await app.register(opsSurface, { store, metrics, draining: drain.draining });
  await app.register(icebergSurface, { prefix: ICEBERG_PREFIX, services, authentication, idempotency });
  await app.register(lanceSurface, { prefix: LANCE_PREFIX, services, authentication, idempotency });
  const isAdmin = (actor: Actor) => services.access.isAdmin(callerOfActor(actor));
  const accessAdmin = new AccessAdmin({
    access: services.access,
    control: accessPorts.control,
    authorizer: accessPorts.authorizer,
    warehouses: services.warehouses,
    repository: () => store.repository,
    clock,
    policies: { policiesOn: (tenant, objectId) => store.policies.listForObject(tenant, objectId), rolesOf: (tenant, members) => accessPorts.control.rolesOf(tenant, members) },
    identities: {
      principal: async (clientId) => {
        const p = await principals.get(clientId);
        return p && { tenant: p.tenant, admin: p.roles.includes(ADMIN_ROLE) };
      },
      issuerServes: (issuerUrl, tenant) => issuerUrl === ASSERTED_ISSUER || external.tenantOf(issuerUrl) === tenant,
    },
  });
  const storageGrants = new StorageGrantAdmin(store.storageGrants, accessAdmin, deps.audit, clock);
  const events = createEvents(config, {
    admins: accessAdmin,
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
  await app.register(managementSurface, {
    prefix: MANAGEMENT_PREFIX,
    principals: new PrincipalAdmin({
      principals,
      keys: machineKeys,
      identity: store.identity,
      audit,
      isAdmin,
      issuerServes: (issuerUrl, tenant) => issuerUrl === ASSERTED_ISSUER || external.tenantOf(issuerUrl) === tenant,
      events: { newUuid: randomUUID, clock },
    }),
    warehouses: new WarehouseAdmin(services.warehouses, accessAdmin, new ProfileAdmin(warehouseStorage), randomUUID, (tenant) => storageGrants.rootsOf(tenant), deps.audit, deps.remotes),
    storageGrants,
    access: accessAdmin,
    // Before reading the trail, every worker writes what it holds, so a reader sees decisions made by any of them.
    audit: new AuditReader(store.identity, isAdmin, worker ? async () => void (await worker.ask('flush-audit')) : () => audit.flush()),
    tables: services.tables,
    events: events.routes,
    dropped: services.dropped,
    maintenance: services.maintenance,
    policies: services.policies,
    enforcers: services.enforcers,
    labels: services.labels,
    functions: services.functionAdmin,
    authentication,
  });

  await app.register(trinoOpaSurface, { prefix: TRINO_OPA_PREFIX, services, principals, authentication });
  await app.register(consoleSurface, { prefix: CONSOLE_PREFIX, dir: web.dir, sessions: web.sessions, oidc: web.oidc, publicUrl: () => publicUrl });

  if (worker) {
    worker.answer('metrics', () => metrics.json());
    worker.answer('flush-audit', () => audit.flush());
    metrics.exposition = async () => (await worker.ask('metrics')) as string;
  }

  // Events of OpenFGA changes a crash interrupted: what was resolved is logged (published: the change happened).
  const recoverIntents = async () => {
    const resolved = await accessPorts.intentRecovery!.sweep();
    if (resolved.published + resolved.dropped > 0) logger.info(resolved, 'interrupted OpenFGA changes resolved: their events published or dropped');
  };
  const sweeper = startSweeps(
    [
      { name: 'console session', run: () => web.sessions.sweep() },
      { name: 'expiry', run: () => store.repository.deleteExpired(clock.now(), config.idempotencyLifetimeSeconds * 1000) },
      { name: 'token session', run: () => store.identity.deleteEndedTokenSessions(clock.now()) },
      { name: 'metrics report retention', run: async () => config.metricsReportRetentionDays > 0 && store.repository.deleteMetricsReportsBefore(clock.now() - config.metricsReportRetentionDays * 86_400_000) },
      // Dropped objects past their warehouse's retention: files of purged ones deleted, rows forgotten (catalog/maintenance/).
      { name: 'drop retention', run: () => services.dropped.sweep() },
      { name: 'scheduled maintenance', run: () => services.maintenanceScheduler.tick() },
      { name: 'audit retention', run: async () => config.auditRetentionDays > 0 && store.identity.deleteAuditBefore(clock.now() - config.auditRetentionDays * 86_400_000) },
      // With OpenFGA: events of member and grant changes a crash interrupted, published or dropped (catalog/outbox/intent-recovery.ts).
      ...(accessPorts.intentRecovery ? [{ name: 'event intent recovery', run: () => recoverIntents() }] : []),
      // With OpenFGA: owner grants of committed creates that did not reach it (catalog/access/owner-grant-recovery.ts).
      ...(accessPorts.intentRecovery ? [{ name: 'owner grant recovery', run: () => services.access.recoverOwnerGrants(INTENT_RECOVERY_AFTER_MS) }] : []),
    ],
    config.sweepIntervalMs,
    (err, task) => logger.warn({ err }, `${task} sweep failed`),
  );
  const eventSweeper = setInterval(() => void events.sweep().catch((err: unknown) => logger.warn({ err }, 'event retention sweep failed')), 60_000);
  eventSweeper.unref();
  events.delivery.start();
  // On start too: a crash's interrupted intents are resolved without waiting a sweep interval.
  const startupRecovery =
    accessPorts.intentRecovery &&
    Promise.all([
      recoverIntents().catch((err: unknown) => logger.warn({ err }, 'event intent recovery failed')),
      services.access.recoverOwnerGrants(INTENT_RECOVERY_AFTER_MS).catch((err: unknown) => logger.warn({ err }, 'owner grant recovery failed')),
    ]);

  return {
    app,
    services,
    store,
    logger,
    principals,
    adminCredentialsFile,
    eventDelivery: events.delivery,
    consolePath: consoleBuilt(web.dir) ? `${CONSOLE_PREFIX}/` : undefined,
    setPublicUrl(url: string) {
      if (!config.publicUrl) publicUrl = url.replace(/\/+$/, '');
      events.publicUrlChanged();
    },
    sweepEvents: () => events.sweep(),
    drain: drain.drain,
    async close() {
      await sweeper.stop(config.shutdownGraceSeconds * 1000);
      await startupRecovery;
      clearInterval(eventSweeper);
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

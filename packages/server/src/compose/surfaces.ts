/**
 * The surfaces mounted on the app (app.ts's surfaces step), one encapsulated plugin each: each owns its
 * prefix, its authentication requirement, idempotency and error model (http/surfaces/).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { CatalogDeps } from '../catalog/context.js';
import type { Clock } from '../catalog/ports/index.js';
import type { CatalogServices } from '../catalog/services.js';
import { WarehouseAdmin } from '../catalog/management/warehouse-admin.js';
import type { WorkerLink } from '../cluster/worker-link.js';
import type { LakegateConfig } from '../config/config.js';
import { ASSERTED_ISSUER } from '../auth/actor.js';
import { AuditReader } from '../auth/management/audit-reader.js';
import { PrincipalAdmin } from '../auth/management/principal-admin.js';
import type { AuthenticationOptions } from '../http/plugins/authenticate.js';
import { type DrainSwitch, drainSwitch } from '../http/plugins/drain.js';
import { ICEBERG_PREFIX, icebergSurface } from '../http/surfaces/iceberg.js';
import { LANCE_PREFIX, lanceSurface } from '../http/surfaces/lance.js';
import { MANAGEMENT_PREFIX, TRINO_OPA_PREFIX, managementSurface, trinoOpaSurface } from '../http/surfaces/management.js';
import { oauthSurface } from '../http/surfaces/oauth.js';
import { opsSurface } from '../http/surfaces/ops.js';
import { CONSOLE_PREFIX, consoleSurface } from '../http/surfaces/console.js';
import type { HttpMetrics } from '../observability/metrics.js';
import { ProfileAdmin } from '../storage/profile-admin.js';
import type { LakegateStore } from '../store.js';
import type { ComposedAdministration } from './administration.js';
import type { ConsoleParts } from './console.js';
import type { ComposedEvents } from './events.js';
import type { ComposedIdentity } from './identity.js';
import type { ComposedStorage } from './storage.js';

export interface SurfaceParts {
  config: LakegateConfig;
  store: LakegateStore;
  box: ComposedStorage['box'];
  warehouseStorage: ComposedStorage['warehouseStorage'];
  clock: Clock;
  metrics: HttpMetrics;
  identity: ComposedIdentity;
  authentication: AuthenticationOptions;
  deps: CatalogDeps;
  services: CatalogServices;
  admin: ComposedAdministration;
  events: ComposedEvents;
  web: ConsoleParts;
  worker: WorkerLink | undefined;
  publicUrl: () => string;
}

/** Mounts every surface, in this order; the answer switches the server to draining (docs/deployment.md). */
export async function mountSurfaces(app: FastifyInstance, s: SurfaceParts): Promise<DrainSwitch> {
  const { config, store, warehouseStorage, clock, metrics, authentication, deps, services, events, web, worker } = s;
  const { tokenEndpoint, issuer, principals, tokenState, audit, limiter, external, machineKeys } = s.identity;
  const { accessAdmin, storageGrants, isAdmin } = s.admin;
  const idempotency = { store, clock, lifetimeSeconds: config.idempotencyLifetimeSeconds, box: s.box };
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
    warehouses: new WarehouseAdmin(
      services.warehouses,
      accessAdmin,
      new ProfileAdmin(warehouseStorage),
      randomUUID,
      (tenant) => storageGrants.rootsOf(tenant),
      deps.audit,
      deps.remotes,
      deps.remoteFailures ?? deps.store.remoteFailures,
    ),
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
  await app.register(consoleSurface, { prefix: CONSOLE_PREFIX, dir: web.dir, sessions: web.sessions, oidc: web.oidc, publicUrl: s.publicUrl });
  return drain;
}

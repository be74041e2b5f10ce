/**
 * The catalog services (app.ts's catalog step): their dependencies (store, warehouse storage, clock, events,
 * audit, settings, page tokens, remote catalogs), the access ports (RBAC or OpenFGA, compose/access.ts),
 * credential vending, and the default warehouse ensured.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CatalogDeps } from '../catalog/context.js';
import type { Clock, Coherence } from '../catalog/ports/index.js';
import type { Spans } from '../catalog/ports/tracing.js';
import type { PlanningDeps } from '../catalog/planning/service.js';
import { type CatalogServices, createCatalogServices } from '../catalog/services.js';
import { EXTRA_LOCATION_ROOTS } from '../catalog/location-policy.js';
import { PageTokens } from '../catalog/paging.js';
import type { LakegateConfig } from '../config/config.js';
import type { AuditTrail } from '../auth/audit.js';
import { SealedRemoteCatalogs } from '../federation/remote-catalogs.js';
import { RemoteFailureBuffer } from '../catalog/federation/remote-failure-buffer.js';
import type { HttpMetrics } from '../observability/metrics.js';
import { LoggedChanges } from '../observability/logged-changes.js';
import { Keyring } from '../security/keyring.js';
import { StorageRefreshTokens } from '../storage/refresh-token.js';
import { type ComposedAccess, createAccessPorts } from './access.js';
import type { ComposedStorage } from './storage.js';

export interface ComposedCatalog {
  deps: CatalogDeps;
  accessPorts: ComposedAccess;
  services: CatalogServices;
}

export async function createCatalog(
  config: LakegateConfig,
  c: ComposedStorage & {
    clock: Clock;
    coherence: Coherence;
    metrics: HttpMetrics;
    logger: Logger;
    audit: AuditTrail;
    spans: Spans | undefined;
    planning: PlanningDeps;
  },
): Promise<ComposedCatalog> {
  const { store, warehouseStorage, clock, secretKey, box, coherence, metrics, logger, audit, spans } = c;
  // One listener derives the log lines and metrics of what changed from the committed changes, and job outcomes.
  const changes = new LoggedChanges(logger.child({ component: 'catalog' }), metrics);
  store.listen(changes);
  const deps: CatalogDeps = {
    store,
    storageFor: (warehouse) => warehouseStorage.storageFor(warehouse),
    clock,
    newUuid: randomUUID,
    outcomes: changes,
    audit: {
      record: (caller, d) =>
        audit.record(d.type, caller.description, d.detail, {
          tenant: caller.tenant,
          decision: d.decision,
          action: d.action,
          object: d.object,
          requestId: caller.requestId,
        }),
    },
    settings: {
      stagedTableTtlMs: config.stagedTableTtlSeconds * 1000,
      commitRetries: config.commitRetries,
      maintenanceLeaseMs: config.maintenanceLeaseMs,
      lanceCommitFenceMs: config.lanceCommitFenceMs,
      manifestRewriteMemoryBytes: config.manifestRewriteMemoryBytes,
    },
    coherence,
    pageTokens: new PageTokens(secretKey),
    spans,
    remotes: new SealedRemoteCatalogs(
      () => store.repository,
      box,
      (warehouse) => warehouseStorage.storageFor(warehouse),
    ),
    // Repeats of a remote failure written as one count per 10 s, every failure counted in /metrics.
    remoteFailures: new RemoteFailureBuffer(store.remoteFailures, clock, metrics.federation),
  };
  const accessPorts = await createAccessPorts(config, store, clock);
  const services = createCatalogServices(
    deps,
    config.defaultWarehouse,
    {
      vendorFor: (warehouse) => warehouseStorage.vendorFor(warehouse),
      tokens: new StorageRefreshTokens(new Keyring('storage-refresh', store, box, clock), config.storageRefreshTokenTtlSeconds, () => clock.now()),
      metrics: metrics.vending,
      maxCacheSeconds: config.credentialCacheMaxSeconds,
      lifetimeSeconds: config.vendedCredentialLifetimeSeconds,
      reportedLifetimeSeconds: config.reportedCredentialLifetimeSeconds,
    },
    accessPorts,
    warehouseStorage,
    c.planning,
    store.labels,
    store.functions,
  );
  // The services exist now: the store's one listener (this call replaces the log's alone) also hands committed changes to
  // the preparation of policy-enforced files ahead of the plans (catalog/planning/prepare-policy-files.ts; Lance tables'
  // policy-derived datasets, catalog/lance/policy-prepare.ts), and to the
  // table records Trino's OPA decisions keep (catalog/trino-opa/table-records.ts: dropped here, announced elsewhere).
  const prepared = services.planning.prepared;
  store.listen({
    committed: (list) => {
      changes.committed(list);
      prepared?.committed(list);
      services.lance.tables.policyPreparer.committed(list);
      services.trinoOpaTables.committed(list);
    },
    report: (outcome) => changes.report(outcome),
  });
  const { created, warehouse } = await services.warehouses.ensure(
    config.defaultWarehouse,
    config.warehouseRoot,
    config.extraLocationRoots ? { [EXTRA_LOCATION_ROOTS]: config.extraLocationRoots } : {},
  );
  if (created) logger.info({ warehouse: warehouse.name, storageRoot: warehouse.storageRoot }, 'created default warehouse');
  return { deps, accessPorts, services };
}

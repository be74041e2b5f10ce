import type { Outcomes } from './ports/change-listener.js';
import type { PageTokens } from './paging.js';
import type { Spans } from './ports/tracing.js';
import type { AccessAudit, CatalogStore, Clock, Coherence, ObjectStorage, Warehouse } from './ports/index.js';
import type { Federation, RemoteCatalogs } from './ports/remote-catalog.js';
import type { AccessDecisions } from './ports/access-decisions.js';
import type { RoleAssignment } from './ports/access.js';
import type { RemoteFailureStore } from './ports/remote-failures.js';
import type { CatalogRequest, RequestScope } from './ports/scope.js';

export type { CatalogRequest, RequestScope } from './ports/scope.js';

/** Settings the catalog service reads; all have defaults in config/. */
export interface CatalogSettings {
  /** How long a stage-created table stays resolvable before it must be committed. */
  stagedTableTtlMs: number;
  /** How many times a commit is re-applied on a fresh base after losing a compare-and-swap race. */
  commitRetries: number;
  /** How long a maintenance job holds its table's lease between renewals (maintenance/lease-keeper.ts); 30 minutes when unset. */
  maintenanceLeaseMs?: number | undefined;
  /** How long a Lance optimize's fence holds other commits of its table at most (lance-commit-queue.ts); 5 s when unset, 0: no fence. */
  lanceCommitFenceMs?: number | undefined;
  /** The most bytes of entries a manifest rewrite holds per kind and spec (rewrite-manifests.ts); 256 MiB when unset. */
  manifestRewriteMemoryBytes?: number | undefined;
}

/** What every catalog service needs: its ports, a clock and settings. */
export interface CatalogDeps {
  store: CatalogStore;
  /** Object storage as the given warehouse's storage profile reaches it. */
  storageFor(warehouse: Warehouse): Promise<ObjectStorage>;
  clock: Clock;
  newUuid: () => string;
  /** Job results and other outcomes the outbox does not carry (ports/change-listener.ts); committed changes reach the log through the store. */
  outcomes: Outcomes;
  /** Records access decisions (the audit trail). */
  audit: AccessAudit;
  settings: CatalogSettings;
  /** The other processes of this server (--workers): told when cached state changes. */
  coherence: Coherence;
  /** Seals the page tokens of listings (paging.ts). */
  pageTokens: PageTokens;
  /** Spans for authorization and credential vending when tracing is on (ports/tracing.ts); none by default. */
  spans?: Spans | undefined;
  /** The remote catalogs of federated warehouses (catalog/federation/); none: this server federates nothing. */
  remotes?: RemoteCatalogs | undefined;
  /** The remotes' failure history as this process records it (federation/remote-failure-buffer.ts); default: the store's, unbuffered. */
  remoteFailures?: (RemoteFailureStore & { flush(): Promise<void> }) | undefined;
}

/**
 * How a commit notes, in its own transaction, what it applied under an Idempotency-Key (the claim's body while its
 * status is still 0). The HTTP layer hands it back on a retry whose earlier attempt died before recording an answer.
 */
export const APPLIED_OUTCOME = 'lakegate-applied:';

/** Deps plus the cross-cutting pieces every service uses: authorization and request scoping. */
export interface ServiceContext extends CatalogDeps {
  /** The authorize step (access/access-service.ts implements it). */
  access: AccessDecisions;
  /** Resolves the warehouse a request addresses: one of another tenant is answered exactly like a missing one. */
  scope(request: CatalogRequest): Promise<RequestScope>;
  /**
   * The request's scope at once when its warehouse is cached and of the caller's tenant; undefined means "ask
   * scope()". For paths run once per storage request (remote signing), where each promise counts.
   */
  scopeCached?(request: CatalogRequest): RequestScope | undefined;
  /** The federation hooks (catalog/federation/federation-service.ts), when the server federates. */
  federation?: Federation | undefined;
  /** Who holds a role in the authorizer's stored assignments (AccessControl.listMembers); none: unknown, every role counts as held. */
  roleHolders?: ((tenant: string, role: string) => Promise<readonly RoleAssignment[]>) | undefined;
}

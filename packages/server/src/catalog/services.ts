import { AccessService } from './access/access-service.js';
import type { AccessControl, Authorizer } from './ports/access.js';
import type { CatalogDeps, CatalogRequest, RequestScope, ServiceContext } from './context.js';
import { CatalogError } from '../errors/catalog-error.js';
import { isFederatedScope } from './ports/remote-catalog.js';
import { CredentialService, type CredentialServiceDeps } from './credentials/credential-service.js';
import { LanceNamespaceService } from './lance/lance-namespaces.js';
import { LanceTableService } from './lance/lance-tables.js';
import { LanceRenameService } from './lance/lance-rename.js';
import { LanceCreateTableService } from './lance/lance-create.js';
import { LanceFieldMetadataService } from './lance/field-metadata.js';
import { LanceAddColumnsService } from './lance/add-columns.js';
import { LanceMaterializedViewService } from './lance/materialized-views.js';
import { LanceAllTablesService } from './lance/list-all-tables.js';
import { LanceVersionService } from './lance/versions/version-service.js';
import { LanceBranchService } from './lance/versions/branch-service.js';
import { LanceTagService } from './lance/tags.js';
import { LanceBatchVersionService } from './lance/versions/batch-create.js';
import { DEFAULT_LANCE_FENCE_MS, LanceCommitQueue } from './lance-commit-queue.js';
import { NamespaceService } from './namespaces.js';
import { TableService } from './tables/table-service.js';
import { ViewService } from './views.js';
import { SigningService } from './signing/sign-service.js';
import type { StorageSigning } from './ports/signing.js';
import { WarehouseService } from './management/warehouses.js';
import { MemoryPlanStore } from './planning/memory-plan-store.js';
import { SealedPlanTasks } from './planning/plan-tasks.js';
import { DEFAULT_PLANNING_LIMITS } from './ports/planning.js';
import { type PlanningDeps, PlanningService } from './planning/service.js';
import { DroppedObjectService } from './dropped/dropped-service.js';
import { MaintenanceService } from './maintenance/maintenance-service.js';
import { MaintenanceScheduler } from './maintenance/scheduler.js';
import { LabelAdmin } from './management/label-admin.js';
import { type LabelStore, MemoryLabels } from './ports/labels.js';
import { type FunctionStore, MemoryFunctions } from './ports/functions.js';
import { FunctionService } from './functions/function-service.js';
import { FunctionAdmin } from './management/function-admin.js';
import { PolicyGate } from './policies/gate.js';
import { PolicyAdmin } from './management/policy-admin.js';
import { EnforcerAdmin } from './management/enforcer-admin.js';
import { TrinoOpaDecisions } from './trino-opa/decisions.js';
import { TrinoOpaExpressions } from './trino-opa/expressions.js';
import { TrinoTableRecords } from './trino-opa/table-records.js';
import type { EngineUsers } from './ports/trino-opa.js';
import { OpaSessions } from './trino-opa/session.js';
import { FederationService } from './federation/federation-service.js';

/** Every catalog service, built over one set of ports. */
export interface CatalogServices {
  warehouses: WarehouseService;
  namespaces: NamespaceService;
  tables: TableService;
  /** Remote signing of storage requests (catalog/signing/). */
  signing: SigningService;
  /** Server-side scan planning (catalog/planning/). */
  planning: PlanningService;
  views: ViewService;
  access: AccessService;
  /** The Lance REST Namespace API over the same namespaces (catalog/lance/). */
  lance: {
    namespaces: LanceNamespaceService;
    tables: LanceTableService;
    versions: LanceVersionService;
    branches: LanceBranchService;
    /** The tag operations: the dataset's `_refs/tags/` read and written through the Lance library (tags.ts). */
    tags: LanceTagService;
    batchVersions: LanceBatchVersionService;
    renames: LanceRenameService;
    allTables: LanceAllTablesService;
    /** CreateTable with data: the catalog writes the first version through the Lance library (lance-create.ts). */
    create: LanceCreateTableService;
    /** UpdateFieldMetadata: the catalog commits the changed schema through the Lance library (field-metadata.ts). */
    fieldMetadata: LanceFieldMetadataService;
    /** AlterTableAddColumns: the catalog commits new expression or computed columns through the Lance library (add-columns.ts). */
    addColumns: LanceAddColumnsService;
    /** Materialized views and backfills: definitions stored, what needs an engine refused (materialized-views.ts). */
    materializedViews: LanceMaterializedViewService;
    /** This process's queue of Lance commits: optimize's fences, its own and those heard of (lance-commit-queue.ts). */
    commits: LanceCommitQueue;
  };
  /** Soft-deleted objects: listing, undrop, and the sweep that ends their retention (catalog/maintenance/). */
  dropped: DroppedObjectService;
  /** Table maintenance run by the catalog: snapshot expiry and file cleanup (catalog/maintenance/). */
  maintenance: MaintenanceService;
  /** Scheduled maintenance per warehouse (`maintenance.interval-ms`), leased per table. */
  maintenanceScheduler: MaintenanceScheduler;
  /** Row-filter and column-mask policies: their management and the caller's effective policy (catalog/policies/). */
  policies: PolicyAdmin;
  /** Principals declared to enforce a warehouse's policies themselves (issue 54), and the gate that knows them. */
  enforcers: EnforcerAdmin;
  policyGate: PolicyGate;
  /** The decision endpoints of Trino's OPA access control (catalog/trino-opa/), over the given view of engines' users. */
  trinoOpa: (users: EngineUsers) => { decisions: TrinoOpaDecisions; expressions: TrinoOpaExpressions };
  /** The records those decisions resolve Trino's names to; told the committed changes (compose/catalog.ts). */
  trinoOpaTables: TrinoTableRecords;
  /** Catalog-supplied labels of tables and views (catalog/labels/). */
  labels: LabelAdmin;
  /** Functions (SQL UDFs): read on the Iceberg surface (functions/), administered through management. */
  functions: FunctionService;
  functionAdmin: FunctionAdmin;
}

export interface AccessPorts {
  authorizer: Authorizer;
  control: AccessControl;
  /** True when `control` keeps its grants in the catalog database (the built-in adapter; see AccessServiceDeps). */
  grantsInCatalog?: boolean;
  /** How long a decision may be reused on a replica that did not make the change. */
  cacheTtlMs: number;
}

export function createCatalogServices(
  deps: CatalogDeps,
  defaultWarehouse: string,
  vending: Omit<CredentialServiceDeps, 'clock' | 'audit'>,
  accessPorts: AccessPorts,
  signing: StorageSigning = NO_SIGNING,
  planning: PlanningDeps = defaultPlanning(),
  /** Where labels are kept (the catalog database's, from the composition root; memory when not given). */
  labels: LabelStore = new MemoryLabels(),
  /** Where functions are kept (the catalog database's, from the composition root; memory when not given). */
  functions: FunctionStore = new MemoryFunctions(),
): CatalogServices {
  const warehouses = new WarehouseService(deps, defaultWarehouse);
  const access = new AccessService({
    ...accessPorts,
    repository: () => deps.store.repository,
    pendingOwnerGrants: () => deps.store.pendingOwnerGrants,
    audit: deps.audit,
    clock: deps.clock,
    coherence: deps.coherence,
    spans: deps.spans,
  });
  const scope = async (request: CatalogRequest): Promise<RequestScope> => ({
    warehouse: await warehouses.require(request.caller, request.warehouse),
    caller: request.caller,
  });
  const scopeCached = (request: CatalogRequest): RequestScope | undefined => {
    const warehouse = warehouses.cachedFor(request.caller, request.warehouse);
    return warehouse === undefined ? undefined : { warehouse, caller: request.caller };
  };
  // Who holds a role: the Lance cleanup retires a derived dataset whose roles' combination nobody holds (lance-policy-cleanup.ts).
  const roleHolders = planning.roleHolders ?? ((tenant: string, role: string) => accessPorts.control.listMembers(tenant, role));
  const base = { ...deps, access, scope, scopeCached, roleHolders };
  const ctx: ServiceContext = { ...base, federation: deps.remotes === undefined ? undefined : new FederationService(base, deps.remotes) };
  const namespaces = new NamespaceService(ctx, functions);
  const credentials = new CredentialService({ ...vending, clock: deps.clock, audit: deps.audit, spans: deps.spans });
  const policies = new PolicyGate({
    policies: () => deps.store.policies,
    enforcers: () => deps.store.enforcers,
    rolesOf: (tenant, members) => access.rolesOf(tenant, members),
    audit: deps.audit,
    clock: deps.clock,
    cacheTtlMs: accessPorts.cacheTtlMs,
    coherence: deps.coherence,
  });
  // One queue of Lance commits per process, shared by the Lance routes and the maintenance jobs (optimize's fence).
  const lanceCommits = new LanceCommitQueue(deps.coherence, deps.settings.lanceCommitFenceMs ?? DEFAULT_LANCE_FENCE_MS, {
    outcomes: deps.outcomes,
    clock: deps.clock,
  });
  const tableCtx = { ...ctx, namespaces, credentials, signing, policies, lanceCommits };
  // Lance tables on a federated warehouse would be kept here only, behind the remote's back (its remote holds Iceberg
  // tables): refused, as the Iceberg operations federation does not pass through are. Lance namespace listing,
  // creation and loading go through the Iceberg namespace service, so to the remote, as Iceberg's do.
  const lanceScope = async (request: CatalogRequest): Promise<RequestScope> => {
    const found = await scope(request);
    if (isFederatedScope(found))
      throw new CatalogError(
        'ERR_NOT_IMPLEMENTED',
        "Lance tables on a federated warehouse are not supported yet: its remote catalog holds Iceberg tables (Lance namespaces pass through to it as Iceberg's do)",
      );
    return found;
  };
  const lanceScopeCached = (request: CatalogRequest): RequestScope | undefined => {
    const found = scopeCached(request);
    return found === undefined || isFederatedScope(found) ? undefined : found;
  };
  const lanceCtx = { ...ctx, scope: lanceScope, scopeCached: lanceScopeCached };
  const lanceTableCtx = { ...tableCtx, scope: lanceScope, scopeCached: lanceScopeCached };
  const lanceTables = new LanceTableService(lanceTableCtx);
  const trinoOpaTables = new TrinoTableRecords(accessPorts.cacheTtlMs, deps.clock, deps.coherence);
  const maintenance = new MaintenanceService(tableCtx, planning.rewriter);
  const maintenanceScheduler = new MaintenanceScheduler(ctx, maintenance, deps.outcomes);
  // A Lance table managing its own versions, on a warehouse without a schedule: its restricted reads run its derived datasets' cleanup (hourly at most).
  lanceTables.policyReads.afterRead = (warehouse, record, latest) => maintenanceScheduler.cleanAfterRead(warehouse, record, latest);
  // A managed Lance table, on a warehouse without a schedule: its commits (new versions, policy changes) run the same cleanup.
  lanceTables.policyPreparer.afterCommit = (warehouse, record) => maintenanceScheduler.cleanAfterCommit(warehouse, record);
  return {
    warehouses,
    namespaces,
    tables: new TableService(tableCtx),
    signing: new SigningService(tableCtx, (tenant) => warehouses.list(tenant)),
    planning: new PlanningService(tableCtx, {
      ...planning,
      roleHolders,
    }),
    views: new ViewService(tableCtx),
    access,
    lance: {
      namespaces: new LanceNamespaceService(lanceCtx, namespaces, lanceTables),
      tables: lanceTables,
      versions: new LanceVersionService(lanceTableCtx),
      branches: new LanceBranchService(lanceTableCtx),
      tags: new LanceTagService(lanceTableCtx),
      batchVersions: new LanceBatchVersionService(lanceTableCtx),
      renames: new LanceRenameService(lanceCtx),
      allTables: new LanceAllTablesService(lanceCtx),
      create: new LanceCreateTableService(lanceTableCtx, lanceTables),
      fieldMetadata: new LanceFieldMetadataService(lanceTableCtx),
      addColumns: new LanceAddColumnsService(lanceTableCtx),
      materializedViews: new LanceMaterializedViewService(lanceTableCtx, lanceTables),
      commits: lanceCommits,
    },
    dropped: new DroppedObjectService(ctx),
    maintenance,
    maintenanceScheduler,
    policies: new PolicyAdmin(
      ctx,
      policies,
      accessPorts.control,
      (scope, record) => lanceTables.policyReads.schemaOf(scope, record),
      (scope, record) => lanceTables.policyReads.latestShape(scope, record),
    ),
    enforcers: new EnforcerAdmin(ctx, policies),
    policyGate: policies,
    trinoOpa: (users) => {
      const decisions = new TrinoOpaDecisions(ctx, new OpaSessions(policies, users, deps.clock, accessPorts.cacheTtlMs), trinoOpaTables);
      return { decisions, expressions: new TrinoOpaExpressions(ctx, policies, decisions) };
    },
    trinoOpaTables,
    labels: new LabelAdmin(ctx, labels),
    functions: new FunctionService(ctx, functions),
    functionAdmin: new FunctionAdmin(ctx, functions),
  };
}

/** Storage that signs nothing and offers vended credentials only (what every warehouse had before remote signing). */
export const NO_SIGNING: StorageSigning = { mechanisms: async () => ['vended-credentials'], signerFor: async () => undefined };

/** Planning with an in-memory plan store and a per-process key (the composition root passes the server's secret key, so every replica opens every plan task). */
function defaultPlanning(): PlanningDeps {
  return {
    store: new MemoryPlanStore(),
    tasks: new SealedPlanTasks(globalThis.crypto.getRandomValues(new Uint8Array(32))),
    limits: DEFAULT_PLANNING_LIMITS,
    metrics: { planned: () => undefined },
  };
}

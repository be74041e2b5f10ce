import type { EffectivePolicy, Policy } from './policies.js';
import type { Schema } from '../metadata/types.js';
import type { Member } from './access.js';
import type { CatalogObjectRecord, ObjectKind } from '../object-record.js';

/**
 * Ports: what the catalog service needs from the outside world. The service
 * depends only on these interfaces; adapters (SQLite, PostgreSQL, local
 * files, S3, ...) implement them and are wired together in app.ts.
 */

export interface Warehouse {
  /** Globally unique: it is the Iceberg `prefix`, so tenants cannot reuse each other's names. */
  name: string;
  /** The tenant that owns the warehouse; only callers of that tenant can address it (catalog/tenants.ts). */
  tenant: string;
  /** Storage root URI every table and view location of this warehouse must stay under. */
  storageRoot: string;
  properties: Record<string, string>;
  createdAtMs: number;
  /** How the catalog reaches the storage; JSON of a StorageProfile (storage/profile.ts), no secrets. */
  storageProfile: Record<string, unknown>;
  /** Id of the encrypted secret belonging to the profile, if any. */
  secretId?: string | undefined;
  /** Set on a federated warehouse: its remote catalog (ports/remote-catalog.ts). */
  federation?: import('./remote-catalog.js').FederationSettings | undefined;
}

export interface SigningKeyRecord {
  kid: string;
  purpose: string;
  /** Sealed with the SecretBox; never stored in clear. */
  ciphertext: string;
  createdAtMs: number;
  retiredAtMs?: number | undefined;
}

export interface NamespaceRecord {
  /** Catalog id: what grants name (catalog/access). */
  id: string;
  warehouse: string;
  levels: string[];
  properties: Record<string, string>;
}

export type { CatalogObjectRecord, ObjectKind } from '../object-record.js';

/** A stage-created table: not visible in the catalog until committed, but resolvable (e.g. for credentials) until it expires. */
export interface StagedTableRecord {
  warehouse: string;
  namespace: string[];
  name: string;
  uuid: string;
  location: string;
  metadataJson: string;
  expiresAtMs: number;
  /** Caller.key of whoever stage-created it ('' for tables staged before authorization existed). */
  owner: string;
}

export interface IdempotencyRecord {
  key: string;
  /** Method and route the key was first used with: a key reused for another operation is refused. */
  fingerprint: string;
  status: number;
  body: string;
  createdAtMs: number;
}

export interface MetricsReportRecord {
  id: string;
  warehouse: string;
  namespace: string[];
  /** The table's name when it was reported on. */
  table: string;
  /** Catalog id of the table reported on; '' for a stage-created table not yet committed (or a report older than ids). */
  tableId: string;
  /** Its table-uuid ('' for a report older than this column): a stage-create's, which the create's commit keeps. */
  tableUuid: string;
  reportType: string;
  report: string;
  createdAtMs: number;
}

export interface Page {
  /** Exclusive lower bound (the last name of the previous page). */
  after?: string;
  limit: number;
}

/** A compare-and-swap of one object's metadata pointer. */
export interface MetadataSwap {
  warehouse: string;
  namespace: string[];
  name: string;
  kind: ObjectKind;
  expectedMetadataLocation: string;
  metadataLocation: string;
  metadataJson: string;
  location: string;
}

/** Persistence operations; every method runs inside the current transaction when called on a transaction's repository. */
export interface CatalogRepository {
  getWarehouse(name: string): Promise<Warehouse | undefined>;
  listWarehouses(): Promise<Warehouse[]>;
  /** Returns false when a warehouse with that name exists already. */
  insertWarehouse(warehouse: Warehouse): Promise<boolean>;
  setWarehouseProperties(name: string, properties: Record<string, string>): Promise<void>;
  /** Replaces a warehouse's storage profile and the id of its secret (undefined: none). */
  setWarehouseStorage(name: string, storageProfile: Record<string, unknown>, secretId: string | undefined): Promise<void>;
  /** Replaces a federated warehouse's remote settings (with the id of their sealed credential). */
  setWarehouseFederation(name: string, federation: import('./remote-catalog.js').FederationSettings): Promise<void>;

  putSecret(id: string, ciphertext: string, createdAtMs: number): Promise<void>;
  getSecret(id: string): Promise<string | undefined>;
  /** Removes a secret no record names any more (a replaced storage secret). */
  deleteSecret(id: string): Promise<void>;
  listSigningKeys(purpose: string): Promise<SigningKeyRecord[]>;
  /** Returns false when the kid exists already. */
  insertSigningKey(record: SigningKeyRecord): Promise<boolean>;

  getNamespace(warehouse: string, levels: string[]): Promise<NamespaceRecord | undefined>;
  listNamespaces(warehouse: string, parent: string[], page: Page): Promise<NamespaceRecord[]>;
  /** The ids of those of the namespaces that exist (one lookup for a namespace and all its ancestors). */
  getNamespaceIds(warehouse: string, namespaces: readonly string[][]): Promise<Map<string, string>>;
  /** Namespaces and objects by catalog id, for naming the securables of grants. */
  findByIds(ids: readonly string[]): Promise<Array<{ id: string; warehouse: string; namespace: string[]; name?: string; kind: ObjectKind | 'namespace' }>>;
  /** Returns false when the namespace exists already. */
  insertNamespace(record: NamespaceRecord): Promise<boolean>;
  setNamespaceProperties(warehouse: string, levels: string[], properties: Record<string, string>): Promise<void>;
  deleteNamespace(warehouse: string, levels: string[]): Promise<void>;
  /** True when the namespace holds a table, a view or a child namespace. */
  namespaceHasChildren(warehouse: string, levels: string[]): Promise<boolean>;

  getObject(warehouse: string, namespace: string[], name: string): Promise<CatalogObjectRecord | undefined>;
  /**
   * getObject() answered at once where the store reads synchronously (SQLite): the same reads and caches. Undefined
   * when there is no such object or the store cannot answer now: ask getObject(). Optional (PostgreSQL has none).
   * The record may be frozen and shared between calls (read it, never change it).
   */
  getObjectSync?(warehouse: string, namespace: string[], name: string): CatalogObjectRecord | undefined;
  /**
   * The id and kind of those of the named objects of one namespace that exist, by name (one batched read, in
   * queries of at most 1,024 names each; no metadata): Trino's filtering of thousands of tables at once.
   */
  getObjectIds(warehouse: string, namespace: string[], names: readonly string[]): Promise<Map<string, { id: string; kind: ObjectKind }>>;
  /** Names only: listings must not read every table's metadata. */
  listObjects(warehouse: string, namespace: string[], kind: ObjectKind, page: Page): Promise<Array<{ id: string; namespace: string[]; name: string }>>;
  /** Objects of the warehouse whose location equals or lies under the given prefix. */
  findObjectsByLocationPrefix(warehouse: string, locationPrefix: string): Promise<CatalogObjectRecord[]>;
  /** Objects of the warehouse whose location is exactly one of the given ones. */
  findObjectsAtLocations(warehouse: string, locations: readonly string[]): Promise<CatalogObjectRecord[]>;
  /** Returns false when any table or view of that name exists already. */
  insertObject(record: CatalogObjectRecord): Promise<boolean>;
  /** Compare-and-swap; returns false when the current pointer is not the expected one. */
  swapMetadata(swap: MetadataSwap, nowMs: number): Promise<boolean>;
  /**
   * Inside a transaction on a store with row locks (CatalogStore.rowLocks): holds these objects' rows until the
   * transaction ends, so no other transaction swaps them meanwhile; taken in one fixed order, whatever the order
   * given. Elsewhere (and outside a transaction) it does nothing.
   */
  lockObjects(warehouse: string, identifiers: ReadonlyArray<{ namespace: string[]; name: string }>): Promise<void>;
  /** Returns 'renamed', 'missing' (no such source, or with `id` not that object) or 'exists' (destination taken). */
  renameObject(
    warehouse: string,
    kind: ObjectKind,
    from: { namespace: string[]; name: string },
    to: { namespace: string[]; name: string },
    nowMs: number,
    id?: string,
  ): Promise<'renamed' | 'missing' | 'exists'>;
  /** With `id`, only that object (the one a caller was authorized for), not another that took its name since. */
  deleteObject(warehouse: string, namespace: string[], name: string, kind: ObjectKind, id?: string): Promise<boolean>;

  putStagedTable(record: StagedTableRecord): Promise<void>;
  /** The newest unexpired stage-created table of that name, or exactly the one with that table uuid. */
  getStagedTable(warehouse: string, namespace: string[], name: string, nowMs: number, uuid?: string): Promise<StagedTableRecord | undefined>;
  deleteStagedTable(warehouse: string, namespace: string[], name: string, uuid: string): Promise<void>;
  /** Where the unexpired stage-created tables of a warehouse live (for the overlap check: a staged table's location is taken too). */
  listStagedTableLocations(warehouse: string, nowMs: number): Promise<Array<Pick<StagedTableRecord, 'namespace' | 'name' | 'uuid' | 'location'>>>;

  getIdempotency(key: string, notBeforeMs: number): Promise<IdempotencyRecord | undefined>;
  putIdempotency(record: IdempotencyRecord): Promise<void>;
  /** Claims a key for a request in progress (status 0); false when the key is already claimed or finalized. */
  reserveIdempotency(key: string, fingerprint: string, nowMs: number): Promise<boolean>;
  deleteIdempotency(key: string): Promise<void>;
  /**
   * Takes over the claim of a process that died: succeeds (true) for exactly one caller, only while the claim is
   * still in progress (status 0) and still carries the time `seenAtMs` the caller read, which then becomes `nowMs`
   * (and its fingerprint `fingerprint`).
   */
  takeOverIdempotency(key: string, seenAtMs: number, fingerprint: string, nowMs: number): Promise<boolean>;
  /**
   * The claims (status 0) of requests the calling process is still running: their time becomes `nowMs`, so that
   * no other process takes them for claims of a process that died. Finalized records are left alone.
   */
  touchIdempotency(keys: readonly string[], nowMs: number): Promise<void>;
  /**
   * Inside a commit's transaction: notes on the claim of `key` (still status 0) what the commit applied, so that a
   * retry after the process died before recording its answer answers from it instead of applying the change again.
   */
  noteIdempotentOutcome(key: string, outcome: string): Promise<void>;
  deleteExpired(nowMs: number, idempotencyLifetimeMs: number): Promise<void>;

  insertMetricsReport(record: MetricsReportRecord): Promise<void>;
  /** Deletes the metrics reports made before `beforeMs` (retention); how many. */
  deleteMetricsReportsBefore(beforeMs: number): Promise<number>;
  /**
   * The newest reports, newest first: with `live`, those of that table (by its catalog id, whatever its name was, and
   * those reported on its stage-create under this name and its uuid); without, those reported under this name on
   * tables that no longer exist (dropped, or stage-created and never committed).
   */
  listMetricsReports(warehouse: string, namespace: string[], table: string, limit: number, live?: { id: string; uuid: string }): Promise<MetricsReportRecord[]>;

  /**
   * Moves the live object `record.object` (matched by id) to the dropped objects, inside this transaction (a cascading
   * namespace drop soft-drops what it holds with the namespace's removal); false when no such live object exists.
   */
  softDropObject(record: import('./maintenance.js').DroppedObjectRecord): Promise<boolean>;
  /**
   * Moves the live namespace `record.namespace` (matched by id and levels; its properties as stored now) to the
   * dropped namespaces, inside this transaction (a soft cascading drop, migration 0021); false when it is not there.
   */
  softDropNamespace(record: import('./maintenance.js').DroppedNamespaceRecord): Promise<boolean>;

  /** The change events of this transaction, written to the outbox as its last write (catalog/ports/outbox.ts). */
  appendEvents(events: readonly import('./outbox.js').OutboxEventInput[]): Promise<void>;
}

/** What a store transaction offers beside its repository, each writing inside that transaction. */
export interface TransactionPorts {
  /** Roles, members and grants of the built-in authorizer, as CatalogStore.access, in the transaction. */
  access: import('./access.js').AccessControl;
  /** Owner grants to write to an authorizer outside the database once the transaction committed (OpenFGA), in the transaction. */
  ownerGrants: import('./owner-grants.js').PendingOwnerGrantStore;
}

export interface CatalogStore {
  readonly repository: CatalogRepository;
  /** Roles, role members and grants of the built-in authorizer (catalog/access). */
  readonly access: import('./access.js').AccessControl;
  /** The version history of catalog-managed Lance tables (catalog/lance/versions/). */
  readonly lanceVersions: import('./lance-versions.js').LanceVersionStore;
  /** Change events, their sinks and the delivery lease (catalog/outbox/). */
  readonly outbox: import('./outbox.js').OutboxStores;
  /** Pending events of changes made outside the database (OpenFGA tuples), published once the change is known (catalog/ports/intents.ts). */
  readonly eventIntents: import('./intents.js').EventIntentStore;
  /** Owner grants of committed creates not yet written to OpenFGA (catalog/ports/owner-grants.ts). */
  readonly pendingOwnerGrants: import('./owner-grants.js').PendingOwnerGrantStore;
  /** Policy-derived Lance datasets being written, recorded before their files (catalog/ports/derivation-intents.ts). */
  readonly derivationIntents: import('./derivation-intents.js').DerivationIntentStore;
  /** Events of Lance tag writes, recorded before the write and published after it (catalog/ports/lance-tag-intents.ts). */
  readonly lanceTagIntents: import('./lance-tag-intents.js').LanceTagIntentStore;
  /** Soft-deleted tables, views and Lance tables, kept for their warehouse's retention (catalog/maintenance/). */
  readonly dropped: import('./maintenance.js').DroppedObjectStore;
  /** Namespaces a soft cascading drop took, kept for the retention with what they held (catalog/maintenance/). */
  readonly droppedNamespaces: import('./maintenance.js').DroppedNamespaceStore;
  /** Leases of scheduled maintenance jobs, one per table (catalog/maintenance/). */
  readonly maintenanceLeases: import('./maintenance.js').MaintenanceLeases;
  /** Row-filter and column-mask policies on tables (catalog/policies/). */
  readonly policies: import('./policies.js').PolicyStore;
  /** Principals declared to enforce a warehouse's policies themselves (catalog/ports/enforcers.ts). */
  readonly enforcers: import('./enforcers.js').EnforcerStore;
  /** Scan plans, so every worker and replica answers fetchPlanningResult and cancelPlanning (catalog/planning/). */
  readonly plans: import('./planning.js').PlanStore;
  /** Federated warehouses' remote failures and last answers, shared by every replica (catalog/ports/remote-failures.ts). */
  readonly remoteFailures: import('./remote-failures.js').RemoteFailureStore;
  /**
   * True when a transaction can hold objects' rows against other processes (CatalogRepository.lockObjects: PostgreSQL).
   * A commit that lost a compare-and-swap race retries under those locks, so it cannot lose again to a replica that
   * commits without pause (tables/commit.ts). SQLite has one writer and its processes queue (Coherence.runExclusive).
   */
  readonly rowLocks?: boolean;
  /** One database transaction: all of fn's writes land, or none; `ports` are the other ports bound to it (owner grants). */
  transaction<T>(fn: (repository: CatalogRepository, ports: TransactionPorts) => Promise<T>): Promise<T>;
  /**
   * From now on, hands the outbox events of every transaction that committed (any of the store's ports) to `listener`,
   * once each, after COMMIT; a rolled-back transaction hands none (change-listener.ts). One listener: a second call replaces it.
   */
  listen(listener: import('./change-listener.js').ChangeListener): void;
  /** Applies pending schema migrations. */
  migrate(): Promise<void>;
  /** True when the database answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export type { DeleteFailure, DeleteManyResult, ObjectStorage, StoredObject } from '../object-storage.js';

/** Who makes a catalog request, as far as the catalog's access rules need to know. */
export interface Caller {
  tenant: string;
  /** For the audit trail, e.g. "user:alice via service:trino". */
  description: string;
  /**
   * The subject's stable identity (a service principal's client id, or a
   * user's issuer and subject): the owner of what it stage-creates. A
   * delegated caller is its subject, not the acting engine.
   */
  key: string;
  /** Whom the access rules match: the subject (principal, or user and each of its groups). The acting engine never counts. */
  members: readonly Member[];
  /** Holds the admin role through its credential (the bootstrap admin, principals created with roles ["admin"]). */
  admin: boolean;
  /** Authentication is disabled (local development only): access is not checked. */
  unrestricted: boolean;
  /**
   * What the credential's OAuth scope allows (a `catalog:read` token only reads), on top of the grants;
   * undefined when the credential is not limited by a scope.
   */
  scope?: CallerScope | undefined;
  /** Of the request, for the audit trail. */
  requestId?: string | undefined;
  /** For a delegated call, the acting parties (RFC 8693 `act` chain, nearest first): change events name them. */
  act?: readonly string[] | undefined;
  /**
   * The catalog itself running a job for the caller on a private listener (lance-optimize/job-credential.ts: optimize,
   * CreateTable with data, UpdateFieldMetadata, CreateTableBranch, a policy derivation): it hands no rows out, so no
   * row-filter or column-mask policy applies to it (policies/gate.ts), while its privileges stay the caller's.
   */
  catalogJob?: boolean | undefined;
}

/** Asked before storage access to a table is handed out (policies/gate.ts): the policies that apply to the caller,
 * the audited 403 naming them, and (without a promise) whether the table is known to have none at all. */
export interface PolicyEnforcement {
  /**
   * What the policies on the table add up to for the caller (policies/effective.ts); with `schemas` (the current one
   * first, then the older ones), as they read against the current schema (policies/follow.ts: 403 when one cannot).
   */
  effective(caller: Caller, tenant: string, objectId: string, schemas?: readonly Schema[]): Promise<EffectivePolicy>;
  restricted(caller: Caller, tenant: string, objectId: string): Promise<ReadonlyArray<{ id: string }>>;
  /** 403 naming the policies when any applies to the caller (a table: its storage access; a view: the view itself). */
  refuse(caller: Caller, tenant: string, objectId: string, object: string, action: string, kind?: 'table' | 'view' | 'lance-table'): Promise<void>;
  knownFreeSync(tenant: string, objectId: string): boolean;
  /** Every policy on the table or view (cached with the decisions' bound). */
  policiesOn(tenant: string, objectId: string): Promise<readonly Policy[]>;
  /**
   * The read-restrictions a declared read-restrictions enforcer must apply for this caller (undefined: none to send),
   * in the names of `schemas()[0]`, the table's current schema (policies/follow.ts). `schemas` is asked only then: the
   * other callers of loadTable never parse the metadata for it.
   */
  readRestrictions(caller: Caller, tenant: string, objectId: string, schemas: () => readonly Schema[]): Promise<Record<string, unknown> | undefined>;
}

/** What an OAuth scope allows: reading the catalog, changing it, using the management API. */
export interface CallerScope {
  read: boolean;
  write: boolean;
  management: boolean;
}

/** What the audit trail needs to know of an access decision. */
export interface AccessDecisionRecord {
  type: string;
  decision?: 'allow' | 'deny' | undefined;
  action?: string | undefined;
  object?: string | undefined;
  detail: Record<string, unknown>;
}

/** Where access decisions are recorded (the audit trail); the catalog decides, this port remembers. */
export interface AccessAudit {
  record(caller: Caller, decision: AccessDecisionRecord): Promise<void>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export { type Coherence, type CoherenceTopic, LocalCoherence } from './coherence.js';

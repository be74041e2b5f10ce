import type { Kysely } from 'kysely';
import { PostgresAdapter, sql } from 'kysely';
import type { CatalogRepository, TransactionPorts } from '../catalog/ports/index.js';
import type { LakegateStore } from '../store.js';
import type { IdentityRepository } from '../auth/ports.js';
import type { AccessControl } from '../catalog/ports/access.js';
import { KyselyAccessControl } from './kysely-access-control.js';
import { KyselyIdentityRepository } from './kysely-identity-repository.js';
import { CompiledReads, type ReadRunner } from './compiled-reads.js';
import { KyselySessionRepository } from './kysely-session-repository.js';
import type { SessionRepository } from '../auth/sessions/ports.js';
import { KyselyCatalogRepository } from './kysely-repository.js';
import { KyselyStorageGrants } from './kysely-storage-grants.js';
import { KyselyPolicies } from './kysely-policies.js';
import { KyselyRemoteFailures } from './kysely-remote-failures.js';
import type { RemoteFailureStore } from '../catalog/ports/remote-failures.js';
import { KyselyEnforcers } from './kysely-enforcers.js';
import type { EnforcerStore } from '../catalog/ports/enforcers.js';
import type { PolicyStore } from '../catalog/ports/policies.js';
import type { StorageGrantStore } from '../catalog/ports/storage-grants.js';
import { KyselyLabels } from './kysely-labels.js';
import { KyselyFunctions } from './kysely-functions.js';
import type { FunctionStore } from '../catalog/ports/functions.js';
import type { LabelStore } from '../catalog/ports/labels.js';
import { KyselyLanceVersionStore } from './kysely-lance-versions.js';
import type { LanceVersionStore } from '../catalog/ports/lance-versions.js';
import { KyselyDroppedObjectStore } from './kysely-dropped.js';
import { KyselyDroppedNamespaceStore } from './kysely-dropped-namespaces.js';
import { KyselyMaintenanceLeases } from './kysely-maintenance-leases.js';
import { KyselyPlanStore } from './kysely-plan-store.js';
import type { PlanStore } from '../catalog/ports/planning.js';
import type { DroppedNamespaceStore, DroppedObjectStore, MaintenanceLeases } from '../catalog/ports/maintenance.js';
import { migrateToLatest } from './migrations.js';
import { type BookkeepingWrites, KyselyOutbox } from './kysely-outbox.js';
import { KyselyEventIntents } from './kysely-event-intents.js';
import type { EventIntentStore } from '../catalog/ports/intents.js';
import type { PendingOwnerGrantStore } from '../catalog/ports/owner-grants.js';
import { KyselyPendingOwnerGrants } from './kysely-pending-owner-grants.js';
import type { DerivationIntentStore } from '../catalog/ports/derivation-intents.js';
import { KyselyDerivationIntents } from './kysely-derivation-intents.js';
import type { LanceTagIntentStore } from '../catalog/ports/lance-tag-intents.js';
import { KyselyLanceTagIntents } from './kysely-lance-tag-intents.js';
import type { OutboxStores } from '../catalog/ports/outbox.js';
import { newReadCaches } from './read-caches.js';
import { CommittedChanges } from './committed-changes.js';
import type { ChangeListener } from '../catalog/ports/change-listener.js';
import type { CatalogDatabase } from './schema.js';

/** The catalog's store and the identity repositories (LakegateStore) over any Kysely dialect; the SQLite and PostgreSQL stores differ only in how they connect. */
export class KyselyCatalogStore implements LakegateStore {
  readonly repository: CatalogRepository;
  readonly identity: IdentityRepository;
  readonly access: AccessControl;
  readonly sessions: SessionRepository;
  readonly storageGrants: StorageGrantStore;
  readonly lanceVersions: LanceVersionStore;
  readonly outbox: OutboxStores;
  readonly eventIntents: EventIntentStore;
  readonly pendingOwnerGrants: PendingOwnerGrantStore;
  readonly derivationIntents: DerivationIntentStore;
  readonly lanceTagIntents: LanceTagIntentStore;
  readonly dropped: DroppedObjectStore;
  readonly droppedNamespaces: DroppedNamespaceStore;
  readonly maintenanceLeases: MaintenanceLeases;
  readonly policies: PolicyStore;
  readonly enforcers: EnforcerStore;
  readonly plans: PlanStore;
  readonly remoteFailures: RemoteFailureStore;
  readonly labels: LabelStore;
  readonly functions: FunctionStore;

  readonly rowLocks: boolean;
  private readonly compiled = new CompiledReads();

  /** @param reads how the hot reads run outside transactions (default: through `db`; see compiled-reads.ts). */
  constructor(
    protected readonly db: Kysely<CatalogDatabase>,
    reads?: ReadRunner,
    /** How the event delivery's bookkeeping writes run (kysely-outbox.ts); default: as every other write. */
    bookkeeping?: BookkeepingWrites,
    /** The transaction ends `db`'s driver reports (mapped-driver.ts): where committed changes reach the listener. */
    private readonly commits: CommittedChanges = new CommittedChanges(),
  ) {
    this.repository = new KyselyCatalogRepository(db, reads, this.compiled, newReadCaches());
    this.identity = new KyselyIdentityRepository(db);
    this.access = new KyselyAccessControl(db, reads, this.compiled);
    this.sessions = new KyselySessionRepository(db);
    this.storageGrants = new KyselyStorageGrants(db);
    this.lanceVersions = new KyselyLanceVersionStore(db, reads, this.compiled);
    this.outbox = new KyselyOutbox(db, bookkeeping);
    this.eventIntents = new KyselyEventIntents(db);
    this.pendingOwnerGrants = new KyselyPendingOwnerGrants(db);
    this.derivationIntents = new KyselyDerivationIntents(db);
    this.lanceTagIntents = new KyselyLanceTagIntents(db);
    this.dropped = new KyselyDroppedObjectStore(db);
    this.droppedNamespaces = new KyselyDroppedNamespaceStore(db);
    this.maintenanceLeases = new KyselyMaintenanceLeases(db);
    this.policies = new KyselyPolicies(db);
    this.enforcers = new KyselyEnforcers(db);
    this.plans = new KyselyPlanStore(db, bookkeeping);
    this.remoteFailures = new KyselyRemoteFailures(db);
    this.labels = new KyselyLabels(db);
    this.functions = new KyselyFunctions(db, reads, this.compiled);
    this.rowLocks = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  listen(listener: ChangeListener): void {
    this.commits.listen(listener);
  }

  transaction<T>(fn: (repository: CatalogRepository, ports: TransactionPorts) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) =>
      fn(new KyselyCatalogRepository(trx, undefined, this.compiled), {
        access: new KyselyAccessControl(trx, undefined, this.compiled),
        ownerGrants: new KyselyPendingOwnerGrants(trx),
      }),
    );
  }

  migrate(): Promise<void> {
    return migrateToLatest(this.db);
  }

  async ping(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.db);
      return true;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}

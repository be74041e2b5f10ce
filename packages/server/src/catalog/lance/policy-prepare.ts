/**
 * Policy-derived Lance datasets prepared in the background (catalog/lance/policy-reads.ts), so the first restricted
 * DescribeTable after a commit finds its dataset written instead of waiting for it.
 *  - Trigger: the committed changes this process made (the store's ChangeListener, composed in compose/catalog.ts):
 *    a Lance table's new version (`lance-table.version-created`: CreateTableVersion, a batch, a restore, optimize's
 *    commits) and `policy.created|updated|deleted`. Another process's commit prepares there.
 *  - What: for each distinct effective policy a single role bound by the table's policies yields
 *    (planning/prepare-combinations.ts, as the Iceberg path prepares), the dataset of the table's latest managed
 *    version, through the very path a read takes (LancePolicyReads.derived: its side file, claim and single-flight),
 *    so a concurrent read waits for this derivation rather than deriving too. Combinations of roles are derived on
 *    demand by their first read. Only tables whose versions the catalog manages (it knows their latest version).
 *  - How: one table at a time per process, a bounded backlog coalescing repeated triggers per table (PrepareQueue, the
 *    Iceberg path's), a newer trigger of the table aborting the one that runs between two policy versions; a
 *    derivation that fails (a policy column gone, the library missing) is left for the read, which fails closed.
 *    idle() resolves once nothing runs or waits (tests), stop() on shutdown.
 *  - Then, on a warehouse without a maintenance schedule, the table's superseded derived datasets' cleanup (afterCommit:
 *    maintenance/scheduler.ts cleanAfterCommit, at most once an hour per table), in the same queue.
 */
import type { CatalogObjectRecord, Warehouse } from '../ports/index.js';
import type { OutboxEventInput } from '../ports/outbox.js';
import type { TableContext } from '../kit/table-kit.js';
import { PrepareQueue } from '../planning/prepare-queue.js';
import { singleRolePolicies } from '../planning/prepare-combinations.js';
import type { LancePolicyReads } from './policy-reads.js';
import { isManaged } from './managed.js';
import { LANCE_TABLE } from './table-id.js';

const TRIGGERS = new Set(['io.lakegate.lance-table.version-created', 'io.lakegate.policy.created', 'io.lakegate.policy.updated', 'io.lakegate.policy.deleted']);
/** Tables waiting at most; past it a trigger is dropped and the first read derives. */
const MAX_QUEUED = 256;

interface Target {
  warehouse: string;
  namespace: string[];
  name: string;
  uuid: string;
}

export class LancePolicyPreparer {
  private readonly queue: PrepareQueue;
  /** Run after a table's preparation (maintenance/scheduler.ts cleanAfterCommit), its failure ignored; attached by the composition. */
  afterCommit: ((warehouse: Warehouse, record: CatalogObjectRecord) => Promise<void>) | undefined;

  constructor(
    private readonly ctx: TableContext,
    private readonly reads: LancePolicyReads,
  ) {
    this.queue = new PrepareQueue(MAX_QUEUED);
  }

  committed(changes: readonly OutboxEventInput[]): void {
    for (const c of changes) {
      if (!TRIGGERS.has(c.type)) continue;
      const { namespace, name } = c.data;
      const uuid = c.data['table-uuid'];
      if (!Array.isArray(namespace) || typeof name !== 'string' || typeof uuid !== 'string') continue;
      const target = { warehouse: c.warehouse, namespace: namespace.map(String), name, uuid };
      this.queue.schedule(`${c.warehouse}/${uuid}`, (signal) => this.prepare(target, signal));
    }
  }

  /** Resolves once no preparation runs or waits (tests). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Server shutdown: what waits is dropped, what runs is aborted between two derivations. */
  stop(): Promise<void> {
    return this.queue.stop();
  }

  private async prepare(target: Target, signal: AbortSignal): Promise<void> {
    const repository = this.ctx.store.repository;
    const warehouse = await repository.getWarehouse(target.warehouse);
    if (warehouse === undefined) return;
    const record: CatalogObjectRecord | undefined = await repository.getObject(target.warehouse, target.namespace, target.name);
    if (record === undefined || record.kind !== LANCE_TABLE || record.uuid !== target.uuid || !isManaged(record)) return;
    const onTable = await this.ctx.store.policies.listForObject(warehouse.tenant, record.id);
    if (onTable.length === 0) return;
    if (await this.reads.canDerive()) {
      const scope = { warehouse, caller: preparationCaller(warehouse.tenant) };
      for (const policy of singleRolePolicies(onTable).values()) {
        if (signal.aborted) return;
        try {
          await this.reads.prepare(scope, record, policy);
        } catch {
          // Left for the read: it derives again, or fails closed with the reason.
        }
      }
    }
    // Then the datasets this change superseded (maintenance/scheduler.ts cleanAfterCommit: without a schedule, hourly at most).
    await this.afterCommit?.(warehouse, record).catch(() => undefined);
  }
}

function preparationCaller(tenant: string) {
  return {
    tenant,
    description: 'system:lance-policy-preparation',
    key: 'system:lance-policy-preparation',
    members: [],
    admin: false,
    unrestricted: true,
  };
}

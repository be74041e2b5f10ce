/**
 * Policy-enforced files prepared ahead of the plans (issue 53): without this the first restricted plan after a
 * commit or a policy change derives every file it names inline (about 10 s for 1,000 files, docs/benchmarks.md).
 *  - Trigger: the committed changes this process made (the store's ChangeListener, composed in compose/catalog.ts):
 *    `table.committed` and `policy.created|updated|deleted`. So it follows the one record of what changed, after its
 *    transaction committed, and never a change that rolled back. Another process's commit prepares there, and is
 *    announced here once done (see the last point).
 *  - What: for each distinct effective policy that a single role bound by the table's policies yields, and that the
 *    combinations of roles readers hold yield (recently planned here, or held by one member in the stored
 *    assignments; bounded per table: prepare-combinations.ts), the live data files of the current snapshot the row
 *    filter may admit, through the very path a plan takes (TableScanner.planSlice, then .derived: restricted.ts's
 *    naming, side files and memo), so a plan of that policy version finds each file done. A combination past the
 *    bound, or one nobody held at the trigger, is derived on demand by its first plan.
 *  - How: one table at a time per process, a bounded backlog coalescing repeated triggers per table, aborted on
 *    shutdown (prepare-queue.ts); two files at a time (the plan's own bound), yielding to requests between them (as
 *    compaction does), and stopping as soon as its snapshot or policy version is no longer current: a newer trigger
 *    in this process aborts it at once; a change made elsewhere is seen by a re-read at most every second.
 *  - Role membership (issue 53 follow-up): a principal, user or group added to or removed from a role
 *    (`role.member-added|member-removed`, the tenant's events, through the same listener) changes the role sets
 *    members hold, hence which combined versions a preparation covers; no single role's version changes. So the
 *    tenant's tables with policies whose policies bind that role and at least one other (a combination can include
 *    it) are prepared again, read a page of the store's list at a time like the catch-up (each table's policies read
 *    to see which roles they bind), and queued without aborting a preparation of the same table that runs (it stays
 *    valid; the table is prepared once more after it) and merged into one that waits (prepare-queue.ts follow).
 *    Grants are no trigger: an effective policy depends on the roles a caller holds, never on what the roles are
 *    granted (policies/effective.ts). Off with combinations off, or without the stored assignments (`holders`).
 *  - Catch-up at startup (catchUp, once the server is ready: compose/background.ts): the changes made while this
 *    process was not running (down, or another replica made them) left no trigger here, so every table with a policy
 *    is offered to the same queue, a page of the store's list at a time (the next page once the queue drained), never
 *    restarting a preparation a commit asked for. A file already derived is found by its content-addressed side file
 *    (restricted.ts) and not written again: a restart where nothing changed reads each such table's manifests and
 *    checks one side file per live data file and policy version.
 *  - Across processes (workers, replicas on one PostgreSQL): each file is derived under a claim (Coherence.claim,
 *    restricted.ts), so a plan or preparation elsewhere waits for it and finds it; a completed preparation is
 *    announced and the other processes prepare the table too, finding the files (prepare-replicas.ts).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { parseJson } from '../json.js';
import { yieldToRequests } from '../loop-pacer.js';
import type { TableMetadata } from '../metadata/types.js';
import type { Caller, CatalogObjectRecord, Warehouse } from '../ports/index.js';
import type { OutboxEventInput } from '../ports/outbox.js';
import type { DerivedTrigger, PlanningMetrics, ScanSpec } from '../ports/planning.js';
import type { EffectivePolicy, Policy, PolicyTable } from '../ports/policies.js';
import type { TableContext } from '../kit/table-kit.js';
import {
  DEFAULT_PREPARED_COMBINATIONS,
  type PreparedPolicy,
  type RoleHolders,
  SeenRoleSets,
  boundRoles,
  combinedPolicies,
  heldRoleSets,
  singleRolePolicies,
} from './prepare-combinations.js';
import { type ResolvedScan, resolveScan, scanManifests, scanSpecOf } from './scan-scope.js';
import type { TableAtHand, TableScanner } from './scanner.js';
import { PrepareQueue } from './prepare-queue.js';
import { type PreparedTable, announcePrepared, onPrepared } from './prepare-replicas.js';

export type { PreparedTable } from './prepare-replicas.js';

/** The committed changes after which a table's policy-enforced files are prepared. */
const TRIGGERS = new Set(['io.lakegate.table.committed', 'io.lakegate.policy.created', 'io.lakegate.policy.updated', 'io.lakegate.policy.deleted']);
/** Tables waiting at most (one entry each, however often triggered); past it a trigger is dropped and plans derive. */
const MAX_QUEUED = 256;
/** Files derived between two yields (the plan's DERIVE_CONCURRENCY: they are derived two at a time). */
const FILES_PER_STEP = 2;
/** How often a running preparation re-reads the table and its policies (changes made by other processes). */
const RECHECK_MS = 1000;
/** Role membership changes after which the tables whose policies bind the role are prepared again (their role combinations). */
const MEMBERSHIP = new Set(['io.lakegate.role.member-added', 'io.lakegate.role.member-removed']);
/** Tables with policies the startup catch-up (and a membership change's scan) reads and offers at a time (well under MAX_QUEUED). */
const CATCH_UP_PAGE = 32;

export { singleRolePolicies } from './prepare-combinations.js';

export interface PreparerOptions {
  /** Who holds each role in the stored assignments; without it only recently planned combinations are prepared. */
  holders?: RoleHolders | undefined;
  /** At most this many combined effective policies per table per preparation (0: single roles only). */
  combinations?: number | undefined;
}

export class PolicyFilePreparer {
  private readonly queue: PrepareQueue;
  /** Role sets of restricted plans answered here, per table (prepare-combinations.ts). */
  private readonly seen: SeenRoleSets;
  private readonly combinations: number;
  /** Aborted by stop(): the catch-up reads no further page. */
  private readonly stopping = new AbortController();
  private catchingUp: Promise<void> | undefined;
  /** Roles whose membership changed, per tenant, waiting for the scan of the tenant's tables (membershipChanged). */
  private readonly changedRoles = new Map<string, Set<string>>();
  /** The scan of those tenants' tables, while one runs (one at a time). */
  private rescanning: Promise<void> | undefined;

  constructor(
    private readonly ctx: TableContext,
    private readonly scanner: TableScanner,
    private readonly metrics: PlanningMetrics,
    private readonly options: PreparerOptions = {},
  ) {
    this.combinations = Math.max(0, options.combinations ?? DEFAULT_PREPARED_COMBINATIONS);
    this.seen = new SeenRoleSets(this.combinations);
    this.queue = new PrepareQueue(
      MAX_QUEUED,
      (o) => metrics.prepared?.(o),
      (size) => metrics.preparing?.(size),
    );
    onPrepared(ctx.coherence, (table, at) => {
      // Behind one of the table that runs here (it may have read the state before the announced change), unaborted.
      if (!this.stopping.signal.aborted) this.queue.follow(keyOf(table), (s) => this.prepare(table, s, 'replica', at));
    });
  }

  /** The store's ChangeListener half (compose/catalog.ts): schedules the tables the committed changes concern. Never throws. */
  committed(changes: readonly OutboxEventInput[]): void {
    for (const c of changes) {
      if (MEMBERSHIP.has(c.type)) this.membershipChanged(c.data.tenant, c.data.role);
      if (!TRIGGERS.has(c.type)) continue;
      const { namespace, name } = c.data;
      const uuid = c.data['table-uuid'];
      if (!Array.isArray(namespace) || typeof name !== 'string' || typeof uuid !== 'string') continue;
      this.schedule({ warehouse: c.warehouse, namespace: namespace.map(String), name, uuid });
    }
  }

  /**
   * A restricted plan of the table (service.ts): the caller's roles bound by the policies that applied, remembered
   * (bounded) so the next preparation covers their combination, which a group from the token may make unknowable ahead.
   */
  planned(warehouse: string, uuid: string, roles: readonly string[], applying: readonly Policy[]): void {
    if (this.combinations === 0 || applying.length < 2) return;
    const bound = new Set(boundRoles(applying));
    this.seen.note(
      keyOf({ warehouse, uuid }),
      roles.filter((r) => bound.has(r)),
    );
  }

  /** Prepares the table's files in the background; false when the backlog was full (its plans derive on demand). */
  schedule(table: PreparedTable): boolean {
    return this.queue.schedule(keyOf(table), (signal) => this.prepare(table, signal, 'prepared'));
  }

  /**
   * Starts the startup catch-up (see the opening comment) in the background, once; `failed` is told why a page could
   * not be read (the catch-up then ends: plans derive on demand). Never throws.
   */
  catchUp(failed: (err: unknown) => void): void {
    this.catchingUp ??= this.catchUpPages().catch((err: unknown) => {
      if (!this.stopping.signal.aborted) failed(err);
    });
  }

  /**
   * Resolves once no preparation runs or waits, the catch-up (if started) offered its last page and no membership
   * change waits for its tables to be offered (tests and benchmarks).
   */
  async idle(): Promise<void> {
    await this.catchingUp;
    await this.rescanning;
    await this.queue.idle();
  }

  /** Server shutdown: the catch-up reads no further page, what waits is dropped, what runs is aborted; resolves once all stopped. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.queue.stop();
    await this.catchingUp;
    await this.rescanning;
  }

  private async catchUpPages(): Promise<void> {
    const { signal } = this.stopping;
    const { policies } = this.ctx.store;
    let after: PolicyTable | undefined;
    for (;;) {
      await yieldToRequests();
      if (signal.aborted) return;
      const page = await policies.listTables(CATCH_UP_PAGE, after);
      for (const table of await this.tablesOf(page.map((t) => t.objectId))) {
        if (signal.aborted) return;
        this.queue.offer(keyOf(table), (s) => this.prepare(table, s, 'startup'));
      }
      if (page.length < CATCH_UP_PAGE) return;
      after = page.at(-1);
      // The next page once these are done: the backlog stays bounded and a commit's preparation waits behind one page at most.
      await this.queue.idle();
    }
  }

  /** The tables of these catalog ids as they are now (one that is gone or no longer a table left out). */
  private async tablesOf(ids: readonly string[]): Promise<PreparedTable[]> {
    const repository = this.ctx.store.repository;
    const found = ids.length === 0 ? [] : await repository.findByIds(ids);
    const tables: PreparedTable[] = [];
    for (const f of found) {
      if (this.stopping.signal.aborted) break;
      if (f.kind !== 'table' || f.name === undefined) continue;
      const record = await repository.getObject(f.warehouse, f.namespace, f.name);
      if (record?.kind !== 'table' || record.id !== f.id) continue;
      tables.push({ warehouse: f.warehouse, namespace: record.namespace, name: record.name, uuid: record.uuid });
    }
    return tables;
  }

  /** A role's membership changed (see the opening comment): its tenant's tables are scanned once the scan running ends. */
  private membershipChanged(tenant: unknown, role: unknown): void {
    if (typeof tenant !== 'string' || typeof role !== 'string') return;
    if (this.combinations === 0 || this.options.holders === undefined || this.stopping.signal.aborted) return;
    const roles = this.changedRoles.get(tenant);
    if (roles === undefined) this.changedRoles.set(tenant, new Set([role]));
    else roles.add(role);
    this.rescanning ??= this.rescan();
  }

  /** Scans the tenants whose role memberships changed, one at a time, until none waits. Never rejects. */
  private async rescan(): Promise<void> {
    for (;;) {
      // Not inside the end of the change's transaction; and a burst of changes coalesces per tenant meanwhile.
      await yieldToRequests();
      const next = this.changedRoles.entries().next();
      // Ended in the same step as the last look at what waits: a change told after it starts a scan of its own.
      if (next.done || this.stopping.signal.aborted) {
        this.rescanning = undefined;
        return;
      }
      const [tenant, roles] = next.value;
      this.changedRoles.delete(tenant);
      try {
        await this.rescanTenant(tenant, roles);
      } catch {
        // A store that cannot be read: counted as a failed preparation; the plans of those roles derive on demand.
        if (!this.stopping.signal.aborted) this.metrics.prepared?.('failed');
      }
    }
  }

  /** Offers the tenant's tables whose policies bind one of `roles` and one more role, a page of the store's list at a time. */
  private async rescanTenant(tenant: string, roles: ReadonlySet<string>): Promise<void> {
    const { signal } = this.stopping;
    const { policies } = this.ctx.store;
    // Keyset paging from the tenant's first table (object ids are not empty) until the list reaches the next tenant.
    let after: Pick<PolicyTable, 'tenant' | 'objectId'> = { tenant, objectId: '' };
    for (;;) {
      const page = await policies.listTables(CATCH_UP_PAGE, after);
      const ours = page.filter((t) => t.tenant === tenant);
      const reached: string[] = [];
      for (const t of ours) {
        const bound = boundRoles(await policies.listForObject(tenant, t.objectId));
        if (bound.length >= 2 && bound.some((r) => roles.has(r))) reached.push(t.objectId);
      }
      for (const table of await this.tablesOf(reached)) {
        if (signal.aborted) return;
        this.queue.follow(keyOf(table), (s) => this.prepare(table, s, 'membership'));
      }
      if (ours.length < CATCH_UP_PAGE) return;
      after = page.at(-1)!;
      // The next page once these are done, as the catch-up does: the backlog stays bounded.
      await this.queue.idle();
      await yieldToRequests();
      if (signal.aborted) return;
    }
  }

  /**
   * The table's policies as the database holds them now, not through the policy gate's cache: the change that
   * triggered this committed before the gate dropped its copy (policy-admin.ts), and a preparation is one read.
   */
  private policiesOn(tenant: string, objectId: string): Promise<Policy[]> {
    return this.ctx.store.policies.listForObject(tenant, objectId);
  }

  /** `announcedAt`: another process prepared the table at that metadata (prepare-replicas.ts); skipped once it moved on. */
  private async prepare(target: PreparedTable, signal: AbortSignal, trigger: DerivedTrigger, announcedAt?: string): Promise<'superseded' | void> {
    // Not inside the end of the change's transaction, where the trigger comes from: after the work already queued.
    await yieldToRequests();
    const repository = this.ctx.store.repository;
    const warehouse = await repository.getWarehouse(target.warehouse);
    if (warehouse === undefined) return;
    const current = async (): Promise<CatalogObjectRecord | undefined> => {
      const r = await repository.getObject(target.warehouse, target.namespace, target.name);
      return r?.kind === 'table' && r.uuid === target.uuid ? r : undefined;
    };
    const record = await current();
    if (record === undefined || (announcedAt !== undefined && record.metadataLocation !== announcedAt)) return;
    const onTable = await this.policiesOn(warehouse.tenant, record.id);
    const roleSets = await this.roleSets(target, warehouse.tenant, onTable);
    const versions = this.versionsOf(onTable, roleSets, this.combinations);
    if (versions.size === 0) return;
    const metadata = parseJson(record.metadataJson) as TableMetadata;
    const spec = scanSpecOf({});
    const scan = resolveScan(metadata, spec);
    if (scan.snapshot === undefined) return;
    // Whether what is prepared is still what a plan would read: the same metadata and the same policy versions.
    let checkedAt = this.ctx.clock.now();
    const stillCurrent = async (): Promise<boolean> => {
      if (signal.aborted) return false;
      if (this.ctx.clock.now() - checkedAt < RECHECK_MS) return true;
      checkedAt = this.ctx.clock.now();
      const now = await current();
      if (now?.metadataLocation !== record.metadataLocation) return false;
      const nowVersions = this.versionsOf(await this.policiesOn(warehouse.tenant, record.id), roleSets, Infinity);
      return [...versions.keys()].every((v) => nowVersions.has(v));
    };
    for (const policy of versions.values()) {
      const table: TableAtHand & { policy: typeof policy } = {
        scope: { warehouse, caller: systemCaller(warehouse) },
        levels: record.namespace,
        name: record.name,
        record,
        metadata,
        policy,
      };
      try {
        if (!(await this.preparePolicy(table, scan, spec, stillCurrent, trigger))) return 'superseded';
      } catch (e) {
        // A policy the table cannot be read under (a mask on a partition source): its plans refuse; the next policy.
        if (!(e instanceof CatalogError && e.code === 'ERR_FORBIDDEN')) throw e;
      }
    }
    // After a change only: a startup catch-up prepares what the running processes already prepared themselves.
    if (trigger === 'prepared' || trigger === 'membership') announcePrepared(this.ctx.coherence, target, record.metadataLocation);
  }

  /** The role combinations to prepare: recently planned here first, then those members hold in the stored assignments. */
  private async roleSets(target: PreparedTable, tenant: string, onTable: readonly Policy[]): Promise<(readonly string[])[]> {
    if (this.combinations === 0 || boundRoles(onTable).length < 2) return [];
    const seen = this.seen.of(keyOf(target));
    const held = this.options.holders === undefined ? [] : await heldRoleSets(onTable, tenant, this.options.holders);
    return [...seen, ...held];
  }

  /** Single roles' versions, then at most `max` more of the role combinations', by policy version. */
  private versionsOf(onTable: readonly Policy[], roleSets: readonly (readonly string[])[], max: number): Map<string, PreparedPolicy> {
    const singles = singleRolePolicies(onTable);
    return new Map([...singles, ...combinedPolicies(onTable, roleSets, singles, max)]);
  }

  /** One policy version's files, a step at a time; false once what it prepares is no longer current. */
  private async preparePolicy(
    table: TableAtHand & { policy: EffectivePolicy & { policyVersion: string } },
    scan: ResolvedScan,
    spec: ScanSpec,
    stillCurrent: () => Promise<boolean>,
    trigger: DerivedTrigger,
  ): Promise<boolean> {
    const filter = this.scanner.filters(table, scan.schema, spec).prune;
    const manifests = await scanManifests(await this.scanner.reader(table), scan);
    for (let m = 0; m < manifests.data.length; m++) {
      if (!(await stillCurrent())) return false;
      const { tasks } = await this.scanner.planSlice(table, scan, filter, manifests, m, m + 1);
      for (let i = 0; i < tasks.length; i += FILES_PER_STEP) {
        await yieldToRequests();
        if (!(await stillCurrent())) return false;
        await this.scanner.derived(table, scan, table.policy, tasks.slice(i, i + FILES_PER_STEP), trigger);
      }
    }
    return true;
  }
}

const keyOf = (table: Pick<PreparedTable, 'warehouse' | 'uuid'>) => `${table.warehouse}\u0000${table.uuid}`;

function systemCaller(warehouse: Warehouse): Caller {
  return {
    tenant: warehouse.tenant,
    description: 'system:policy-file-preparation',
    key: 'system:policy-file-preparation',
    members: [],
    admin: false,
    unrestricted: true,
  };
}

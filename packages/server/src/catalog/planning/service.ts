/**
 * Server-side scan planning (Iceberg REST planTableScan, fetchPlanningResult, cancelPlanning, fetchScanTasks).
 * Every method runs validate → authorize → execute, and authorization is `table:read-data` on the table on
 * every call (a plan task of a revoked grant is refused: nothing is decided when the plan was made). A plan and
 * its plan tasks belong to the principal that made them: anyone else's call is 404, as for an unknown id.
 * Memory stays bounded: a first answer plans at most `inlineManifests` data manifests, larger scans answer
 * plan tasks of `manifestsPerTask` manifests each, and only the caller, table and range of a plan task live in
 * the (sealed) token. With async planning on (limits.asyncManifests > 0), a scan of more data manifests answers
 * `submitted` and is planned in the background (background.ts: bounded concurrency and backlog): each data
 * manifest is read once to prune, and the result kept is only the plan tasks of manifests with matching files,
 * so memory stays bounded. Cancelling aborts it between manifests. A plan's state lives in the shared plan store
 * (ports/planning.ts), so any worker or replica answers for it (plan-keeping.ts: bounded answers, leases, sweeping),
 * and a plan whose process stopped is taken over by the replica its owner fetches it on (takeover.ts). Residual filters are the request's whole filter: correct (the client re-applies it to the
 * rows), only less tight than a per-partition residual. Credentials are read-only whatever the caller may do. What a
 * plan reads (manifests, tasks, derived files, credentials) is scanner.ts.
 */
import type { PlanTableScanRequest } from '@lakegate/protocol';
import { CatalogError, type CatalogErrorCode } from '../../errors/catalog-error.js';
import type { CatalogRequest } from '../context.js';
import { checkName, checkNamespace } from '../identifiers.js';
import { parseJson } from '../json.js';
import type { TableMetadata } from '../metadata/types.js';
import { tableSchemas } from '../policies/follow.js';
import type { DelegationMechanism } from '../ports/signing.js';
import { type TableContext, requireTable, tableObject } from '../kit/table-kit.js';
import type { StorageCredentialEntry } from '../credentials/credential-service.js';
import { BackgroundPlans } from './background.js';
import { DEFAULT_LEASE_MS, DEFAULT_MAX_RESULT_BYTES, PlanSweeper, allManifests, keptTasks } from './plan-keeping.js';
import { DEFAULT_MAX_TAKEOVERS, type TakeoverDeps, takeOverLapsed } from './takeover.js';
import { notePageJson } from './answer-json.js';
import { type KeptAnswer, PlanCache } from './plan-cache.js';
import { DEFAULT_ANSWER_CACHE_BYTES, type HeldLease, type PlanTaskClaims, type PlannedPage, type PlanResult, type ScanSpec } from '../ports/planning.js';
import { type ResolvedScan, resolveScan, scanManifests, scanSpecOf } from './scan-scope.js';
import { isRestricted } from './restricted.js';
import { PolicyFilePreparer } from './prepare-policy-files.js';
import { type PlanningDeps, type TableAtHand, TableScanner, cacheScope, unprocessable } from './scanner.js';

export type { PlanningDeps } from './scanner.js';

export type { PlanResult } from '../ports/planning.js';

const planNotFound = () => new CatalogError('ERR_PLAN_NOT_FOUND', 'The plan does not exist: it is unknown, expired or cancelled');
const taskNotFound = () =>
  new CatalogError('ERR_PLAN_TASK_NOT_FOUND', 'The plan task does not exist: it was not handed out for this table to this caller, or it expired');

export class PlanningService {
  /** Parsed metadata and whole answers of unchanged tables (plan-cache.ts); undefined when off. */
  private readonly answers: PlanCache | undefined;
  /** Async plans of this process (their state is in deps.store, shared by every replica; their work here). */
  readonly background: BackgroundPlans;
  private readonly sweeper: PlanSweeper;
  /** Taking over plans whose process stopped (takeover.ts). */
  private readonly takeover: TakeoverDeps;
  /** Reads, prunes, expands and derives a scan's files (scanner.ts). */
  private readonly scanner: TableScanner;
  /** Policy-enforced files prepared after commits and policy changes (prepare-policy-files.ts); undefined when off. */
  readonly prepared: PolicyFilePreparer | undefined;

  constructor(
    private readonly ctx: TableContext,
    private readonly deps: PlanningDeps,
  ) {
    this.scanner = new TableScanner(ctx, deps);
    this.prepared =
      deps.rewriter !== undefined && deps.limits.preparePolicyFiles !== false
        ? new PolicyFilePreparer(ctx, this.scanner, deps.metrics, { holders: deps.roleHolders, combinations: deps.limits.preparePolicyCombinations })
        : undefined;
    const answerBytes = deps.limits.answerCacheBytes ?? DEFAULT_ANSWER_CACHE_BYTES;
    this.answers = answerBytes > 0 ? new PlanCache(answerBytes) : undefined;
    const leaseMs = deps.limits.asyncLeaseMs ?? DEFAULT_LEASE_MS;
    const renew = (leases: readonly HeldLease[]) => deps.store.heartbeat(leases, ctx.clock.now(), ctx.clock.now() + leaseMs);
    // Released on shutdown: the lease ends now, so another replica takes the plans over at its next fetch (takeover.ts).
    const release = (leases: readonly HeldLease[]) => deps.store.heartbeat(leases, ctx.clock.now(), ctx.clock.now());
    this.background = new BackgroundPlans(deps.limits.asyncConcurrency ?? 1, deps.limits.asyncQueue ?? 64, {
      everyMs: Math.max(1, Math.floor(leaseMs / 3)),
      renew,
      release,
    });
    this.takeover = {
      store: deps.store,
      background: this.background,
      now: () => ctx.clock.now(),
      leaseMs,
      maxTakeovers: deps.limits.asyncTakeovers ?? DEFAULT_MAX_TAKEOVERS,
      metrics: deps.metrics,
    };
    this.sweeper = new PlanSweeper(deps.store);
  }

  async plan(
    request: CatalogRequest,
    namespace: string[],
    name: string,
    body: PlanTableScanRequest,
    delegation: readonly DelegationMechanism[],
  ): Promise<PlanResult> {
    // validate
    const spec = scanSpecOf(body);
    // authorize: the plan's own audit record (table.plan) is the allowed decision's; a plan that fails records the decision alone
    const table = await this.table(request, namespace, name, false);
    // execute
    try {
      return await this.planAllowed(table, spec, delegation);
    } catch (e) {
      await this.ctx.access.record(table.scope.caller, 'access.allowed', 'allow', 'table:read-data', tableObject(table.scope, table.levels, table.name));
      throw e;
    }
  }

  private async planAllowed(table: TableAtHand, spec: ScanSpec, delegation: readonly DelegationMechanism[]): Promise<PlanResult> {
    const started = performance.now();
    const scan = resolveScan(table.metadata, spec);
    // A restricted caller's answers are kept apart by its policy version (its derived files, restricted.ts): a
    // restricted caller is never served an unrestricted answer, nor one of another or an older policy version.
    const answers = this.answers;
    const keyScope = isRestricted(table.policy) ? `${cacheScope(table)}\u0000policy\u0000${table.policy.policyVersion}` : cacheScope(table);
    const answerKey = answers === undefined ? '' : PlanCache.scanKey(keyScope, table.record.metadataLocation, scan.pinned);
    const kept = answers?.answer(answerKey, table.record.metadataJson);
    if (kept !== undefined && !this.plansAsync(kept.dataManifests)) return this.answerKept(table, scan, kept, started, delegation);
    const filter = this.scanner.filters(table, scan.schema, spec).prune;
    const reader = await this.scanner.reader(table);
    const manifests = await unprocessable(() => scanManifests(reader, scan));
    const planId = this.ctx.newUuid();
    const expiresAtMs = this.ctx.clock.now() + this.deps.limits.planTtlMs;
    this.sweeper.maybe(this.ctx.clock.now());
    const claims = {
      planId,
      owner: table.scope.caller.key,
      tenant: table.scope.warehouse.tenant,
      warehouse: table.scope.warehouse.name,
      tableUuid: table.record.uuid,
      snapshotId: scan.snapshot ? String(scan.snapshot['snapshot-id']) : '',
      scan: scan.pinned,
      expiresAtMs,
    };
    const stored = {
      id: planId,
      owner: table.scope.caller.key,
      tenant: table.scope.warehouse.tenant,
      warehouse: table.scope.warehouse.name,
      tableUuid: table.record.uuid,
      expiresAtMs,
      delegation,
    };
    if (this.plansAsync(manifests.data.length)) {
      await this.deps.store.put({
        ...stored,
        status: 'submitted',
        result: {},
        // What another replica plans again should this process stop (takeover.ts).
        scan: scan.pinned,
        leaseUntilMs: this.ctx.clock.now() + (this.deps.limits.asyncLeaseMs ?? DEFAULT_LEASE_MS),
      });
      // A full backlog plans at once instead (plan tasks of every manifest): never refused for being busy.
      if (this.background.submit(planId, (signal) => this.scanner.planInBackground(table, scan, filter, manifests, claims, signal))) {
        await this.ctx.access.record(table.scope.caller, 'table.plan', 'allow', 'table:read-data', tableObject(table.scope, table.levels, table.name), {
          planId,
          snapshotId: claims.snapshotId || null,
          dataManifests: manifests.data.length,
          status: 'submitted',
        });
        return { status: 'submitted', 'plan-id': planId };
      }
    }
    let page: PlannedPage;
    let counts = { filesScanned: 0, filesPruned: 0, tasks: 0 };
    if (manifests.data.length <= this.deps.limits.inlineManifests) {
      ({ page, counts } = await this.scanner.expand(table, scan, filter, manifests, 0, manifests.data.length));
      if (answers !== undefined)
        notePageJson(page, answers.keepAnswer(answerKey, table.record.metadataJson, { page, counts, dataManifests: manifests.data.length }).pageJson);
    } else {
      const per = this.deps.limits.manifestsPerTask;
      const tokens: string[] = [];
      for (let from = 0; from < manifests.data.length; from += per)
        tokens.push(this.deps.tasks.seal({ ...claims, from, to: Math.min(from + per, manifests.data.length) }));
      page = { 'plan-tasks': tokens };
    }
    // Kept bounded in the shared store (plan-keeping.ts): plan tasks, never the file list of an inline answer.
    const maxBytes = this.deps.limits.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES;
    const fits = page['plan-tasks'] !== undefined && JSON.stringify(page['plan-tasks']).length <= maxBytes;
    await this.deps.store.put({
      ...stored,
      status: 'completed',
      result: fits ? page : keptTasks(this.deps.tasks, claims, allManifests(manifests.data.length), this.deps.limits.manifestsPerTask, maxBytes),
    });
    this.deps.metrics.planned({ seconds: (performance.now() - started) / 1000, ...counts, kind: 'plan' });
    await this.ctx.access.record(table.scope.caller, 'table.plan', 'allow', 'table:read-data', tableObject(table.scope, table.levels, table.name), {
      planId,
      snapshotId: scan.snapshot ? String(scan.snapshot['snapshot-id']) : null,
      dataManifests: manifests.data.length,
      planTasks: page['plan-tasks']?.length ?? 0,
      ...counts,
      ...(isRestricted(table.policy) ? { policies: table.policy.policies.map((p) => p.id), policyVersion: table.policy.policyVersion } : {}),
    });
    const credentials = await this.scanner.credentials(table, delegation);
    return { status: 'completed', 'plan-id': planId, ...page, ...(credentials.length > 0 ? { 'storage-credentials': credentials } : {}) };
  }

  /** Whether a scan of this many data manifests is planned in the background (async planning on, and more than its bound). */
  private plansAsync(dataManifests: number): boolean {
    const asyncAbove = this.deps.limits.asyncManifests ?? 0;
    return asyncAbove > 0 && dataManifests > asyncAbove;
  }

  /** A plan answered with the files of a kept answer (plan-cache.ts): its own id, stored plan, metrics, audit record and credentials. */
  private async answerKept(
    table: TableAtHand,
    scan: ResolvedScan,
    kept: KeptAnswer,
    started: number,
    delegation: readonly DelegationMechanism[],
  ): Promise<PlanResult> {
    const planId = this.ctx.newUuid();
    const expiresAtMs = this.ctx.clock.now() + this.deps.limits.planTtlMs;
    const s = table.scope;
    const claims = {
      planId,
      owner: s.caller.key,
      tenant: s.warehouse.tenant,
      warehouse: s.warehouse.name,
      tableUuid: table.record.uuid,
      snapshotId: scan.snapshot ? String(scan.snapshot['snapshot-id']) : '',
      scan: scan.pinned,
      expiresAtMs,
    };
    // Kept as the fresh path keeps it (plan-keeping.ts): plan tasks over the same manifests, never the file list.
    const result = keptTasks(
      this.deps.tasks,
      claims,
      allManifests(kept.dataManifests),
      this.deps.limits.manifestsPerTask,
      this.deps.limits.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES,
    );
    this.sweeper.maybe(this.ctx.clock.now());
    await this.deps.store.put({
      id: planId,
      owner: s.caller.key,
      tenant: s.warehouse.tenant,
      warehouse: s.warehouse.name,
      tableUuid: table.record.uuid,
      expiresAtMs,
      delegation,
      status: 'completed',
      result,
    });
    this.deps.metrics.planned({ seconds: (performance.now() - started) / 1000, ...kept.counts, kind: 'plan' });
    await this.ctx.access.record(s.caller, 'table.plan', 'allow', 'table:read-data', tableObject(s, table.levels, table.name), {
      planId,
      snapshotId: scan.snapshot ? String(scan.snapshot['snapshot-id']) : null,
      dataManifests: kept.dataManifests,
      planTasks: 0,
      ...kept.counts,
      ...(isRestricted(table.policy) ? { policies: table.policy.policies.map((p) => p.id), policyVersion: table.policy.policyVersion } : {}),
    });
    const credentials = await this.scanner.credentials(table, delegation);
    return { status: 'completed', 'plan-id': planId, ...kept.page, ...(credentials.length > 0 ? { 'storage-credentials': credentials } : {}) };
  }

  async fetchResult(
    request: CatalogRequest,
    namespace: string[],
    name: string,
    planId: string,
    delegation: readonly DelegationMechanism[],
  ): Promise<PlanResult> {
    // validate, authorize
    const table = await this.table(request, namespace, name);
    // execute
    const plan = await this.ownPlan(table, planId);
    if (plan.status === 'submitted') return { status: 'submitted' };
    if (plan.status === 'failed')
      return {
        status: 'failed',
        error: new CatalogError((plan.error?.code ?? 'ERR_UNPROCESSABLE') as CatalogErrorCode, plan.error?.message ?? 'Planning failed'),
      };
    const credentials = await this.scanner.credentials(table, delegation.length > 0 ? delegation : (plan.delegation ?? []));
    return { status: 'completed', ...plan.result, ...(credentials.length > 0 ? { 'storage-credentials': credentials } : {}) };
  }

  /** loadCredentials?planId=: read-only credentials for the files of the caller's own plan (404 for anyone else's). */
  async planCredentials(request: CatalogRequest, namespace: string[], name: string, planId: string): Promise<StorageCredentialEntry[]> {
    // validate, authorize
    const table = await this.table(request, namespace, name);
    // execute
    if ((await this.ownPlan(table, planId)).status !== 'completed') throw planNotFound();
    return this.scanner.credentials(table, ['vended-credentials']);
  }

  async cancel(request: CatalogRequest, namespace: string[], name: string, planId: string): Promise<void> {
    // validate, authorize
    const table = await this.table(request, namespace, name);
    // execute: a lapsed plan is not taken over only to be cancelled
    await this.ownPlan(table, planId, false);
    await this.deps.store.cancel(planId, this.ctx.clock.now());
    this.background.cancel(planId);
    await this.ctx.access.record(table.scope.caller, 'table.plan.cancelled', 'allow', 'table:read-data', tableObject(table.scope, table.levels, table.name), {
      planId,
    });
  }

  async fetchTasks(request: CatalogRequest, namespace: string[], name: string, token: unknown): Promise<PlannedPage> {
    // validate
    if (typeof token !== 'string' || token.length === 0) throw new CatalogError('ERR_VALIDATION', 'plan-task must be a non-empty string');
    // authorize: the caller's privileges now, not when the plan was made
    const table = await this.table(request, namespace, name);
    // execute
    const claims = this.deps.tasks.open(token);
    const now = this.ctx.clock.now();
    if (!claims || !this.isOwn(table, claims) || claims.expiresAtMs <= now) throw taskNotFound();
    const plan = await this.deps.store.get(claims.planId, now);
    if (plan?.status === 'cancelled') throw taskNotFound();
    const started = performance.now();
    let scan: ResolvedScan;
    try {
      scan = resolveScan(table.metadata, claims.scan);
    } catch {
      // The snapshot the plan read has been expired since: the task no longer exists.
      throw taskNotFound();
    }
    const filter = this.scanner.filters(table, scan.schema, claims.scan).prune;
    const manifests = await unprocessable(async () => scanManifests(await this.scanner.reader(table), scan));
    if (claims.to > manifests.data.length || claims.from < 0 || claims.from >= claims.to) throw taskNotFound();
    const { page, counts } = await this.scanner.expand(table, scan, filter, manifests, claims.from, claims.to);
    this.deps.metrics.planned({ seconds: (performance.now() - started) / 1000, ...counts, kind: 'tasks' });
    await this.ctx.access.record(table.scope.caller, 'table.plan.tasks', 'allow', 'table:read-data', tableObject(table.scope, table.levels, table.name), {
      planId: claims.planId,
      from: claims.from,
      to: claims.to,
      ...counts,
    });
    return page;
  }

  /** The table, with `table:read-data` required now (audited), and its metadata. */
  private async table(request: CatalogRequest, namespace: string[], name: string, recordAllow = true): Promise<TableAtHand> {
    const levels = checkNamespace(namespace);
    checkName(name, 'table name');
    const scope = await this.ctx.scope(request);
    const { record } = await requireTable(this.ctx, scope, levels, name, ['table:read-data'], recordAllow);
    // Row-filter and column-mask policies: enforced in the plan (restricted.ts); refused (403 naming them) without a rewriter.
    const metadata =
      this.answers === undefined
        ? (parseJson(record.metadataJson) as TableMetadata)
        : this.answers.tableMetadata(cacheScope({ scope, record }), record.metadataLocation, record.metadataJson);
    // As the policies read against the current schema, by field id (policies/follow.ts: 403 naming one that cannot).
    const policy = await this.ctx.policies.effective(scope.caller, scope.warehouse.tenant, record.id, tableSchemas(metadata));
    if (isRestricted(policy) && this.deps.rewriter === undefined)
      await this.ctx.policies.refuse(scope.caller, scope.warehouse.tenant, record.id, tableObject(scope, levels, name), 'table:read-data');
    // Several policies applied: the caller's combination of roles, for the next preparation (prepare-combinations.ts).
    if (isRestricted(policy) && policy.policies.length > 1 && this.prepared !== undefined)
      this.prepared.planned(scope.warehouse.name, record.uuid, await this.ctx.access.rolesOf(scope.warehouse.tenant, scope.caller.members), policy.policies);
    return { scope, levels, name, record, metadata, policy };
  }

  private isOwn(table: TableAtHand, owned: { owner: string; tenant: string; warehouse: string; tableUuid: string }): boolean {
    const s = table.scope;
    return owned.owner === s.caller.key && owned.tenant === s.warehouse.tenant && owned.warehouse === s.warehouse.name && owned.tableUuid === table.record.uuid;
  }

  /** The caller's own plan (404 for anyone else's), a lapsed one taken over or settled failed first (takeover.ts) unless `resume` is false. */
  private async ownPlan(table: TableAtHand, planId: string, resume = true) {
    const found = await this.deps.store.get(planId, this.ctx.clock.now());
    if (!found || found.status === 'cancelled' || !this.isOwn(table, found)) throw planNotFound();
    if (!resume) return found;
    const plan = await takeOverLapsed(this.takeover, found, {
      work: (taken, signal) => this.scanner.resumeInBackground(table, taken, signal),
      taken: (taken) =>
        this.ctx.access.record(table.scope.caller, 'table.plan.taken-over', 'allow', 'table:read-data', tableObject(table.scope, table.levels, table.name), {
          planId,
          takeovers: taken.takeovers ?? 1,
          status: 'submitted',
        }),
    });
    if (!plan || plan.status === 'cancelled') throw planNotFound();
    return plan;
  }
}

export type { ScanSpec, PlanTaskClaims };

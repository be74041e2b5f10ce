/**
 * The scan work of planning (service.ts): reading a table's manifests through the shared manifest cache, pruning and
 * expanding data manifests into file scan tasks, the policy-enforced files of a restricted caller (restricted.ts), the
 * background half of an async plan, and the read-only credentials of a plan. PlanningService authorizes and keeps
 * plans; this does what a plan reads.
 */
import type { RoleHolders } from './prepare-combinations.js';
import { CatalogError } from '../../errors/catalog-error.js';
import type { RequestScope } from '../context.js';
import { ManifestCache } from '../manifests/manifest-cache.js';
import { ManifestReader } from '../manifests/manifest-reader.js';
import type { TableMetadata } from '../metadata/types.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import { chooseMechanism } from '../kit/delegation.js';
import type { DelegationMechanism } from '../ports/signing.js';
import type { TableContext } from '../kit/table-kit.js';
import type { StorageCredentialEntry } from '../credentials/credential-service.js';
import { DEFAULT_MAX_RESULT_BYTES, keptTasks } from './plan-keeping.js';
import { type BoundExpression, bindFilter } from '../kit/expression.js';
import { planFiles } from './plan-files.js';
import type { DerivedTrigger, PlanStore, PlanTaskClaims, PlanTaskCodec, PlanningLimits, PlanningMetrics, ScanSpec, StoredPlan } from '../ports/planning.js';
import { type ResolvedScan, type ScanManifests, SliceReader, findField, resolveScan, scanManifests } from './scan-scope.js';
import { type WireContext, fieldsById, scanTasksJson } from './wire-files.js';
import type { ObjectStorage } from '../object-storage.js';
import type { EffectivePolicy } from '../policies/effective.js';
import { type DerivedMemo, type SideFile, allowedStats, deriveTasks, derivedPrefix, isRestricted, keptSideFiles, restrictedFilters } from './restricted.js';
import type { DataFileRewriter } from './rewrite-ports.js';

export interface PlanningDeps {
  store: PlanStore;
  tasks: PlanTaskCodec;
  limits: PlanningLimits;
  metrics: PlanningMetrics;
  /** Writes policy-enforced files (restricted.ts); without it a restricted caller's plan is refused (fail closed). */
  rewriter?: ((storage: ObjectStorage) => DataFileRewriter) | undefined;
  /** Who holds each role in the stored assignments (AccessControl.listMembers): the role combinations prepared (prepare-combinations.ts). */
  roleHolders?: RoleHolders | undefined;
}

export interface TableAtHand {
  scope: RequestScope;
  levels: string[];
  name: string;
  record: CatalogObjectRecord;
  metadata: TableMetadata;
  /** The row-filter and column-mask policies that hold for the caller (restricted.ts when any applies). */
  policy: EffectivePolicy;
}

export class TableScanner {
  /** Manifests are immutable once committed: a repeated plan of an unchanged snapshot decodes nothing again. */
  private readonly cache: ManifestCache | undefined;
  /** Side files of policy-enforced files this process has seen (restricted.ts). */
  private readonly sideFiles = keptSideFiles();
  /** Derived entries by the manifest cache's original entries (restricted.ts). */
  private readonly derivedMemo: DerivedMemo = new WeakMap();
  /** Derivations under way, by side file (restricted.ts): plans and preparation never write one file twice here. */
  private readonly inflight = new Map<string, Promise<SideFile>>();

  constructor(
    private readonly ctx: TableContext,
    private readonly deps: PlanningDeps,
  ) {
    const entries = deps.limits.manifestCacheEntries ?? 0;
    const bytes = deps.limits.manifestCacheBytes ?? Infinity;
    this.cache = entries > 0 && bytes > 0 ? new ManifestCache(entries, bytes) : undefined;
  }

  /** The scan's filter bound for pruning, and the residual its tasks carry (the policy's row filter added when restricted). */
  filters(table: TableAtHand, schema: TableMetadata['schemas'][number], spec: ScanSpec): { prune: BoundExpression; residual: unknown } {
    if (isRestricted(table.policy)) return restrictedFilters(table.policy, spec.filter, schema, spec.caseSensitive);
    return { prune: bindFilter(spec.filter ?? true, schema, spec.caseSensitive), residual: spec.filter };
  }

  async reader(table: TableAtHand): Promise<ManifestReader> {
    return new ManifestReader(await this.ctx.storageFor(table.scope.warehouse), [table.record.location], this.cache, cacheScope(table));
  }

  /**
   * The background half of an async plan: reads each data manifest once (abortable between manifests) to
   * prune it (none when there is nothing to prune by and the list counts live files), then seals plan tasks over the
   * manifests that have matching files only; settles the plan
   * completed, or failed with the error a synchronous plan would have answered (never a stack).
   */
  async planInBackground(
    table: TableAtHand,
    scan: ResolvedScan,
    filter: ReturnType<typeof bindFilter>,
    manifests: ScanManifests,
    claims: Omit<PlanTaskClaims, 'from' | 'to'>,
    signal: AbortSignal,
  ): Promise<void> {
    const started = performance.now();
    const counts = { filesScanned: 0, filesPruned: 0, tasks: 0 };
    const matching: number[] = [];
    // Pruning needs no delete files: they are attached when a plan task is expanded.
    const dataOnly: ScanManifests = { ...manifests, deletes: [] };
    // Nothing to prune by (no filter, no row policy, not incremental): a manifest matches when its list entry counts a
    // live file, as Iceberg Java's ManifestGroup decides, so a full scan reads each manifest once (at expansion), not twice.
    const counted = filter.op === 'true' && manifests.keep === undefined;
    let outcome: Pick<StoredPlan, 'status' | 'result' | 'error'>;
    try {
      for (let i = 0; i < manifests.data.length; i++) {
        signal.throwIfAborted();
        const listed = manifests.data[i]!.counts;
        if (counted && listed !== undefined) {
          if (listed.addedFiles + listed.existingFiles > 0) matching.push(i);
          continue;
        }
        // Only whether the manifest holds a match: its tasks are written out when a plan task is expanded.
        const planned = await this.planSlice(table, scan, filter, dataOnly, i, i + 1);
        counts.filesScanned += planned.filesScanned;
        counts.filesPruned += planned.filesPruned;
        counts.tasks += planned.tasks.length;
        if (planned.tasks.length > 0) matching.push(i);
      }
      signal.throwIfAborted();
      outcome = {
        status: 'completed',
        result: keptTasks(this.deps.tasks, claims, matching, this.deps.limits.manifestsPerTask, this.deps.limits.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES),
      };
    } catch (e) {
      // Stopped: a cancel (the plan is cancelled), the store (no longer submitted) or a shutdown (the lease is
      // released for another process to take the plan over, background.ts) has decided; nothing to settle here.
      if (signal.aborted) return;
      outcome = { status: 'failed', result: {}, error: failureOf(e) };
    }
    if (!(await this.deps.store.settle(claims.planId, this.ctx.clock.now(), outcome))) return;
    this.deps.metrics.planned({ seconds: (performance.now() - started) / 1000, ...counts, kind: 'plan' });
  }

  /**
   * Plans again, in the background, a submitted plan this process took over (takeover.ts) from what its row holds:
   * the pinned scan, resolved against the table as the owner's fetch read it now (its policies, its grants). A scan
   * that no longer resolves (its snapshot expired since) settles the plan failed with the synchronous call's error.
   */
  async resumeInBackground(table: TableAtHand, plan: StoredPlan & { scan: ScanSpec }, signal: AbortSignal): Promise<void> {
    let scan: ResolvedScan;
    let filter: BoundExpression;
    let manifests: ScanManifests;
    try {
      scan = resolveScan(table.metadata, plan.scan);
      filter = this.filters(table, scan.schema, plan.scan).prune;
      const reader = await this.reader(table);
      manifests = await unprocessable(() => scanManifests(reader, scan));
    } catch (e) {
      await this.deps.store.settle(plan.id, this.ctx.clock.now(), { status: 'failed', result: {}, error: failureOf(e) });
      return;
    }
    const claims = {
      planId: plan.id,
      owner: plan.owner,
      tenant: plan.tenant,
      warehouse: plan.warehouse,
      tableUuid: plan.tableUuid,
      snapshotId: scan.snapshot ? String(scan.snapshot['snapshot-id']) : '',
      scan: scan.pinned,
      expiresAtMs: plan.expiresAtMs,
    };
    await this.planInBackground(table, scan, filter, manifests, claims, signal);
  }

  /** Plans data manifests [from, to) of the scan, with every delete manifest of it attached. */
  async planSlice(table: TableAtHand, scan: ResolvedScan, filter: ReturnType<typeof bindFilter>, manifests: ScanManifests, from: number, to: number) {
    const source = await this.ctx.storageFor(table.scope.warehouse);
    const slice = new SliceReader(
      source,
      [table.record.location],
      [...manifests.deletes, ...manifests.data.slice(from, to)],
      manifests.keep,
      this.cache,
      cacheScope(table),
    );
    return unprocessable(() => planFiles(slice, '', filter, { specs: table.metadata['partition-specs'], schema: scan.schema }));
  }

  /** Plans data manifests [from, to) of the scan (with every delete manifest) into one answer's tasks. */
  async expand(table: TableAtHand, scan: ResolvedScan, filter: ReturnType<typeof bindFilter>, manifests: ScanManifests, from: number, to: number) {
    const planned = await this.planSlice(table, scan, filter, manifests, from, to);
    const restricted = isRestricted(table.policy) ? table.policy : undefined;
    const tasks = restricted === undefined ? planned.tasks : await this.derived(table, scan, restricted, planned.tasks);
    let statsIds = new Set<number>();
    for (const f of scan.pinned.statsFields ?? []) {
      const field = findField(scan.schema, f, scan.pinned.caseSensitive);
      if (field) statsIds.add(field.id);
    }
    if (restricted !== undefined) statsIds = allowedStats(statsIds, restricted, scan.schema);
    const wire: WireContext = { specs: new Map(table.metadata['partition-specs'].map((s) => [s['spec-id'], s])), fields: fieldsById(scan.schema), statsIds };
    const page = scanTasksJson(tasks, wire, restricted === undefined ? scan.pinned.filter : this.filters(table, scan.schema, scan.pinned).residual);
    return {
      page,
      counts: { filesScanned: planned.filesScanned, filesPruned: planned.filesPruned + planned.tasks.length - tasks.length, tasks: tasks.length },
    };
  }

  /**
   * The planned files as the policy-enforced files of the caller's policy version (restricted.ts): by a plan, or
   * ahead of the plans by background preparation (prepare-policy-files.ts), through this one path and its caches.
   */
  async derived(
    table: TableAtHand,
    scan: ResolvedScan,
    policy: EffectivePolicy & { policyVersion: string },
    tasks: Parameters<typeof deriveTasks>[0],
    trigger: DerivedTrigger = 'plan',
  ) {
    const storage = await this.ctx.storageFor(table.scope.warehouse);
    const specs = new Map(table.metadata['partition-specs'].map((s) => [s['spec-id'], s]));
    return deriveTasks(tasks, {
      storage,
      rewriter: this.deps.rewriter!(storage),
      tableLocation: table.record.location,
      policy,
      schema: scan.schema,
      specs,
      formatVersion: table.metadata['format-version'],
      newUuid: this.ctx.newUuid,
      kept: this.sideFiles,
      memo: this.derivedMemo,
      inflight: this.inflight,
      exclusive: (key, fn) => this.ctx.coherence.claim(key, fn),
      written: () => this.deps.metrics.derived?.(trigger),
    });
  }

  /** Read-only credentials for the table's location when the client asked for vended credentials (and the warehouse offers them). */
  async credentials(table: TableAtHand, delegation: readonly DelegationMechanism[]): Promise<StorageCredentialEntry[]> {
    if (chooseMechanism(delegation, await this.ctx.signing.mechanisms(table.scope.warehouse)) !== 'vended-credentials') return [];
    // A restricted caller's credentials open its policy version's derived files only (restricted.ts), never the originals.
    const location = isRestricted(table.policy) ? derivedPrefix(table.record.location, table.policy.policyVersion) : table.record.location;
    const vended = await this.ctx.credentials.forTable({
      scope: table.scope,
      identifier: { namespace: table.levels, name: table.name },
      tableUuid: table.record.uuid,
      location,
      mode: 'read',
    });
    return vended.storageCredentials;
  }
}

/** A failed plan's error as the synchronous call would have answered it: a domain code and message, never a stack. */
function failureOf(e: unknown): { code: string; message: string } {
  if (!(e instanceof CatalogError)) return { code: 'ERR_UNAVAILABLE', message: 'Planning failed' };
  return e.code === 'ERR_VALIDATION' ? { code: 'ERR_UNPROCESSABLE', message: e.message } : { code: e.code, message: e.message };
}

/** A table's own corner of the shared manifest cache: its warehouse (stores differ) and its uuid. */
export const cacheScope = (table: Pick<TableAtHand, 'scope' | 'record'>): string => `${table.scope.warehouse.name}\u0000${table.record.uuid}`;

/**
 * The manifest reader refuses a file it cannot read (missing, corrupt, outside the table's location) with
 * ERR_VALIDATION and a clear message; for planning that is the table's fault, not the request's, so it is
 * 422 (the request was well-formed but cannot be processed) with the same message, never a 500.
 */
export async function unprocessable<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CatalogError && e.code === 'ERR_VALIDATION') throw new CatalogError('ERR_UNPROCESSABLE', e.message, { cause: e });
    throw e;
  }
}

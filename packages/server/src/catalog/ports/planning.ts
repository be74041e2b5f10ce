/**
 * Ports of server-side scan planning. A plan's file scan tasks are never stored: small scans answer them at
 * once, larger ones answer plan tasks, sealed tokens (PlanTaskCodec) that name a bounded range of the
 * snapshot's manifests and are bound to the caller, the table and an expiry, so any server process with the
 * same secret key expands them (serve --workers N, several replicas) and nothing a huge table holds is kept
 * between calls.
 *
 * The plan store keeps who owns which plan id, its state and its (bounded) answer in the catalog database, so
 * fetchPlanningResult and cancelPlanning answer on every worker and every replica (issue 51). Why a database row
 * and not a sealed, self-describing plan id (as plan tasks are): a plan id is mutable state. A cancel must be seen
 * by every later call and by the process planning it in the background, an async plan's answer is only known
 * after the id was handed out, and a completed plan must answer the same result once: none of that fits in a
 * token the client holds. The row is small (the answer is plan-task tokens, bounded by PlanningLimits.maxResultBytes).
 * A submitted plan carries a lease its planning process renews (heartbeat); once the lease has lapsed (the
 * process died or stopped) another process claims it (one guarded write: one claimer wins) and plans it again from
 * what the row holds (the pinned scan; the owner's own fetch authorizes it again), at most
 * PlanningLimits.asyncTakeovers times; past that it is answered failed (ERR_UNAVAILABLE: plan again), so no plan
 * stays submitted forever.
 */
import type { DelegationMechanism } from './delegation.js';
import type { CatalogError } from '../../errors/catalog-error.js';
import type { StorageCredentialEntry } from './credentials.js';

/**
 * A lease as its holder knows it: the plan, and how many takeovers the row counted when this process got it (0 for
 * the process that submitted it, n for the one whose claim was the n-th). A process that stalled past its lease
 * (not dead: paused, swapped out, a stop-the-world) and was taken over meanwhile holds an older count, so its
 * renewals no longer match and it stops its run instead of planning alongside its taker.
 */
export interface HeldLease {
  id: string;
  takeovers: number;
}

/** What a plan id stands for: its owner and table, and the first answer, kept until it expires. */
export interface StoredPlan {
  id: string;
  /** Caller.key of the principal that planned: nobody else can fetch or cancel it. */
  owner: string;
  tenant: string;
  warehouse: string;
  tableUuid: string;
  expiresAtMs: number;
  /** submitted: planned in the background (async planning); failed: the background planning hit `error`. */
  status: 'submitted' | 'completed' | 'failed' | 'cancelled';
  /** The completed answer without credentials (they are vended again on every fetch), bounded by the planning limits. */
  result: PlannedPage;
  /** The X-Iceberg-Access-Delegation of the plan call: a fetch without the header vends as the plan asked. */
  delegation?: readonly DelegationMechanism[];
  /** Why a failed plan failed: a domain error code and its message (never a stack). */
  error?: { code: string; message: string };
  /** A submitted plan's lease: its planning process renews it (heartbeat); past it, nobody is planning it. */
  leaseUntilMs?: number;
  /** A submitted plan's scan, its snapshot pinned: what another process plans again when it takes the plan over. */
  scan?: ScanSpec;
  /** How many times another process took the plan over (claim); absent when never. */
  takeovers?: number;
}

export interface PlanStore {
  put(plan: StoredPlan): Promise<void>;
  /** put() of every plan, in one transaction: all of them are stored, or none. */
  putAll(plans: readonly StoredPlan[]): Promise<void>;
  /** The plan, or undefined when it is unknown or expired. */
  get(id: string, nowMs: number): Promise<StoredPlan | undefined>;
  /** Marks the plan cancelled (kept until it expires, so its plan tasks are refused); false when unknown or expired. */
  cancel(id: string, nowMs: number): Promise<boolean>;
  /** Settles a submitted plan (completed or failed); false, changing nothing, when it is no longer submitted (cancelled, expired). */
  settle(id: string, nowMs: number, outcome: Pick<StoredPlan, 'status' | 'result' | 'error'>): Promise<boolean>;
  /**
   * Renews to `leaseUntilMs` the leases still held as `leases` says: plans still submitted (not cancelled, settled
   * or expired) and not taken over since (their takeover count is the holder's), and answers their ids: the
   * planning process stops the others (a cancel on another replica, or a takeover of a run that stalled, is seen
   * here). A lease renewed to `nowMs` is released (the process stops): another process may claim it at once.
   */
  heartbeat(leases: readonly HeldLease[], nowMs: number, leaseUntilMs: number): Promise<string[]>;
  /**
   * Takes over a submitted plan whose lease has lapsed (at `nowMs`) and that was taken over fewer than
   * `maxTakeovers` times: sets its lease to `leaseUntilMs` and counts the takeover, in one guarded write, so of
   * processes racing for it exactly one gets true. False, changing nothing, for any other plan (leased, cancelled,
   * settled, expired, unknown, or taken over `maxTakeovers` times).
   */
  claim(id: string, nowMs: number, leaseUntilMs: number, maxTakeovers: number): Promise<boolean>;
  /** Deletes up to `limit` expired plans; answers how many. */
  sweep(nowMs: number, limit: number): Promise<number>;
}

/** Which scan a plan task continues: the request's own fields, as the caller sent them. */
export interface ScanSpec {
  snapshotId?: string | undefined;
  startSnapshotId?: string | undefined;
  endSnapshotId?: string | undefined;
  filter?: unknown;
  select?: string[] | undefined;
  caseSensitive: boolean;
  useSnapshotSchema: boolean;
  statsFields?: string[] | undefined;
}

/** What a plan task binds: the plan, its owner and table, the manifests it covers, and when it expires. */
export interface PlanTaskClaims {
  planId: string;
  owner: string;
  tenant: string;
  warehouse: string;
  tableUuid: string;
  /** The snapshot the plan resolved (for an incremental scan, its end). */
  snapshotId: string;
  scan: ScanSpec;
  /** Data manifests [from, to) of the scan, in manifest-list order. */
  from: number;
  to: number;
  expiresAtMs: number;
}

export interface PlanTaskCodec {
  seal(claims: PlanTaskClaims): string;
  /** The claims, or undefined for a token this server did not seal (tampered, truncated, of another key). */
  open(token: string): PlanTaskClaims | undefined;
}

/** One answer's tasks, in the wire shape (ScanTasks). */
export interface PlannedPage {
  'file-scan-tasks'?: unknown[];
  'delete-files'?: unknown[];
  'plan-tasks'?: string[];
}

/**
 * What wrote a policy-enforced file: a plan that needed it, or preparation ahead of plans (prepare-policy-files.ts)
 * after a commit or a policy change (`prepared`), a role membership change (`membership`), or at startup.
 */
export type DerivedTrigger = 'plan' | 'prepared' | 'membership' | 'startup' | 'replica';

export interface PlanningMetrics {
  planned(outcome: { seconds: number; filesScanned: number; filesPruned: number; tasks: number; kind: 'plan' | 'tasks' }): void;
  /** A submitted plan whose lease lapsed (its process stopped) was taken over here, or settled failed past the bound (takeover.ts). */
  lapsed?(outcome: 'taken-over' | 'failed'): void;
  /**
   * A policy-enforced file written by a restricted plan, or ahead of plans by background preparation
   * (prepare-policy-files.ts): after a commit or a policy change (`prepared`), after a role membership change
   * (`membership`), or by the catch-up at startup.
   */
  derived?(trigger: DerivedTrigger): void;
  /** A background preparation of a table's policy-enforced files ended (prepare-queue.ts PrepareOutcome). */
  prepared?(outcome: 'completed' | 'superseded' | 'dropped' | 'failed'): void;
  /** Tables whose policy-enforced files are being prepared or wait to be (0: nothing left to prepare). */
  preparing?(tables: number): void;
}

export interface PlanningLimits {
  /** A scan of at most this many data manifests is answered in the first call; more are split into plan tasks. */
  inlineManifests: number;
  /** Data manifests per plan task. */
  manifestsPerTask: number;
  /** How long a plan id and its plan tasks stay valid. */
  planTtlMs: number;
  /** Decoded manifest entries kept between plans; 0 keeps none. */
  manifestCacheEntries?: number;
  /** Estimated bytes those entries (and kept manifest lists) hold at most (manifest-cache.ts entryBytes). */
  manifestCacheBytes?: number;
  /** Bytes of parsed metadata and whole answers kept for repeated plans of unchanged tables (plan-cache.ts); 0 keeps none. */
  answerCacheBytes?: number;
  /**
   * Async planning: a scan of more than this many data manifests answers `submitted` and is planned in the
   * background; 0 (the default) never does, because PyIceberg 0.12 raises on `submitted` (docs/compatibility.md).
   */
  asyncManifests?: number;
  /** Background plans run at once per process, and plans waiting; a plan past a full queue is answered at once (plan tasks). */
  asyncConcurrency?: number;
  asyncQueue?: number;
  /** A submitted plan's lease (renewed every third of it while planned): past it unrenewed, another process takes it over. */
  asyncLeaseMs?: number;
  /** How many times a plan whose process stopped is taken over by another; once more, it is answered failed. */
  asyncTakeovers?: number;
  /** The largest answer a plan keeps for fetchPlanningResult (JSON bytes); plan tasks over wider ranges are kept past it. */
  maxResultBytes?: number;
  /**
   * Policy-enforced files prepared in the background after a commit or a policy change (prepare-policy-files.ts), so
   * the first restricted plan finds them; undefined or true: on (the default), false: off (plans derive on demand).
   */
  preparePolicyFiles?: boolean;
  /**
   * At most this many effective policies of role combinations (a reader holding several restricted roles) prepared
   * per table per preparation, besides each single role's (prepare-combinations.ts); undefined: 16, 0: none.
   */
  preparePolicyCombinations?: number;
}

/**
 * 64 MiB (estimated from JSON characters, bounded-map.ts): an answer may then be up to 4 MiB, which keeps the
 * restricted answer of a 1,000-file table (412 KB of JSON; at 32 MiB it was not kept, and a warm restricted plan cost
 * 2.5-2.9× an unrestricted one instead of 1.4×: docs/benchmarks.md). LAKEGATE_PLANNING_ANSWER_CACHE_BYTES sets it.
 */
export const DEFAULT_ANSWER_CACHE_BYTES = 64 * 1024 * 1024;

export const DEFAULT_PLANNING_LIMITS: PlanningLimits = {
  inlineManifests: 16,
  manifestsPerTask: 16,
  planTtlMs: 3600_000,
  manifestCacheEntries: 50_000,
  manifestCacheBytes: 128 * 1024 * 1024,
  asyncManifests: 0,
  asyncConcurrency: 1,
  asyncQueue: 64,
  asyncLeaseMs: 30_000,
  asyncTakeovers: 2,
  maxResultBytes: 1 << 20,
};

/** A plan's answer: completed (its page, credentials added per call), submitted (async), or failed. */
export type PlanResult =
  | (PlannedPage & { status: 'completed'; 'plan-id'?: string; 'storage-credentials'?: StorageCredentialEntry[] })
  | { status: 'submitted'; 'plan-id'?: string }
  /** The background planning failed: the error the synchronous call would have raised. */
  | { status: 'failed'; error: CatalogError };

/**
 * The order of commits to a Lance table's managed versions, and the priority of the catalog's own optimize (issue 59).
 *
 * Every commit that moves a table's head (CreateTableVersion, BatchCreateTableVersions, RestoreTable) queues per table
 * and branch: in this process (KeyedMutex, first come first served), then among this server's processes
 * (Coherence.runExclusive, `serve --workers N`), as Iceberg commits queue (tables/commit.ts). The head's
 * compare-and-swap still decides; the queue only orders.
 *
 * Why a fence: optimize (maintenance/lance-optimize.ts) commits through the same routes, and when a writer takes the
 * version it wanted, Lance rebases its commit on the new head and tries again. A writer committing back to back won
 * each of those races, and the job gave up with 409: a busy table could never be compacted. So the job claims its
 * table for its length (claim), and once a commit of the claimant loses (lost), the catalog holds the table's queue
 * (the fence) until the claimant's next commit lands (landed), the job ends (the claim's release, however it ends),
 * or `fenceMs` passes, whichever is first. Meanwhile other commits of the table wait in the queue, not fail, and then
 * run in the order they came; the claimant's commits never queue (they would wait for their own fence). A waiting
 * commit whose version the job took is answered 409, as it would have been had the job won the race outright, and
 * Lance rebases it (an append commutes with a compaction); nothing a writer commits is lost.
 *
 * Bounded: a fence lasts at most `fenceMs` (and another process waits at most Coherence's own limit), 0 disables it.
 * Across replicas: the queue's lock reaches this server's processes only, so the fence is also announced with its
 * bound (lance-fences.ts), and a commit of the table on any process that heard it waits in its own queue until it
 * comes down or the bound passes, even when its holder died meanwhile.
 */
import { KeyedMutex } from './keyed-mutex.js';
import { LanceFences } from './lance-fences.js';
import type { Caller, Clock, Coherence } from './ports/index.js';
import type { Outcomes } from './ports/change-listener.js';

/** How long a fence holds other commits of the table at most when no setting says otherwise. */
export const DEFAULT_LANCE_FENCE_MS = 5_000;

interface Claim {
  /** Who commits for the job: its commits are the claimant's (a job's committer is `system:maintenance for …`). */
  committer: string;
  /** Lowers the raised fence, saying why (reported as a `lance-table.fence-lowered` outcome: its metric and log line). */
  fence: ((end: FenceEnd) => void) | undefined;
}

type FenceEnd = 'landed' | 'released' | 'lapsed';

export class LanceCommitQueue {
  private readonly mutex = new KeyedMutex();
  private readonly claims = new Map<string, Claim>();
  /** The fences of other processes (workers, replicas) this one heard of. */
  readonly fences: LanceFences;

  constructor(
    private readonly coherence: Coherence,
    private readonly fenceMs: number = DEFAULT_LANCE_FENCE_MS,
    /** Where a lowered fence is reported (its metric and log line), with the clock that times it; none: not reported. */
    private readonly report?: { outcomes: Outcomes; clock: Clock },
  ) {
    this.fences = new LanceFences(coherence, fenceMs);
  }

  /** The queue's key of a table's branch (its catalog id: a rename does not change it). */
  static key(tableId: string, branch: string): string {
    return `lance-commit\u0000${tableId}\u0000${branch}`;
  }

  /** Runs one commit of these tables' branches in their queues; a claimant's commit runs at once. */
  commit<T>(keys: readonly string[], caller: Caller, fn: () => Promise<T>): Promise<T> {
    if (keys.length === 1 && this.claimant(keys[0]!, caller) !== undefined) return fn();
    // In its queue, the commit first waits out any fence another process raised on its tables (lance-fences.ts).
    return this.exclusive(keys, async () => {
      await this.fences.wait(keys, (key) => this.report?.outcomes.report({ type: 'lance-table.commit-fenced', ...ids(key) }));
      return fn();
    });
  }

  /** Makes `committer` the claimant of the table's branch until the returned release is called (the job's end). */
  claim(key: string, committer: Caller): () => void {
    const claim: Claim = { committer: committer.description, fence: undefined };
    this.claims.set(key, claim);
    return () => {
      if (this.claims.get(key) === claim) this.claims.delete(key);
      claim.fence?.('released');
    };
  }

  /**
   * A commit of `caller` lost its race: when it is the claimant's, raises the fence, and returns once the fence holds
   * the queue (the commits queued before it have run), so the claimant's next try finds no commit of another ahead of
   * it; at most `fenceMs` after it was raised.
   */
  async lost(key: string, caller: Caller): Promise<void> {
    const claim = this.claimant(key, caller);
    if (claim === undefined || claim.fence !== undefined || this.fenceMs <= 0) return;
    let lower!: () => void;
    const lowered = new Promise<void>((resolve) => (lower = resolve));
    const timer = setTimeout(() => claim.fence?.('lapsed'), this.fenceMs);
    timer.unref?.();
    const raisedMs = this.report?.clock.now() ?? 0;
    // The other processes hold their commits of the table too, each for this bound at most (lance-fences.ts).
    const announced = this.fences.raise(key, this.fenceMs);
    const fence = (end: FenceEnd) => {
      clearTimeout(timer);
      if (claim.fence !== fence) return;
      claim.fence = undefined;
      this.fences.lower(key, announced);
      lower();
      if (this.report !== undefined)
        this.report.outcomes.report({ type: 'lance-table.fence-lowered', ...ids(key), end, heldMs: Math.max(this.report.clock.now() - raisedMs, 0) });
    };
    claim.fence = fence;
    const held = new Promise<void>((resolve) => {
      this.exclusive([key], () => {
        resolve();
        return lowered;
      }).catch(() => undefined);
    });
    await Promise.race([held, lowered]);
  }

  /** A commit of `caller` landed: when it is the claimant's, lowers its fence, and the queued commits go on in order. */
  landed(key: string, caller: Caller): void {
    this.claimant(key, caller)?.fence?.('landed');
  }

  private claimant(key: string, caller: Caller): Claim | undefined {
    const claim = this.claims.get(key);
    return claim !== undefined && caller.key === 'system:maintenance' && caller.description === claim.committer ? claim : undefined;
  }

  private exclusive<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    return this.mutex.runExclusive([...keys], () => this.coherence.runExclusive(keys, fn));
  }
}

/** The table's catalog id and branch of a queue's key. */
function ids(key: string): { tableId: string; branch: string } {
  const [, tableId = '', branch = ''] = key.split('\u0000');
  return { tableId, branch };
}

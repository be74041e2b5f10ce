/**
 * Keeps a running maintenance job's table lease (ports/maintenance.ts MaintenanceLeases) while the job runs: renewed
 * every third of its length, so a job longer than one lease (a compaction of a large table) is never taken by
 * another replica's scheduler while it is alive. When a renewal finds the lease gone (it expired, because this
 * process stalled longer than the lease, and another replica took the job; or the row says the job ended), the
 * keeper aborts its signal: the job stops at its next check (compaction: before each group and before its commit,
 * deleting the files it wrote, and commits nothing; manifest rewrite: before each manifest, its manifest list and its
 * commit, deleting what it wrote; expiry: before its commit and before each chunk of deletions;
 * orphan removal: before listing and before each chunk of deletions). A renewal that fails (the database unreachable for a moment) is
 * retried at the next period; once the lease's own end has passed without a renewal the job stops too, since
 * another replica may now hold it.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { MaintenanceLeases } from '../ports/maintenance.js';

export const DEFAULT_LEASE_MS = 30 * 60_000;

export class LeaseKeeper {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private heldUntil: number;
  private renewing: Promise<void> | undefined;
  /** Renewals that extended the lease (for the job's tests and logs). */
  renewals = 0;

  constructor(
    private readonly leases: MaintenanceLeases,
    private readonly tableId: string,
    private readonly holder: string,
    private readonly clock: { now(): number },
    readonly leaseMs: number,
  ) {
    this.heldUntil = clock.now() + leaseMs;
  }

  /** Aborted, with an ERR_JOB_RUNNING CatalogError as its reason, once the lease is lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts renewing (the lease was just taken, for `leaseMs`). */
  start(): this {
    this.timer = setInterval(
      () => {
        this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    this.timer.unref();
    return this;
  }

  /** Stops renewing (the job ended; its completion frees the lease). Waits for a renewal in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
  }

  private async renew(): Promise<void> {
    const now = this.clock.now();
    let held: boolean | undefined;
    try {
      held = await this.leases.renew(this.tableId, this.holder, now, this.leaseMs);
    } catch {
      held = undefined;
    }
    if (held === true) {
      this.renewals += 1;
      this.heldUntil = now + this.leaseMs;
      return;
    }
    if (held === false || this.clock.now() >= this.heldUntil) this.lost();
  }

  private lost(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.controller.signal.aborted) {
      this.controller.abort(
        new CatalogError(
          'ERR_JOB_RUNNING',
          'The job lost its table lease (it outlived it and another replica took the job); it stopped: it commits nothing more, deletes no more files and removed the files it wrote',
        ),
      );
    }
  }
}

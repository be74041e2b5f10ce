/**
 * One vocabulary for what happened (issue 56). A change is recorded once, in the outbox of its own transaction
 * (catalog/outbox/changes.ts); the store hands each committed transaction's changes to the one ChangeListener, and the
 * composition root's listener derives the structured log line and the metrics from them. What the outbox does not
 * carry (a job's result, a step that changes nothing) is an Outcome, reported through the same listener. So a new
 * event type is a new change kind (or outcome) here or in the change list, one service that records it, its docs line
 * and a test: there is no second list of log-event names to keep in step.
 */
import type { OutboxEventInput } from './outbox.js';

/**
 * What happened that is no change of the catalog's state in the outbox: results of jobs (maintenance, compaction,
 * purges, the retention sweep) and steps of a request that commit nothing (a stage-create, a retried commit). Logged
 * under their `type`; payloads never carry secrets.
 */
export type Outcome =
  | { type: 'table.staged'; warehouse: string; namespace: string[]; name: string }
  | { type: 'commit.retried'; warehouse: string; namespace: string[]; name: string; attempt: number }
  | { type: 'table.purged'; warehouse: string; namespace: string[]; name: string; location: string; objects: number }
  | { type: 'table.purge-skipped'; warehouse: string; namespace: string[]; name: string; location: string; reason: string }
  /** A policy-derived Lance dataset a derivation left behind (its process died), deleted by the sweep (catalog/lance/policy-recovery.ts). */
  | { type: 'lance-table.derivation-recovered'; warehouse: string; tableId: string; dataset: string; reason: 'table-gone' | 'unnamed'; objects: number }
  | {
      type: 'table.maintained';
      warehouse: string;
      namespace: string[];
      name: string;
      expiredSnapshots: number;
      deletedFiles: number;
      deletedBytes: number;
      failedFiles: number;
      missingFiles: number;
    }
  /**
   * A fence of a Lance table's optimize (catalog/lance-commit-queue.ts) came down: by the job's next commit landing
   * (`landed`), the job's end (`released`), or its bound passing (`lapsed`); `heldMs` is how long other commits waited
   * at most. The table is named by its catalog id (the queue knows no names).
   */
  | { type: 'lance-table.fence-lowered'; tableId: string; branch: string; end: 'landed' | 'released' | 'lapsed'; heldMs: number }
  /**
   * A commit of a Lance table waits for a fence another process (worker or replica) raised on the table and announced
   * (catalog/lance-fences.ts): it goes on once that fence is heard down, or at its bound.
   */
  | { type: 'lance-table.commit-fenced'; tableId: string; branch: string }
  /** A Lance table's optimize (maintenance action `optimize`) ended; its versions were each recorded as `lance-table.version-created`. */
  | {
      type: 'lance-table.optimized';
      warehouse: string;
      namespace: string[];
      name: string;
      trigger: 'on-demand' | 'scheduled';
      fragmentsRemoved: number;
      fragmentsAdded: number;
      versionBefore: number;
      versionAfter: number;
      seconds: number;
    }
  /** A Lance table's optimize failed (`unavailable`: the Lance library is not there); versions it committed before are kept. */
  | {
      type: 'lance-table.optimize-failed';
      warehouse: string;
      namespace: string[];
      name: string;
      trigger: 'on-demand' | 'scheduled';
      unavailable: boolean;
      reason: string;
    }
  /** The schedule would optimize a Lance table but the Lance library does not load here: reported once per process, the tables left. */
  | { type: 'lance-table.optimize-unavailable'; warehouse: string; namespace: string[]; name: string; reason: string }
  /** Compaction (rewrite-data-files) committed its replace snapshot, asked for or by the warehouse's schedule; `seconds` from plan to commit. */
  | {
      type: 'table.compacted';
      warehouse: string;
      namespace: string[];
      name: string;
      trigger: 'on-demand' | 'scheduled';
      rewrittenFiles: number;
      addedFiles: number;
      rewrittenBytes: number;
      seconds: number;
    }
  /** Manifest rewrite (rewrite-manifests) committed its replace snapshot: small manifests merged into `addedManifests`. */
  | {
      type: 'table.manifests-rewritten';
      warehouse: string;
      namespace: string[];
      name: string;
      trigger: 'on-demand' | 'scheduled';
      rewrittenManifests: number;
      addedManifests: number;
      entries: number;
      seconds: number;
    }
  | { type: 'table.maintenance-failed'; warehouse: string; namespace: string[]; name: string; reason: string }
  /** Soft deletion: a dropped object forgotten when its retention ended (its files deleted first when `purged`). */
  | { type: 'object.expired'; warehouse: string; kind: string; id: string; namespace: string[]; name: string; purged: boolean };

/** Where services report outcomes (ServiceContext.outcomes). */
export interface Outcomes {
  report(outcome: Outcome): void;
}

/** The one listener of what happened: committed changes (from the store) and outcomes (from the services). */
export interface ChangeListener extends Outcomes {
  /**
   * The change events one transaction wrote to the outbox, called once after it committed, in their order (sequences
   * are not known here). A transaction that rolled back calls nothing. Must not throw (a committed change stays done).
   */
  committed(changes: readonly OutboxEventInput[]): void;
}

/** A listener that keeps nothing: for stores and services built without one. */
export const ignoreChanges: ChangeListener = { committed: () => undefined, report: () => undefined };

/** The in-memory listener: keeps what it was handed, in order (tests, embedding programs). */
export class RecordedChanges implements ChangeListener {
  readonly changes: OutboxEventInput[][] = [];
  readonly outcomes: Outcome[] = [];
  committed(changes: readonly OutboxEventInput[]): void {
    this.changes.push([...changes]);
  }
  report(outcome: Outcome): void {
    this.outcomes.push(outcome);
  }
}

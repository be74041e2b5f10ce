/**
 * Soft deletion (issue 39): a dropped table, view or Lance table leaves the catalog's live objects (so it is not
 * listed, not loadable, and its name is free) but its row is kept, whole, for the warehouse's retention period
 * (dropped/retention.ts), from which `undrop` puts it back, and after which the sweep (dropped/dropped-service.ts) forgets it and
 * deletes its files when its drop asked for that. Moving a row between the live objects and the dropped ones is
 * one database transaction either way, so an object is always exactly one of live or dropped, never both or neither.
 */
import type { OutboxEventInput } from './outbox.js';
import type { CatalogObjectRecord } from '../object-record.js';
import type { TableMaintenanceProgress } from '@lakegate/protocol';

export interface DroppedObjectRecord {
  /** The object as it was when dropped; its catalog id is kept, and with it its grants and (Lance) version history. */
  object: CatalogObjectRecord;
  droppedAtMs: number;
  /** When the retention ends: the sweep forgets the object (and deletes its files when `purge`) at or after this time. */
  expiresAtMs: number;
  /** Whether its files are deleted when the retention ends (an Iceberg drop with purgeRequested, every Lance drop). */
  purge: boolean;
  /** Caller.description of whoever dropped it. */
  droppedBy: string;
  /**
   * The id of the namespace whose cascading drop took it (migration 0021): an undrop of that namespace brings it back
   * too. Absent for a single drop.
   */
  droppedWith?: string | undefined;
}

export type RestoreOutcome = 'restored' | 'missing' | 'exists';

export interface DroppedObjectStore {
  /**
   * Moves the live object `record.object` (matched by warehouse, namespace, name, kind and id) to the dropped
   * objects, in one transaction. False when no such live object exists (dropped or renamed meanwhile).
   */
  softDrop(record: DroppedObjectRecord, events?: readonly OutboxEventInput[]): Promise<boolean>;
  /** A warehouse's dropped objects, oldest drop first, after the id `after` in that order (keyset paging by (droppedAtMs, id)). */
  list(warehouse: string, page: { after?: { droppedAtMs: number; id: string } | undefined; limit: number }): Promise<DroppedObjectRecord[]>;
  get(warehouse: string, id: string): Promise<DroppedObjectRecord | undefined>;
  /**
   * Puts a dropped object back among the live ones under `to` (its own namespace and name, or new ones), in one
   * transaction: 'exists' when a live object holds that name, 'missing' when no such dropped object is left.
   */
  restore(
    warehouse: string,
    id: string,
    to: { namespace: string[]; name: string },
    nowMs: number,
    events?: readonly OutboxEventInput[],
  ): Promise<RestoreOutcome>;
  /** Dropped objects of every warehouse whose retention ended at or before `nowMs`, oldest first, at most `limit`. */
  due(nowMs: number, limit: number): Promise<DroppedObjectRecord[]>;
  /** Forgets a dropped object for good (after its files were dealt with); false when it was gone already (another replica's sweep). */
  forget(warehouse: string, id: string): Promise<boolean>;
}

/**
 * A namespace a cascading drop took (issue 39, migration 0021): the namespace itself (id, levels, properties) is kept,
 * and with its id the grants that name it (the authorizer keeps them until the retention ends: grants name securables
 * by id, on every authorizer, OpenFGA included), so an undrop is an undo.
 */
export interface DroppedNamespaceRecord {
  /** The namespace as it was (catalog/ports/index.ts NamespaceRecord, spelled out here: that module imports this one). */
  namespace: { id: string; warehouse: string; levels: string[]; properties: Record<string, string> };
  droppedAtMs: number;
  expiresAtMs: number;
  droppedBy: string;
  /** The id of the namespace the drop named (its own id for that one; its ancestor's for a child namespace). */
  droppedWith: string;
}

/** What an undrop of a namespace restored (or found to restore): it and what was dropped with it under it. */
export interface DroppedNamespaceGroup {
  namespaces: DroppedNamespaceRecord[];
  objects: DroppedObjectRecord[];
}

export type NamespaceRestoreOutcome = { outcome: 'restored'; restored: DroppedNamespaceGroup } | { outcome: 'missing' | 'exists' | 'no-parent' };

export interface DroppedNamespaceStore {
  /** A warehouse's dropped namespaces, oldest drop first, after `after` in (droppedAtMs, id) order. */
  list(warehouse: string, page: { after?: { droppedAtMs: number; id: string } | undefined; limit: number }): Promise<DroppedNamespaceRecord[]>;
  get(warehouse: string, id: string): Promise<DroppedNamespaceRecord | undefined>;
  /** The dropped namespace `id`, and what its drop took at or under it (same droppedWith), shallowest first; undefined when gone. */
  group(warehouse: string, id: string): Promise<DroppedNamespaceGroup | undefined>;
  /**
   * In one transaction: puts the namespace `id` back under `to` (its levels, or new ones), with every namespace and
   * object its drop took under it (renamed alike), and the events `events` makes of what was restored. 'exists' when a
   * live namespace holds `to`, 'no-parent' when `to`'s parent does not exist, 'missing' when no such dropped namespace
   * is left; nothing moves then.
   */
  restore(
    warehouse: string,
    id: string,
    to: string[],
    nowMs: number,
    events?: (restored: DroppedNamespaceGroup) => readonly OutboxEventInput[],
  ): Promise<NamespaceRestoreOutcome>;
  /** Dropped namespaces of every warehouse whose retention ended at or before `nowMs`, oldest first, at most `limit`. */
  due(nowMs: number, limit: number): Promise<DroppedNamespaceRecord[]>;
  /** Forgets a dropped namespace for good; false when it was gone already. */
  forget(warehouse: string, id: string): Promise<boolean>;
}

/**
 * Where a running job is, counted as it goes (progress.ts); the last one stays after the job ends. Kept in the wire
 * shape the job's GET answers (the management API's TableMaintenanceProgress), so it is stored and shown as it is.
 */
export type MaintenanceProgress = TableMaintenanceProgress;

/** A table's job as its lease row records it: who holds it, until when, and its progress. */
export interface MaintenanceJobRecord {
  tableId: string;
  warehouse: string;
  holder: string;
  state: 'running' | 'done' | 'failed';
  startedAtMs: number;
  /** The lease: another replica may take the job at or after this time (0: free). */
  expiresAtMs: number;
  lastRunMs: number;
  progress: MaintenanceProgress | undefined;
}

/**
 * Leases on maintenance jobs, one row per table (by catalog id): of the replicas whose schedulers find a table's job
 * due at the same time exactly one takes it (compare-and-set on the row: free or expired, and not run since
 * `dueBeforeMs`), and a job whose replica died is taken again once its lease expires. An on-demand run takes the
 * same lease (so it never runs beside another job of the table), and the row carries the job's progress, so any
 * replica, or a restarted one, can report where a job is (migration 0020).
 */
export interface MaintenanceLeases {
  /**
   * True for exactly one of concurrent takers, when the job is free (no lease, an expired one, or with `overFailed`
   * one a failed job keeps as its backoff) and last completed before `dueBeforeMs`. The row's state becomes running.
   */
  take(
    tableId: string,
    warehouse: string,
    holder: string,
    nowMs: number,
    leaseMs: number,
    dueBeforeMs: number,
    options?: { overFailed?: boolean },
  ): Promise<boolean>;
  /**
   * Extends the holder's running lease to `nowMs + leaseMs` (a long job renews it as it goes); false when the holder
   * no longer holds a running lease on the table (it expired and another replica took the job, or it ended): the job
   * must then stop.
   */
  renew(tableId: string, holder: string, nowMs: number, leaseMs: number): Promise<boolean>;
  /** Records the holder's progress (nothing when another holds the lease now). */
  report(tableId: string, holder: string, progress: MaintenanceProgress): Promise<void>;
  /** The job completed: it ran at `ranAtMs` (null: a dry run, which leaves the last run as it was), and its lease is free. Only the holder's lease is touched. */
  complete(tableId: string, holder: string, ranAtMs: number | null, progress?: MaintenanceProgress): Promise<void>;
  /** The job failed: its state and progress say so; its lease is kept until it expires (a backoff), or freed with `release`. */
  fail(tableId: string, holder: string, progress: MaintenanceProgress, release: boolean): Promise<void>;
  get(tableId: string): Promise<MaintenanceJobRecord | undefined>;
}

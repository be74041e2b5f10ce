/**
 * Lance tag intents (issue 58): the change event of a Lance tag write, recorded before the write. A tag lives in the
 * dataset (`_refs/tags/<tag>.json`, written by the Lance library), not in the catalog database, so the write cannot
 * commit with its event. The tag service (catalog/lance/tags.ts) records here, in a transaction of its own before the
 * write, the event as it will be sent (its id included) and what the tag must look like afterwards (the version it
 * names, or absent); once Lance wrote the ref, `publish` turns the intent into the outbox event (same id) in one
 * transaction with its removal; a write Lance refused drops it. A process that dies in between leaves the intent: the
 * recovery (catalog/lance/tag-recovery.ts) claims it, reads the tag in the dataset and publishes or drops it. The
 * intent also holds the write asked for and what the tag was just before it (migration 0036), so the recovery tells a
 * write Lance refused (a create of a tag that existed, a delete of one that did not) from one that took effect even
 * when the tag shows the intended outcome anyway.
 *
 * Unlike an OpenFGA change's intent (intents.ts) a tag intent holds no sequence number: its event takes the stream's
 * next one when published, so a pending intent never holds the warehouse's other events back.
 */
import type { OutboxEventInput } from './outbox.js';

export interface LanceTagIntent {
  /** The event's id (a UUID): one intent, one event, and a consumer drops a repeat by it. */
  id: string;
  /** The Lance table: its warehouse, name and catalog id when the write started (a table replaced since is not it). */
  warehouse: string;
  namespace: string[];
  name: string;
  tableId: string;
  tag: string;
  /** The version the tag names once the write took effect; undefined: the tag is absent (a delete). */
  version: number | undefined;
  /**
   * The write Lance is asked for: it takes a create only where the tag is absent, an update or a delete only where it
   * names a version. Undefined on intents recorded before migration 0036.
   */
  operation?: LanceTagOperation | undefined;
  /**
   * What the tag was, read in the dataset just before the write: the version it named (undefined: no tag). Undefined
   * when not known (a tag file that is no Lance tag; intents recorded before migration 0036).
   */
  before?: { version: number | undefined } | undefined;
  /** The event as it is appended to the outbox once the write took effect. */
  event: OutboxEventInput;
  /** When the intent was recorded (the recovery's age bound is measured from it). */
  createdAtMs: number;
}

export type LanceTagOperation = 'create' | 'update' | 'delete';

/** The intents pending, for /metrics: how many, and when the oldest was recorded (undefined: none). */
export interface LanceTagIntentSummary {
  pending: number;
  oldestCreatedAtMs: number | undefined;
}

export interface LanceTagIntentStore {
  /** Records the intent (its own transaction). */
  add(intent: LanceTagIntent): Promise<void>;
  /** In one transaction: removes the intent and appends its event to the outbox. false (nothing appended) when it was resolved already. */
  publish(id: string): Promise<boolean>;
  /** Removes the intent, with no event; false when it was resolved already. */
  drop(id: string): Promise<boolean>;
  /**
   * Intents recorded before `beforeMs`, at most `limit`: those never claimed first, then by the end of their last claim
   * (earliest first), ties oldest first, then by id. Claimed ones are included (a claim may have ended), behind the
   * others: intents a recovery keeps failing on rotate to the back instead of filling every round's page.
   */
  pending(beforeMs: number, limit: number): Promise<LanceTagIntent[]>;
  /**
   * Claims the intent for one recovery until `untilMs`: true when it is pending and unclaimed, or its claim ended
   * before `nowMs` (its recoverer died); false when another holds it or it is gone. One compare-and-set in the
   * database, so of replicas racing for it one wins.
   */
  claim(id: string, nowMs: number, untilMs: number): Promise<boolean>;
  /** How many intents are pending (claimed or not) and the oldest's time: one query, a count and an indexed minimum. */
  summary(): Promise<LanceTagIntentSummary>;
}

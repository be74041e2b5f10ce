/**
 * Event intents (issue 38): the events of a change whose writes live outside the catalog database (OpenFGA tuples).
 * Such a change cannot commit with its event in one transaction, so the event is written first, as a pending intent
 * naming the external writes it stands for; after the external system answers, the intent is published (its events
 * appended to the outbox, in one transaction with the intent's removal) or dropped. A crash in between leaves the
 * intent pending; the recovery sweep (intent-recovery.ts) asks the external system whether the writes took effect
 * and publishes or drops it. An intent is resolved once: publishing and dropping both remove the row, and only the
 * caller that removed it appends its events, so an event is never published twice.
 *
 * Order: a new intent takes its events' sequence numbers in its stream (one stream per intent) when it is saved, and
 * the outbox lists the stream only below the lowest number a pending intent holds, so events committed after it wait
 * and follow it; publishing writes the events with those numbers, dropping leaves them unused (a gap).
 */
import type { OutboxEventInput } from './outbox.js';

/** One write to an external authorization store: a relationship tuple to add or remove. */
export interface ExternalWrite {
  op: 'write' | 'delete';
  user: string;
  relation: string;
  object: string;
}

export interface EventIntent {
  /** A UUID. */
  id: string;
  /** When the intent was first recorded (the recovery sweep's age bound is measured from it). */
  createdAtMs: number;
  /** The events the change has when its writes took effect. */
  events: OutboxEventInput[];
  /** The external writes attempted so far, each recorded before it was sent. */
  writes: ExternalWrite[];
}

export interface EventIntentStore {
  /** Records the intent (taking and holding its events' numbers), or replaces the one with its id (its writes so far; age and numbers kept); durable when it resolves. */
  saveIntent(intent: EventIntent): Promise<void>;
  /** In one transaction: removes the pending intent and writes `events` (at most those it was saved with, same stream) with its numbers. false (nothing written) when it was resolved already. */
  publishIntent(id: string, events: readonly OutboxEventInput[]): Promise<boolean>;
  /** Removes the pending intent, with no event. false when it was resolved already. */
  dropIntent(id: string): Promise<boolean>;
  /** Pending intents recorded before `beforeMs`, oldest first, at most `limit`. */
  pendingIntents(beforeMs: number, limit: number): Promise<EventIntent[]>;
  /** How many intents are pending (a count of rows: resolved ones are removed), for /metrics. */
  countPending(): Promise<number>;
}

/** Whether external writes took effect: the adapter of the external store reads it (OpenFGA: tuple present or absent). */
export interface IntentResolver {
  /** true when at least one of the writes holds now (a written tuple is present, a deleted one absent). */
  anyInEffect(writes: readonly ExternalWrite[]): Promise<boolean>;
}

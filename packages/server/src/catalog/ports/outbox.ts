/**
 * The event outbox (issue 38): every change the catalog makes is written as an event row in the same database
 * transaction as the change, so a change that did not commit has no event and a committed one always has one.
 * Delivery to sinks (delivery.ts) and the pull API read the rows afterwards, in per-warehouse sequence order.
 */

/** One change, as a service records it inside its store transaction (sequence not yet assigned). */
export interface OutboxEventInput {
  /** Event id (a UUID): what consumers drop duplicates by. */
  id: string;
  warehouse: string;
  /** The CloudEvents type, e.g. `io.lakegate.table.committed` (outbox/changes.ts CHANGE_KINDS). */
  type: string;
  /** `namespace/name`, or the namespace alone, dot-joined levels. */
  subject?: string | undefined;
  /** Ordering key: the table's uuid, or the warehouse name for events without a table. */
  partitionKey: string;
  timeMs: number;
  data: Record<string, unknown>;
}

/** A stored event: its sequence is per warehouse, assigned at insert inside the change's transaction. */
export interface OutboxEvent extends OutboxEventInput {
  sequence: number;
}

/**
 * Writes events inside the current transaction. The adapter assigns each warehouse's next sequence numbers by
 * updating a per-warehouse counter row in the same transaction: on PostgreSQL that row lock serialises concurrent
 * transactions of one warehouse, so sequence order is commit order. Call it as the LAST write of a transaction
 * (every transaction takes the counter lock last, so the lock order is the same everywhere: no deadlock).
 */
export interface OutboxWriter {
  appendEvents(events: readonly OutboxEventInput[]): Promise<void>;
}

/**
 * A port whose changes can commit together with their events: fn's changes (made through the `port` it is handed)
 * and the events it appends to `outbox` land together or not at all. The database adapters run fn in one
 * transaction; the memory ones apply it whole or roll it back. An adapter whose changes live outside the database
 * (OpenFGA) needs the events before it writes: `expected` are the events fn appends when its writes change
 * something, recorded as a pending intent before the first external write (intents.ts), so that a crash after
 * the write still publishes them; the database adapters ignore it.
 */
export interface WithEvents<P> {
  withEvents<T>(fn: (port: P, outbox: OutboxWriter) => Promise<T>, expected?: readonly OutboxEventInput[]): Promise<T>;
}

/** Reads and retention of the outbox (outside transactions). */
export interface OutboxStore {
  /**
   * Events of a warehouse with sequence > after, ascending, at most `limit`; only below the lowest sequence a pending
   * event intent holds in the stream (intents.ts), so no event overtakes one not yet published.
   */
  list(warehouse: string, after: number, limit: number): Promise<OutboxEvent[]>;
  /** The highest sequence assigned in the warehouse (0: none yet), or the one before a pending intent's lowest. */
  head(warehouse: string): Promise<number>;
  /**
   * Deletes events older than `beforeMs` (retention); how many. The counters are kept, so sequences never repeat.
   * With `keepAfter`, a warehouse's events after the given sequence stay whatever their age (those a sink has not
   * accepted yet: a sink that is down delays its events, it never loses them). In the same transaction, each
   * stream's {@link deletedThrough} rises to the highest sequence deleted in it.
   */
  deleteBefore(beforeMs: number, keepAfter?: ReadonlyMap<string, number>): Promise<number>;
  /**
   * The highest sequence retention has deleted in the stream (0: none): a cursor below it has lost events, which the
   * pull says (410) instead of skipping them. Never lowered; sequence gaps alone do not tell (a dropped intent's).
   */
  deletedThrough(warehouse: string): Promise<number>;
}

/** Everything the outbox keeps: events, sinks with their cursors, and the delivery lease (one adapter implements all). */
export type OutboxStores = OutboxStore & import('./delivery.js').SinkStore & import('./delivery.js').LeaseStore;

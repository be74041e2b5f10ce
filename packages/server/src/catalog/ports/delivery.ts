/**
 * What delivery needs from storage: the sinks configured per warehouse (each with its cursor, the last sequence it
 * accepted, and its failure state) and a lease, so that one replica at a time delivers (compare-and-set on expiry).
 */

export const SINK_KINDS = ['webhook', 'kafka', 'nats'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

/** `active`: delivering; `failing`: the last N attempts failed (dead letter: still retried at the longest backoff, nothing dropped). */
export type SinkState = 'active' | 'failing';

export interface SinkRecord {
  id: string;
  warehouse: string;
  kind: SinkKind;
  /** The sink's settings, without secrets (a webhook's signing secret is sealed apart, under secretId). */
  config: Record<string, unknown>;
  secretId?: string | undefined;
  /**
   * Whether the sink may connect anywhere (made by a platform administrator) or only where the destination rule
   * allows (public addresses and the operator's networks; sink-destinations.ts), checked at every connection.
   * Absent or false: the rule applies (also every sink stored before migration 0022).
   */
  anyDestination?: boolean | undefined;
  /** The last sequence of the warehouse the sink accepted. */
  cursor: number;
  state: SinkState;
  /** Consecutive failed attempts. */
  failures: number;
  lastError?: string | undefined;
  /** Not retried before then (exponential backoff). */
  nextAttemptAtMs: number;
  /** Events accepted by the sink in total. */
  delivered: number;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface SinkStore {
  insertSink(record: SinkRecord): Promise<void>;
  getSink(id: string): Promise<SinkRecord | undefined>;
  /** Every sink, or a warehouse's. */
  listSinks(warehouse?: string): Promise<SinkRecord[]>;
  updateSinkConfig(id: string, config: Record<string, unknown>, secretId: string | undefined, nowMs: number): Promise<boolean>;
  deleteSink(id: string): Promise<boolean>;
  /** Moves the cursor from `from` to `to` (compare-and-set: false when another deliverer moved it) and clears failures. */
  advanceSink(id: string, from: number, to: number, count: number, nowMs: number): Promise<boolean>;
  recordFailure(id: string, failure: { failures: number; state: SinkState; lastError: string; nextAttemptAtMs: number }, nowMs: number): Promise<void>;
}

export interface LeaseStore {
  /** Takes or renews the lease `name` for `holder` until nowMs + ttlMs when it is free, expired or already the holder's. */
  acquireLease(name: string, holder: string, nowMs: number, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
}

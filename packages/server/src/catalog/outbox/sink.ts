/** One change event as a CloudEvents 1.0 JSON object (structured mode). */
export interface CloudEvent {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
  readonly subject?: string;
  readonly datacontenttype: 'application/json';
  /** Extension: the ordering key (table uuid, or warehouse id for events without a table). */
  readonly partitionkey: string;
  /** Extension: the per-warehouse sequence number, as a decimal string. */
  readonly sequence: string;
  readonly data: Record<string, unknown>;
  readonly [extension: string]: unknown;
}

/** A delivery target. deliver() resolves only once every event is durably accepted by the sink, in the given order; it rejects otherwise (the outbox retries the whole batch later: sinks must tolerate duplicates, consumers drop them by id). */
export interface EventSink {
  readonly kind: string;
  deliver(events: readonly CloudEvent[]): Promise<void>;
  close(): Promise<void>;
}

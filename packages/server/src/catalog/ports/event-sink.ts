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

/**
 * A delivery target. deliver() resolves only once every event is durably accepted by the sink, in the given order; it
 * rejects otherwise (the outbox retries the batch later: sinks must tolerate duplicates, consumers drop them by id).
 * A whole deliver() call takes at most the sink's timeout, so the holder of the delivery lease never sends past its
 * lease (delivery.ts). A sink that accepts events one by one rejects with a {@link PartialDelivery} naming how many
 * leading events were accepted, so the outbox moves past them instead of sending them again.
 */
export interface EventSink {
  readonly kind: string;
  /** `signal`, when given, aborts at the end of the caller's delivery lease: a sink stops sending then. */
  deliver(events: readonly CloudEvent[], signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** deliver()'s rejection when the first `accepted` events of the batch were durably accepted and the rest were not. */
export class PartialDelivery extends Error {
  constructor(
    readonly accepted: number,
    readonly reason: Error,
  ) {
    super(reason.message);
    this.name = 'PartialDelivery';
  }
}

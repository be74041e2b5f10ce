/** Change events (CloudEvents 1.0 JSON) and event sinks of Lakegate's management API (docs/events.md). */

/**
 * One change of the catalog: `type` is `io.lakegate.<kind>` (e.g. `io.lakegate.table.committed`), `sequence` rises per
 * warehouse in commit order, `partitionkey` is the table's uuid (or the warehouse name), `id` is what to drop
 * duplicates by.
 */
export interface ChangeEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  partitionkey: string;
  sequence: string;
  data: Record<string, unknown>;
  [extension: string]: unknown;
}

/**
 * A page of a warehouse's events.
 *
 * @example
 * ```ts
 * let after = '0';
 * for (;;) {
 *   const page = await management.listEvents('lake', { after });
 *   for (const e of page.events) console.log(e.sequence, e.type, e.subject);
 *   after = page.next;
 *   if (!page.more) break;
 * }
 * ```
 */
export interface EventPage {
  events: ChangeEvent[];
  /** Pass as `after` for the next page. */
  next: string;
  more: boolean;
}

export type EventSinkKind = 'webhook' | 'kafka' | 'nats';

export interface CreateEventSinkRequest {
  kind: EventSinkKind;
  /** webhook: `{ url, 'timeout-ms'? }`. */
  config: Record<string, unknown>;
  /** webhook: a Standard Webhooks secret (`whsec_…`); generated (and returned once) when absent. */
  secret?: string;
  /** Deliver events from now on (default) or every retained one. */
  from?: 'now' | 'beginning';
}

export interface EventSink {
  id: string;
  /** The warehouse whose events the sink receives; absent for a tenant's sink, which names its `tenant`. */
  warehouse?: string;
  tenant?: string;
  kind: EventSinkKind;
  config: Record<string, unknown>;
  'has-secret': boolean;
  /** `failing`: the last attempts failed (dead letter; still retried, nothing dropped). */
  state: 'active' | 'failing';
  failures: number;
  'last-error': string | null;
  cursor: string;
  pending: string;
  delivered: string;
  'next-attempt-at-ms': number;
  'created-at-ms': number;
}

export interface CreatedEventSink {
  sink: EventSink;
  /** The generated signing secret, shown once. */
  secret?: string;
}

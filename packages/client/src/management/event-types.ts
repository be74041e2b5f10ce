/** Change events (CloudEvents 1.0 JSON) and event sinks of Lakegate's management API (docs/events.md). */
import type * as protocol from '@lakegate/protocol';

// The wire shapes live in @lakegate/protocol; aliased here (not re-exported) so the SDK's docs sit on them.

/**
 * One change of the catalog: `type` is `io.lakegate.<kind>` (e.g. `io.lakegate.table.committed`), `sequence` rises per
 * warehouse in commit order, `partitionkey` is the table's uuid (or the warehouse name), `id` is what to drop
 * duplicates by. CloudEvents extension attributes a newer server adds are readable too (as `unknown`).
 */
export type ChangeEvent = protocol.CloudEvent & { [extension: string]: unknown };

/**
 * A page of a warehouse's events; `next` is the `after` of the next page.
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
export type EventPage = Omit<protocol.ListEventsResponse, 'events'> & { events: ChangeEvent[] };

/** What carries a sink's events: an HTTP webhook, a Kafka topic or a NATS JetStream subject. */
export type EventSinkKind = (typeof protocol.EVENT_SINK_KINDS)[number];

/**
 * A new event sink: its kind and that kind's `config` (webhook: `{ url, 'timeout-ms'? }`), its secret (webhook: a
 * Standard Webhooks `whsec_…`, generated and returned once when absent), and whether to deliver events from now on
 * (default) or every retained one.
 */
export type CreateEventSinkRequest = protocol.CreateEventSinkRequest;

/**
 * An event sink and where its delivery is: `failing` means the last attempts failed (dead letter; still retried,
 * nothing dropped). A warehouse's sink names its `warehouse`, a tenant's its `tenant`.
 */
export type EventSink = protocol.EventSink;

/** A created sink, and its generated signing secret (shown once). */
export type CreatedEventSink = protocol.CreateEventSinkResponse;

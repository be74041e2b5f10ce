/** Lakegate's management API: change events (the outbox's pull API) and the event sinks of a warehouse (docs/events.md). */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable, StringEnum } from '../schema/helpers.js';

export const EVENT_SINK_KINDS = ['webhook', 'kafka', 'nats'] as const;

export const CloudEvent = Type.Object(
  {
    specversion: Type.Literal('1.0'),
    id: Type.String({ description: 'Unique per event: consumers drop duplicates by it' }),
    source: Type.String({ description: "The server's public URL and the warehouse (/warehouses/<name>), or the tenant for tenant events (/tenants/<name>)" }),
    type: Type.String({ examples: ['io.lakegate.table.committed'] }),
    time: Type.String({ format: 'date-time' }),
    subject: Type.Optional(Type.String({ description: 'namespace/name (levels joined by .); for tenant events role/<name> or principal/<client id>' })),
    datacontenttype: Type.Literal('application/json'),
    partitionkey: Type.String({ description: "The ordering key: the table's uuid, or the warehouse name; the tenant for tenant events" }),
    sequence: Type.String({ description: 'Per warehouse (per tenant for tenant events), increasing in commit order (decimal)' }),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { $id: 'CloudEvent', additionalProperties: true, description: 'A change event, CloudEvents 1.0 JSON (structured mode)' },
);
export type CloudEvent = Static<typeof CloudEvent>;

export const ListEventsResponse = Type.Object(
  {
    events: Type.Array(Type.Ref(CloudEvent)),
    next: Type.String({ description: 'Pass as after= for the next page (also past events the caller may not see)' }),
    more: Type.Boolean({ description: 'The page was full: more events may follow at once' }),
  },
  { $id: 'ListEventsResponse' },
);
export type ListEventsResponse = Static<typeof ListEventsResponse>;

export const CreateEventSinkRequest = Type.Object(
  {
    kind: StringEnum(EVENT_SINK_KINDS),
    config: Type.Record(Type.String(), Type.Unknown(), {
      description:
        'webhook: url, timeout-ms (1-60000); kafka: brokers, topic, client-id, sasl, tls, auto-create-topic, timeout-ms; nats: servers, stream, subject, create-stream, credentials, tls, timeout-ms (docs/events.md)',
    }),
    secret: Type.Optional(
      Type.String({
        writeOnly: true,
        description:
          'webhook: a Standard Webhooks signing secret (whsec_…), generated and shown once when absent; kafka: the SASL password; nats: the password, token or creds file. Never shown again',
      }),
    ),
    from: Type.Optional(StringEnum(['now', 'beginning'] as const, { description: 'Deliver events from now on (default) or every retained one' })),
  },
  { $id: 'CreateEventSinkRequest', additionalProperties: false },
);
export type CreateEventSinkRequest = Static<typeof CreateEventSinkRequest>;

export const EventSink = Type.Object(
  {
    id: Type.String(),
    warehouse: Type.Optional(Type.String({ description: "The warehouse whose events the sink receives (absent for a tenant's sink)" })),
    tenant: Type.Optional(Type.String({ description: "A tenant's sink: the tenant whose events it receives" })),
    kind: StringEnum(EVENT_SINK_KINDS),
    config: Type.Record(Type.String(), Type.Unknown()),
    'has-secret': Type.Boolean(),
    state: StringEnum(['active', 'failing'] as const, { description: 'failing: the last attempts failed (dead letter; still retried, nothing dropped)' }),
    failures: Type.Integer({ description: 'Consecutive failed attempts' }),
    'last-error': Nullable(Type.String()),
    cursor: Type.String({ description: 'The last sequence the sink accepted' }),
    pending: Type.String({ description: 'Events of the warehouse not yet accepted' }),
    delivered: Type.String(),
    'next-attempt-at-ms': Type.Integer(),
    'created-at-ms': Type.Integer(),
  },
  { $id: 'EventSink' },
);
export type EventSink = Static<typeof EventSink>;

export const CreateEventSinkResponse = Type.Object(
  { sink: Type.Ref(EventSink), secret: Type.Optional(Type.String({ description: 'The generated signing secret, shown once' })) },
  { $id: 'CreateEventSinkResponse' },
);
export type CreateEventSinkResponse = Static<typeof CreateEventSinkResponse>;

export const ListEventSinksResponse = Type.Object({ sinks: Type.Array(Type.Ref(EventSink)) }, { $id: 'ListEventSinksResponse' });
export type ListEventSinksResponse = Static<typeof ListEventSinksResponse>;

/**
 * The 410 of the event pull: the retention sweep deleted events right after the cursor. The management (Iceberg)
 * error envelope, with the oldest cursor still answered in `resume-after`.
 */
export const EventCursorExpiredResponse = Type.Object(
  {
    error: Type.Object({
      message: Type.String(),
      type: Type.Literal('CursorExpiredException'),
      code: Type.Literal(410),
      'resume-after': Type.String({
        pattern: '^[0-9]{1,15}$',
        description: 'The oldest cursor still answered: pass it as after= to go on past the deleted events, or read again from 0',
      }),
    }),
  },
  { $id: 'EventCursorExpiredResponse', additionalProperties: false },
);
export type EventCursorExpiredResponse = Static<typeof EventCursorExpiredResponse>;

export const MANAGEMENT_EVENT_SCHEMAS = [
  CloudEvent,
  ListEventsResponse,
  EventCursorExpiredResponse,
  CreateEventSinkRequest,
  EventSink,
  CreateEventSinkResponse,
  ListEventSinksResponse,
];

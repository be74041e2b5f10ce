/**
 * Builds the EventSink adapter of a configured sink, by kind. The webhook sink is built in; other kinds (Kafka,
 * NATS JetStream: broker-sinks.ts) plug in through `extra`, and a kind with no factory is refused when a sink of it
 * is configured (catalog/management/sink-admin.ts), so it never reaches delivery.
 */
import type { SinkKind, SinkRecord } from '../catalog/ports/delivery.js';
import type { SinkSecrets } from '../catalog/management/sink-admin.js';
import type { DestinationRule } from '../catalog/outbox/sink-destinations.js';
import type { EventSink } from '../catalog/ports/event-sink.js';
import { WebhookSink } from './webhook-sink.js';

/** `guard`: the destination rule every connection of the sink is checked against; undefined: any destination. */
export type SinkFactory = (record: SinkRecord, secret: string | undefined, guard: DestinationRule | undefined) => Promise<EventSink> | EventSink;

export interface SinkFactories {
  kinds: SinkKind[];
  create(record: SinkRecord): Promise<EventSink>;
}

/**
 * `destinations`: the rule a sink not made by a platform administrator (record.anyDestination false or absent) is
 * held to at every connection (catalog/outbox/sink-destinations.ts); absent: no rule.
 */
export function sinkFactories(secrets: SinkSecrets, extra: Partial<Record<SinkKind, SinkFactory>> = {}, destinations?: DestinationRule): SinkFactories {
  const factories: Partial<Record<SinkKind, SinkFactory>> = {
    webhook: (record, secret, guard) => {
      if (secret === undefined) throw new Error('the webhook sink has no signing secret');
      return new WebhookSink({
        url: String(record.config.url),
        secret,
        guard,
        ...(typeof record.config['timeout-ms'] === 'number' ? { timeoutMs: record.config['timeout-ms'] } : {}),
      });
    },
    ...extra,
  };
  return {
    kinds: Object.keys(factories) as SinkKind[],
    async create(record) {
      const factory = factories[record.kind];
      if (!factory) throw new Error(`no adapter for event sinks of kind ${record.kind}`);
      const secret = record.secretId === undefined ? undefined : await secrets.read(record.secretId);
      return factory(record, secret, record.anyDestination === true ? undefined : destinations);
    },
  };
}

/**
 * Builds the EventSink adapter of a configured sink, by kind. The webhook sink is built in; other kinds (Kafka,
 * NATS JetStream: broker-sinks.ts) plug in through `extra`, and a kind with no factory is refused when a sink of it
 * is configured (catalog/outbox/sink-admin.ts), so it never reaches delivery.
 */
import type { SinkKind, SinkRecord } from '../catalog/outbox/delivery-ports.js';
import type { SinkSecrets } from '../catalog/outbox/sink-admin.js';
import type { EventSink } from '../catalog/outbox/sink.js';
import { WebhookSink } from './webhook-sink.js';

export type SinkFactory = (record: SinkRecord, secret: string | undefined) => Promise<EventSink> | EventSink;

export interface SinkFactories {
  kinds: SinkKind[];
  create(record: SinkRecord): Promise<EventSink>;
}

export function sinkFactories(secrets: SinkSecrets, extra: Partial<Record<SinkKind, SinkFactory>> = {}): SinkFactories {
  const factories: Partial<Record<SinkKind, SinkFactory>> = {
    webhook: (record, secret) => {
      if (secret === undefined) throw new Error('the webhook sink has no signing secret');
      return new WebhookSink({ url: String(record.config.url), secret, ...(typeof record.config['timeout-ms'] === 'number' ? { timeoutMs: record.config['timeout-ms'] } : {}) });
    },
    ...extra,
  };
  return {
    kinds: Object.keys(factories) as SinkKind[],
    async create(record) {
      const factory = factories[record.kind];
      if (!factory) throw new Error(`no adapter for event sinks of kind ${record.kind}`);
      const secret = record.secretId === undefined ? undefined : await secrets.read(record.secretId);
      return factory(record, secret);
    },
  };
}

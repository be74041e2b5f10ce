/**
 * The broker sinks by kind: a warehouse's sink config `{kind: 'kafka', ...}` or `{kind: 'nats', ...}` (broker-config.ts)
 * becomes an EventSink. The config is checked first; a bad one throws SinkError ERR_SINK_CONFIG naming every bad field.
 */
import type { EventSink } from '../catalog/ports/event-sink.js';
import type { DestinationRule } from '../catalog/outbox/sink-destinations.js';
import { validateBrokerSinkConfig } from './broker-config.js';
import { KafkaSink } from './kafka-sink.js';
import { NatsSink } from './nats-sink.js';
import { SinkError } from './sink-error.js';

export const BROKER_SINK_KINDS = ['kafka', 'nats'] as const;

export interface BrokerSinkContext {
  /** The warehouse the sink belongs to (NATS puts it in the subject). */
  warehouse: string;
  /** The sink's sealed secret, opened: Kafka's SASL password, NATS's password, token or creds file. */
  secret?: string | undefined;
  /** The destination rule every connection is checked against (guarded-connect.ts); absent: any destination. */
  guard?: DestinationRule | undefined;
}

export function createBrokerSink(config: unknown, context: BrokerSinkContext): EventSink {
  const checked = validateBrokerSinkConfig(config);
  if (!checked.ok) {
    const kind = typeof (config as { kind?: unknown })?.kind === 'string' ? String((config as { kind: string }).kind) : 'broker';
    throw new SinkError(kind === 'kafka' || kind === 'nats' ? kind : 'broker', 'ERR_SINK_CONFIG', `bad config: ${checked.errors.join('; ')}`);
  }
  const c = checked.config;
  return c.kind === 'kafka'
    ? new KafkaSink(c, { secret: context.secret, guard: context.guard })
    : new NatsSink(c, { warehouse: context.warehouse, secret: context.secret, guard: context.guard });
}

/**
 * The factory in the shape the delivery loop's sink registry takes (events/sink-factory.ts `extra`): a stored sink
 * record (kind and config apart, as the management API keeps them) and its opened secret.
 */
export function brokerSinkFor(
  record: { kind: string; warehouse: string; config: Record<string, unknown> },
  secret: string | undefined,
  guard?: DestinationRule,
): EventSink {
  return createBrokerSink({ ...record.config, kind: record.kind }, { warehouse: record.warehouse, secret, guard });
}

export { brokerConfigErrors, validateBrokerSinkConfig } from './broker-config.js';
export type { BrokerSinkConfig, KafkaSinkConfig, NatsSinkConfig } from './broker-config.js';
export { SinkError } from './sink-error.js';

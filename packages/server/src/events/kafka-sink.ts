/**
 * Delivers CloudEvents to one Kafka topic, in structured mode of the CloudEvents Kafka protocol binding: the record
 * value is the event's JSON (64-bit integers such as snapshot ids written exactly, by catalog/json.ts stringifyJson),
 * header `content-type: application/cloudevents+json`, and the record key is the event's
 * `partitionkey` (the binding's Partitioning extension), so every event of a table lands in one partition, in order.
 *
 * Ordering and no false ack: the producer is idempotent (acks=all, one request in flight per broker, broker-side
 * sequence numbers), and a batch goes out as one send(): per partition one record batch, appended whole or not at all.
 * deliver() resolves only when the broker has acknowledged every record; on any failure or after `timeout-ms` it
 * rejects and drops the producer, so the next deliver() starts a fresh one and nothing of the failed attempt is
 * retried behind the outbox's back after a later batch. A batch retried by the outbox may be stored twice: same ids,
 * same order, which consumers drop by id.
 */
import kafkajs from 'kafkajs';
import type { Producer, KafkaConfig, SASLOptions } from 'kafkajs';
import { stringifyJson } from '../catalog/json.js';
import type { CloudEvent, EventSink } from '../catalog/ports/event-sink.js';
import type { KafkaSinkConfig } from './broker-config.js';
import { patchKafkajsRequestQueue } from './kafkajs-request-queue.js';
import { SinkError, brokerMessage, withDeadline } from './sink-error.js';
import { DESTINATION_REFUSED, type DestinationRule } from '../catalog/outbox/sink-destinations.js';
import { guardedKafkaSocketFactory } from './guarded-connect.js';

const { Kafka, Partitioners, logLevel } = kafkajs;
// No 1 ms timer per open connection (kafkajs-request-queue.ts): a producer is kept connected between batches.
patchKafkajsRequestQueue();

export const CLOUDEVENTS_JSON = 'application/cloudevents+json';
const DEFAULT_TIMEOUT_MS = 10_000;
/** Every record's headers: one object for all of them (kafkajs only reads it). */
const HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': CLOUDEVENTS_JSON });

export interface KafkaSinkOptions {
  /** The SASL password, when config.sasl is set. */
  secret?: string | undefined;
  /**
   * The destination rule: every socket (to a bootstrap broker and to each broker the metadata advertises) is made by
   * a socketFactory that resolves and checks the host first (guarded-connect.ts). Absent: any destination.
   */
  guard?: DestinationRule | undefined;
}

function kafkaClientConfig(config: KafkaSinkConfig, timeoutMs: number, secret: string | undefined, guard: DestinationRule | undefined): KafkaConfig {
  let sasl: SASLOptions | undefined;
  if (config.sasl) {
    if (secret === undefined) throw new SinkError('kafka', 'ERR_SINK_CONFIG', 'sasl is set but the sink has no secret (the SASL password)');
    sasl = { mechanism: config.sasl.mechanism, username: config.sasl.username, password: secret } as SASLOptions;
  }
  return {
    clientId: config['client-id'] ?? 'lakegate-events',
    brokers: config.brokers,
    ...(config.tls === undefined || config.tls === false ? {} : { ssl: config.tls === true ? true : { ...config.tls } }),
    ...(sasl ? { sasl } : {}),
    ...(guard ? { socketFactory: guardedKafkaSocketFactory(guard) as KafkaConfig['socketFactory'] } : {}),
    connectionTimeout: Math.min(3_000, timeoutMs),
    requestTimeout: timeoutMs,
    // Give up well inside the deliver() bound: the outbox owns the long retry (with backoff), not the client.
    retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    // kafkajs logs to the console by default; the outbox records the sink's failures itself.
    logLevel: logLevel.NOTHING,
  };
}

export class KafkaSink implements EventSink {
  readonly kind = 'kafka';
  private readonly kafka: InstanceType<typeof Kafka>;
  private readonly timeoutMs: number;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private closed = false;

  constructor(
    private readonly config: KafkaSinkConfig,
    options: KafkaSinkOptions = {},
  ) {
    this.timeoutMs = config['timeout-ms'] ?? DEFAULT_TIMEOUT_MS;
    this.kafka = new Kafka(kafkaClientConfig(config, this.timeoutMs, options.secret, options.guard));
  }

  async deliver(events: readonly CloudEvent[]): Promise<void> {
    if (this.closed) throw new SinkError('kafka', 'ERR_SINK_CLOSED', 'deliver() after close()');
    if (events.length === 0) return;
    const messages = events.map((event) => ({ key: event.partitionkey, value: stringifyJson(event), headers: HEADERS }));
    const attempt = (async () => {
      const producer = await this.connect();
      await producer.send({ topic: this.config.topic, acks: -1, timeout: this.timeoutMs, messages });
    })();
    try {
      await withDeadline('kafka', this.timeoutMs, `topic ${this.config.topic}`, attempt, () => void this.reset());
    } catch (e) {
      await this.reset();
      if (e instanceof SinkError) throw e;
      throw classify(e, this.config.topic);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reset();
  }

  private connect(): Promise<Producer> {
    if (this.producer) return Promise.resolve(this.producer);
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: this.config['auto-create-topic'] ?? false,
        // The Java client's murmur2 partitioner: a key maps to the same partition as from any Java producer.
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
      });
      try {
        await producer.connect();
      } catch (e) {
        await producer.disconnect().catch(() => undefined);
        throw e;
      } finally {
        this.connecting = undefined;
      }
      this.producer = producer;
      return producer;
    })();
    return this.connecting;
  }

  /** Drops the producer (and whatever it still retries); the next deliver() connects a new one. */
  private async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await producer.disconnect().catch(() => undefined);
  }
}

function classify(e: unknown, topic: string): SinkError {
  const err = e as { name?: string; type?: string; retriable?: boolean };
  const message = brokerMessage(e);
  // Refused by the destination rule (a bootstrap or advertised broker resolves to a non-public address): say only that.
  if (refusedByRule(e)) return new SinkError('kafka', 'ERR_SINK_DESTINATION', `delivery to topic ${topic} refused: ${DESTINATION_REFUSED}`);
  if (err.type === 'UNKNOWN_TOPIC_OR_PARTITION' || /does not host this topic-partition|UNKNOWN_TOPIC/i.test(message)) {
    return new SinkError('kafka', 'ERR_SINK_REJECTED', `topic ${topic} does not exist (create it, or set auto-create-topic)`);
  }
  if (err.type === 'TOPIC_AUTHORIZATION_FAILED' || err.type === 'SASL_AUTHENTICATION_FAILED' || err.name === 'KafkaJSSASLAuthenticationError') {
    return new SinkError('kafka', 'ERR_SINK_REJECTED', `not authorized for topic ${topic}: ${message}`);
  }
  return new SinkError('kafka', 'ERR_SINK_UNAVAILABLE', `delivery to topic ${topic} failed: ${message}`);
}

/** Whether the destination rule refused a connection somewhere in the error's cause chain (kafkajs wraps errors). */
function refusedByRule(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && depth < 6; depth++) {
    const c = cur as { message?: unknown; originalError?: unknown; cause?: unknown };
    if (typeof c.message === 'string' && c.message.includes(DESTINATION_REFUSED)) return true;
    cur = c.originalError ?? c.cause;
  }
  return false;
}

/**
 * The Kafka and NATS JetStream event sinks over TLS, against real brokers: Kafka 4.4.0 (KRaft; the run's shared
 * multi-listener broker, test/support/kafka.ts) with an SSL listener beside its plaintext one, and nats-server 2.15.2
 * (started for this file) requiring TLS of every client. Both serve the same certificate for `localhost` and 127.0.0.1
 * from a throwaway authority made at the broker's start (test/support/tls-certs.ts). A sink
 * that trusts that authority (`tls.ca`) delivers, with the destination rule on (every socket made by
 * events/guarded-connect.ts: the name resolved and checked, the certificate still verified against the name) and
 * without it; what it delivered is read back over the plaintext listener (Kafka) or a TLS reader (NATS). A sink that
 * trusts another authority, or expects a name the certificate does not carry, is refused at the handshake:
 * deliver() rejects and nothing is sent.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DestinationRule, parseNetworks } from '../../packages/server/src/catalog/outbox/sink-destinations.js';
import type { CloudEvent } from '../../packages/server/src/catalog/ports/event-sink.js';
import { SinkError, createBrokerSink } from '../../packages/server/src/events/broker-sinks.js';
import { batch, expectComplete, keys, readKafka, readNats } from '../support/event-readers.js';
import { type KafkaBroker, startKafka } from '../support/kafka.js';
import { type NatsServer, startNats } from '../support/nats.js';
import type { TestCertificates } from '../support/tls-certs.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'lakegate.tls';
const WAREHOUSE = 'lake.tls';

let certs: TestCertificates;
let kafka: KafkaBroker;
let nats: NatsServer;
let reader: NatsConnection | undefined;

beforeAll(async () => {
  kafka = await startKafka({ shared: true });
  certs = kafka.certificates!;
  nats = await startNats({ tls: { certFile: certs.certFile, keyFile: certs.keyFile } });
  const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
}, 30 * 60_000);

afterAll(async () => {
  await reader?.close();
  await Promise.all([kafka?.destroy(), nats?.destroy()]);
});

/**
 * The rule a tenant's sink runs under, with loopback listed by the operator; `broker.tls.test` (a name the certificate
 * carries) resolves to 127.0.0.1. `localhost` is refused by name under the rule, so the sinks without it use that.
 */
const guard: DestinationRule = { networks: parseNetworks('127.0.0.0/8'), resolve: async (host) => (host === 'broker.tls.test' ? ['127.0.0.1'] : []) };
const hostFor = (withGuard: boolean) => (withGuard ? 'broker.tls.test' : 'localhost');

const port = (hostPort: string) => hostPort.slice(hostPort.lastIndexOf(':') + 1);

async function deliverAll(sink: ReturnType<typeof createBrokerSink>, rounds = 2): Promise<CloudEvent[]> {
  const delivered: CloudEvent[] = [];
  for (let i = 0; i < rounds; i++) {
    const events = batch(keys(3), 2, WAREHOUSE);
    await sink.deliver(events);
    delivered.push(...events);
  }
  await sink.close();
  return delivered;
}

async function refusal(sink: ReturnType<typeof createBrokerSink>): Promise<SinkError> {
  const err = await sink.deliver(batch(keys(1), 1, WAREHOUSE)).catch((e: unknown) => e);
  await sink.close();
  expect(err).toBeInstanceOf(SinkError);
  return err as SinkError;
}

describe('Kafka sink over TLS', () => {
  const kafkaSink = (tls: Record<string, unknown>, withGuard = true) =>
    createBrokerSink(
      { kind: 'kafka', brokers: [`${hostFor(withGuard)}:${port(kafka.tlsBootstrap!)}`], topic: TOPIC, tls, 'timeout-ms': 5_000 },
      { warehouse: WAREHOUSE, ...(withGuard ? { guard } : {}) },
    );

  it('delivers through the SSL listener to a sink that trusts the authority, guarded and not', async () => {
    for (const withGuard of [true, false]) {
      const delivered = await deliverAll(kafkaSink({ ca: certs.ca }, withGuard));
      expectComplete(await readKafka(kafka.bootstrap, TOPIC, new Set(delivered.map((e) => e.id))), delivered);
    }
  });

  it('refuses a broker whose certificate another authority signed', async () => {
    const err = await refusal(kafkaSink({ ca: certs.otherCa }));
    expect(err.code).toBe('ERR_SINK_UNAVAILABLE');
    expect(err.message).toMatch(/unable to verify the first certificate/);
  });

  it('refuses a certificate that does not carry the expected name', async () => {
    const err = await refusal(kafkaSink({ ca: certs.ca, servername: 'kafka.elsewhere.test' }));
    expect(err.code).toBe('ERR_SINK_UNAVAILABLE');
    expect(err.message).toMatch(/kafka\.elsewhere\.test\. is not in the cert's altnames/);
  });
});

describe('NATS JetStream sink over TLS', () => {
  const natsSink = (scheme: string, stream: string, tls: Record<string, unknown> | undefined, withGuard = true) =>
    createBrokerSink(
      {
        kind: 'nats',
        servers: [`${scheme}://${hostFor(withGuard)}:${port(nats.url)}`],
        stream,
        subject: stream.toLowerCase(),
        'timeout-ms': 3_000,
        ...(tls ? { tls } : {}),
      },
      { warehouse: WAREHOUSE, ...(withGuard ? { guard } : {}) },
    );

  it('delivers to a server that requires TLS, to a sink that trusts the authority, guarded and not', async () => {
    reader ??= await connect({ servers: nats.url, tls: { ca: certs.ca } });
    for (const [stream, withGuard] of [
      ['TLS_GUARDED', true],
      ['TLS_OPEN', false],
    ] as const) {
      const delivered = await deliverAll(natsSink('tls', stream, { ca: certs.ca }, withGuard));
      const records = await readNats(reader, stream, stream.toLowerCase());
      expect(records).toHaveLength(delivered.length);
      expectComplete(records, delivered);
    }
  });

  it('refuses a server whose certificate another authority signed', async () => {
    const err = await refusal(natsSink('tls', 'TLS_OTHER_CA', { ca: certs.otherCa }));
    expect(err.message).toMatch(/unable to verify the first certificate/);
  });

  it('refuses a certificate that does not carry the expected name', async () => {
    const err = await refusal(natsSink('tls', 'TLS_OTHER_NAME', { ca: certs.ca, servername: 'nats.elsewhere.test' }));
    expect(err.message).toMatch(/nats\.elsewhere\.test\. is not in the cert's altnames/);
  });

  it('a sink without TLS settings does not reach a server that requires TLS with a private authority', async () => {
    const err = await refusal(natsSink('nats', 'TLS_NONE', undefined));
    // nats.js follows the server's tls_required and verifies against the system's authorities: refused.
    expect(err.code).toBe('ERR_SINK_UNAVAILABLE');
    expect(err.message).toMatch(/unable to verify the first certificate/);
  });
});

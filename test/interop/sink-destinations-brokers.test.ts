/**
 * The destination rule at every connection of the broker sinks, against real brokers (Kafka 4.4.0 from
 * scripts/peers/kafka.sh, NATS 2.15.2 from scripts/peers/nats.sh), both listening on 127.0.0.1 only.
 *
 * Kafka: a sink's bootstrap name resolves to 127.0.0.2, a network the operator listed, where a TCP relay forwards to
 * the broker; the broker's metadata then advertises 127.0.0.1, which is not listed. The sink must refuse that
 * connection (kafkajs's socketFactory checks every broker it dials, not only the bootstrap), so nothing is stored;
 * the same sink without the rule (a platform administrator's) delivers through the same relay, and with 127.0.0.0/8
 * listed the guarded sink delivers too.
 *
 * NATS: a server name that resolves to a refused address is refused before any connection; one that resolves to a
 * listed address is dialled at that address (the client does no resolution of its own) and delivers; the servers a
 * NATS server announces (`connect_urls`, injected by a relay into every INFO) are not followed: without the rule the
 * client reconnects to the announced 127.0.0.1 and delivers, under it the delivery fails once the listed server is gone.
 */
import { randomUUID } from 'node:crypto';
import { type Server, type Socket, connect as netConnect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import kafkajs from 'kafkajs';
import { connect as natsConnect } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent, EventSink } from '../../packages/server/src/catalog/ports/event-sink.js';
import { type DestinationRule, parseNetworks } from '../../packages/server/src/catalog/outbox/sink-destinations.js';
import { type SinkError, createBrokerSink } from '../../packages/server/src/events/broker-sinks.js';
import { patchKafkajsRequestQueue } from '../../packages/server/src/events/kafkajs-request-queue.js';
import { type KafkaBroker, startKafka } from '../support/kafka.js';
import { type NatsServer, startNats } from '../support/nats.js';

patchKafkajsRequestQueue();
const { Kafka, logLevel } = kafkajs;
const TOPIC = 'lakegate.destinations';
const STREAM = 'DESTINATIONS';
const REFUSED = /refused: the destination resolves to a non-public address$/;

let kafka: KafkaBroker;
let nats: NatsServer;
let relay: { server: Server; port: number; connections: number; sockets: Set<Socket> };

/**
 * A TCP relay on 127.0.0.2 to `target` (host:port), counting the connections it accepted. With `announce`, every
 * INFO a NATS server sends gets `connect_urls` naming that address, as a NATS cluster announces its other servers.
 */
async function startRelay(target: string, announce?: string) {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const state = { connections: 0, sockets: new Set<Socket>() };
  const server = createServer((client) => {
    state.connections++;
    const upstream = netConnect({ host, port });
    for (const s of [client, upstream]) {
      state.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => state.sockets.delete(s));
    }
    client.pipe(upstream);
    if (!announce) upstream.pipe(client);
    else {
      // Every INFO line (the first, and those the server sends later) gets the announcement; the rest passes as is.
      let pending = '';
      upstream.on('data', (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        const end = pending.lastIndexOf('\r\n');
        if (end < 0) return;
        const lines = pending.slice(0, end + 2);
        pending = pending.slice(end + 2);
        const rewritten = lines.replace(
          /^INFO (\{.*\}) *\r$/gm,
          (_all, json: string) => `INFO ${JSON.stringify({ ...(JSON.parse(json) as object), connect_urls: [announce] })}\r`,
        );
        client.write(rewritten, 'latin1');
      });
      upstream.on('end', () => client.end());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return Object.assign(state, { server, port: (server.address() as AddressInfo).port });
}

const rule = (networks: string, names: Record<string, string[]>): DestinationRule => ({
  networks: parseNetworks(networks),
  resolve: async (h) => names[h] ?? [],
});

let n = 0;
const event = (): CloudEvent => {
  n += 1;
  const key = randomUUID();
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'https://c.example.com/warehouses/w',
    type: 'io.lakegate.table.committed',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    partitionkey: key,
    sequence: String(n),
    data: { 'table-uuid': key },
  };
};

/** A broker under test: a sink's config naming one of its servers (`host:port`), and how many events it holds. */
interface Broker {
  name: 'Kafka' | 'NATS';
  config(server: string): Record<string, unknown>;
  stored(): Promise<number>;
}

const KAFKA: Broker = {
  name: 'Kafka',
  config: (server) => ({ kind: 'kafka', brokers: [server], topic: TOPIC, 'timeout-ms': 8_000 }),
  async stored() {
    const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(TOPIC)).reduce((sum, p) => sum + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  },
};

const NATS: Broker = {
  name: 'NATS',
  config: (server) => ({ kind: 'nats', servers: [`nats://${server}`], stream: STREAM, subject: 'lakegate.destinations', 'timeout-ms': 8_000 }),
  async stored() {
    const nc = await natsConnect({ servers: nats.url });
    try {
      // The sink creates the stream at its first delivery: none yet holds nothing.
      return await (await jetstreamManager(nc)).streams.info(STREAM).then(
        (info) => info.state.messages,
        (e: unknown) => (e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound ? 0 : Promise.reject(e)),
      );
    } finally {
      await nc.close();
    }
  },
};

/** Delivers `events` through `sink`, then closes it: how the delivery failed, or undefined when it was delivered. */
async function deliverOnce(sink: EventSink, events: CloudEvent[]): Promise<SinkError | undefined> {
  try {
    return await sink.deliver(events).then(
      () => undefined,
      (e: unknown) => e as SinkError,
    );
  } finally {
    await sink.close();
  }
}

beforeAll(async () => {
  [kafka, nats] = await Promise.all([startKafka({ shared: true }), startNats()]);
  const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  relay = await startRelay(kafka.bootstrap);
}, 30 * 60_000);

afterAll(async () => {
  if (relay) {
    for (const s of relay.sockets) s.destroy();
    await new Promise((resolve) => relay.server.close(resolve));
  }
  await Promise.all([kafka?.destroy(), nats?.destroy()]);
});

const kafkaRelay = () => `kafka.bootstrap.test:${relay.port}`;
const natsAt = (host: string) => `${host}:${new URL(nats.url).port}`;

/** Sinks the rule must refuse: the delivery fails with ERR_SINK_DESTINATION, without naming what it refused. */
const refusals = [
  {
    broker: KAFKA,
    refused: 'the broker the metadata advertises at 127.0.0.1 when only the bootstrap network is listed',
    server: kafkaRelay,
    guard: () => rule('127.0.0.2/32', { 'kafka.bootstrap.test': ['127.0.0.2'] }),
    unnamed: /127\.0\.0\.1/,
    // The bootstrap (allowed) was reached through the relay: it is the advertised broker that was refused.
    reachesRelay: true,
  },
  {
    broker: KAFKA,
    refused: 'a bootstrap broker written as a literal internal address (a sink stored before the rule was recorded)',
    server: () => kafka.bootstrap,
    guard: () => rule('', {}),
  },
  {
    broker: NATS,
    refused: 'a server whose name resolves to a non-public address, before connecting',
    server: () => natsAt('nats.rebind.test'),
    guard: () => rule('10.0.0.0/8', { 'nats.rebind.test': ['127.0.0.1'] }),
    unnamed: /127\.0\.0\.1|rebind/,
  },
];

/** Sinks that deliver: every event is stored. */
const deliveries = [
  // Without the rule a name goes to the system resolver, so the open sink names the relay's address itself.
  {
    broker: KAFKA,
    allowed: "through the relay without the rule (a platform administrator's sink)",
    server: () => `127.0.0.2:${relay.port}`,
    guard: () => undefined,
    events: 1,
  },
  {
    broker: KAFKA,
    allowed: "through the same relay with the broker's network listed",
    server: kafkaRelay,
    guard: () => rule('127.0.0.0/8', { 'kafka.bootstrap.test': ['127.0.0.2'] }),
    events: 2,
  },
  // The client does no resolution of its own: it dials the address the rule checked.
  {
    broker: NATS,
    allowed: 'at the checked address of a name in a listed network',
    server: () => natsAt('nats.listed.test'),
    guard: () => rule('127.0.0.1/32', { 'nats.listed.test': ['127.0.0.1'] }),
    events: 2,
  },
];

describe('broker sink destinations at every connection', () => {
  for (const { broker, refused, server, guard, unnamed, reachesRelay } of refusals) {
    it(`${broker.name} refuses ${refused}; nothing is stored`, async () => {
      const before = await broker.stored();
      const connections = relay.connections;
      const failure = await deliverOnce(createBrokerSink(broker.config(server()), { warehouse: 'w', guard: guard() }), [event()]);
      expect(failure?.code).toBe('ERR_SINK_DESTINATION');
      expect(failure?.message).toMatch(REFUSED);
      if (unnamed) expect(failure?.message).not.toMatch(unnamed);
      if (reachesRelay) expect(relay.connections).toBeGreaterThan(connections);
      expect(await broker.stored()).toBe(before);
    }, 60_000);
  }

  for (const { broker, allowed, server, guard, events } of deliveries) {
    it(`${broker.name} delivers ${allowed}`, async () => {
      const before = await broker.stored();
      const failure = await deliverOnce(createBrokerSink(broker.config(server()), { warehouse: 'w', guard: guard() }), Array.from({ length: events }, event));
      expect(failure).toBeUndefined();
      expect(await broker.stored()).toBe(before + events);
    }, 60_000);
  }
});

describe('NATS sink destinations at every connection', () => {
  it('ignores the servers a NATS server announces (cluster discovery): after the listed server goes away, no connection to the announced 127.0.0.1', async () => {
    const target = natsAt('127.0.0.1');
    const make = async (guarded: boolean) => {
      const announcing = await startRelay(target, target);
      const host = guarded ? 'nats.listed.test' : '127.0.0.2';
      const sink = createBrokerSink(NATS.config(`${host}:${announcing.port}`), {
        warehouse: 'w',
        ...(guarded ? { guard: rule('127.0.0.2/32', { 'nats.listed.test': ['127.0.0.2'] }) } : {}),
      });
      await sink.deliver([event()]);
      for (const s of announcing.sockets) s.destroy();
      await new Promise((resolve) => announcing.server.close(resolve));
      await new Promise((resolve) => setTimeout(resolve, 2_000)); // the client's reconnect (every 500 ms) has run
      const second = await deliverOnce(sink, [event()]);
      return second === undefined ? 'delivered' : second.code;
    };
    // Control: a sink without the rule follows the announcement to 127.0.0.1 and delivers there.
    expect(await make(false)).toBe('delivered');
    // Held to the rule: only the checked server, which is gone, so the delivery fails (and is retried later).
    expect(await make(true)).not.toBe('delivered');
  }, 90_000);
});

/**
 * The Kafka and NATS JetStream event sinks (packages/server/src/events) against real brokers: the run's shared
 * Apache Kafka 4.4.0 broker in KRaft mode (jars from Maven Central, scripts/peers/kafka.sh; test/support/kafka.ts,
 * `shared`: topics of this file's own, its fixed SASL/PLAIN user) and nats-server v2.15.2 with JetStream (built from
 * its Go module, scripts/peers/nats.sh), started for this file. What the sinks deliver is read back with real consumers
 * (kafkajs 2.2.4 from the beginning of the topic; a JetStream ordered consumer of @nats-io/jetstream 3.4.0) and checked:
 * every event arrives, in per-key order, with the documented key, subject and headers. The shared broker is not
 * stopped: the Kafka sinks reach it through its cuttable listeners (cutKafka(): a TCP proxy of this file's own on the
 * port the broker advertises for them, test/support/cut-proxy.ts), and an outage cuts that proxy (every connection
 * closed, new ones refused, as with a stopped broker) while the consumers read on the broker's own listener. An
 * unreachable broker makes deliver() reject within its bound (no false ack), the same batch succeeds once it is back,
 * and a 20 s Kafka outage in the middle of a stream of batches, retried like the outbox does, loses nothing; the NATS
 * server is stopped and restarted. Through the real outbox: a `lakegate serve` with a Kafka and a NATS sink configured
 * through the management API, and a scripted PyIceberg 0.12 session (peers/python/pyiceberg_events.py): both brokers
 * get exactly the pull API's events, each table's in order, also across a 20 s Kafka outage. Readers and checks:
 * test/support/event-readers.ts. Config validation: the unit test packages/server/src/events/broker-config.test.ts.
 */
import path from 'node:path';
import kafkajs from 'kafkajs';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../packages/server/src/catalog/ports/event-sink.js';
import { SinkError, createBrokerSink } from '../../packages/server/src/events/broker-sinks.js';
import { batch, expectComplete, keys, type NatsRecord, readKafka, readNats } from '../support/event-readers.js';
import { type CutKafka, cutKafka, KAFKA_PLAIN_USER, type KafkaBroker, startKafka } from '../support/kafka.js';
import { type NatsServer, startNats } from '../support/nats.js';
import { pyicebergPython } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess, startServer } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const { Kafka, logLevel } = kafkajs;

let kafka: KafkaBroker;
/** The proxies this file's Kafka sinks go through (what an outage cuts). */
let link: CutKafka;
let nats: NatsServer;
/** A second nats-server that requires a user and password (light: a Go binary). */
let natsAuth: NatsServer;
/** The shared broker's SASL/PLAIN user. */
const SASL_USER = KAFKA_PLAIN_USER;
const NATS_USER = { user: 'lakegate', password: 'nats-user-secret-0123' };
const TOPIC = 'lakegate.events';
const WAREHOUSE = 'lake.prod';

beforeAll(async () => {
  [kafka, nats, natsAuth] = await Promise.all([startKafka({ shared: true }), startNats(), startNats({ user: NATS_USER })]);
  link = await cutKafka(kafka);
  const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
}, 30 * 60_000);

afterAll(async () => {
  await Promise.all([link?.close(), kafka?.destroy(), nats?.destroy(), natsAuth?.destroy()]);
});

let reader: NatsConnection | undefined;
async function natsReader(): Promise<NatsConnection> {
  reader ??= await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  return reader;
}
afterAll(async () => {
  await reader?.close();
});

// --- Kafka ------------------------------------------------------------------------------------------------------

function kafkaSink(timeoutMs = 5_000, topic = TOPIC) {
  return createBrokerSink({ kind: 'kafka', brokers: [link.bootstrap], topic, 'client-id': 'lakegate-test', 'timeout-ms': timeoutMs }, { warehouse: WAREHOUSE });
}

describe('Kafka sink', () => {
  it('delivers every event, keyed by partitionkey, in per-key order, structured CloudEvents', async () => {
    const sink = kafkaSink();
    const tables = keys(5);
    const delivered: CloudEvent[] = [];
    for (let i = 0; i < 4; i++) {
      const events = batch(tables, 6);
      await sink.deliver(events);
      delivered.push(...events);
    }
    await sink.close();
    const records = await readKafka(kafka.bootstrap, TOPIC, new Set(delivered.map((e) => e.id)));
    expectComplete(records, delivered);
    for (const r of records) {
      expect(r.headers['content-type']).toBe('application/cloudevents+json');
      expect(JSON.parse(r.body).partitionkey).toBe(r.key);
    }
    // One partition per table.
    for (const key of tables) expect(new Set(records.filter((r) => r.key === key).map((r) => r.partition)).size).toBe(1);
  });

  it('rejects a batch for a topic that does not exist (no auto-creation by default)', async () => {
    const sink = kafkaSink(5_000, 'lakegate.event-sinks.no-such-topic');
    const err = await sink.deliver(batch(keys(1), 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkError);
    expect((err as SinkError).code).toBe('ERR_SINK_REJECTED');
    expect((err as SinkError).message).toMatch(/no-such-topic does not exist/);
    await sink.close();
  });
});

// --- NATS JetStream ---------------------------------------------------------------------------------------------

function natsSink(stream: string, prefix: string, extra: Record<string, unknown> = {}) {
  return createBrokerSink({ kind: 'nats', servers: [nats.url], stream, subject: prefix, 'timeout-ms': 3_000, ...extra }, { warehouse: WAREHOUSE });
}

describe('NATS JetStream sink', () => {
  it('creates the stream, publishes to <prefix>.<warehouse>.<partitionkey> with Nats-Msg-Id, in per-key order', async () => {
    const sink = natsSink('LAKEGATE_EVENTS', 'lakegate.events');
    const tables = keys(4);
    const delivered: CloudEvent[] = [];
    for (let i = 0; i < 3; i++) {
      const events = batch(tables, 5);
      await sink.deliver(events);
      delivered.push(...events);
    }
    // The outbox retrying a batch it already delivered: the stream drops it by Nats-Msg-Id.
    await sink.deliver(delivered.slice(0, 20));
    await sink.close();
    const records = await readNats(await natsReader(), 'LAKEGATE_EVENTS', 'lakegate.events');
    expect(records).toHaveLength(delivered.length);
    expectComplete(records, delivered);
    for (const r of records) {
      expect(r.subject).toBe(`lakegate.events.lake%2Eprod.${r.key}`);
      expect(r.msgId).toBe(r.id);
      expect(r.contentType).toBe('application/cloudevents+json');
    }
  });

  it('rejects when the stream exists but does not capture the subject', async () => {
    const sink = natsSink('LAKEGATE_EVENTS', 'elsewhere.events');
    const err = await sink.deliver(batch(keys(1), 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkError);
    expect((err as SinkError).code).toBe('ERR_SINK_REJECTED');
    expect((err as SinkError).message).toMatch(/no stream captures elsewhere\.events\.>/);
    await sink.close();
  });

  it('with create-stream false, rejects when the stream is missing', async () => {
    const sink = natsSink('MISSING', 'other.events', { 'create-stream': false });
    const err = await sink.deliver(batch(keys(1), 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SinkError);
    expect((err as SinkError).code).toBe('ERR_SINK_REJECTED');
    expect((err as SinkError).message).toMatch(/stream MISSING does not exist/);
    await sink.close();
  });
});

// --- through the outbox ---------------------------------------------------------------------------------------------

describe('through the outbox: a scripted PyIceberg session', () => {
  let server: ServerProcess;
  let token: string;
  beforeAll(async () => {
    // Backoff capped at 2 s so that a sink retries a few times during the outage below and soon after it.
    server = await startServer({ env: { LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '100', LAKEGATE_EVENT_SINK_MAX_BACKOFF_SECONDS: '2' } });
    token = await server.token();
  }, 10 * 60_000);
  afterAll(async () => server?.stop());

  const management = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${server.url}/management/v1${p}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  async function pyicebergSession(namespace: string): Promise<{ orders: string; items: string }> {
    const run = await runAsync(pyicebergPython(), [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_events.py')], {
      env: { ...process.env, CATALOG_URI: server.url, CATALOG_WAREHOUSE: 'default', CATALOG_CREDENTIAL: server.credential, NAMESPACE: namespace },
      timeoutMs: 5 * 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { orders: string; items: string };
  }

  type SinkState = { kind: string; state: string; pending: string; failures: number; delivered: string; config: { brokers?: string[] } };
  const sinkStates = async () => (await management('GET', '/warehouses/default/event-sinks')).body.sinks as SinkState[];

  async function pulled(): Promise<CloudEvent[]> {
    const out: CloudEvent[] = [];
    for (let after = '0'; ;) {
      const res = await management('GET', `/events?warehouse=default&after=${after}&limit=100`);
      expect(res.status).toBe(200);
      out.push(...res.body.events);
      after = res.body.next;
      if (!res.body.more) return out;
    }
  }

  it('every event reaches Kafka and NATS through the real outbox, in per-table order, as the pull API lists them', async () => {
    const kafkaSinkRes = await management('POST', '/warehouses/default/event-sinks', {
      kind: 'kafka',
      config: { brokers: [link.bootstrap], topic: TOPIC, 'client-id': 'lakegate-e2e' },
      from: 'beginning',
    });
    expect(kafkaSinkRes.status, JSON.stringify(kafkaSinkRes.body)).toBe(201);
    const natsSinkRes = await management('POST', '/warehouses/default/event-sinks', {
      kind: 'nats',
      config: { servers: [nats.url], stream: 'E2E', subject: 'e2e.events' },
      from: 'beginning',
    });
    expect(natsSinkRes.status, JSON.stringify(natsSinkRes.body)).toBe(201);
    // A credential goes in as the sink's secret (sealed, never shown again): Kafka over SASL/PLAIN, to a topic the broker creates.
    const saslSinkRes = await management('POST', '/warehouses/default/event-sinks', {
      kind: 'kafka',
      config: {
        brokers: [link.saslBootstrap],
        topic: 'lakegate.e2e-sasl',
        'auto-create-topic': true,
        sasl: { mechanism: 'plain', username: SASL_USER.username },
      },
      secret: SASL_USER.password,
      from: 'beginning',
    });
    expect(saslSinkRes.status, JSON.stringify(saslSinkRes.body)).toBe(201);
    expect(saslSinkRes.body.sink['has-secret']).toBe(true);
    expect(JSON.stringify(saslSinkRes.body)).not.toContain(SASL_USER.password);
    // A bad broker config is refused at the API with every bad field named.
    const bad = await management('POST', '/warehouses/default/event-sinks', { kind: 'kafka', config: { brokers: ['nohost'], topic: 'a b' } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/brokers\[0\]: must be host:port.*topic: must be/);

    const session = await pyicebergSession('e2e');

    const events = await pulled();
    const ofTable = (uuid: string) => events.filter((e) => e.partitionkey === uuid).map((e) => e.type);
    expect(ofTable(session.orders)).toEqual([
      'io.lakegate.table.created',
      'io.lakegate.table.committed',
      'io.lakegate.table.committed',
      'io.lakegate.table.committed',
      'io.lakegate.table.renamed',
    ]);
    expect(ofTable(session.items)).toEqual([
      'io.lakegate.table.created',
      'io.lakegate.table.committed',
      'io.lakegate.table.committed',
      'io.lakegate.table.committed',
      'io.lakegate.table.dropped',
    ]);

    // Every sink caught up with the warehouse's head (the SASL one too), and no view shows a secret.
    let sinks: Array<{ kind: string; state: string; pending: string; delivered: string }> = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      const listed = await management('GET', '/warehouses/default/event-sinks');
      expect(JSON.stringify(listed.body)).not.toContain(SASL_USER.password);
      sinks = listed.body.sinks;
      if (sinks.every((s) => s.pending === '0')) break;
    }
    expect(sinks).toHaveLength(3);
    for (const s of sinks) expect(s, JSON.stringify(sinks)).toMatchObject({ state: 'active', pending: '0', delivered: String(events.length) });

    // Kafka: every event, keyed by table, per-table order = the outbox's order.
    const fromKafka = await readKafka(kafka.bootstrap, TOPIC, new Set(events.map((e) => e.id)));
    for (const r of fromKafka) {
      expect(JSON.parse(r.body)).toEqual(events.find((e) => e.id === r.id));
      expect(r.headers['content-type']).toBe('application/cloudevents+json');
    }
    // (Bodies compared as objects above; expectComplete then checks ids, completeness and per-table order.)
    expectComplete(
      fromKafka.map((r) => ({ ...r, body: JSON.stringify(events.find((e) => e.id === r.id)) })),
      events,
    );

    // NATS: every event once (de-duplicated by Nats-Msg-Id), on <prefix>.<warehouse>.<table uuid>.
    let fromNats: NatsRecord[] = [];
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      fromNats = await readNats(await natsReader(), 'E2E', 'e2e.events').catch(() => []);
      if (fromNats.length >= events.length) break;
    }
    expect(fromNats).toHaveLength(events.length);
    for (const r of fromNats) {
      expect(JSON.parse(r.body)).toEqual(events.find((e) => e.id === r.id));
      expect(r.subject).toBe(`e2e.events.default.${r.key}`);
      expect(r.msgId).toBe(r.id);
    }
    expectComplete(
      fromNats.map((r) => ({ ...r, body: JSON.stringify(events.find((e) => e.id === r.id)) })),
      events,
    );

    expect(await server.settledOutput()).not.toContain(SASL_USER.password);
  });

  it('Kafka down for 20 s while PyIceberg commits: the Kafka sinks fall behind and retry, then catch up with nothing lost', async () => {
    const stoppedAt = Date.now();
    await link.cut();
    const session = await pyicebergSession('e2e_outage');
    const events = await pulled();
    // NATS keeps up; both Kafka sinks fail, retry, and hold their cursor.
    let states: SinkState[] = [];
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      states = await sinkStates();
      const kafkas = states.filter((s) => s.kind === 'kafka');
      if (kafkas.every((s) => s.failures >= 2 && Number(s.pending) > 0) && states.find((s) => s.kind === 'nats')!.pending === '0') break;
    }
    for (const s of states.filter((x) => x.kind === 'kafka')) expect(s).toMatchObject({ pending: expect.not.stringMatching(/^0$/) });
    expect(states.filter((s) => s.kind === 'kafka').every((s) => s.failures >= 2)).toBe(true);
    expect(states.find((s) => s.kind === 'nats')).toMatchObject({ pending: '0' });
    await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - stoppedAt))));
    await link.restore();
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 500))) {
      states = await sinkStates();
      if (states.every((s) => s.pending === '0')) break;
    }
    for (const s of states) expect(s, s.kind).toMatchObject({ state: 'active', pending: '0', failures: 0 });
    const outage = events.filter((e) => e.partitionkey === session.orders || e.partitionkey === session.items);
    expect(outage).toHaveLength(10);
    const fromKafka = await readKafka(kafka.bootstrap, TOPIC, new Set(events.map((e) => e.id)));
    for (const r of fromKafka) expect(JSON.parse(r.body)).toEqual(events.find((e) => e.id === r.id));
    expectComplete(
      fromKafka.map((r) => ({ ...r, body: JSON.stringify(events.find((e) => e.id === r.id)) })),
      events,
    );
  });
});

// --- credentials ------------------------------------------------------------------------------------------------

describe('credentials (the sink secret)', () => {
  const WRONG = 'wrong-password-4567';
  const cases = [
    {
      name: 'Kafka SASL/PLAIN',
      config: () => ({
        kind: 'kafka',
        brokers: [kafka.saslBootstrap!],
        topic: TOPIC,
        sasl: { mechanism: 'plain', username: SASL_USER.username },
        'timeout-ms': 5_000,
      }),
      password: SASL_USER.password,
      read: async (events: CloudEvent[]) => readKafka(kafka.bootstrap, TOPIC, new Set(events.map((e) => e.id))),
    },
    {
      name: 'NATS user and password',
      config: () => ({
        kind: 'nats',
        servers: [natsAuth.url],
        stream: 'AUTH',
        subject: 'auth.events',
        credentials: { type: 'user-password', user: NATS_USER.user },
        'timeout-ms': 3_000,
      }),
      password: NATS_USER.password,
      read: async () => {
        const nc = await connect({ servers: natsAuth.url, user: NATS_USER.user, pass: NATS_USER.password });
        try {
          return await readNats(nc, 'AUTH', 'auth.events');
        } finally {
          await nc.close();
        }
      },
    },
  ];

  for (const { name, config, password, read } of cases) {
    it(`${name}: delivers with the right password, is refused with a wrong one, and names neither`, async () => {
      const good = createBrokerSink(config(), { warehouse: WAREHOUSE, secret: password });
      const events = batch(keys(2), 2);
      await good.deliver(events);
      await good.close();
      expectComplete(await read(events), events);

      const bad = createBrokerSink(config(), { warehouse: WAREHOUSE, secret: WRONG });
      const err = await bad.deliver(batch(keys(1), 1)).catch((e: unknown) => e);
      await bad.close();
      expect(err).toBeInstanceOf(SinkError);
      expect((err as SinkError).code).toBe('ERR_SINK_REJECTED');
      expect((err as SinkError).message).not.toContain(WRONG);
      expect((err as SinkError).message).not.toContain(password);
    });
  }
});

// --- outages ----------------------------------------------------------------------------------------------------

// The two outage cases stay apart: after the restart the NATS one re-sends the batch already delivered too
// (the stream drops it by Nats-Msg-Id) and reads on a fresh connection; Kafka has no such de-duplication.
describe('outages', () => {
  it('NATS stopped: deliver() rejects within its bound; restarted: the same batch lands once per id', async () => {
    const sink = natsSink('OUTAGE', 'outage.events');
    const tables = keys(3);
    const before = batch(tables, 3);
    await sink.deliver(before);
    await nats.stop();
    const during = batch(tables, 3);
    const started = Date.now();
    const err = await sink.deliver(during).catch((e: unknown) => e);
    // Bounded: the sink's 3 s timeout, with room for a loaded machine (an unbounded call would hang until the test's timeout).
    expect(Date.now() - started).toBeLessThan(3_000 + 7_000);
    expect(err).toBeInstanceOf(SinkError);
    expect((err as SinkError).code).toBe('ERR_SINK_UNAVAILABLE');
    await nats.start();
    // The shared reader's connection went down with the server and may not have reconnected yet: read on a fresh one.
    await reader?.close();
    reader = undefined;
    // The outbox retries from its cursor: the failed batch, after the one already delivered again.
    await sink.deliver([...before, ...during]);
    await sink.close();
    const records = await readNats(await natsReader(), 'OUTAGE', 'outage.events');
    expect(records).toHaveLength(before.length + during.length);
    expectComplete(records, [...before, ...during]);
  });

  it('Kafka unreachable: deliver() rejects within its bound; reachable again: the same batch is delivered', async () => {
    const sink = kafkaSink(5_000);
    const tables = keys(3);
    const before = batch(tables, 3);
    await sink.deliver(before);
    await link.cut();
    const during = batch(tables, 3);
    const started = Date.now();
    const err = await sink.deliver(during).catch((e: unknown) => e);
    // Bounded: the sink's 5 s timeout, with room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5_000 + 7_000);
    expect(err).toBeInstanceOf(SinkError);
    expect((err as SinkError).code).toBe('ERR_SINK_UNAVAILABLE');
    await link.restore();
    await sink.deliver(during);
    await sink.close();
    expectComplete(await readKafka(kafka.bootstrap, TOPIC, new Set([...before, ...during].map((e) => e.id))), [...before, ...during]);
  });

  it('a 20 s Kafka outage in the middle of a stream of batches loses nothing and keeps per-key order', async () => {
    const sink = kafkaSink(3_000);
    const tables = keys(6);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // Like the outbox: batches keep coming (4 a second) while one loop delivers the oldest until it is acknowledged.
    const pending: CloudEvent[][] = [];
    let producing = true;
    let producedDuringOutage = 0;
    let down = false;
    const producer = (async () => {
      while (producing) {
        pending.push(batch(tables, 2));
        if (down) producedDuringOutage += 1;
        await sleep(250);
      }
    })();
    const outage = (async () => {
      await sleep(3_000);
      await link.cut();
      down = true;
      await sleep(20_000);
      down = false;
      await link.restore();
      await sleep(3_000);
      producing = false;
    })();
    const delivered: CloudEvent[] = [];
    let failures = 0;
    while (producing || pending.length > 0) {
      const next = pending[0];
      if (!next) {
        await sleep(50);
        continue;
      }
      try {
        await sink.deliver(next);
        pending.shift();
        delivered.push(...next);
      } catch (e) {
        expect((e as SinkError).code).toBe('ERR_SINK_UNAVAILABLE');
        failures += 1;
        await sleep(500);
      }
    }
    await Promise.all([producer, outage]);
    await sink.close();
    expect(failures).toBeGreaterThan(0);
    expect(producedDuringOutage).toBeGreaterThan(40);
    expectComplete(await readKafka(kafka.bootstrap, TOPIC, new Set(delivered.map((e) => e.id))), delivered);
  });
});

/**
 * The Kafka sink's producer against a real broker (Kafka 4.4.0, scripts/peers/kafka.sh) does not keep the event loop
 * busy between batches: kafkajs 2.2.4 re-armed a 1 ms timer per connection for as long as it was open (about 800
 * wake-ups a second; packages/server/src/events/kafkajs-request-queue.ts), which the sink module patches. Counted
 * here as the timers the process schedules while a connected sink is idle. And the patched queue still sends what
 * waits in it: batches given to one producer at once (one request in flight, the rest queued) all arrive.
 * test/support/event-readers.ts applies the same patch to the tests' own clients, so it is imported only after the
 * idle count, which thereby counts what loading the sink module did.
 */
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../packages/server/src/catalog/ports/event-sink.js';
import { createBrokerSink } from '../../packages/server/src/events/broker-sinks.js';
import { patchKafkajsRequestQueue } from '../../packages/server/src/events/kafkajs-request-queue.js';
import { type KafkaBroker, startKafka } from '../support/kafka.js';

const { Kafka, logLevel } = kafkajs;
const TOPIC = 'lakegate.timers';
const QUEUED_TOPIC = 'lakegate.timers.queued';

let kafka: KafkaBroker;

beforeAll(async () => {
  kafka = await startKafka({ shared: true });
  const admin = new Kafka({ brokers: [kafka.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [TOPIC, QUEUED_TOPIC].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })), waitForLeaders: true });
  await admin.disconnect();
}, 30 * 60_000);

afterAll(async () => {
  await kafka?.destroy();
});

/** setTimeout calls made (by anyone in this process) during `ms` of waiting. */
async function timersDuring(ms: number): Promise<number> {
  const original = globalThis.setTimeout;
  let count = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
    count++;
    return original(...args);
  }) as typeof setTimeout;
  try {
    await new Promise((resolve) => original(resolve, ms));
  } finally {
    globalThis.setTimeout = original;
  }
  return count;
}

let n = 0;
const event = (): CloudEvent => {
  n += 1;
  const key = randomUUID();
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'https://catalog.example.com/warehouses/lake.prod',
    type: 'io.lakegate.table.committed',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    partitionkey: key,
    sequence: String(n),
    data: { 'table-uuid': key },
  };
};

const sink = (topic = TOPIC) =>
  createBrokerSink({ kind: 'kafka', brokers: [kafka.bootstrap], topic, 'client-id': 'lakegate-timers', 'timeout-ms': 10_000 }, { warehouse: 'lake.prod' });

describe('Kafka sink producer timers', () => {
  it('schedules no timer while connected and idle between batches', async () => {
    const s = sink();
    await s.deliver([event(), event()]);
    // Unpatched, this counted about 800 a second (a 1 ms timer re-armed per connection).
    const idle = await timersDuring(1_000);
    await s.deliver([event()]);
    await s.close();
    expect(idle).toBeLessThan(20);
  }, 120_000);

  it('applies to the kafkajs version in use', () => {
    expect(patchKafkajsRequestQueue()).toBe(true);
  });

  it('still sends requests that waited in the queue', async () => {
    const { batch, expectComplete, keys, readKafka } = await import('../support/event-readers.js');
    const s = sink(QUEUED_TOPIC);
    const batches = Array.from({ length: 5 }, () => batch(keys(3), 4));
    // One request in flight per broker: the others wait in the connection's queue until the one before is answered.
    await Promise.all(batches.map((b) => s.deliver(b)));
    await s.close();
    const delivered: CloudEvent[] = batches.flat();
    expectComplete(await readKafka(kafka.bootstrap, QUEUED_TOPIC, new Set(delivered.map((e) => e.id))), delivered);
  }, 120_000);
});

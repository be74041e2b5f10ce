/**
 * Test data and readers for the event-sink tests (test/interop/event-sinks.test.ts): batches of CloudEvents over
 * several partition keys, the check that what a consumer got back is complete and in per-key order, and readers that
 * consume a Kafka topic (kafkajs, from the beginning) or a JetStream stream (an ordered consumer).
 */
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { expect } from 'vitest';
import type { CloudEvent } from '../../packages/server/src/catalog/ports/event-sink.js';
import { patchKafkajsRequestQueue } from '../../packages/server/src/events/kafkajs-request-queue.js';

const { Kafka, logLevel } = kafkajs;
// The tests' own kafkajs clients get the sink's patch too: no 1 ms timer per connection (and no TimeoutNegativeWarning).
patchKafkajsRequestQueue();

let sequence = 0;
/** A batch of `perKey` events for each key, interleaved (k1, k2, k3, k1, k2, ...), with increasing sequences. */
export function batch(keys: string[], perKey: number, warehouse = 'lake.prod'): CloudEvent[] {
  const events: CloudEvent[] = [];
  for (let i = 0; i < perKey; i++) {
    for (const key of keys) {
      sequence += 1;
      events.push({
        specversion: '1.0',
        id: randomUUID(),
        source: `https://catalog.example.com/warehouses/${encodeURIComponent(warehouse)}`,
        type: 'io.lakegate.table.committed',
        time: new Date().toISOString(),
        subject: `ns/t-${key.slice(0, 8)}`,
        datacontenttype: 'application/json',
        partitionkey: key,
        sequence: String(sequence),
        data: { 'table-uuid': key, 'snapshot-id': sequence },
      });
    }
  }
  return events;
}

export const keys = (n: number) => Array.from({ length: n }, () => randomUUID());

export interface Received {
  id: string;
  key: string;
  sequence: number;
  body: string;
}

/** Every id delivered is there; per key, the first occurrences come in sequence order; a repeated id has the same body. */
export function expectComplete(received: Received[], delivered: CloudEvent[]) {
  const byId = new Map(delivered.map((e) => [e.id, JSON.stringify(e)]));
  for (const r of received) {
    expect(byId.has(r.id), `unknown id ${r.id}`).toBe(true);
    expect(r.body).toBe(byId.get(r.id));
  }
  expect(new Set(received.map((r) => r.id)).size).toBe(delivered.length);
  const seen = new Set<string>();
  const lastByKey = new Map<string, number>();
  for (const r of received) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    expect(r.sequence, `key ${r.key} out of order`).toBeGreaterThan(lastByKey.get(r.key) ?? 0);
    lastByKey.set(r.key, r.sequence);
  }
}

export interface KafkaRecord extends Received {
  partition: number;
  headers: Record<string, string>;
}

/** Reads `topic` from the beginning (a fresh consumer group) until every id in `ids` was seen. */
export async function readKafka(bootstrap: string, topic: string, ids: Set<string>, timeoutMs = 90_000): Promise<KafkaRecord[]> {
  const consumer = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).consumer({ groupId: `test-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const records: KafkaRecord[] = [];
  const missing = new Set(ids);
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const body = message.value!.toString();
      const event = JSON.parse(body) as CloudEvent;
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
      records.push({ id: event.id, key: message.key!.toString(), sequence: Number(event.sequence), body, partition, headers });
      missing.delete(event.id);
      if (missing.size === 0) done();
    },
  });
  const timer = setTimeout(done, timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  expect(missing.size, `${missing.size} events never arrived`).toBe(0);
  return records.filter((r) => ids.has(r.id));
}

export interface NatsRecord extends Received {
  subject: string;
  msgId: string | undefined;
  contentType: string | undefined;
  streamSeq: number;
}

/** Reads the whole stream with an ordered consumer (filtered to `<prefix>.>`) over the connection `nc`. */
export async function readNats(nc: NatsConnection, stream: string, prefix: string): Promise<NatsRecord[]> {
  const jsm = await jetstreamManager(nc);
  const total = (await jsm.streams.info(stream)).state.messages;
  const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: [`${prefix}.>`] });
  const records: NatsRecord[] = [];
  const deadline = Date.now() + 30_000;
  while (records.length < total && Date.now() < deadline) {
    const messages = await consumer.fetch({ max_messages: total - records.length, expires: 2_000 });
    for await (const m of messages) {
      const event = m.json<CloudEvent>();
      records.push({
        id: event.id,
        key: event.partitionkey,
        sequence: Number(event.sequence),
        body: m.string(),
        subject: m.subject,
        msgId: m.headers?.get('Nats-Msg-Id'),
        contentType: m.headers?.get('Content-Type'),
        streamSeq: m.seq,
      });
    }
  }
  return records;
}

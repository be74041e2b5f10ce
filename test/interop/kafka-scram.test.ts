/**
 * The Kafka event sink over SASL/SCRAM-SHA-256 against a real broker (Kafka 4.4.0, KRaft, scripts/peers/kafka.sh: the
 * run's shared multi-listener broker), to which this file adds a user of its own at run time (the Admin API's
 * alterUserScramCredentials, `kafka.sh scram-user`; the broker then describes it): with the
 * right password (the sink's sealed secret) every event lands, read back by a consumer on the plain listener; with a
 * wrong one deliver() is refused as ERR_SINK_REJECTED, and neither password appears in the error.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SinkError, createBrokerSink } from '../../packages/server/src/events/broker-sinks.js';
import { batch, expectComplete, keys, readKafka } from '../support/event-readers.js';
import { type KafkaBroker, startKafka } from '../support/kafka.js';

const USER = { username: 'lakegate-scram', password: 'scram-secret-0123456789' };
let kafka: KafkaBroker;

beforeAll(async () => {
  kafka = await startKafka({ shared: true });
  await kafka.addScramUser!(USER);
}, 30 * 60_000);
afterAll(async () => kafka?.destroy());

const sink = (password: string) =>
  createBrokerSink(
    {
      kind: 'kafka',
      brokers: [kafka.saslBootstrap!],
      topic: 'lakegate.scram',
      'auto-create-topic': true,
      sasl: { mechanism: 'scram-sha-256', username: USER.username },
      'timeout-ms': 10_000,
    },
    { warehouse: 'lake', secret: password },
  );

it('delivers over SCRAM-SHA-256 with the right password, is refused with a wrong one, and names neither', async () => {
  const good = sink(USER.password);
  const events = batch(keys(3), 3);
  await good.deliver(events);
  await good.close();
  expectComplete(await readKafka(kafka.bootstrap, 'lakegate.scram', new Set(events.map((e) => e.id))), events);

  const bad = sink('wrong-password-4567');
  const err = await bad.deliver(batch(keys(1), 1)).catch((e: unknown) => e);
  await bad.close();
  expect(err).toBeInstanceOf(SinkError);
  expect((err as SinkError).code).toBe('ERR_SINK_REJECTED');
  expect((err as SinkError).message).not.toContain('wrong-password-4567');
  expect((err as SinkError).message).not.toContain(USER.password);
});

/**
 * A Kafka 4.4.0 broker for the event benchmarks (scripts/peers/kafka.sh, KRaft, one node on 127.0.0.1) with one topic
 * of 3 partitions and a kafkajs consumer reading it from the beginning: `onEvent(event, arrivedAtMs)` per record
 * (the parsed CloudEvent). The broker is stopped at exit, or by close().
 */
import fs from 'node:fs';
import path from 'node:path';
import { freePort, onExit, peer } from './proc.mjs';

export async function startKafkaTopic(dir, topic, onEvent) {
  const { default: kafkajs } = await import('kafkajs');
  const [port, controller] = [await freePort(), await freePort()];
  const kafkaDir = path.join(dir, 'kafka');
  const bootstrap = peer('kafka.sh', ['start', kafkaDir, String(port), String(controller)]);
  let stopped = false;
  const stop = () => {
    if (!stopped) peer('kafka.sh', ['stop', kafkaDir]);
    stopped = true;
  };
  onExit(stop);
  const client = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const consumer = client.consumer({ groupId: `bench-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => onEvent(JSON.parse(message.value.toString()), Date.now()) });
  return {
    bootstrap,
    /** The broker's JVM (for its CPU time). */
    pid: Number(fs.readFileSync(path.join(kafkaDir, 'kafka.pid'), 'utf8')),
    async close() {
      await consumer.disconnect().catch(() => undefined);
      stop();
    },
  };
}

/**
 * A Kafka 4.4.0 broker for the event benchmarks (scripts/peers/kafka.sh, KRaft, one node on 127.0.0.1) with one topic
 * of 3 partitions and a kafkajs consumer reading it from the beginning: `onEvent(event, arrivedAtMs)` per record
 * (the parsed CloudEvent). The broker is stopped at exit, or by close().
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, onExit, peer } from './proc.mjs';

/**
 * With `onEvent` absent, the consumer runs in a child process (kafka-arrivals-child.mjs) and `lags(from, to)` answers the
 * delivery lags (arrival minus event time, ms) of the table commit events timed within [from, to].
 */
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
  const pid = Number(fs.readFileSync(path.join(kafkaDir, 'kafka.pid'), 'utf8'));
  if (!onEvent) {
    const child = fork(fileURLToPath(new URL('./kafka-arrivals-child.mjs', import.meta.url)), [bootstrap, topic], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    onExit(() => child.kill());
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`the arrivals consumer exited (${code})`)));
    });
    let next = 0;
    const waiting = new Map();
    child.on('message', (m) => {
      if (m.type === 'lags') waiting.get(m.id)?.(m.lags);
      waiting.delete(m.id);
    });
    return {
      bootstrap,
      pid,
      /** The consumer's process (its CPU is neither the server's nor the load generator's). */
      consumerPid: child.pid,
      lags: (from, to) =>
        new Promise((resolve) => {
          const id = next++;
          waiting.set(id, resolve);
          child.send({ type: 'lags', id, from, to });
        }),
      async close() {
        child.send({ type: 'stop' });
        stop();
      },
    };
  }
  const consumer = client.consumer({ groupId: `bench-${topic}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => onEvent(JSON.parse(message.value.toString()), Date.now()) });
  return {
    bootstrap,
    /** The broker's JVM (for its CPU time). */
    pid,
    async close() {
      await consumer.disconnect().catch(() => undefined);
      stop();
    },
  };
}

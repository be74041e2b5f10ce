/**
 * A kafkajs consumer in a process of its own, for bench/events-ab.mjs: it reads the topic from the beginning and keeps,
 * per committed-table event, its arrival time and the event's `time`, and answers the parent's questions over IPC
 * ("the lags of the events timed within [from, to]"). Out of the load generator's process, so consuming a thousand
 * records a second does not delay the commits the load generator is timing (it did: B's commit p99 counted the
 * consumer's work in the same event loop).
 *
 *   node bench/lib/kafka-arrivals-child.mjs BOOTSTRAP TOPIC   (started by kafka-broker.mjs startArrivalsChild)
 */
const [bootstrap, topic] = process.argv.slice(2);
const { default: kafkajs } = await import('kafkajs');
const client = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
const consumer = client.consumer({ groupId: `bench-arrivals-${topic}` });
/** [arrived at, event time] of each table commit event, in arrival order. */
const arrivals = [];
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const event = JSON.parse(message.value.toString());
    if (event.type === 'io.lakegate.table.committed') arrivals.push([Date.now(), Date.parse(event.time)]);
  },
});
process.on('message', (m) => {
  if (m.type === 'lags') {
    const lags = arrivals.filter(([, time]) => time >= m.from && time <= m.to).map(([at, time]) => at - time);
    process.send({ type: 'lags', id: m.id, lags });
  } else if (m.type === 'stop') {
    consumer.disconnect().finally(() => process.exit(0));
  }
});
process.send({ type: 'ready' });

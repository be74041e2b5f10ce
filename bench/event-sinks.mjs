// Benchmark: the broker event sinks on their own (no catalog, no outbox). deliver() of batches of CloudEvents (the
// delivery loop's batch size, spread over 50 partition keys) to a real Kafka 4.4.0 (KRaft, one node) and a real
// nats-server 2.15.2 (JetStream, file store), both on 127.0.0.1 and started through scripts/peers/. Reports per batch
// size: events/s and the p50/p99 time of one deliver() (until the broker acknowledged every event of the batch), one
// deliver() at a time as the outbox does. Needs the built server (npm run build).
// Usage: node bench/event-sinks.mjs [--seconds N] [--sizes 1,10,100]. Prints a Markdown table.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { benchFlag } from './lib/args.mjs';
import { quantile } from './lib/load.mjs';
import { freePort, peer, REPO_ROOT, tempDir } from './lib/proc.mjs';

const SECONDS = Number(benchFlag('--seconds', '5'));
const SIZES = benchFlag('--sizes', '1,10,100').split(',').map(Number);
const KEYS = Array.from({ length: 50 }, () => randomUUID());

const { createBrokerSink } = await import(path.join(REPO_ROOT, 'packages/server/dist/events/broker-sinks.js'));
const { default: kafkajs } = await import('kafkajs');

let sequence = 0;
function batch(size) {
  return Array.from({ length: size }, () => {
    sequence += 1;
    const key = KEYS[sequence % KEYS.length];
    return {
      specversion: '1.0',
      id: randomUUID(),
      source: 'https://catalog.example.com/warehouses/lake',
      type: 'io.lakegate.table.committed',
      time: new Date().toISOString(),
      subject: 'ns/t',
      datacontenttype: 'application/json',
      partitionkey: key,
      sequence: String(sequence),
      data: { 'table-uuid': key, 'snapshot-id': sequence, operation: 'append', summary: { 'added-records': '100', 'added-data-files': '1' } },
    };
  });
}

async function measure(sink, size) {
  for (let i = 0; i < 20; i++) await sink.deliver(batch(size)); // warm-up
  const times = [];
  let events = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    const b = batch(size);
    const t = performance.now();
    await sink.deliver(b);
    times.push(performance.now() - t);
    events += size;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { rate: events / elapsed, p50: quantile(times, 50), p99: quantile(times, 99) };
}

const dir = tempDir('lakegate-bench-sinks-');
const rows = [];
try {
  const [kp, kc, np] = [await freePort(), await freePort(), await freePort()];
  const bootstrap = peer('kafka.sh', ['start', path.join(dir, 'kafka'), String(kp), String(kc)]);
  const natsUrl = peer('nats.sh', ['start', path.join(dir, 'nats'), String(np)]);
  const admin = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'bench', numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const sinks = {
    kafka: createBrokerSink({ kind: 'kafka', brokers: [bootstrap], topic: 'bench' }, { warehouse: 'lake' }),
    nats: createBrokerSink({ kind: 'nats', servers: [natsUrl], stream: 'BENCH', subject: 'bench' }, { warehouse: 'lake' }),
  };
  for (const size of SIZES) {
    for (const [kind, sink] of Object.entries(sinks)) {
      const r = await measure(sink, size);
      rows.push(`| ${kind} | ${size} | ${Math.round(r.rate).toLocaleString('en-US')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`);
      process.stderr.write(`${kind} batch ${size}: ${Math.round(r.rate)} events/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms\n`);
    }
  }
  await Promise.all(Object.values(sinks).map((s) => s.close()));
} finally {
  for (const script of ['kafka.sh', 'nats.sh']) {
    try {
      peer(script, ['stop', path.join(dir, script.replace('.sh', ''))]);
    } catch {}
  }
}
console.log(`| sink | events per deliver() | events/s | p50 ms | p99 ms |\n|---|---|---|---|---|\n${rows.join('\n')}`);

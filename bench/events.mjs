// Benchmark: the cost of change events on commits, and delivery lag (issue 38). One Lakegate process (--workers 1,
// SQLite, or PostgreSQL with --database URL, authentication off) and a local webhook receiver (node:http answering
// 204). Two runs on fresh data dirs: without a sink (every commit still writes its outbox row: that is not optional)
// and with a webhook sink delivering every event. Each run: C closed-loop writers, each committing property updates
// to its own table for S seconds. Prints commits/s, p50/p99 commit latency, and for the sink run the delivery lag
// (receiver arrival minus the event's commit time) p50/p99 and how many events arrived.
// --sink kafka or --sink nats measures a broker sink instead of the webhook: a real Kafka 4.4.0 or nats-server 2.15.2
// started through scripts/peers/, the lag read by a consumer (kafkajs from the topic's beginning; a JetStream ordered
// consumer).
// Usage: node bench/events.mjs [--seconds 10] [--writers 16] [--database postgres://…] [--sink webhook|kafka|nats]
import { createServer } from 'node:http';
import path from 'node:path';
import { benchFlag } from './lib/args.mjs';
import { startKafkaTopic } from './lib/kafka-broker.mjs';
import { quantile } from './lib/load.mjs';
import { freePort, peer, stopChild, tempDir } from './lib/proc.mjs';
import { idSchema } from './lib/seed.mjs';
import { sendJson, startLakegate } from './lib/servers.mjs';

const SECONDS = Number(benchFlag('--seconds', '10'));
const WRITERS = Number(benchFlag('--writers', '16'));
const DATABASE = benchFlag('--database', undefined);
const SINK = benchFlag('--sink', 'webhook');
if (!['webhook', 'kafka', 'nats'].includes(SINK)) throw new Error('--sink must be webhook, kafka or nats');

function startReceiver() {
  const lags = [];
  let count = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      lags.push(Date.now() - Date.parse(event.time));
      count += 1;
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${server.address().port}/hook`, lags, count: () => count, close: () => server.close() }),
    ),
  );
}

/** A broker and a consumer of what the sink delivers, in the receiver's shape (url is the sink's config). */
async function startBrokerReceiver(kind, dir) {
  const lags = [];
  let count = 0;
  const arrived = (event) => {
    lags.push(Date.now() - Date.parse(event.time));
    count += 1;
  };
  if (kind === 'kafka') {
    const kafka = await startKafkaTopic(dir, 'bench', arrived);
    return { config: { kind: 'kafka', config: { brokers: [kafka.bootstrap], topic: 'bench' } }, lags, count: () => count, close: () => kafka.close() };
  }
  const { connect } = await import('@nats-io/transport-node');
  const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
  const natsUrl = peer('nats.sh', ['start', path.join(dir, 'nats'), String(await freePort())]);
  const nc = await connect({ servers: natsUrl });
  await (await jetstreamManager(nc)).streams.add({ name: 'BENCH', subjects: ['bench.>'] });
  const messages = await (await jetstream(nc).consumers.get('BENCH')).consume();
  (async () => {
    for await (const m of messages) arrived(m.json());
  })();
  return {
    config: { kind: 'nats', config: { servers: [natsUrl], stream: 'BENCH', subject: 'bench' } },
    lags,
    count: () => count,
    close: async () => {
      await nc.close();
      peer('nats.sh', ['stop', path.join(dir, 'nats')]);
    },
  };
}

async function run(withSink) {
  const dir = tempDir('lakegate-bench-events-');
  const { url, child } = await startLakegate({ auth: 'disabled', dataDir: dir, database: DATABASE, env: { LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50' } });
  const receiver = !withSink ? undefined : SINK === 'webhook' ? await startReceiver() : await startBrokerReceiver(SINK, dir);
  try {
    const ns = `b${Date.now()}`;
    await sendJson('POST', `${url}/v1/default/namespaces`, { namespace: [ns] });
    for (let w = 0; w < WRITERS; w++) await sendJson('POST', `${url}/v1/default/namespaces/${ns}/tables`, { name: `t${w}`, schema: idSchema() });
    if (receiver)
      await sendJson('POST', `${url}/management/v1/warehouses/default/event-sinks`, receiver.config ?? { kind: 'webhook', config: { url: receiver.url } });
    const latencies = [];
    const end = Date.now() + SECONDS * 1000;
    let commits = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; Date.now() < end; i++) {
          const t0 = performance.now();
          await sendJson('POST', `${url}/v1/default/namespaces/${ns}/tables/t${w}`, {
            requirements: [],
            updates: [{ action: 'set-properties', updates: { k: String(i) } }],
          });
          latencies.push(performance.now() - t0);
          commits += 1;
        }
      }),
    );
    const elapsed = SECONDS;
    let delivered;
    if (receiver) {
      // Let delivery finish the backlog.
      const expected = commits;
      for (let i = 0; i < 600 && receiver.count() < expected; i++) await new Promise((r) => setTimeout(r, 100));
      delivered = receiver.count();
    }
    return {
      commits,
      rate: commits / elapsed,
      p50: quantile(latencies, 50),
      p99: quantile(latencies, 99),
      lagP50: receiver && quantile(receiver.lags, 50),
      lagP99: receiver && quantile(receiver.lags, 99),
      delivered,
    };
  } finally {
    await stopChild(child);
    await receiver?.close();
  }
}

const off = await run(false);
const on = await run(true);
const f = (v) => (v === undefined ? '' : v.toFixed(1));
console.log(`| events | commits/s | p50 ms | p99 ms | delivery lag p50 ms | delivery lag p99 ms | events delivered |`);
console.log(`|---|---|---|---|---|---|---|`);
console.log(`| outbox only, no sink | ${f(off.rate)} | ${f(off.p50)} | ${f(off.p99)} | | | |`);
console.log(`| ${SINK} sink | ${f(on.rate)} | ${f(on.p50)} | ${f(on.p99)} | ${f(on.lagP50)} | ${f(on.lagP99)} | ${on.delivered} |`);
console.log(
  `\n${WRITERS} writers, ${SECONDS} s each, ${DATABASE ? 'PostgreSQL' : 'SQLite'}, cost of the sink: ${(((off.rate - on.rate) / off.rate) * 100).toFixed(1)}% throughput`,
);

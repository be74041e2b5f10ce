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
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as netServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const SECONDS = Number(arg('--seconds', '10'));
const WRITERS = Number(arg('--writers', '16'));
const DATABASE = arg('--database', undefined);
const SINK = arg('--sink', 'webhook');
if (!['webhook', 'kafka', 'nats'].includes(SINK)) throw new Error('--sink must be webhook, kafka or nats');

const freePort = () =>
  new Promise((resolve) => {
    const s = netServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function startLakegate(dir) {
  const port = await freePort();
  const args = [path.join(ROOT, 'packages/cli/bin/lakegate.js'), 'serve', '--port', String(port), '--data-dir', dir, '--workers', '1'];
  if (DATABASE) args.push('--database', DATABASE);
  const env = { ...process.env, LAKEGATE_LOG_LEVEL: 'warn', LAKEGATE_AUTH: 'disabled', LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '50' };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`lakegate did not start:\n${err}`);
}

async function call(method, url, body) {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const quantile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};

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
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/hook`, lags, count: () => count, close: () => server.close() })));
}

function peer(script, args) {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts/peers', script), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${script} ${args[0]} failed`);
  return r.stdout.trim().split('\n').at(-1).trim();
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
    const { default: kafkajs } = await import('kafkajs');
    const [port, controller] = [await freePort(), await freePort()];
    const bootstrap = peer('kafka.sh', ['start', path.join(dir, 'kafka'), String(port), String(controller)]);
    const client = new kafkajs.Kafka({ brokers: [bootstrap], logLevel: kafkajs.logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'bench', numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const consumer = client.consumer({ groupId: 'bench' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'bench', fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => arrived(JSON.parse(message.value.toString())) });
    return {
      config: { kind: 'kafka', config: { brokers: [bootstrap], topic: 'bench' } },
      lags,
      count: () => count,
      close: async () => {
        await consumer.disconnect();
        peer('kafka.sh', ['stop', path.join(dir, 'kafka')]);
      },
    };
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
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-bench-events-'));
  const { url, child } = await startLakegate(dir);
  const receiver = !withSink ? undefined : SINK === 'webhook' ? await startReceiver() : await startBrokerReceiver(SINK, dir);
  try {
    const ns = `b${Date.now()}`;
    await call('POST', `${url}/v1/default/namespaces`, { namespace: [ns] });
    const simpleSchema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
    for (let w = 0; w < WRITERS; w++) await call('POST', `${url}/v1/default/namespaces/${ns}/tables`, { name: `t${w}`, schema: simpleSchema });
    if (receiver) await call('POST', `${url}/management/v1/warehouses/default/event-sinks`, receiver.config ?? { kind: 'webhook', config: { url: receiver.url } });
    const latencies = [];
    const end = Date.now() + SECONDS * 1000;
    let commits = 0;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        for (let i = 0; Date.now() < end; i++) {
          const t0 = performance.now();
          await call('POST', `${url}/v1/default/namespaces/${ns}/tables/t${w}`, { requirements: [], updates: [{ action: 'set-properties', updates: { k: String(i) } }] });
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
    return { commits, rate: commits / elapsed, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), lagP50: receiver && quantile(receiver.lags, 0.5), lagP99: receiver && quantile(receiver.lags, 0.99), delivered };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const off = await run(false);
const on = await run(true);
const f = (v) => (v === undefined ? '' : v.toFixed(1));
console.log(`| events | commits/s | p50 ms | p99 ms | delivery lag p50 ms | delivery lag p99 ms | events delivered |`);
console.log(`|---|---|---|---|---|---|---|`);
console.log(`| outbox only, no sink | ${f(off.rate)} | ${f(off.p50)} | ${f(off.p99)} | | | |`);
console.log(`| ${SINK} sink | ${f(on.rate)} | ${f(on.p50)} | ${f(on.p99)} | ${f(on.lagP50)} | ${f(on.lagP99)} | ${on.delivered} |`);
console.log(`\n${WRITERS} writers, ${SECONDS} s each, ${DATABASE ? 'PostgreSQL' : 'SQLite'}, cost of the sink: ${(((off.rate - on.rate) / off.rate) * 100).toFixed(1)}% throughput`);

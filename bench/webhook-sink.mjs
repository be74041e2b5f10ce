// Benchmark: the webhook sink's cost per event on its own (no catalog, no outbox), with and without the destination
// rule checked at every connection (events/guarded-connect.ts), beside a baseline of the same signed POSTs sent with
// fetch (what the sink used before it moved to node:http for the `lookup` hook). A receiver in a child process answers
// 204 on 127.0.0.1; the guarded sink names a host that the injected resolver answers with 127.0.0.1, inside the
// operator's listed network. Reports CPU time of this process per event (process.cpuUsage, user+system) and
// events/s, rounds interleaved so load drifts hit every variant alike. Needs the built server (npm run build).
// Usage: node bench/webhook-sink.mjs [--events N] [--rounds R] [--batch B]. Prints a Markdown table.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { benchFlag } from './lib/args.mjs';
import { REPO_ROOT } from './lib/proc.mjs';

const EVENTS = Number(benchFlag('--events', '2000'));
const ROUNDS = Number(benchFlag('--rounds', '3'));
const BATCH = Number(benchFlag('--batch', '100'));

const { WebhookSink, signWebhook } = await import(path.join(REPO_ROOT, 'packages/server/dist/events/webhook-sink.js'));
const { parseNetworks } = await import(path.join(REPO_ROOT, 'packages/server/dist/catalog/outbox/sink-destinations.js'));

const RECEIVER = `
const http = require('node:http');
const s = http.createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(204).end()); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.send(s.address().port));
`;
const child = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const port = await new Promise((resolve) => child.once('message', resolve));
const SECRET = `whsec_${Buffer.from('bench-webhook-key-0123456789abcdef').toString('base64')}`;

let sequence = 0;
const batch = () =>
  Array.from({ length: BATCH }, () => {
    sequence += 1;
    const key = randomUUID();
    return {
      specversion: '1.0',
      id: randomUUID(),
      source: 'https://c.example.com/warehouses/lake',
      type: 'io.lakegate.table.committed',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      partitionkey: key,
      sequence: String(sequence),
      data: { 'table-uuid': key, 'snapshot-id': sequence },
    };
  });

/** The pre-change sink's request, per event: fetch with the same headers and body. */
const fetchSink = (url) => ({
  async deliver(events) {
    for (const event of events) {
      const body = JSON.stringify(event);
      const ts = Math.floor(Date.now() / 1000);
      const r = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          'webhook-id': event.id,
          'webhook-timestamp': String(ts),
          'webhook-signature': signWebhook(SECRET, event.id, ts, body),
        },
        body,
        redirect: 'manual',
      });
      await r.body?.cancel();
      if (r.status !== 204) throw new Error(`HTTP ${r.status}`);
    }
  },
  async close() {},
});

const variants = {
  'fetch (before)': () => fetchSink(`http://127.0.0.1:${port}/hook`),
  'node:http, any destination': () => new WebhookSink({ url: `http://127.0.0.1:${port}/hook`, secret: SECRET }),
  'node:http, rule checked per connection': () =>
    new WebhookSink({
      url: `http://hook.bench.test:${port}/hook`,
      secret: SECRET,
      guard: { networks: parseNetworks('127.0.0.1/32'), resolve: async () => ['127.0.0.1'] },
    }),
};

const totals = Object.fromEntries(Object.keys(variants).map((k) => [k, { cpu: 0, wall: 0, events: 0 }]));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, make] of Object.entries(variants)) {
      const sink = make();
      await sink.deliver(batch()); // warm-up (first connection)
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let sent = 0; sent < EVENTS; sent += BATCH) await sink.deliver(batch());
      const cpu = process.cpuUsage(cpu0);
      totals[name].wall += performance.now() - t0;
      totals[name].cpu += (cpu.user + cpu.system) / 1000;
      totals[name].events += EVENTS;
      await sink.close();
    }
  }
} finally {
  child.kill();
}
const base = totals['fetch (before)'].cpu / totals['fetch (before)'].events;
console.log(`| webhook sink (${ROUNDS}×${EVENTS} events, batches of ${BATCH}) | CPU µs/event | vs fetch | events/s |`);
console.log('|---|---|---|---|');
for (const [name, t] of Object.entries(totals)) {
  const perEvent = t.cpu / t.events;
  console.log(`| ${name} | ${(perEvent * 1000).toFixed(0)} | ${(perEvent / base).toFixed(2)}× | ${Math.round(t.events / (t.wall / 1000))} |`);
}

// Benchmark: what telling a consumer its cursor expired costs (issue 38). On SQLite (a fresh temporary database):
//  - the pull: a page of 100 events (KyselyOutbox.list, what every pull reads) against the retention watermark's read
//    (KyselyOutbox.deletedThrough, a primary-key lookup in event_retention), which a pull pays only when its page has
//    a gap or is empty below the head; CPU microseconds per call (process.cpuUsage) and their ratio;
//  - the sweep: deleting E old events spread over S streams with one DELETE statement (the sweep before the watermark)
//    against KyselyOutbox.deleteBefore (one transaction: max per stream, a delete bounded by it per stream, the
//    watermark upserts); CPU microseconds per deleted event, same data, same run.
// Needs the server built (`npx tsc -b packages/server`).
// Usage: node packages/server/bench/event-cursor.mjs [--events 20000] [--streams 20] [--n 2000] [--rounds 3]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteCatalogStore } from '../dist/persistence/sqlite/sqlite-store.js';

const flag = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const EVENTS = Number(flag('--events', '20000'));
const STREAMS = Number(flag('--streams', '20'));
const N = Number(flag('--n', '2000'));
const ROUNDS = Number(flag('--rounds', '3'));

const event = (warehouse, timeMs) => ({
  id: randomUUID(),
  warehouse,
  type: 'io.lakegate.table.committed',
  subject: 'ns/t',
  partitionKey: 'uuid-1',
  timeMs,
  data: { warehouse, namespace: ['ns'], name: 't' },
});

async function fresh(name) {
  const dir = mkdtempSync(path.join(tmpdir(), `lakegate-bench-event-cursor-${name}-`));
  const store = new SqliteCatalogStore(path.join(dir, 'bench.sqlite'));
  await store.migrate();
  return { store, close: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
}

/** E events over S streams, old (time 1000) and then new (time 10^12), half each. */
async function fill(store) {
  for (let i = 0; i < EVENTS; i += 500) {
    const batch = Array.from({ length: Math.min(500, EVENTS - i) }, (_, j) => event(`w${(i + j) % STREAMS}`, i + j < EVENTS / 2 ? 1_000 : 1e12));
    await store.transaction((repo) => repo.appendEvents(batch));
  }
}

async function cpuPer(n, fn) {
  for (let i = 0; i < 100; i += 1) await fn(i);
  const start = process.cpuUsage();
  for (let i = 0; i < n; i += 1) await fn(i);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const out = [];
for (let r = 0; r < ROUNDS; r += 1) {
  // The pull.
  const a = await fresh('pull');
  await fill(a.store);
  const perStream = EVENTS / STREAMS;
  const page = await cpuPer(N, async () => {
    const got = await a.store.outbox.list('w0', Math.floor(Math.random() * (perStream - 100)), 100);
    if (got.length !== 100) throw new Error(`expected a full page, got ${got.length}`);
  });
  await a.store.outbox.deleteBefore(2_000);
  const watermark = await cpuPer(N, async () => {
    if ((await a.store.outbox.deletedThrough('w0')) <= 0) throw new Error('expected a watermark');
  });
  await a.close();

  // The sweep: the same data deleted the old way (one statement) and the new way.
  const b = await fresh('sweep-bare');
  await fill(b.store);
  let start = process.cpuUsage();
  const bareDeleted = Number((await b.store.db.deleteFrom('event_outbox').where('time', '<', 2_000).executeTakeFirst()).numDeletedRows);
  let used = process.cpuUsage(start);
  const bare = (used.user + used.system) / bareDeleted;
  await b.close();
  const c = await fresh('sweep-watermark');
  await fill(c.store);
  start = process.cpuUsage();
  const deleted = await c.store.outbox.deleteBefore(2_000);
  used = process.cpuUsage(start);
  const sweep = (used.user + used.system) / deleted;
  if (deleted !== bareDeleted || deleted !== EVENTS / 2) throw new Error(`deleted ${deleted} and ${bareDeleted}, expected ${EVENTS / 2}`);
  await c.close();
  out.push({ round: r + 1, page, watermark, bare, sweep });
}
for (const o of out) {
  console.log(
    `round ${o.round}: page of 100 ${o.page.toFixed(0)} µs CPU, watermark read ${o.watermark.toFixed(1)} µs CPU (${((o.watermark / o.page) * 100).toFixed(1)} % of a page); ` +
      `sweep of ${EVENTS / 2} events over ${STREAMS} streams: one DELETE ${o.bare.toFixed(2)} µs CPU/event, with the watermark ${o.sweep.toFixed(2)} µs CPU/event (ratio ${(o.sweep / o.bare).toFixed(2)})`,
  );
}

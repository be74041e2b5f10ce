// Benchmark: what the pending-intent hold costs a read of the outbox (issue 38). On SQLite (a fresh temporary
// database) with E events in one stream, R rounds of N pages of 100 events after random cursors, read with
// the outbox query without and with the hold condition (KyselyOutbox.list lists only below the lowest sequence a
// pending event intent holds: a subquery on event_intents' (stream, sequence) index), rows not parsed, and with
// KyselyOutbox.list itself (rows parsed into events). Prints CPU microseconds per page (process.cpuUsage) and the
// ratio of the two queries, in the same run.
// Needs the server built (`npx tsc -b packages/server`).
// Usage: node packages/server/bench/outbox-hold.mjs [--events 20000] [--n 2000] [--rounds 3]
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { SqliteCatalogStore } from '../dist/persistence/sqlite/sqlite-store.js';

const flag = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const EVENTS = Number(flag('--events', '20000'));
const N = Number(flag('--n', '2000'));
const ROUNDS = Number(flag('--rounds', '3'));
const dir = mkdtempSync(path.join(tmpdir(), 'lakegate-bench-outbox-hold-'));
const store = new SqliteCatalogStore(path.join(dir, 'bench.sqlite'));
await store.migrate();
const event = () => ({
  id: randomUUID(),
  warehouse: 'w',
  type: 'io.lakegate.table.committed',
  subject: 'ns/t',
  partitionKey: 'uuid-1',
  timeMs: Date.now(),
  data: { warehouse: 'w', namespace: ['ns'], name: 't' },
});
for (let i = 0; i < EVENTS; i += 500) await store.transaction((repo) => repo.appendEvents(Array.from({ length: Math.min(500, EVENTS - i) }, event)));
// Other streams' intents pending (a tenant's), so the subquery has rows to skip by its index.
for (let i = 0; i < 20; i += 1)
  await store.eventIntents.saveIntent({ id: randomUUID(), createdAtMs: Date.now(), events: [{ ...event(), warehouse: 'tenant/acme' }], writes: [] });
const db = store.db;
const bare = async (after) =>
  (await db.selectFrom('event_outbox').selectAll().where('warehouse', '=', 'w').where('sequence', '>', after).orderBy('sequence').limit(100).execute()).length;
// The same query with KyselyOutbox.list's condition (kysely-outbox.ts heldFrom); neither parses the rows.
const heldFrom = sql`(select min(i.sequence) from event_intents i where i.stream = ${'w'})`;
const held = async (after) =>
  (
    await db
      .selectFrom('event_outbox')
      .selectAll()
      .where('warehouse', '=', 'w')
      .where('sequence', '>', after)
      .where(sql`(${heldFrom} is null or sequence < ${heldFrom})`)
      .orderBy('sequence')
      .limit(100)
      .execute()
  ).length;
const listed = async (after) => (await store.outbox.list('w', after, 100)).length;
async function cpuPerPage(read) {
  let rows = 0;
  for (let i = 0; i < 200; i += 1) rows += await read(Math.floor(Math.random() * (EVENTS - 100)));
  const start = process.cpuUsage();
  for (let i = 0; i < N; i += 1) rows += await read(Math.floor(Math.random() * (EVENTS - 100)));
  const used = process.cpuUsage(start);
  if (rows !== (N + 200) * 100) throw new Error(`expected full pages, got ${rows}`);
  return (used.user + used.system) / N;
}
const out = [];
for (let r = 0; r < ROUNDS; r += 1) out.push({ round: r + 1, bare: await cpuPerPage(bare), held: await cpuPerPage(held), listed: await cpuPerPage(listed) });
await sql`select 1`.execute(db);
await store.close();
rmSync(dir, { recursive: true, force: true });
for (const o of out)
  console.log(
    `round ${o.round}: page of 100 rows without the hold ${o.bare.toFixed(0)} µs CPU, with it ${o.held.toFixed(0)} µs CPU (ratio ${(o.held / o.bare).toFixed(2)}); KyselyOutbox.list with the events parsed ${o.listed.toFixed(0)} µs CPU`,
  );

// Benchmark: what handing committed changes to the ChangeListener costs (issue 56). On SQLite (a fresh temporary
// database), CPU microseconds per transaction (process.cpuUsage), alternating in each round:
//  - an empty transaction;
//  - the same with what every outbox write now adds: noting its events on the transaction's connection
//    (noteOutboxWrite) and, after COMMIT, the handover to the listener (one that only counts);
//  - for scale, a transaction that writes one outbox event (reserve its sequence, insert it, note it, hand it over).
// Needs the server built (`npx tsc -b packages/server`).
// Usage: node packages/server/bench/change-listener.mjs [--n 3000] [--rounds 5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteCatalogStore } from '../dist/persistence/sqlite/sqlite-store.js';
import { noteOutboxWrite } from '../dist/persistence/committed-changes.js';

const flag = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const N = Number(flag('--n', '3000'));
const ROUNDS = Number(flag('--rounds', '5'));

const dir = mkdtempSync(path.join(tmpdir(), 'lakegate-bench-changes-'));
const store = new SqliteCatalogStore(path.join(dir, 'catalog.sqlite'));
await store.migrate();
let handed = 0;
store.listen({ committed: (events) => void (handed += events.length), report: () => undefined });
let n = 0;
const event = () => ({
  id: `e-${++n}`,
  warehouse: 'w',
  type: 'io.lakegate.table.committed',
  subject: 'ns/t',
  partitionKey: 'u',
  timeMs: 1,
  data: { warehouse: 'w', namespace: ['ns'], name: 't' },
});

const cpuPerCall = async (fn, count) => {
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
};
const empty = () => store.transaction(async () => undefined);
const noted = () => store.transaction(async (repo) => noteOutboxWrite(repo.db, [event()]));
const written = () => store.transaction((repo) => repo.appendEvents([event()]));

await cpuPerCall(empty, 300);
await cpuPerCall(noted, 300);
console.log('| round | empty transaction µs CPU | + note and handover µs CPU | added µs | one-event outbox transaction µs CPU | added, % of it |');
console.log('|---|---|---|---|---|---|');
for (let r = 1; r <= ROUNDS; r++) {
  const a = await cpuPerCall(empty, N);
  const b = await cpuPerCall(noted, N);
  const w = await cpuPerCall(written, Math.max(1, N / 10));
  console.log(`| ${r} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b - a).toFixed(1)} | ${w.toFixed(1)} | ${(((b - a) / w) * 100).toFixed(1)} |`);
}
if (handed === 0) throw new Error('the listener was handed nothing: the benchmark measured no handover');
await store.close();
rmSync(dir, { recursive: true, force: true });

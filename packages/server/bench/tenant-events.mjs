// Benchmark: the cost of a tenant event on a role change (issue 38). On SQLite (a fresh temporary database), R rounds
// of N createRole calls alone, then N createRole calls through AccessControl.withEvents with their role.created event
// (one transaction: the role row, the tenant's counter row, the event row). Prints CPU microseconds per change
// (process.cpuUsage, less sensitive to a loaded machine than wall time) and the ratio of the two in the same run.
// Needs the server built (`npx tsc -b packages/server`).
// Usage: node packages/server/bench/tenant-events.mjs [--n 2000] [--rounds 3]
// It lives in the server package, not in bench/, because it drives the store's port directly (a role change with and
// without its event has no HTTP twin: the event is not optional on the API); bench/ scripts use the HTTP surface only.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SqliteCatalogStore } from '../dist/persistence/sqlite/sqlite-store.js';
import { tenantEvent } from '../dist/catalog/outbox/tenant-events.js';

const flag = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const N = Number(flag('--n', '2000'));
const ROUNDS = Number(flag('--rounds', '3'));
const dir = mkdtempSync(path.join(tmpdir(), 'lakegate-bench-tenant-events-'));
const store = new SqliteCatalogStore(path.join(dir, 'bench.sqlite'));
await store.migrate();
const ctx = { newUuid: randomUUID, clock: { now: () => Date.now() } };
const caller = { principal: 'bench-admin', kind: 'principal' };
const role = (name) => ({ tenant: 'acme', name, description: '', createdAtMs: 1 });

async function cpuPerOp(label, change) {
  for (let i = 0; i < 200; i += 1) await change(`warm-${label}-${i}`);
  const start = process.cpuUsage();
  for (let i = 0; i < N; i += 1) await change(`${label}-${i}`);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / N;
}

const plain = (name) => store.access.createRole(role(name));
const withEvent = (name) =>
  store.access.withEvents(async (control, outbox) => {
    await control.createRole(role(name));
    await outbox.appendEvents([tenantEvent(ctx, 'acme', caller, { kind: 'role.created', subject: `role/${name}`, data: { role: name } })]);
  });

const rows = [];
for (let r = 0; r < ROUNDS; r += 1)
  rows.push({ round: r + 1, plainUs: await cpuPerOp(`plain${r}`, plain), withEventUs: await cpuPerOp(`event${r}`, withEvent) });
await store.close();
rmSync(dir, { recursive: true, force: true });
for (const row of rows)
  console.log(
    `round ${row.round}: createRole ${row.plainUs.toFixed(0)} µs CPU, with its event ${row.withEventUs.toFixed(0)} µs CPU, ratio ${(row.withEventUs / row.plainUs).toFixed(2)}`,
  );

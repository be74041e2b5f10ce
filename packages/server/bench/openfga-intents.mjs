// Benchmark: the cost of closing the OpenFGA crash window (issue 38). On SQLite (a fresh temporary database) and a
// real OpenFGA (scripts/peers/openfga.sh, in-memory datastore, free loopback ports), R rounds of N member changes
// (add, then remove, one tuple each): written straight to OpenFGA without events; each followed by its event in a
// transaction of its own (the order before intents); then through
// AccessControl.withEvents with their expected event (the intent saved before the tuple write, published with its
// removal after it: two database transactions per change). Prints Lakegate's CPU microseconds per change
// (process.cpuUsage; OpenFGA's own CPU is not counted), wall milliseconds per change, and the ratios in the same run.
// Needs the server built (`npx tsc -b packages/server`).
// Usage: node packages/server/bench/openfga-intents.mjs [--n 500] [--rounds 3]
// It lives in the server package because it drives the adapter's port directly (a member change with and without its
// event has no HTTP twin); bench/ scripts use the HTTP surface only.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OpenFgaAccess } from '../dist/auth/authz/openfga/openfga-access.js';
import { SqliteCatalogStore } from '../dist/persistence/sqlite/sqlite-store.js';
import { tenantEvent } from '../dist/catalog/outbox/tenant-events.js';

const flag = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const N = Number(flag('--n', '500'));
const ROUNDS = Number(flag('--rounds', '3'));
const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
const openfga = (...args) =>
  execFileSync('bash', [path.join(ROOT, 'scripts/peers/openfga.sh'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .at(-1)
    .trim();

const dir = mkdtempSync(path.join(tmpdir(), 'lakegate-bench-openfga-intents-'));
const fgaDir = path.join(dir, 'openfga');
const url = openfga('start', fgaDir, String(await freePort()), String(await freePort()), String(await freePort()));
try {
  const store = new SqliteCatalogStore(path.join(dir, 'bench.sqlite'));
  await store.migrate();
  const access = await OpenFgaAccess.connect({ url, storeId: '', token: '', roles: store.access, intents: store.eventIntents });
  await access.createRole({ tenant: 'acme', name: 'readers', description: '', createdAtMs: 1 });
  const ctx = { newUuid: randomUUID, clock: { now: () => Date.now() } };
  const caller = { principal: 'bench-admin', kind: 'principal' };
  const member = (i) => ({ kind: 'principal', issuer: '', name: `p-${i}` });
  const plain = async (i) => {
    await access.addMember({ tenant: 'acme', role: 'readers', member: member(i), createdAtMs: 1 });
    await access.removeMember('acme', 'readers', member(i));
  };
  const change = (kind, i, write) => {
    const event = tenantEvent(ctx, 'acme', caller, { kind, subject: 'role/readers', data: { role: 'readers' } });
    return access.withEvents(
      async (control, outbox) => {
        if (await write(control)) await outbox.appendEvents([event]);
      },
      [event],
    );
  };
  // Before the intents: the tuple, then its event in a transaction of its own (a crash in between lost the event).
  const eventAfter = async (kind, write) => {
    if (await write())
      await store.access.withEvents((_, outbox) =>
        outbox.appendEvents([tenantEvent(ctx, 'acme', caller, { kind, subject: 'role/readers', data: { role: 'readers' } })]),
      );
  };
  const afterwards = async (i) => {
    await eventAfter('role.member-added', () => access.addMember({ tenant: 'acme', role: 'readers', member: member(i), createdAtMs: 1 }));
    await eventAfter('role.member-removed', () => access.removeMember('acme', 'readers', member(i)));
  };
  const withEvents = async (i) => {
    await change('role.member-added', i, (c) => c.addMember({ tenant: 'acme', role: 'readers', member: member(i), createdAtMs: 1 }));
    await change('role.member-removed', i, (c) => c.removeMember('acme', 'readers', member(i)));
  };
  const measure = async (label, fn) => {
    for (let i = 0; i < 50; i += 1) await fn(`warm-${label}-${i}`);
    const start = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < N; i += 1) await fn(`${label}-${i}`);
    const used = process.cpuUsage(start);
    return { cpuUs: (used.user + used.system) / (2 * N), wallMs: (performance.now() - t0) / (2 * N) };
  };
  const rows = [];
  for (let r = 0; r < ROUNDS; r += 1)
    rows.push({
      round: r + 1,
      plain: await measure(`plain${r}`, plain),
      after: await measure(`after${r}`, afterwards),
      events: await measure(`events${r}`, withEvents),
    });
  const pending = await store.eventIntents.pendingIntents(Number.MAX_SAFE_INTEGER, 10);
  const published = (await store.outbox.list('tenant/acme', 0, 1_000_000)).length;
  await store.close();
  const f = (m) => `${m.cpuUs.toFixed(0)} µs CPU ${m.wallMs.toFixed(2)} ms`;
  for (const { round, plain: p, after: a, events: e } of rows) {
    console.log(
      `round ${round}: tuple only ${f(p)}; tuple then event ${f(a)}; intent, tuple, publish ${f(e)}; intent vs event-after: CPU ${(e.cpuUs / a.cpuUs).toFixed(2)}x wall ${(e.wallMs / a.wallMs).toFixed(2)}x`,
    );
  }
  console.log(`${published} events published, ${pending.length} intents left pending`);
} finally {
  openfga('stop', fgaDir);
  rmSync(dir, { recursive: true, force: true });
}

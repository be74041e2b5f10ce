/**
 * Issue 59, Lance: the maintenance schedule runs `optimize` on a managed Lance table opted in as an Iceberg table's
 * compaction is (`compaction.enabled`, on the table as declared or on its warehouse), when its latest version holds
 * at least `compaction.lance.min-fragments` small fragments, counted from the manifest the catalog recorded (pylance's
 * four-fragment manifest here) without the Lance library: the LanceOptimizer port is a stand-in that records its runs.
 * In process, the scheduler driven by calling its tick (as maintenance-scheduler.test.ts does). Also: `trigger:
 * scheduled` on the event, audit record and /metrics; a table under its threshold, not opted in, never written or
 * whose lease another holder has is left; a failed run counts as failed; without the library no job is taken and
 * that is logged once; a bad compaction.* property at declare is a 400; an optimize whose lease another holder took
 * meanwhile is handed an aborted signal (the adapter then starts no further version) and fails as a 409.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { restoredManifest } from '../../packages/server/src/catalog/lance/versions/manifest-file.js';
import type { LanceOptimizer, LanceOptimizeTarget } from '../../packages/server/src/catalog/ports/lance-optimizer.js';
import { V4 } from '../support/lance-manifests.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import type { Send } from '../support/iceberg-http.js';

const L = '/lance/default/v1';
const M = '/management/v1/warehouses/default';
let cat: TestCatalog;
let send: Send;
/** What the stand-in optimizer was asked to optimize, by table name. */
const runs: string[] = [];
let unavailable: string | undefined;
let failing = false;
/** Runs inside optimize while set, before the stand-in decides (it stops as the adapter does when its signal was aborted). */
let during: ((target: LanceOptimizeTarget) => Promise<void>) | undefined;

const optimizer: LanceOptimizer = {
  unavailable: async () => unavailable,
  async optimize(target: LanceOptimizeTarget) {
    runs.push(target.name);
    if (failing) throw new Error('the library failed');
    await during?.(target);
    target.signal?.throwIfAborted();
    return { fragmentsRemoved: 4, fragmentsAdded: 1, filesRemoved: 4, filesAdded: 1, attempts: 1 };
  },
};

/** Declares `name` in namespace lo with `properties`; with `written`, version 1 is pylance's four-fragment manifest (2 to 5 rows each). */
async function table(name: string, properties: Record<string, string>, written = true): Promise<void> {
  const declared = await send('POST', `${L}/table/lo%24${name}/declare`, { properties });
  expect(declared.status, JSON.stringify(declared.body)).toBe(200);
  if (!written) return;
  const staged = path.join(fileURLToPath(declared.body.location as string), '_versions', '1.manifest-staged');
  mkdirSync(path.dirname(staged), { recursive: true });
  writeFileSync(staged, restoredManifest(V4, { version: 1, timestampMs: 0, transactionFile: '', latest: { version: 1 } }));
  const created = await send('POST', `${L}/table/lo%24${name}/version/create`, { version: 1, manifest_path: staged.slice(1) });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
}
const tick = () => cat.lakegate.services.maintenanceScheduler.tick();
const events = (type: string) =>
  cat
    .logs()
    .split('\n')
    .filter((l) => l.includes(`"${type}"`))
    .map((l) => JSON.parse(l).event as Record<string, unknown>);
const metric = async (pattern: RegExp) => Number(pattern.exec((await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body)?.[1]);
const tableId = async (name: string) => (await cat.lakegate.store.repository.getObject('default', ['lo'], name))!.id;

beforeAll(async () => {
  // A 1 s lease (renewed every third of it), for the lease lost mid-optimize.
  cat = await startInProcess({ LAKEGATE_MAINTENANCE_LEASE_MS: '1000' });
  send = injectSender(cat.lakegate.app);
  cat.lakegate.services.maintenance.useLanceOptimizer(optimizer);
  expect((await send('POST', `${L}/namespace/lo/create`, {})).status).toBe(200);
});
afterAll(async () => cat?.close());

const ON = { 'compaction.enabled': 'true' };

it('refuses a bad compaction.* property when a Lance table is declared (400)', async () => {
  for (const properties of [{ 'compaction.enabled': 'yes' }, { 'compaction.lance.min-fragments': '1' }]) {
    expect((await send('POST', `${L}/table/lo%24bad/declare`, { properties })).status, JSON.stringify(properties)).toBe(400);
  }
});

it('optimizes on the schedule only the opted-in tables over their threshold, as scheduled, and once per interval', async () => {
  await table('due', { ...ON, 'compaction.lance.min-fragments': '4' });
  await table('under', { ...ON, 'compaction.lance.min-fragments': '5' });
  await table('off', { 'compaction.lance.min-fragments': '2' });
  await table('empty', { ...ON, 'compaction.lance.min-fragments': '2' }, false);
  await table('held', { ...ON, 'compaction.lance.min-fragments': '2' });
  // Another holder runs held's job (another replica, or an optimize on demand): the schedule must not run it beside.
  const now = Date.now();
  expect(await cat.lakegate.store.maintenanceLeases.take(await tableId('held'), 'default', 'replica:other', now, 600_000, now)).toBe(true);
  // Nothing without a schedule on the warehouse.
  expect(await tick()).toMatchObject({ ran: 0, optimized: 0 });
  expect((await send('POST', `${M}/properties`, { updates: { 'maintenance.interval-ms': '3600000' } })).status).toBe(200);

  const ticked = await tick();
  expect(runs).toEqual(['due']);
  // due, under and empty had their jobs (the last two found too few small fragments); off and held none.
  expect(ticked).toEqual({ ran: 3, failed: 0, compacted: 0, optimized: 1 });
  expect(events('lance-table.optimized')).toEqual([
    expect.objectContaining({ name: 'due', trigger: 'scheduled', fragmentsRemoved: 4, fragmentsAdded: 1, versionBefore: 1, versionAfter: 1 }),
  ]);
  const audit = (await send('GET', '/management/v1/audit?type=maintenance.completed')).body.events as Array<{
    object?: string;
    detail?: Record<string, unknown>;
  }>;
  expect(audit.filter((e) => e.object?.endsWith('.due')).map((e) => e.detail)).toEqual([
    expect.objectContaining({ trigger: 'scheduled', optimize: expect.objectContaining({ 'fragments-removed': 4 }) }),
  ]);
  expect(await metric(/lakegate_lance_optimize_runs_total\{trigger="scheduled",outcome="compacted"\} (\d+)/)).toBe(1);
  expect(await metric(/lakegate_lance_optimize_fragments_removed_total\{trigger="scheduled"\} (\d+)/)).toBe(4);
  expect(await metric(/lakegate_lance_optimize_fragments_added_total\{trigger="scheduled"\} (\d+)/)).toBe(1);
  expect((await send('GET', `${M}/namespaces/lo/tables/due/maintenance`)).body.state).toBe('done');
  expect((await send('GET', `${M}/namespaces/lo/tables/off/maintenance`)).body.state).toBe('never-run');

  // Not again within the interval.
  expect(await tick()).toMatchObject({ ran: 0 });
  expect(runs).toEqual(['due']);
});

it('counts a failed scheduled optimize as failed, with the job failed and its event', async () => {
  failing = true;
  try {
    await table('breaks', { ...ON, 'compaction.lance.min-fragments': '2' });
    expect(await tick()).toMatchObject({ ran: 1, failed: 1, optimized: 0 });
  } finally {
    failing = false;
  }
  expect(runs).toEqual(['due', 'breaks']);
  expect(await metric(/lakegate_lance_optimize_runs_total\{trigger="scheduled",outcome="failed"\} (\d+)/)).toBe(1);
  expect(events('table.maintenance-failed')).toEqual([expect.objectContaining({ name: 'breaks', reason: 'the library failed' })]);
  expect((await send('GET', `${M}/namespaces/lo/tables/breaks/maintenance`)).body.state).toBe('failed');
  // A failed job is due again once its lease (1 s here) expires: dropped, so a later test's ticks, however slow the
  // machine, do not run it again.
  expect((await send('POST', `${L}/table/lo%24breaks/drop`, {})).status).toBe(200);
});

it('takes no job of a Lance table where the library does not load, and says so once', async () => {
  await new Promise((r) => setTimeout(r, 1500));
  unavailable = "Cannot find package '@lancedb/lancedb'";
  await table('nolib', { ...ON, 'compaction.lance.min-fragments': '2' });
  await table('nolib2', { ...ON, 'compaction.lance.min-fragments': '2' });
  expect(await tick()).toMatchObject({ ran: 0, failed: 0 });
  expect(await tick()).toMatchObject({ ran: 0, failed: 0 });
  expect(runs).toEqual(['due', 'breaks']);
  // Once per process, naming the first table it left (tables are walked by name).
  expect(events('lance-table.optimize-unavailable')).toEqual([expect.objectContaining({ type: 'lance-table.optimize-unavailable', reason: unavailable })]);
  expect((await send('GET', `${M}/namespaces/lo/tables/nolib/maintenance`)).body.state).toBe('never-run');
  // Once it loads, the next tick optimizes them.
  unavailable = undefined;
  expect(await tick()).toMatchObject({ ran: 2, failed: 0, optimized: 2 });
  expect(runs.slice(2).sort()).toEqual(['nolib', 'nolib2']);
});

it('aborts the signal of an optimize whose lease another holder took meanwhile, and fails it as a 409 that keeps the taker', async () => {
  await table('taken', { 'compaction.lance.min-fragments': '2' });
  const id = await tableId('taken');
  const leases = cat.lakegate.store.maintenanceLeases;
  const renew = leases.renew;
  let refused!: () => void;
  const renewalRefused = new Promise<void>((r) => (refused = r));
  leases.renew = async (tableId, holder, nowMs, leaseMs) => {
    const held = await renew.call(leases, tableId, holder, nowMs, leaseMs);
    if (tableId === id && !held) refused();
    return held;
  };
  let abortedBefore: boolean | undefined;
  during = async (target) => {
    abortedBefore = target.signal?.aborted;
    // The job stalls past its lease; another holder takes it (as a take after its expiry would).
    const job = (await leases.get(id))!;
    await leases.fail(id, job.holder, job.progress!, true);
    expect(await leases.take(id, 'default', 'replica:elsewhere', Date.now(), 60_000, Number.MAX_SAFE_INTEGER)).toBe(true);
    await renewalRefused;
    // The keeper aborts the signal once the refusal's promise settles: after these microtasks.
    await new Promise((r) => setImmediate(r));
  };
  let res;
  try {
    res = await send('POST', `${M}/namespaces/lo/tables/taken/maintenance`, { actions: ['optimize'] });
  } finally {
    during = undefined;
    leases.renew = renew;
  }
  expect(abortedBefore).toBe(false);
  expect(res.status, JSON.stringify(res.body)).toBe(409);
  expect(res.body.error.message).toContain('lost its table lease');
  expect(events('lance-table.optimized').map((e) => e.name)).not.toContain('taken');
  expect(events('lance-table.optimize-failed')).toContainEqual(expect.objectContaining({ name: 'taken', trigger: 'on-demand' }));
  // The taker's lease stands.
  expect((await send('GET', `${M}/namespaces/lo/tables/taken/maintenance`)).body).toMatchObject({ state: 'running', holder: 'replica:elsewhere' });
});

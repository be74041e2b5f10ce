/**
 * Scheduled compaction (issue 59), in-process on file warehouses whose tables hold many small Parquet files written
 * here (test/support/small-files.ts), the scheduler driven by calling its tick (as maintenance-scheduler.test.ts does):
 * - a table over its threshold is compacted by the schedule (the same rows read back through the scan plan, from
 *   fewer files), with `trigger: scheduled` on its event, audit record and /metrics counts; tables under the
 *   threshold (too few files per partition, too low a small-file ratio), with compaction off (the warehouse's
 *   default, or a table's own property) or whose lease another replica holds are left as they are;
 * - bad compaction.* settings are a 400 on warehouses and on tables (create and commit);
 * - a job longer than its lease (1 s here, its rewriter slowed down), scheduled or on demand, renews it, so no other
 *   replica may take it;
 * - a job whose lease was taken over stops before its commit and removes the files it wrote.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DataFileRewriter } from '@lakegate/server';
import { type Send } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { createFileLake } from '../support/lake-warehouse.js';
import { compactedOnDisk, scanTable, tableWithSmallFiles } from '../support/small-files.js';

let cat: TestCatalog;
let send: Send;
/** Runs after every rewrite of a group while set (the job is between groups then, holding its lease). */
let afterRewrite: (() => Promise<void>) | undefined;
const HOUR = '3600000';
const LEASE_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  // The server's own rewriter (in its rewrite thread: rewriteThreads defaults to 1), wrapped.
  const rewriter = (_storage: unknown, real: DataFileRewriter): DataFileRewriter => {
    return {
      async rewrite(request) {
        const out = await real.rewrite(request);
        await afterRewrite?.();
        return out;
      },
    };
  };
  cat = await startInProcess({ LAKEGATE_MAINTENANCE_LEASE_MS: String(LEASE_MS) }, { rewriter });
  send = injectSender(cat.lakegate.app);
});
afterAll(async () => {
  await cat?.close();
});

const warehouse = (name: string, properties: Record<string, string>) => createFileLake(send, cat, name, ['db'], properties);
const tick = () => cat.lakegate.services.maintenanceScheduler.tick();
const compactedEvents = () =>
  cat
    .logs()
    .split('\n')
    .filter((l) => l.includes('"table.compacted"'))
    .map((l) => JSON.parse(l).event as { warehouse: string; name: string; trigger: string; rewrittenFiles: number; addedFiles: number });
const tableId = async (wh: string, name: string) => (await cat.lakegate.store.repository.getObject(wh, ['db'], name))!.id;

it('refuses bad compaction settings with a 400, on warehouses and tables', async () => {
  for (const properties of [
    { 'compaction.enabled': 'yes' },
    { 'compaction.min-input-files': '1' },
    { 'compaction.min-input-files': '1e9' },
    { 'compaction.min-small-file-ratio': '1.5' },
    { 'compaction.min-small-file-ratio': '-0.1' },
  ]) {
    const res = await send('POST', '/management/v1/warehouses', {
      name: 'bad',
      'storage-root': `file://${cat.dataDir}/bad`,
      'storage-profile': { type: 'file' },
      properties,
    });
    expect(res.status, JSON.stringify(properties)).toBe(400);
  }
  await warehouse('valid', { 'maintenance.interval-ms': HOUR, 'compaction.enabled': 'true', 'compaction.min-small-file-ratio': '0.25' });
  expect((await send('POST', '/management/v1/warehouses/valid/properties', { updates: { 'compaction.min-input-files': '0' } })).status).toBe(400);
  expect(
    (
      await send('POST', '/v1/valid/namespaces/db/tables', {
        name: 't',
        schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] },
        properties: { 'compaction.enabled': 'maybe' },
      })
    ).status,
  ).toBe(400);
  expect(
    (
      await send('POST', '/v1/valid/namespaces/db/tables', {
        name: 't',
        schema: { type: 'struct', fields: [{ id: 1, name: 'id', type: 'long', required: true }] },
        properties: { 'compaction.min-input-files': '3' },
      })
    ).status,
  ).toBe(200);
  const commit = await send('POST', '/v1/valid/namespaces/db/tables/t', {
    requirements: [],
    updates: [{ action: 'set-properties', updates: { 'compaction.min-small-file-ratio': 'half' } }],
  });
  expect(commit.status).toBe(400);
  expect(commit.body.error.type).toBe('IllegalArgumentException');
});

it('compacts, on the schedule, the tables over their thresholds and no other', async () => {
  await warehouse('auto', {
    'maintenance.interval-ms': HOUR,
    'compaction.enabled': 'true',
    'compaction.min-input-files': '3',
    'compaction.min-small-file-ratio': '0.5',
  });
  await warehouse('off', { 'maintenance.interval-ms': HOUR });
  const T = (wh: string) => `/v1/${wh}/namespaces/db/tables`;
  const busy = await tableWithSmallFiles(send, T('auto'), 'busy', { eu: 4, us: 5 });
  await tableWithSmallFiles(send, T('auto'), 'few', { eu: 2, us: 2 });
  await tableWithSmallFiles(
    send,
    T('auto'),
    'mostly-big',
    { eu: 3 },
    { bigFiles: { eu: 4 }, properties: { 'write.target-file-size-bytes': String(1024 * 1024) } },
  );
  await tableWithSmallFiles(send, T('auto'), 'opted-out', { eu: 6 }, { properties: { 'compaction.enabled': 'false' } });
  await tableWithSmallFiles(send, T('auto'), 'held', { eu: 6 });
  await tableWithSmallFiles(send, T('off'), 'never', { eu: 6 });
  const optedIn = await tableWithSmallFiles(
    send,
    T('off'),
    'opted-in',
    { us: 3 },
    { properties: { 'compaction.enabled': 'true', 'compaction.min-input-files': '2' } },
  );
  const before = Object.fromEntries(
    await Promise.all(
      ['auto/few', 'auto/mostly-big', 'auto/opted-out', 'auto/held', 'off/never'].map(
        async (t) => [t, await scanTable(send, `/v1/${t.split('/')[0]}/namespaces/db/tables/${t.split('/')[1]}`)] as const,
      ),
    ),
  );
  expect(before['auto/held']!.files).toHaveLength(6);
  // Another replica holds the job of `held`.
  expect(await cat.lakegate.store.maintenanceLeases.take(await tableId('auto', 'held'), 'auto', 'replica:elsewhere', Date.now(), 3_600_000, Date.now())).toBe(
    true,
  );

  const ran = await tick();
  expect(ran.failed).toBe(0);
  expect(ran.compacted).toBe(2);
  // Every table of both scheduled warehouses but the held one ran its job ('valid' holds one more).
  expect(ran.ran).toBe(7);

  const after = await scanTable(send, `${T('auto')}/busy`);
  expect(after.rows).toEqual(busy);
  expect(after.files).toHaveLength(2);
  expect(after.files.every((f) => f.endsWith('-compacted.parquet'))).toBe(true);
  // Rewritten in the server's rewrite thread (rewriteThreads defaults to 1), not on the request thread.
  expect(cat.lakegate.rewriteThreads?.threadIds).toHaveLength(1);
  const loaded = (await send('GET', `${T('auto')}/busy`)).body.metadata;
  expect(loaded.snapshots.at(-1).summary.operation).toBe('replace');
  const opted = await scanTable(send, `${T('off')}/opted-in`);
  expect(opted.rows).toEqual(optedIn);
  expect(opted.files).toHaveLength(1);
  for (const [t, was] of Object.entries(before))
    expect(await scanTable(send, `/v1/${t.split('/')[0]}/namespaces/db/tables/${t.split('/')[1]}`), t).toEqual(was);

  expect(
    compactedEvents()
      .map((e) => `${e.warehouse}/${e.name}:${e.trigger}:${e.rewrittenFiles}:${e.addedFiles}`)
      .sort(),
  ).toEqual(['auto/busy:scheduled:9:2', 'off/opted-in:scheduled:3:1']);
  const metrics = (await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
  expect(Number(/lakegate_compaction_files_rewritten_total\{trigger="scheduled"\} (\d+)/.exec(metrics)?.[1])).toBe(12);
  expect(Number(/lakegate_compaction_files_written_total\{trigger="scheduled"\} (\d+)/.exec(metrics)?.[1])).toBe(3);
  expect(metrics).toMatch(/lakegate_compaction_seconds_total\{trigger="scheduled"\} \d/);
  const audit = (await send('GET', '/management/v1/audit?limit=500')).body.events as Array<{
    type: string;
    actor: string;
    object?: string;
    detail?: Record<string, unknown>;
  }>;
  const scheduled = audit.filter((e) => e.type === 'maintenance.completed' && e.detail?.trigger === 'scheduled');
  expect(scheduled.map((e) => e.detail)).toContainEqual(expect.objectContaining({ compaction: 'committed', rewrittenFiles: 9, addedFiles: 2 }));

  // Not again before the interval, though the job of `held` is still not taken.
  expect((await tick()).ran).toBe(0);
});

it("applies a table's compaction.* rewrite_data_files options on the schedule (delete-file-threshold 0: every file)", async () => {
  await warehouse('iceberg-options', { 'maintenance.interval-ms': HOUR, 'compaction.enabled': 'true' });
  const T = '/v1/iceberg-options/namespaces/db/tables';
  // Two small files: fewer than the schedule's min-input-files of 5, unless every file is a candidate.
  await tableWithSmallFiles(send, T, 'plain', { eu: 2 });
  await tableWithSmallFiles(send, T, 'every-file', { eu: 2 }, { properties: { 'compaction.delete-file-threshold': '0' } });
  await tick();
  const events = compactedEvents().filter((e) => e.warehouse === 'iceberg-options');
  expect(events.map((e) => e.name)).toEqual(['every-file']);
  expect(events[0]).toMatchObject({ trigger: 'scheduled', rewrittenFiles: 2 });
});

it('renews the lease of a job that outlives it, so no other replica takes the job', async () => {
  await warehouse('long', { 'maintenance.interval-ms': HOUR, 'compaction.enabled': 'true', 'compaction.min-input-files': '2' });
  const rows = await tableWithSmallFiles(send, '/v1/long/namespaces/db/tables', 'slow', { eu: 3, us: 3 });
  const id = await tableId('long', 'slow');
  const seen: Array<{ taken: boolean; expiresAtMs: number; startedAtMs: number }> = [];
  afterRewrite = async () => {
    // Each group's rewrite takes longer than the whole lease.
    await sleep(LEASE_MS * 1.5);
    const job = (await cat.lakegate.store.maintenanceLeases.get(id))!;
    seen.push({
      taken: await cat.lakegate.store.maintenanceLeases.take(id, 'long', 'replica:elsewhere', Date.now(), 60_000, Date.now()),
      expiresAtMs: job.expiresAtMs,
      startedAtMs: job.startedAtMs,
    });
  };
  try {
    const ran = await tick();
    expect(ran).toMatchObject({ failed: 0, compacted: 1 });
  } finally {
    afterRewrite = undefined;
  }
  expect(seen).toHaveLength(2);
  for (const s of seen) {
    expect(s.taken).toBe(false);
    // Renewed: the lease now ends well after the first one would have.
    expect(s.expiresAtMs).toBeGreaterThan(s.startedAtMs + LEASE_MS);
  }
  const after = await scanTable(send, '/v1/long/namespaces/db/tables/slow');
  expect(after.rows).toEqual(rows);
  expect(after.files).toHaveLength(2);
});

it('renews the lease of an on-demand compaction too', async () => {
  const rows = await tableWithSmallFiles(send, '/v1/long/namespaces/db/tables', 'asked', { eu: 2 });
  const id = await tableId('long', 'asked');
  let seen: { taken: boolean; expiresAtMs: number; startedAtMs: number } | undefined;
  afterRewrite = async () => {
    await sleep(LEASE_MS * 1.5);
    const job = (await cat.lakegate.store.maintenanceLeases.get(id))!;
    seen = {
      taken: await cat.lakegate.store.maintenanceLeases.take(id, 'long', 'replica:elsewhere', Date.now(), 60_000, Number.MAX_SAFE_INTEGER, {
        overFailed: true,
      }),
      expiresAtMs: job.expiresAtMs,
      startedAtMs: job.startedAtMs,
    };
  };
  try {
    const done = await send('POST', '/management/v1/warehouses/long/namespaces/db/tables/asked/maintenance', { actions: ['rewrite-data-files'] });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.compaction).toMatchObject({ outcome: 'committed', 'rewritten-data-files': 2 });
  } finally {
    afterRewrite = undefined;
  }
  expect(seen).toMatchObject({ taken: false });
  expect(seen!.expiresAtMs).toBeGreaterThan(seen!.startedAtMs + LEASE_MS);
  expect((await scanTable(send, '/v1/long/namespaces/db/tables/asked')).rows).toEqual(rows);
  expect(compactedEvents().find((e) => e.name === 'asked')?.trigger).toBe('on-demand');
});

it('stops a job whose lease was taken over, committing nothing and removing the files it wrote', async () => {
  await warehouse('lost', { 'maintenance.interval-ms': HOUR, 'compaction.enabled': 'true', 'compaction.min-input-files': '2' });
  await tableWithSmallFiles(send, '/v1/lost/namespaces/db/tables', 'taken', { eu: 3, us: 3 });
  const before = await scanTable(send, '/v1/lost/namespaces/db/tables/taken');
  const location = (await send('GET', '/v1/lost/namespaces/db/tables/taken')).body.metadata.location as string;
  const id = await tableId('lost', 'taken');
  const leases = cat.lakegate.store.maintenanceLeases;
  let wrote = 0;
  afterRewrite = async () => {
    wrote = compactedOnDisk(location).length;
    // The job stalls past its lease; another replica takes it over (as a take after its expiry would).
    const job = (await leases.get(id))!;
    await leases.fail(id, job.holder, job.progress!, true);
    expect(await leases.take(id, 'lost', 'replica:elsewhere', Date.now(), 60_000, Date.now())).toBe(true);
    await sleep(LEASE_MS);
  };
  let ran;
  try {
    ran = await tick();
  } finally {
    afterRewrite = undefined;
  }
  expect(ran).toMatchObject({ ran: 1, failed: 1, compacted: 0 });
  expect(wrote).toBe(1);
  expect(compactedOnDisk(location)).toEqual([]);
  expect(await scanTable(send, '/v1/lost/namespaces/db/tables/taken')).toEqual(before);
  // The new holder's lease stands.
  expect(await leases.get(id)).toMatchObject({ holder: 'replica:elsewhere', state: 'running' });
  expect(cat.logs()).toContain('lost its table lease');
});

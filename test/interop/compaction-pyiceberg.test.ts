/**
 * Managed compaction (issue 59, rewrite-data-files) with PyIceberg 0.12 as writer and reader, on a file warehouse:
 * Lakegate runs in-process and listens on a loopback port, so the test can time a concurrent writer exactly. Its
 * rewriter is the real Parquet one (in its rewrite thread, the default), wrapped so that the first rewrite of a job waits for a PyIceberg commit: that
 * commit lands after the job planned and before it commits, every time.
 * - 20 small appends to a table partitioned by region, and a copy-on-write delete → compaction → PyIceberg reads
 *   exactly the same rows from fewer data files, the current snapshot is a `replace`, and time travel to the
 *   snapshot before reads the old files;
 * - a concurrent append between planning and commit survives (the job rebases on it);
 * - a concurrent delete (an overwrite of a rewritten file) makes the job give up: nothing committed, its new files
 *   removed, the delete kept; a concurrent delete in a partition the job does not rewrite does not;
 * - the warehouse's schedule compacts a table whose `compaction.enabled` property is set (and no other table);
 * - a table PyIceberg created with a sort order (id descending) compacts, unasked, with the sort strategy: PyIceberg
 *   reads the same rows, and each compacted file holds its rows in that order and carries the order's sort_order_id;
 * - rewrite-manifests merges the 20 appends' manifests: PyIceberg reads the same rows through fewer manifests
 *   (`inspect.manifests`), time travel and partition pruning work, and PyIceberg appends on top of the result.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataFileRewriter } from '@lakegate/server';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { pyicebergPython } from '../support/peers.js';
import { REPO_ROOT } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const NS = 'comp';
const M = '/management/v1/warehouses/default';
let cat: TestCatalog;
let url: string;
let python: string;
/** Runs once, inside the next rewrite (after the job planned, before it commits). */
let duringRewrite: (() => Promise<void>) | undefined;

beforeAll(async () => {
  python = pyicebergPython();
  // The server's own rewriter (in its rewrite thread: rewriteThreads defaults to 1), wrapped.
  const rewriter = (_storage: unknown, real: DataFileRewriter): DataFileRewriter => {
    return {
      async rewrite(request) {
        const out = await real.rewrite(request);
        const hook = duringRewrite;
        duringRewrite = undefined;
        await hook?.();
        return out;
      },
    };
  };
  cat = await startInProcess({}, { rewriter });
  url = await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
}, 600_000);
afterAll(async () => {
  await cat?.close();
});

async function py(phase: string, table: string, extraEnv: Record<string, string> = {}): Promise<any> {
  const env: NodeJS.ProcessEnv = { ...process.env, CATALOG_URI: url, CATALOG_WAREHOUSE: 'default', ...extraEnv };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_compaction.py'), phase, NS, table], { env, timeoutMs: 10 * 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

async function compact(table: string, body: Record<string, unknown> = {}) {
  const res = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${M}/namespaces/${NS}/tables/${table}/maintenance`,
    payload: { actions: ['rewrite-data-files'], ...body },
  });
  return { status: res.statusCode, body: res.json() };
}

/** The Parquet files under the table's location, on disk. */
function parquetOnDisk(location: string): string[] {
  const dir = fileURLToPath(location);
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith('.parquet')) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out;
}

it(
  'rewrites 20 small appends and a delete into one file per partition: PyIceberg reads the same rows, from a replace snapshot; time travel reads the old files',
  async () => {
    const written = await py('write', 'events');
    expect(written.rows.length).toBe(99);
    expect(written.files.length).toBeGreaterThanOrEqual(20);

    // Bad input: 400 in the management error model, nothing changes.
    for (const body of [{ 'target-file-size-bytes': 5 }, { 'target-file-size-bytes': 1e15 }, { 'min-input-files': 1 }, { actions: ['rewrite-everything'] }]) {
      const bad = await compact('events', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    const dry = await compact('events', { 'dry-run': true });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.compaction).toMatchObject({ outcome: 'dry-run', groups: 2, 'rewritten-data-files': written.files.length });
    expect((await py('verify', 'events')).snapshot).toBe(written.snapshot);

    const done = await compact('events');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.compaction).toMatchObject({
      outcome: 'committed',
      groups: 2,
      'added-data-files': 2,
      'rewritten-data-files': written.files.length,
      attempts: 1,
    });

    const after = await py('verify', 'events', { BEFORE_SNAPSHOT: written.snapshot });
    expect(after.rows).toEqual(written.rows);
    expect(after.files.length).toBe(2);
    expect(after.files.every((f: string) => f.endsWith('-compacted.parquet'))).toBe(true);
    expect(after.operation).toBe('replace');
    // Rewritten in the server's rewrite thread (rewriteThreads defaults to 1).
    expect(cat.lakegate.rewriteThreads?.threadIds).toHaveLength(1);
    expect(after.snapshot).toBe(done.body.compaction['snapshot-id']);
    expect(after.summary).toMatchObject({ 'added-data-files': '2', 'deleted-data-files': String(written.files.length), 'added-records': '99' });
    expect(after.before_rows).toEqual(written.rows);
    // The compacted files carry id bounds (merged from their inputs'), which hold their rows, and PyIceberg's
    // filtered scan, pruning by them, reads what a filter over every row gives.
    expect(after.files_with_id_bounds.map((f: [string]) => f[0])).toEqual(after.files);
    expect(after.files_with_id_bounds.map((f: [string, string]) => f[1]).sort()).toEqual(['eu', 'us']);
    for (const [, region, lo, hi] of after.files_with_id_bounds as [string, string, number, number][]) {
      const ids = written.rows.filter((r: [number, string]) => r[1] === region).map((r: [number]) => r[0]);
      expect(lo).toBeLessThanOrEqual(Math.min(...ids));
      expect(hi).toBeGreaterThanOrEqual(Math.max(...ids));
    }
    expect(after.filtered).toEqual(written.rows.filter((r: [number]) => r[0] >= 150));
    expect(after.eu_rows).toEqual(written.rows.filter((r: [number, string]) => r[1] === 'eu'));
    // The job's record and /metrics count what it rewrote.
    const job = (await cat.lakegate.app.inject({ method: 'GET', url: `${M}/namespaces/${NS}/tables/events/maintenance` })).json();
    expect(job).toMatchObject({ state: 'done', progress: { phase: 'done', 'files-rewritten': written.files.length } });
    const metrics = (await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(Number(/lakegate_compaction_files_rewritten_total\{trigger="on-demand"\} (\d+)/.exec(metrics)?.[1])).toBe(written.files.length);
    expect(Number(/lakegate_compaction_files_written_total\{trigger="on-demand"\} (\d+)/.exec(metrics)?.[1])).toBe(2);
    const audit = (await cat.lakegate.app.inject({ method: 'GET', url: '/management/v1/audit?limit=200' })).json().events as Array<{
      type: string;
      detail?: Record<string, unknown>;
    }>;
    expect(audit.filter((e) => e.type === 'maintenance.completed').map((e) => e.detail)).toContainEqual(
      expect.objectContaining({ compaction: 'committed', rewrittenFiles: written.files.length, addedFiles: 2 }),
    );
    expect(job['last-completed-at-ms']).toBeGreaterThanOrEqual(job['started-at-ms']);
    // Nothing left to compact.
    expect((await compact('events')).body.compaction.outcome).toBe('nothing-to-do');
  },
  15 * 60_000,
);

it(
  'compacts a table PyIceberg created with a sort order into sorted files that carry its sort_order_id',
  async () => {
    const written = await py('write', 'sorted', { SORTED: '1' });
    const done = await compact('sorted');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.compaction).toMatchObject({ outcome: 'committed', groups: 2, 'added-data-files': 2, 'rewritten-data-files': written.files.length });
    const after = await py('verify', 'sorted');
    expect(after.rows).toEqual(written.rows);
    expect(after.file_orders).toHaveLength(2);
    for (const [file, sortOrderId, ids] of after.file_orders as [string, number, number[]][]) {
      expect(file).toMatch(/-compacted\.parquet$/);
      expect(sortOrderId).toBe(1);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
    }
  },
  15 * 60_000,
);

it(
  "a PyIceberg append committed between the job's plan and its commit survives the compaction",
  async () => {
    const written = await py('write', 'busy');
    duringRewrite = async () => {
      await py('append', 'busy', { ROW_ID: '9999' });
    };
    const done = await compact('busy');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(duringRewrite).toBeUndefined();
    expect(done.body.compaction).toMatchObject({ outcome: 'committed', 'added-data-files': 2, 'rewritten-data-files': written.files.length });
    const after = await py('verify', 'busy');
    expect(after.rows).toEqual([...written.rows, [9999, 'eu', 'concurrent-9999']].sort((a, b) => a[0] - b[0]));
    expect(after.operation).toBe('replace');
    // The two compacted files and the concurrent append's file.
    expect(after.files.length).toBe(3);
    expect(after.files.filter((f: string) => !f.endsWith('-compacted.parquet')).length).toBe(1);
    // A second compaction right after the first: the eu partition's compacted file and the concurrent append's file
    // are two small files. Its snapshot does not carry forward the manifests the first one left with DELETED entries
    // only (one per append it rewrote): the new files' manifest, and the two holding this compaction's DELETED
    // entries (the first compaction's, with its us file EXISTING, and the concurrent append's) remain.
    const again = await compact('busy');
    expect(again.body.compaction).toMatchObject({ outcome: 'committed', 'rewritten-data-files': 2, 'added-data-files': 1 });
    const last = await py('verify', 'busy');
    expect(last.rows).toEqual(after.rows);
    expect(last.files.length).toBe(2);
    expect(last.manifests).toBe(3);
  },
  15 * 60_000,
);

it(
  'a PyIceberg delete of a rewritten row between plan and commit makes the job give up: the delete is kept, the new files removed',
  async () => {
    const written = await py('write', 'contended');
    const onDiskBefore = parquetOnDisk(written.location).sort();
    duringRewrite = async () => {
      await py('delete', 'contended', { ROW_ID: '0' });
    };
    const done = await compact('contended');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(duringRewrite).toBeUndefined();
    expect(done.body.compaction).toMatchObject({ outcome: 'conflict', 'added-data-files': 0 });
    expect(done.body.compaction.reason).toMatch(/no longer live/);
    const after = await py('verify', 'contended');
    expect(after.rows).toEqual(written.rows.filter((r: [number]) => r[0] !== 0));
    expect(after.operation).not.toBe('replace');
    // No compacted file is left: only PyIceberg's own files (its delete rewrote one).
    expect(parquetOnDisk(written.location).filter((f) => f.includes('-compacted'))).toEqual([]);
    expect(parquetOnDisk(written.location).length).toBeGreaterThanOrEqual(onDiskBefore.length);
  },
  15 * 60_000,
);

it(
  'a PyIceberg delete committed between plan and commit in a partition the job does not rewrite is kept, and the compaction commits',
  async () => {
    const written = await py('write', 'elsewhere');
    // One row alone in its partition: never compacted.
    await py('append', 'elsewhere', { ROW_ID: '5000', REGION: 'asia' });
    duringRewrite = async () => {
      await py('delete', 'elsewhere', { ROW_ID: '5000' });
    };
    const done = await compact('elsewhere');
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(duringRewrite).toBeUndefined();
    expect(done.body.compaction).toMatchObject({ outcome: 'committed', groups: 2, 'rewritten-data-files': written.files.length });
    const after = await py('verify', 'elsewhere');
    expect(after.rows).toEqual(written.rows);
    expect(after.operation).toBe('replace');
    expect(after.files.length).toBe(2);
  },
  15 * 60_000,
);

it(
  'compacts on the schedule a table whose property turns it on: PyIceberg reads the same rows from fewer files',
  async () => {
    const written = await py('write', 'scheduled');
    const commit = await cat.lakegate.app.inject({
      method: 'POST',
      url: `/v1/default/namespaces/${NS}/tables/scheduled`,
      payload: { requirements: [], updates: [{ action: 'set-properties', updates: { 'compaction.enabled': 'true' } }] },
    });
    expect(commit.statusCode, commit.body).toBe(200);
    const schedule = await cat.lakegate.app.inject({ method: 'POST', url: `${M}/properties`, payload: { updates: { 'maintenance.interval-ms': '3600000' } } });
    expect(schedule.statusCode, schedule.body).toBe(200);
    // The other tables of the warehouse run their expiry and orphan jobs; only this one compacts.
    const ran = await cat.lakegate.services.maintenanceScheduler.tick();
    expect(ran).toMatchObject({ failed: 0, compacted: 1 });
    const after = await py('verify', 'scheduled', { BEFORE_SNAPSHOT: written.snapshot });
    expect(after.rows).toEqual(written.rows);
    expect(after.operation).toBe('replace');
    expect(after.files.length).toBe(2);
    expect(after.before_rows).toEqual(written.rows);
  },
  15 * 60_000,
);

it(
  "merges PyIceberg's one-manifest-per-append into one manifest: PyIceberg reads the same rows, time travel and pruning intact, and appends on top",
  async () => {
    const written = await py('write', 'manifests');
    const before = await py('verify', 'manifests');
    expect(before.manifests).toBeGreaterThanOrEqual(20);
    expect(before.inspect_manifests).toBe(before.manifests);
    const res = await cat.lakegate.app.inject({
      method: 'POST',
      url: `${M}/namespaces/${NS}/tables/manifests/maintenance`,
      payload: { actions: ['rewrite-manifests'] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const manifests = res.json().manifests;
    expect(manifests).toMatchObject({ outcome: 'committed', 'added-manifests': 1, 'kept-manifests': 0, 'entries-processed': written.files.length });
    const after = await py('verify', 'manifests', { BEFORE_SNAPSHOT: written.snapshot });
    expect(after.rows).toEqual(written.rows);
    expect(after.files).toEqual(written.files);
    expect(after.operation).toBe('replace');
    expect(after.snapshot).toBe(manifests['snapshot-id']);
    expect(after.manifests).toBe(1);
    expect(after.inspect_manifests).toBe(1);
    expect(after.summary).toMatchObject({ 'manifests-created': '1', 'manifests-replaced': String(manifests['rewritten-manifests']) });
    expect(after.before_rows).toEqual(written.rows);
    expect(after.eu_rows).toEqual(written.rows.filter((r: [number, string]) => r[1] === 'eu'));
    expect(after.filtered).toEqual(written.rows.filter((r: [number]) => r[0] >= 150));
    // PyIceberg writes on top of the rewritten manifests.
    await py('append', 'manifests', { ROW_ID: '7777' });
    const appended = await py('verify', 'manifests');
    expect(appended.rows).toEqual([...written.rows, [7777, 'eu', 'concurrent-7777']].sort((a, b) => a[0] - b[0]));
    expect(appended.manifests).toBe(2);
  },
  15 * 60_000,
);

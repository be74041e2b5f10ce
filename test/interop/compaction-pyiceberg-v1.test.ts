/**
 * Managed compaction and manifest rewrite (issue 59) of format-version 1 tables written by PyIceberg 0.12 (its
 * `format-version: 1` tables: what PyIceberg and Spark created by default for years), in-process on a file warehouse,
 * with the same PyIceberg side as the v2 cases (peers/python/pyiceberg_compaction.py, FORMAT_VERSION=1):
 * - 20 small appends and a copy-on-write delete to a table partitioned by region → bin-pack compaction → PyIceberg
 *   reads exactly the same rows from one file per partition, through the catalog's v1 manifests and manifest list, in
 *   a `replace` snapshot without a sequence number; time travel reads the old files; the metadata still declares
 *   format-version 1;
 * - an unpartitioned v1 table with a sort order (id descending) → sort compaction → one sorted file with the order's
 *   sort_order_id;
 * - rewrite-manifests merges the 20 appends' v1 manifests into one; PyIceberg reads the same rows and files, prunes by
 *   partition, and appends on top of the rewritten manifests (its own v1 writer carrying the catalog's list entries).
 * The v1 Avro schemas the catalog writes are checked field by field in test/http/compaction-v1.test.ts.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { pyicebergPython } from '../support/peers.js';
import { REPO_ROOT } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const NS = 'compv1';
const M = '/management/v1/warehouses/default';
let cat: TestCatalog;
let url: string;
let python: string;

beforeAll(async () => {
  python = pyicebergPython();
  cat = await startInProcess();
  url = await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
}, 600_000);
afterAll(async () => {
  await cat?.close();
});

async function py(phase: string, table: string, extraEnv: Record<string, string> = {}): Promise<any> {
  const env: NodeJS.ProcessEnv = { ...process.env, CATALOG_URI: url, CATALOG_WAREHOUSE: 'default', FORMAT_VERSION: '1', ...extraEnv };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_compaction.py'), phase, NS, table], { env, timeoutMs: 10 * 60_000 });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

async function maintain(table: string, body: Record<string, unknown>) {
  const res = await cat.lakegate.app.inject({ method: 'POST', url: `${M}/namespaces/${NS}/tables/${table}/maintenance`, payload: body });
  return { status: res.statusCode, body: res.json() };
}

/** The table's metadata as the catalog stores it: its format version and current snapshot. */
async function stored(table: string): Promise<{ formatVersion: number; current: Record<string, unknown> }> {
  const res = await cat.lakegate.app.inject({ method: 'GET', url: `/v1/default/namespaces/${NS}/tables/${table}` });
  expect(res.statusCode, res.body).toBe(200);
  const metadata = res.json().metadata;
  const current = metadata.snapshots.find((s: { 'snapshot-id': unknown }) => String(s['snapshot-id']) === String(metadata['current-snapshot-id']));
  return { formatVersion: metadata['format-version'], current };
}

it(
  'compacts a partitioned v1 table of 20 small appends and a delete: PyIceberg reads the same rows from a v1 replace snapshot',
  async () => {
    const written = await py('write', 'events');
    expect(written.rows.length).toBe(99);
    expect(written.files.length).toBeGreaterThanOrEqual(20);
    expect((await stored('events')).formatVersion).toBe(1);

    const done = await maintain('events', { actions: ['rewrite-data-files'], strategy: 'binpack' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.compaction).toMatchObject({
      outcome: 'committed',
      strategy: 'binpack',
      groups: 2,
      'added-data-files': 2,
      'rewritten-data-files': written.files.length,
    });

    const after = await py('verify', 'events', { BEFORE_SNAPSHOT: written.snapshot });
    expect(after.rows).toEqual(written.rows);
    expect(after.files.length).toBe(2);
    expect(after.files.every((f: string) => f.endsWith('-compacted.parquet'))).toBe(true);
    expect(after.operation).toBe('replace');
    expect(after.snapshot).toBe(done.body.compaction['snapshot-id']);
    expect(after.format_version).toBe(1);
    expect(after.before_rows).toEqual(written.rows);
    expect(after.eu_rows).toEqual(written.rows.filter((r: [number, string]) => r[1] === 'eu'));
    expect(after.filtered).toEqual(written.rows.filter((r: [number]) => r[0] >= 150));
    const { formatVersion, current } = await stored('events');
    expect(formatVersion).toBe(1);
    expect(current).not.toHaveProperty('sequence-number');
    expect(current.summary).toMatchObject({ operation: 'replace', 'deleted-data-files': String(written.files.length), 'total-data-files': '2' });
    // PyIceberg appends on top of the catalog's v1 manifests.
    await py('append', 'events', { ROW_ID: '9999' });
    const appended = await py('verify', 'events');
    expect(appended.rows).toEqual([...written.rows, [9999, 'eu', 'concurrent-9999']].sort((a, b) => a[0] - b[0]));
    expect(appended.files.length).toBe(3);
  },
  15 * 60_000,
);

it(
  'sort-compacts an unpartitioned v1 table PyIceberg created with a sort order into one sorted file carrying its sort_order_id',
  async () => {
    const written = await py('write', 'sorted', { SORTED: '1', UNPARTITIONED: '1' });
    expect(written.files.length).toBeGreaterThanOrEqual(20);
    const done = await maintain('sorted', { actions: ['rewrite-data-files'] });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.compaction).toMatchObject({ outcome: 'committed', strategy: 'sort', groups: 1, 'added-data-files': 1 });
    const after = await py('verify', 'sorted');
    expect(after.rows).toEqual(written.rows);
    expect(after.operation).toBe('replace');
    expect(after.format_version).toBe(1);
    expect(after.file_orders).toHaveLength(1);
    const [[file, sortOrderId, ids]] = after.file_orders as [[string, number, number[]]];
    expect(file).toMatch(/-compacted\.parquet$/);
    expect(sortOrderId).toBe(1);
    expect(ids).toEqual(written.rows.map((r: [number]) => r[0]).sort((a: number, b: number) => b - a));
    expect((await stored('sorted')).formatVersion).toBe(1);
  },
  15 * 60_000,
);

it(
  "merges a v1 table's one-manifest-per-append into one v1 manifest: PyIceberg reads the same rows and files, and appends on top",
  async () => {
    const written = await py('write', 'manifests');
    const before = await py('verify', 'manifests');
    expect(before.manifests).toBeGreaterThanOrEqual(20);
    const res = await maintain('manifests', { actions: ['rewrite-manifests'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const manifests = res.body.manifests;
    expect(manifests).toMatchObject({ outcome: 'committed', 'added-manifests': 1, 'kept-manifests': 0, 'entries-processed': written.files.length });
    const after = await py('verify', 'manifests', { BEFORE_SNAPSHOT: written.snapshot });
    expect(after.rows).toEqual(written.rows);
    expect(after.files).toEqual(written.files);
    expect(after.operation).toBe('replace');
    expect(after.snapshot).toBe(manifests['snapshot-id']);
    expect(after.manifests).toBe(1);
    expect(after.inspect_manifests).toBe(1);
    expect(after.format_version).toBe(1);
    expect(after.before_rows).toEqual(written.rows);
    expect(after.eu_rows).toEqual(written.rows.filter((r: [number, string]) => r[1] === 'eu'));
    expect((await stored('manifests')).current).not.toHaveProperty('sequence-number');
    await py('append', 'manifests', { ROW_ID: '7777' });
    const appended = await py('verify', 'manifests');
    expect(appended.rows).toEqual([...written.rows, [7777, 'eu', 'concurrent-7777']].sort((a, b) => a[0] - b[0]));
    expect(appended.manifests).toBe(2);
    expect(appended.format_version).toBe(1);
  },
  15 * 60_000,
);

/**
 * Z-order compaction (issue 59, `sort-order: {"zorder": ...}`) of a table PyIceberg 0.12 wrote, read back by
 * PyIceberg: Lakegate in-process on a file warehouse, listening on a loopback port. PyIceberg makes 16 small appends of
 * random points (x, y) to an unpartitioned table; the catalog's job z-orders them by (x, y) into one file with its own
 * rewriter (in its rewrite thread); PyIceberg then reads exactly the same rows from that one file, the current
 * snapshot is a `replace`, the file carries no sort_order_id, and its rows (read with pyarrow in file order) follow
 * the z-curve: each quarter of the file spans about half of x and half of y, where each input spanned nearly all of both.
 * A bigger table (16 appends of 16 Ki points, several MiB) z-ordered with a 1 MiB target and a 64 MiB group becomes
 * several files, each with its own bounds: PyIceberg's scan plans far fewer of them for a small box on x and y than
 * it planned of the 16 inputs (all of them), and reads the same rows.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { pyicebergPython } from '../support/peers.js';
import { REPO_ROOT } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

const NS = 'zord';
let cat: TestCatalog;
let url: string;
let python: string;

beforeAll(async () => {
  python = pyicebergPython();
  cat = await startInProcess({});
  url = await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
}, 600_000);
afterAll(async () => {
  await cat?.close();
});

async function py(phase: string, table: string, ...args: string[]): Promise<any> {
  const env: NodeJS.ProcessEnv = { ...process.env, CATALOG_URI: url, CATALOG_WAREHOUSE: 'default' };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  const run = await runAsync(python, [path.join(REPO_ROOT, 'peers', 'python', 'pyiceberg_zorder.py'), phase, NS, table, ...args], {
    env,
    timeoutMs: 10 * 60_000,
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

/** The share of [-2^19, 2^19) (x) and [0, 2^20) (y) the points span. */
const spans = (points: [number, number][]) => {
  const span = (vs: number[]) => (vs.reduce((m, v) => Math.max(m, v), -Infinity) - vs.reduce((m, v) => Math.min(m, v), Infinity)) / 2 ** 20;
  return { x: span(points.map((p) => p[0])), y: span(points.map((p) => p[1])) };
};

it(
  'z-orders the small files PyIceberg wrote into one file PyIceberg reads the same rows from, in z-curve order',
  async () => {
    const written = await py('write', 'points');
    expect(written.files).toHaveLength(16);
    const before = await py('verify', 'points');
    for (const [, , points] of before.file_orders as [string, unknown, [number, number][]][]) {
      expect(spans(points).x).toBeGreaterThan(0.9);
      expect(spans(points).y).toBeGreaterThan(0.9);
    }
    const res = await cat.lakegate.app.inject({
      method: 'POST',
      url: `/management/v1/warehouses/default/namespaces/${NS}/tables/points/maintenance`,
      payload: { actions: ['rewrite-data-files'], 'sort-order': { zorder: { 'source-ids': [2, 3] } } },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().compaction).toMatchObject({ outcome: 'committed', strategy: 'zorder', 'rewritten-data-files': 16, 'added-data-files': 1 });
    const after = await py('verify', 'points');
    expect(after.rows).toEqual(written.rows);
    expect(after.operation).toBe('replace');
    expect(after.files).toHaveLength(1);
    const [file, sortOrderId, points] = (after.file_orders as [string, unknown, [number, number][]][])[0]!;
    expect(file).toMatch(/-compacted\.parquet$/);
    expect(sortOrderId).toBeNull();
    // Quarters of the file: quadrants of the curve (x's sign, then y's top bit), about half of each column.
    const quarter = points.length / 4;
    const quarters = [0, 1, 2, 3].map((q) => spans(points.slice(q * quarter, (q + 1) * quarter)));
    expect(quarters.reduce((n, s) => n + s.x, 0) / 4).toBeLessThan(0.75);
    expect(quarters.reduce((n, s) => n + s.y, 0) / 4).toBeLessThan(0.75);
  },
  15 * 60_000,
);

it(
  'z-orders a group bigger than the target into several files whose own bounds let PyIceberg skip most of them',
  async () => {
    const written = await py('write', 'big', '16384');
    expect(written.files).toHaveLength(16);
    // Boxes of 1/64 of x by 1/64 of y across the plane.
    const boxes = JSON.stringify(Array.from({ length: 8 }, (_, i) => [-(2 ** 19) + i * 2 ** 17, ((i * 5) % 8) * 2 ** 17, 2 ** 14]));
    const before = await py('boxes', 'big', boxes);
    expect(before.planned).toEqual(Array(8).fill(16));
    const res = await cat.lakegate.app.inject({
      method: 'POST',
      url: `/management/v1/warehouses/default/namespaces/${NS}/tables/big/maintenance`,
      payload: {
        actions: ['rewrite-data-files'],
        'target-file-size-bytes': 1024 * 1024,
        'max-file-group-size-bytes': 64 * 1024 * 1024,
        'sort-order': { zorder: { 'source-ids': [2, 3] } },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().compaction).toMatchObject({ outcome: 'committed', strategy: 'zorder', 'rewritten-data-files': 16, groups: 1 });
    const after = await py('boxes', 'big', boxes);
    expect(after.files.length).toBeGreaterThanOrEqual(3);
    expect(res.json().compaction['added-data-files']).toBe(after.files.length);
    expect([after.count, after.digest]).toEqual([before.count, before.digest]);
    const mean = after.planned.reduce((n: number, v: number) => n + v, 0) / after.planned.length;
    expect(mean).toBeLessThan(0.6 * after.files.length);
  },
  15 * 60_000,
);

/**
 * Compaction writes files near the target size (issue 59; Iceberg's rewrite_data_files `target-file-size-bytes` and
 * `max-file-group-size-bytes`), in-process on a file warehouse, by the server's own rewriter in its rewrite thread:
 * a group of 16 small files of random points (about 6 MiB of Parquet) compacted with a 1 MiB target becomes several
 * files of about that size, not one:
 * - z-ordered by (x, y): each file a contiguous run of the z-curve (the files' z-value ranges are disjoint), each with
 *   its own bounds, so the catalog's planner skips most files for a small box on x and y (it planned all 16 inputs);
 * - sorted by x: the files' x ranges are disjoint, and a filter on x plans one of them;
 * - bin-packed: files of about the target too;
 * with the same rows each time; `max-file-group-size-bytes` out of range or without the action is a 400.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { interleaveBits, wholeNumberBytes } from '../../packages/server/src/policy-files/zorder-bytes.js';
import type { Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startFileCatalog } from '../support/lake-warehouse.js';
import { type Point, rowGroupsOf, tableOfRandomPoints } from '../support/random-points.js';

let cat: TestCatalog;
let send: Send;
const WH = 'targeted';
const TABLES = `/v1/${WH}/namespaces/db/tables`;
const maintenance = (name: string) => `/management/v1/warehouses/${WH}/namespaces/db/tables/${name}/maintenance`;
const MiB = 1024 * 1024;
const FULL = { x: 1_000_000, y: 1_000_000 };

beforeAll(async () => {
  ({ cat, send } = await startFileCatalog(WH, ['db']));
});
afterAll(async () => {
  await cat?.close();
});

const key = (p: Point) => `${p.id}:${p.x}:${p.y}`;

/** Compacts `name` with a 1 MiB target in one group; answers the new files' rows and the result. */
async function compact(name: string, extra: Record<string, unknown>) {
  const done = await send('POST', maintenance(name), {
    actions: ['rewrite-data-files'],
    'target-file-size-bytes': MiB,
    'max-file-group-size-bytes': 64 * MiB,
    ...extra,
  });
  expect(done.status, stringifyJson(done.body)).toBe(200);
  expect(done.body.compaction).toMatchObject({ outcome: 'committed', groups: 1, 'rewritten-data-files': 16 });
  const planned = await send('POST', `${TABLES}/${name}/plan`, {});
  const sizes = (planned.body['file-scan-tasks'] as { 'data-file': { 'file-size-in-bytes': number } }[]).map((t) => t['data-file']['file-size-in-bytes']);
  const files = (await rowGroupsOf(send, `${TABLES}/${name}`, FULL)).map((f) => ({ file: f.file, rows: f.groups.flatMap((g) => g.rows) }));
  return { result: done.body.compaction, files, sizes };
}

/** How many files the catalog's planner keeps for a filter (by the manifest entries' bounds). */
async function plannedFor(name: string, filter: unknown): Promise<number> {
  const planned = await send('POST', `${TABLES}/${name}/plan`, { filter });
  expect(planned.status, stringifyJson(planned.body)).toBe(200);
  return (planned.body['file-scan-tasks'] as unknown[]).length;
}

const box = (x: number, y: number) => ({
  type: 'and',
  left: { type: 'and', left: { type: 'gt-eq', term: 'x', value: x }, right: { type: 'lt', term: 'x', value: x + 10_000 } },
  right: { type: 'and', left: { type: 'gt-eq', term: 'y', value: y }, right: { type: 'lt', term: 'y', value: y + 10_000 } },
});
const boxes = Array.from({ length: 20 }, (_, i) => ({ x: -500_000 + i * 49_000, y: (i * 370_000) % 990_000 }));

it('z-orders a group bigger than the target into several files near it, disjoint on the z-curve, and the planner skips most of them', async () => {
  const rows = await tableOfRandomPoints(send, TABLES, 'zpoints', 16, 16_384);
  // The inputs carry no bounds and span everything: every box plans all 16.
  for (const b of boxes.slice(0, 3)) expect(await plannedFor('zpoints', box(b.x, b.y))).toBe(16);
  const { result, files, sizes } = await compact('zpoints', { 'sort-order': { zorder: { 'source-ids': [2, 3] } } });
  expect(result.strategy).toBe('zorder');
  expect(files.length).toBeGreaterThanOrEqual(3);
  expect(result['added-data-files']).toBe(files.length);
  for (const size of sizes) expect(size).toBeLessThan(1.5 * MiB);
  // Each file a contiguous run of z-values: sorted by their least z-value, one file's greatest is below the next's least.
  const z = (p: Point) => {
    const [x, y] = [new Uint8Array(8), new Uint8Array(8)];
    wholeNumberBytes(BigInt(p.x), x);
    wholeNumberBytes(BigInt(p.y), y);
    return Buffer.from(interleaveBits([x, y]));
  };
  const ranges = files
    .map((f) => {
      const zs = f.rows.map(z);
      return { lo: zs.reduce((m, v) => (Buffer.compare(v, m) < 0 ? v : m)), hi: zs.reduce((m, v) => (Buffer.compare(v, m) > 0 ? v : m)) };
    })
    .sort((a, b) => Buffer.compare(a.lo, b.lo));
  for (let i = 1; i < ranges.length; i++) expect(Buffer.compare(ranges[i - 1]!.hi, ranges[i]!.lo)).toBeLessThan(0);
  // The files' own bounds: a small box plans few of them (one file per group planned every box before).
  let planned = 0;
  for (const b of boxes) planned += await plannedFor('zpoints', box(b.x, b.y));
  expect(planned / boxes.length).toBeLessThan(0.6 * files.length);
  expect(
    files
      .flatMap((f) => f.rows)
      .map(key)
      .sort(),
  ).toEqual(rows.map(key).sort());
}, 240_000);

it('sorts a group bigger than the target into files of disjoint x ranges, and a filter on x plans one of them', async () => {
  const rows = await tableOfRandomPoints(send, TABLES, 'spoints', 16, 16_384, 60);
  expect(await plannedFor('spoints', { type: 'lt', term: 'x', value: -450_000 })).toBe(16);
  const sortOrder = { fields: [{ 'source-id': 2, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] };
  const { result, files, sizes } = await compact('spoints', { 'sort-order': sortOrder });
  expect(result.strategy).toBe('sort');
  expect(files.length).toBeGreaterThanOrEqual(3);
  for (const size of sizes) expect(size).toBeLessThan(1.5 * MiB);
  const ranges = files.map((f) => ({ lo: Math.min(...f.rows.map((r) => r.x)), hi: Math.max(...f.rows.map((r) => r.x)) })).sort((a, b) => a.lo - b.lo);
  // Equal x values may meet at a cut; ranges never overlap beyond that.
  for (let i = 1; i < ranges.length; i++) expect(ranges[i - 1]!.hi).toBeLessThanOrEqual(ranges[i]!.lo);
  // 5% of x: the first file's range holds it.
  expect(await plannedFor('spoints', { type: 'lt', term: 'x', value: -450_000 })).toBe(1);
  expect(
    files
      .flatMap((f) => f.rows)
      .map(key)
      .sort(),
  ).toEqual(rows.map(key).sort());
}, 240_000);

it('bin-packs a group bigger than the target into files near it, with the same rows', async () => {
  const rows = await tableOfRandomPoints(send, TABLES, 'bpoints', 16, 16_384, 61);
  const { result, files, sizes } = await compact('bpoints', { strategy: 'binpack' });
  expect(result.strategy).toBe('binpack');
  expect(files.length).toBeGreaterThanOrEqual(3);
  for (const size of sizes) expect(size).toBeLessThan(1.5 * MiB);
  expect(
    files
      .flatMap((f) => f.rows)
      .map(key)
      .sort(),
  ).toEqual(rows.map(key).sort());
}, 240_000);

it('refuses max-file-group-size-bytes out of range or without rewrite-data-files', async () => {
  await tableOfRandomPoints(send, TABLES, 'refused', 2, 10, 62);
  for (const [body, pattern] of [
    [{ actions: ['rewrite-data-files'], 'max-file-group-size-bytes': 1000 }, /max-file-group-size-bytes/],
    [{ actions: ['expire-snapshots'], 'max-file-group-size-bytes': 64 * MiB }, /max-file-group-size-bytes applies to rewrite-data-files/],
  ] as const) {
    const res = await send('POST', maintenance('refused'), body);
    expect(res.status, stringifyJson(res.body)).toBe(400);
    expect(stringifyJson(res.body)).toMatch(pattern);
  }
});

/**
 * Compaction's z-order (issue 59; Spark's rewrite_data_files `sort_order => 'zorder(x, y)'`), in-process on a file
 * warehouse, rewritten by the server's own rewriter in its rewrite thread:
 * - a table of random points (x, y) in 16 small files compacts with `sort-order: {"zorder": ...}` into one file whose
 *   row groups span far less of x AND of y than any input file did (every input spans nearly all of both; z-order
 *   cuts the points into quadrants, so row groups span about half of each, one straddling two quadrants more), and
 *   a small box query's bounds overlap far fewer row groups, with the same rows read back through the scan plan; the result and the job's record name the strategy (zorder), and
 *   the new file carries no sort-order-id (no Iceberg sort order says z-order);
 * - an unknown or nested column, an unsupported type, a column named twice, only identity partition columns, with
 *   binpack, or a request of the wrong shape is a 400, and nothing is rewritten.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startFileCatalog } from '../support/lake-warehouse.js';
import { rowGroupsOf, tableOfRandomPoints } from '../support/random-points.js';

let cat: TestCatalog;
let send: Send;
const WH = 'zordered';
const TABLES = `/v1/${WH}/namespaces/db/tables`;
const maintenance = (name: string) => `/management/v1/warehouses/${WH}/namespaces/db/tables/${name}/maintenance`;

beforeAll(async () => {
  ({ cat, send } = await startFileCatalog(WH, ['db']));
});
afterAll(async () => {
  await cat?.close();
});

const FULL = { x: 1_000_000, y: 1_000_000 };

it('z-orders a group by x and y: every row group of the new file spans much less of both columns than any input, with the same rows', async () => {
  const rows = await tableOfRandomPoints(send, TABLES, 'points', 16, 16_384);
  const before = await rowGroupsOf(send, `${TABLES}/points`, FULL);
  expect(before).toHaveLength(16);
  // Written in random order: each input file spans nearly all of x and of y.
  for (const g of before.flatMap((f) => f.groups)) {
    expect(g.xSpan).toBeGreaterThan(0.95);
    expect(g.ySpan).toBeGreaterThan(0.95);
  }
  const done = await send('POST', maintenance('points'), { actions: ['rewrite-data-files'], 'sort-order': { zorder: { 'source-ids': [2, 3] } } });
  expect(done.status, stringifyJson(done.body)).toBe(200);
  expect(done.body.compaction).toMatchObject({ outcome: 'committed', groups: 1, 'rewritten-data-files': 16, 'added-data-files': 1, strategy: 'zorder' });
  const job = await send('GET', maintenance('points'));
  expect(job.body).toMatchObject({ state: 'done', progress: { phase: 'done', strategy: 'zorder' } });
  const after = await rowGroupsOf(send, `${TABLES}/points`, FULL);
  expect(after).toHaveLength(1);
  expect(after[0]!.sortOrderId).toBeUndefined();
  const groups = after[0]!.groups;
  // 262144 rows in row groups of 64 Ki rows: each a quarter of the z-curve, about half of x and of y; the quadrants
  // are not exactly a quarter of the rows each, so a row group straddles two and spans more of one column.
  expect(groups).toHaveLength(4);
  const mean = (vs: number[]) => vs.reduce((n, v) => n + v, 0) / vs.length;
  expect(mean(groups.map((g) => g.xSpan))).toBeLessThan(0.75);
  expect(mean(groups.map((g) => g.ySpan))).toBeLessThan(0.75);
  expect(groups.filter((g) => g.xSpan < 0.65 && g.ySpan < 0.65).length).toBeGreaterThanOrEqual(3);
  // What a reader's pruning gains: small boxes (1% of x by 1% of y) whose row groups' bounds overlap them.
  const overlapping = (spans: typeof groups, box: { x: number; y: number }) =>
    spans.filter((g) => {
      const [xs, ys] = [g.rows.map((r) => r.x), g.rows.map((r) => r.y)];
      const within = (vs: number[], lo: number, hi: number) =>
        vs.reduce((m, v) => Math.min(m, v), Infinity) <= hi && vs.reduce((m, v) => Math.max(m, v), -Infinity) >= lo;
      return within(xs, box.x, box.x + 10_000) && within(ys, box.y, box.y + 10_000);
    }).length / spans.length;
  const boxes = Array.from({ length: 20 }, (_, i) => ({ x: -500_000 + i * 49_000, y: (i * 370_000) % 990_000 }));
  const beforeGroups = before.flatMap((f) => f.groups);
  expect(mean(boxes.map((b) => overlapping(beforeGroups, b)))).toBeGreaterThan(0.95);
  expect(mean(boxes.map((b) => overlapping(groups, b)))).toBeLessThan(0.5);
  // The same rows, each with its own values.
  const key = (p: { id: number; x: number; y: number }) => `${p.id}:${p.x}:${p.y}`;
  expect(
    groups
      .flatMap((g) => g.rows)
      .map(key)
      .sort(),
  ).toEqual(rows.map(key).sort());
}, 120_000);

it('refuses a z-order it cannot write, or of the wrong shape, with a 400 naming why, and rewrites nothing', async () => {
  const created = await send('POST', TABLES, {
    name: 'odd',
    schema: {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', type: 'long', required: false },
        { id: 2, name: 'nested', type: { type: 'struct', fields: [{ id: 5, name: 'a', type: 'int', required: false }] }, required: false },
        { id: 3, name: 'price', type: 'decimal(10, 2)', required: false },
        { id: 4, name: 'region', type: 'string', required: false },
      ],
    },
    'partition-spec': { fields: [{ 'source-id': 4, 'field-id': 1000, name: 'region', transform: 'identity' }] },
  });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const refused = async (sortOrder: unknown, pattern: RegExp, extra: Record<string, unknown> = {}) => {
    const res = await send('POST', maintenance('odd'), { actions: ['rewrite-data-files'], 'sort-order': sortOrder, ...extra });
    expect(res.status, stringifyJson(res.body)).toBe(400);
    expect(stringifyJson(res.body)).toMatch(pattern);
  };
  await refused({ zorder: { 'source-ids': [1, 999] } }, /source-ids\[1\]: field 999 is not a column of the current schema/);
  await refused({ zorder: { 'source-ids': [1, 5] } }, /field 5 is nested; zorder takes top-level columns only/);
  await refused({ zorder: { 'source-ids': [2] } }, /cannot z-order by column nested of type struct/);
  await refused({ zorder: { 'source-ids': [1, 3] } }, /cannot z-order by column price of type decimal\(10,2\)/);
  await refused({ zorder: { 'source-ids': [1, 1] } }, /column id is named twice/);
  await refused({ zorder: { 'source-ids': [4] } }, /only identity partition columns/);
  await refused({ zorder: { 'source-ids': [1] } }, /does not go with strategy binpack/, { strategy: 'binpack' });
  await refused({ zorder: { 'source-ids': [] } }, /source-ids/);
  await refused({ zorder: { 'source-ids': [1], other: 1 } }, /other|additional/i);
  await refused({ zorder: { 'source-ids': [1], 'var-length-contribution': 0 } }, /var-length-contribution/);
  await refused({ zorder: { 'source-ids': [1] }, fields: [] }, /sort-order/);
  await refused({ zorder: [1] }, /sort-order/);
  expect((await send('GET', `${TABLES}/odd`)).body.metadata.snapshots ?? []).toEqual([]);
  // The key's length is bounded (a key a row is held and radix-sorted a byte a pass): 8 + 2 × 200 bytes is too long,
  // unless max-output-size cuts it.
  const wide = await send('POST', TABLES, {
    name: 'wide',
    schema: {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'id', type: 'long', required: false },
        { id: 2, name: 'a', type: 'string', required: false },
        { id: 3, name: 'b', type: 'string', required: false },
      ],
    },
  });
  expect(wide.status, stringifyJson(wide.body)).toBe(200);
  const long = { 'source-ids': [1, 2, 3], 'var-length-contribution': 200 };
  const tooLong = await send('POST', maintenance('wide'), { actions: ['rewrite-data-files'], 'sort-order': { zorder: long } });
  expect(tooLong.status, stringifyJson(tooLong.body)).toBe(400);
  expect(stringifyJson(tooLong.body)).toMatch(/z-order key would be 408 bytes a row, more than 256/);
  const cut = await send('POST', maintenance('wide'), { actions: ['rewrite-data-files'], 'sort-order': { zorder: { ...long, 'max-output-size': 256 } } });
  expect(cut.status, stringifyJson(cut.body)).toBe(200);
  // On a table with files, a refused z-order leaves them as they are.
  await tableOfRandomPoints(send, TABLES, 'kept', 3, 100);
  const res = await send('POST', maintenance('kept'), { actions: ['rewrite-data-files'], 'sort-order': { zorder: { 'source-ids': [2, 7] } } });
  expect(res.status).toBe(400);
  expect(await rowGroupsOf(send, `${TABLES}/kept`, FULL)).toHaveLength(3);
});

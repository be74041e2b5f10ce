/**
 * Compaction's sort strategy (issue 59, rewrite-data-files `strategy`), in-process on a file warehouse whose tables
 * hold small Parquet files written here (test/support/small-files.ts), rewritten by the server's own rewriter (in its
 * rewrite thread):
 * - a table with a default sort order (id descending) compacts, unasked, into files whose rows are in that order; the
 *   scan plan reads the same rows, and the new files' entries carry the order's id (sort-order-id);
 * - `strategy: binpack` keeps the inputs' order and leaves sort-order-id unset;
 * - the result and the job's record (its progress) name the strategy and target file size applied;
 * - `strategy: sort` on an unsorted table, a bucket sort field, or an unknown strategy is a 400;
 * - a `sort-order` asked for is written instead of the default, its files carrying the id of the table's order with
 *   the same fields or none; with binpack, on a missing column or of a wrong shape it is a 400.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { type Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startFileCatalog } from '../support/lake-warehouse.js';
import { planFilesOf, scanTable, tableWithSmallFiles } from '../support/small-files.js';

let cat: TestCatalog;
let send: Send;
const WH = 'sorted';
const TABLES = `/v1/${WH}/namespaces/db/tables`;

beforeAll(async () => {
  ({ cat, send } = await startFileCatalog(WH, ['db']));
});
afterAll(async () => {
  await cat?.close();
});

/** Sets the table's default sort order to one field on column 1 (id). */
async function sortBy(name: string, transform: string, direction: 'asc' | 'desc'): Promise<void> {
  const res = await send('POST', `${TABLES}/${name}`, {
    requirements: [],
    updates: [
      { action: 'add-sort-order', 'sort-order': { 'order-id': 1, fields: [{ transform, 'source-id': 1, direction, 'null-order': 'nulls-last' }] } },
      { action: 'set-default-sort-order', 'sort-order-id': -1 },
    ],
  });
  expect(res.status, stringifyJson(res.body)).toBe(200);
}

const compact = async (name: string, body: Record<string, unknown> = {}) =>
  send('POST', `/management/v1/warehouses/${WH}/namespaces/db/tables/${name}/maintenance`, { actions: ['rewrite-data-files'], ...body });

/** Each data file of the scan plan: its rows' ids in file order and its sort-order-id. */
const filesOf = (name: string) => planFilesOf(send, `${TABLES}/${name}`);

it('compacts a table with a sort order into files sorted by it, with the same rows and the order id on the new entries', async () => {
  const rows = await tableWithSmallFiles(send, TABLES, 'desc_ids', { eu: 12, us: 12 });
  await sortBy('desc_ids', 'identity', 'desc');
  const before = await scanTable(send, `${TABLES}/desc_ids`);
  expect(before.rows).toEqual(rows);
  const done = await compact('desc_ids');
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  expect(done.body.compaction).toMatchObject({
    outcome: 'committed',
    groups: 2,
    'added-data-files': 2,
    'rewritten-data-files': 24,
    // Unasked: the table's sort order, and the default target (no write.target-file-size-bytes on the table).
    strategy: 'sort',
    'target-file-size-bytes': 128 * 1024 * 1024,
  });
  // The job's record says the same after the job.
  const job = await send('GET', `/management/v1/warehouses/${WH}/namespaces/db/tables/desc_ids/maintenance`);
  expect(job.body).toMatchObject({ state: 'done', progress: { phase: 'done', strategy: 'sort', 'target-file-size-bytes': 128 * 1024 * 1024 } });
  expect((await scanTable(send, `${TABLES}/desc_ids`)).rows).toEqual(rows);
  const files = await filesOf('desc_ids');
  expect(files).toHaveLength(2);
  for (const f of files) {
    expect(f.ids).toHaveLength(36);
    expect(f.ids).toEqual([...f.ids].sort((a, b) => b - a));
    expect(f.sortOrderId).toBe(1);
  }
});

it('keeps the inputs order with strategy binpack, and leaves sort-order-id unset', async () => {
  await tableWithSmallFiles(send, TABLES, 'packed', { eu: 12 });
  await sortBy('packed', 'identity', 'desc');
  const done = await compact('packed', { strategy: 'binpack', 'target-file-size-bytes': 2 * 1024 * 1024 });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  expect(done.body.compaction).toMatchObject({ outcome: 'committed', 'added-data-files': 1, strategy: 'binpack', 'target-file-size-bytes': 2 * 1024 * 1024 });
  const job = await send('GET', `/management/v1/warehouses/${WH}/namespaces/db/tables/packed/maintenance`);
  expect(job.body).toMatchObject({ progress: { strategy: 'binpack', 'target-file-size-bytes': 2 * 1024 * 1024 } });
  const [file] = await filesOf('packed');
  expect(file!.ids).not.toEqual([...file!.ids].sort((a, b) => b - a));
  expect(file!.sortOrderId).toBeUndefined();
});

it('sorts by a truncate transform, and refuses strategy sort on an unsorted table, a bucket sort field, or an unknown strategy', async () => {
  await tableWithSmallFiles(send, TABLES, 'unsorted', { eu: 3 });
  const unsorted = await compact('unsorted', { strategy: 'sort' });
  expect(unsorted.status).toBe(400);
  expect(JSON.stringify(unsorted.body)).toMatch(/sort order/);
  expect((await compact('unsorted', { strategy: 'zorder' })).status).toBe(400);
  await tableWithSmallFiles(send, TABLES, 'bucketed', { eu: 3 });
  await sortBy('bucketed', 'bucket[4]', 'asc');
  const bucket = await compact('bucketed', { strategy: 'sort' });
  expect(bucket.status).toBe(400);
  expect(JSON.stringify(bucket.body)).toMatch(/bucket\[4\]/);
  // Unasked, a table whose order cannot be written is bin-packed.
  expect((await compact('bucketed')).body.compaction).toMatchObject({ outcome: 'committed', 'added-data-files': 1, strategy: 'binpack' });
  expect((await filesOf('bucketed'))[0]!.sortOrderId).toBeUndefined();
  // truncate[2], descending: pairs of ids in descending order (within a pair, the inputs' order).
  const rows = await tableWithSmallFiles(send, TABLES, 'truncated', { eu: 12 });
  await sortBy('truncated', 'truncate[2]', 'desc');
  expect((await compact('truncated', { strategy: 'sort' })).status).toBe(200);
  const [file] = await filesOf('truncated');
  const pairs = file!.ids.map((id) => Math.floor(id / 2));
  expect(pairs).toEqual([...pairs].sort((a, b) => b - a));
  expect([...file!.ids].sort((a, b) => a - b)).toEqual(rows.map((r) => Number(r.id)));
  expect(file!.sortOrderId).toBe(1);
});

it('writes a sort-order asked for instead of the default, with the id of the table order that has the same fields or none', async () => {
  const byId = (direction: 'asc' | 'desc') => ({ fields: [{ transform: 'identity', 'source-id': 1, direction, 'null-order': 'nulls-last' }] });
  // An unsorted table, sorted by the request: ascending ids, and no sort-order-id (the table has no such order).
  const rows = await tableWithSmallFiles(send, TABLES, 'asked_unsorted', { eu: 12 });
  const done = await compact('asked_unsorted', { 'sort-order': byId('asc') });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  expect(done.body.compaction).toMatchObject({ outcome: 'committed', strategy: 'sort', 'added-data-files': 1 });
  const [file] = await filesOf('asked_unsorted');
  expect(file!.ids).toEqual([...file!.ids].sort((a, b) => a - b));
  expect(file!.ids).not.toEqual(rows.map((r) => Number(r.id)).reverse());
  expect(file!.sortOrderId).toBeUndefined();
  expect((await scanTable(send, `${TABLES}/asked_unsorted`)).rows).toEqual(rows);
  // A table sorted by id descending (order 1): asked ascending, the files are ascending with no id; asked the
  // table's own order, they carry its id.
  await tableWithSmallFiles(send, TABLES, 'asked_other', { eu: 12 });
  await sortBy('asked_other', 'identity', 'desc');
  expect((await compact('asked_other', { 'sort-order': byId('asc'), strategy: 'sort' })).status).toBe(200);
  const [asc] = await filesOf('asked_other');
  expect(asc!.ids).toEqual([...asc!.ids].sort((a, b) => a - b));
  expect(asc!.sortOrderId).toBeUndefined();
  await tableWithSmallFiles(send, TABLES, 'asked_same', { eu: 12 });
  await sortBy('asked_same', 'identity', 'desc');
  expect((await compact('asked_same', { 'sort-order': byId('desc') })).status).toBe(200);
  const [desc] = await filesOf('asked_same');
  expect(desc!.ids).toEqual([...desc!.ids].sort((a, b) => b - a));
  expect(desc!.sortOrderId).toBe(1);
});

it('refuses a sort-order with binpack, on a column the table lacks, or of the wrong shape, and compaction settings without compaction, and changes nothing', async () => {
  await tableWithSmallFiles(send, TABLES, 'asked_bad', { eu: 3 });
  const field = { transform: 'identity', 'source-id': 1, direction: 'asc', 'null-order': 'nulls-first' };
  const refused = async (body: Record<string, unknown>, pattern: RegExp) => {
    const res = await compact('asked_bad', body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(pattern);
  };
  await refused({ strategy: 'binpack', 'sort-order': { fields: [field] } }, /does not go with strategy binpack/);
  await refused({ 'sort-order': { fields: [{ ...field, 'source-id': 999 }] } }, /not a column of the current schema/);
  await refused({ 'sort-order': { fields: [] } }, /sort-order/);
  await refused({ 'sort-order': { fields: [{ ...field, direction: 'up' }] } }, /direction/);
  await refused({ 'sort-order': { fields: [{ ...field, extra: 1 }] } }, /extra|additional/i);
  await refused({ 'sort-order': [field] }, /sort-order/);
  await refused({ 'sort-order': { fields: [{ ...field, transform: 'void' }] } }, /orders by nothing/);
  await refused({ 'sort-order': { fields: [{ ...field, transform: 'truncate[0]' }] } }, /Invalid truncate width in sort-order.fields\[0\].transform/);
  // A compaction setting in a request that does not run compaction would be ignored: refused, naming the action.
  const maintenance = `/management/v1/warehouses/${WH}/namespaces/db/tables/asked_bad/maintenance`;
  for (const body of [
    { actions: ['expire-snapshots'], 'sort-order': { fields: [field] } },
    { strategy: 'sort' },
    { actions: ['rewrite-manifests'], 'min-input-files': 3 },
  ]) {
    const res = await send('POST', maintenance, body);
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/applies to rewrite-data-files, which this request's actions do not name/);
  }
  const manifests = await send('POST', maintenance, { actions: ['rewrite-data-files'], 'target-manifest-size-bytes': 65536 });
  expect(JSON.stringify(manifests.body)).toMatch(/applies to rewrite-manifests/);
  expect(await filesOf('asked_bad')).toHaveLength(3);
});

/**
 * Row lineage in the policy-enforced files of a format-version 3 table (issues 53 and 59, catalog/planning/restricted.ts),
 * in-process on a file warehouse. The table's rows are compacted first, so its files have a first_row_id (their rows
 * inherit `_row_id` = first_row_id + position) and store `_last_updated_sequence_number` explicitly. A row filter then
 * drops rows in the middle of those files: each derived file holds every kept row's `_row_id` and
 * `_last_updated_sequence_number` explicitly, equal to what an unrestricted reader sees for that row (not its new
 * position), and its plan entry keeps the source's first_row_id. A v2 table's derived files hold no lineage columns.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { localBlob, readRowGroups } from '../../packages/server/src/policy-files/parquet-io.js';
import { grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { createFileLake } from '../support/lake-warehouse.js';
import { signInAdmin, tokenOf } from '../support/principals.js';
import { tableWithSmallFiles } from '../support/small-files.js';

let cat: TestCatalog;
let admin: Send;
let analyst: Send;
const TABLES = '/v1/wh/namespaces/db/tables';
/** Dropped by the row filter: the first two rows of the eu file, the second of the us file (ids 0-11 eu, 12-20 us). */
const DROPPED = [0, 1, 13];

type Task = { 'data-file': { 'file-path': string; 'first-row-id'?: number } };
type Row = { id: number; rowId: number | null; seq: number | null; hasLineage: boolean };

async function rowsOf(uri: string): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of readRowGroups(await localBlob(fileURLToPath(uri))))
    for (const r of b.toArray().map((x) => x.toJSON())) {
      const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      out.push({ id: Number(r.id), rowId: num(r._row_id), seq: num(r._last_updated_sequence_number), hasLineage: '_row_id' in r });
    }
  return out;
}

async function tasksOf(send: Send, table: string): Promise<Task[]> {
  const planned = await send('POST', `${TABLES}/${table}/plan`, {});
  expect(planned.status, stringifyJson(planned.body)).toBe(200);
  return planned.body['file-scan-tasks'] as Task[];
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  await createFileLake(admin, cat, 'wh', ['db']);
  const p = await cat.lakegate.principals.create('analyst');
  expect((await admin('POST', '/management/v1/roles', { name: 'analysts' })).status).toBeLessThan(300);
  expect((await admin('POST', '/management/v1/roles/analysts/members', { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
  analyst = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
});
afterAll(async () => {
  await cat?.close();
});

async function restrict(table: string, formatVersion: 2 | 3): Promise<void> {
  await tableWithSmallFiles(admin, TABLES, table, { eu: 4, us: 3 }, { formatVersion });
  // Compacted: one file per region, with a first_row_id on v3 (the append's v2 manifests assigned none).
  const compacted = await admin('POST', `/management/v1/warehouses/wh/namespaces/db/tables/${table}/maintenance`, { actions: ['rewrite-data-files'] });
  expect(compacted.status, stringifyJson(compacted.body)).toBe(200);
  expect(compacted.body.compaction).toMatchObject({ outcome: 'committed', 'added-data-files': 2 });
  await grant(admin, 'analysts', ['table:read-data'], { type: 'table', warehouse: 'wh', namespace: ['db'], name: table });
  const policy = await admin('POST', `/management/v1/warehouses/wh/namespaces/db/tables/${table}/policies`, {
    kind: 'row-filter',
    roles: ['analysts'],
    filter: { type: 'not-in', term: 'id', values: DROPPED },
  });
  expect(policy.status, stringifyJson(policy.body)).toBe(201);
}

it('a v3 table’s derived files hold each kept row’s _row_id and _last_updated_sequence_number as an unrestricted reader sees them', async () => {
  await restrict('lineage', 3);
  // What an unrestricted reader sees: the file's stored value, else first_row_id + position and the data sequence number.
  const seen = new Map<number, [number, number]>();
  const sources = await tasksOf(admin, 'lineage');
  expect(sources).toHaveLength(2);
  for (const t of sources) {
    const first = t['data-file']['first-row-id'];
    expect(first).toEqual(expect.any(Number));
    (await rowsOf(t['data-file']['file-path'])).forEach((r, pos) => seen.set(r.id, [r.rowId ?? first! + pos, r.seq!]));
  }
  expect(new Set([...seen.values()].map(([rowId]) => rowId)).size).toBe(21);

  const derived = await tasksOf(analyst, 'lineage');
  expect(derived).toHaveLength(2);
  const read: Row[] = [];
  for (const t of derived) {
    expect(t['data-file']['file-path']).toContain('/_lakegate/policy/');
    // The source's first_row_id: every row's id is explicit in the file, which wins over first_row_id + position.
    const source = sources.find((s) => s['data-file']['first-row-id'] === t['data-file']['first-row-id']);
    expect(source, stringifyJson(t)).toBeDefined();
    read.push(...(await rowsOf(t['data-file']['file-path'])));
  }
  const kept = [...seen.keys()].filter((id) => !DROPPED.includes(id)).sort((a, b) => a - b);
  expect(read.map((r) => r.id).sort((a, b) => a - b)).toEqual(kept);
  for (const r of read) expect([r.id, r.rowId, r.seq]).toEqual([r.id, ...seen.get(r.id)!]);
});

it('a v2 table’s derived files are as before: no lineage columns, no first-row-id', async () => {
  await restrict('plain', 2);
  const derived = await tasksOf(analyst, 'plain');
  expect(derived).toHaveLength(2);
  for (const t of derived) {
    expect(t['data-file']['first-row-id']).toBeUndefined();
    for (const r of await rowsOf(t['data-file']['file-path'])) expect(r.hasLineage).toBe(false);
  }
});

/**
 * Managed compaction and manifest rewrite of format-version 3 tables (issue 59), in-process on a file warehouse: the
 * metadata math of row lineage as the catalog writes it (spec: "Row Lineage"). The table is one append of v2
 * manifests without row lineage (as a table upgraded to v3 holds: its files have no first_row_id yet): the
 * compaction's snapshot starts at the table's next-row-id, assigns the new files' manifest its first_row_id, moves
 * next-row-id by the rows it assigned, and the new file holds each row's `_row_id` (null: none was assigned, so the
 * new file's inheritance assigns them) and `_last_updated_sequence_number` (the append's). The schedule compacts a v3
 * table as any other. Spark reading a compacted v3 table, deletion vectors included: test/interop/compaction-spark.test.ts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { openAvro } from '../../packages/server/src/catalog/manifests/read-avro.js';
import { localBlob, readRowGroups } from '../../packages/server/src/policy-files/parquet-io.js';
import type { Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startFileCatalog } from '../support/lake-warehouse.js';
import { scanTable, tableWithSmallFiles } from '../support/small-files.js';

let cat: TestCatalog;
let send: Send;
const TABLES = '/v1/wh/namespaces/db/tables';
const maintain = (name: string, body: unknown) => send('POST', `/management/v1/warehouses/wh/namespaces/db/tables/${name}/maintenance`, body);

beforeAll(async () => {
  ({ cat, send } = await startFileCatalog('wh', ['db']));
});
afterAll(async () => {
  await cat?.close();
});

async function current(name: string) {
  const m = (await send('GET', `${TABLES}/${name}`)).body.metadata;
  const snapshot = m.snapshots.find((s: { 'snapshot-id': unknown }) => String(s['snapshot-id']) === String(m['current-snapshot-id']));
  return { metadata: m, snapshot };
}
async function avroRecords(uri: string): Promise<{ meta: Map<string, string>; records: Record<string, any>[] }> {
  const file = await openAvro(uri, new Uint8Array(readFileSync(fileURLToPath(uri))));
  const records: Record<string, any>[] = [];
  for await (const r of file.records) records.push(r);
  return { meta: file.meta, records };
}

it('compacts a v3 table: row lineage assigned from next-row-id, each row its _row_id and _last_updated_sequence_number', async () => {
  const rows = await tableWithSmallFiles(send, TABLES, 'lineage', { eu: 4, us: 3 }, { formatVersion: 3 });
  const before = await current('lineage');
  const nextRowId = Number(before.metadata['next-row-id']);
  const res = await maintain('lineage', { actions: ['rewrite-data-files'] });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  expect(res.body.compaction).toMatchObject({ outcome: 'committed', 'rewritten-data-files': 7, 'added-data-files': 2 });

  const { metadata, snapshot } = await current('lineage');
  expect(metadata['format-version']).toBe(3);
  expect(snapshot.summary.operation).toBe('replace');
  // The new files' manifest is assigned the ids of their rows; the rewritten manifest (every entry DELETED) none.
  expect(snapshot['first-row-id']).toBe(nextRowId);
  expect(snapshot['added-rows']).toBe(rows.length);
  expect(metadata['next-row-id']).toBe(nextRowId + rows.length);
  const list = await avroRecords(snapshot['manifest-list']);
  expect(list.meta.get('format-version')).toBe('3');
  expect(list.meta.get('first-row-id')).toBe(String(nextRowId));
  expect(list.records.map((m) => [Number(m.added_rows_count), Number(m.first_row_id)])).toEqual([
    [rows.length, nextRowId],
    [0, nextRowId + rows.length],
  ]);

  const after = await scanTable(send, `${TABLES}/lineage`);
  expect(after.rows).toEqual(rows);
  expect(after.files).toHaveLength(2);
  // The scan plan hands out each new file's inherited first-row-id, and every row's lineage is in the file.
  const planned = await send('POST', `${TABLES}/lineage/plan`, {});
  const firstRowIds = (planned.body['file-scan-tasks'] as Array<{ 'data-file': { 'first-row-id'?: number; 'record-count': number } }>)
    .map((t) => [t['data-file']['first-row-id'], t['data-file']['record-count']])
    .sort((a, b) => a[0]! - b[0]!);
  expect(firstRowIds[0]![0]).toBe(nextRowId);
  expect(firstRowIds[1]![0]).toBe(nextRowId + firstRowIds[0]![1]!);
  for (const f of after.files) {
    for await (const b of readRowGroups(await localBlob(fileURLToPath(f)))) {
      const lineage = b.toArray().map((r) => [r.toJSON()._row_id, Number(r.toJSON()._last_updated_sequence_number)]);
      expect(lineage).toEqual(Array.from({ length: b.numRows }, () => [null, 1]));
    }
  }
});

it('merges a v3 table manifests keeping each file first_row_id, and compacts v3 tables on the schedule', async () => {
  await tableWithSmallFiles(send, TABLES, 'sched3', { eu: 5, us: 5 }, { formatVersion: 3, properties: { 'compaction.enabled': 'true' } });
  const schedule = await send('POST', '/management/v1/warehouses/wh/properties', { updates: { 'maintenance.interval-ms': '3600000' } });
  expect(schedule.status, stringifyJson(schedule.body)).toBe(200);
  expect(await cat.lakegate.services.maintenanceScheduler.tick()).toMatchObject({ failed: 0, compacted: 1 });
  const compacted = await current('sched3');
  expect(compacted.snapshot.summary.operation).toBe('replace');
  expect((await scanTable(send, `${TABLES}/sched3`)).files).toHaveLength(2);

  // Two manifests (lineage's compaction: the new files', and the rewritten one of DELETED entries) merged into one:
  // the merged entries keep the first_row_id they inherited, so the plan hands out the same ones.
  const plan = async () =>
    ((await send('POST', `${TABLES}/lineage/plan`, {})).body['file-scan-tasks'] as Array<{ 'data-file': { 'file-path': string; 'first-row-id': number } }>)
      .map((t) => [t['data-file']['file-path'], t['data-file']['first-row-id']])
      .sort();
  const files = await plan();
  const merged = await maintain('lineage', { actions: ['rewrite-manifests'], 'target-manifest-size-bytes': 8 * 1024 * 1024 });
  expect(merged.status, stringifyJson(merged.body)).toBe(200);
  expect(merged.body.manifests).toMatchObject({ outcome: 'committed' });
  expect(await plan()).toEqual(files);
  const { metadata, snapshot } = await current('lineage');
  // The merged manifest is assigned a first_row_id, which takes ids for its existing rows (as Iceberg Java's list writer
  // does), though its entries carry their own.
  // 7 files of 3 rows.
  expect(snapshot['added-rows']).toBe(21);
  expect(metadata['next-row-id']).toBe(snapshot['first-row-id'] + snapshot['added-rows']);
});

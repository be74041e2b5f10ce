/**
 * Managed compaction and manifest rewrite of format-version 1 tables (issue 59), in-process on a file warehouse, with
 * tables whose small Parquet files and v1 manifests the test writes (test/support/small-files.ts, many-manifests.ts).
 * What the catalog writes for a v1 table is read back from storage as Avro and checked against the spec's v1 schemas:
 * manifest entries with a required snapshot_id and no sequence numbers, data files with the required
 * block_size_in_bytes and no content, a manifest list without content or sequence numbers, file metadata saying
 * format-version 1, and a `replace` snapshot without a sequence number in metadata that stays format-version 1. The
 * schedule compacts a v1 table as a v2 one (v3 tables: compaction-v3.test.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { openAvro } from '../../packages/server/src/catalog/manifests/read-avro.js';
import type { Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startFileCatalog } from '../support/lake-warehouse.js';
import { tableWithManyManifests } from '../support/many-manifests.js';
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

type AvroField = { name: string; type: unknown; 'field-id'?: number };
/** An Avro file the catalog wrote: its metadata, its writer schema's fields and its records. */
async function avroFile(uri: string): Promise<{ meta: Map<string, string>; fields: AvroField[]; records: Record<string, any>[] }> {
  const file = await openAvro(uri, new Uint8Array(readFileSync(fileURLToPath(uri))));
  const records: Record<string, any>[] = [];
  for await (const r of file.records) records.push(r);
  return { meta: file.meta, fields: JSON.parse(file.meta.get('avro.schema')!).fields, records };
}
const names = (fields: AvroField[]) => fields.map((f) => f.name);
const byName = (fields: AvroField[], name: string) => fields.find((f) => f.name === name)!;

async function current(name: string) {
  const m = (await send('GET', `${TABLES}/${name}`)).body.metadata;
  const snapshot = m.snapshots.find((s: { 'snapshot-id': unknown }) => String(s['snapshot-id']) === String(m['current-snapshot-id']));
  return { metadata: m, snapshot };
}

/** Checks a v1 manifest list the catalog wrote, and each v1 manifest it names; returns the manifests' entries. */
async function checkV1(listUri: string, snapshotId: string): Promise<Record<string, any>[]> {
  const list = await avroFile(listUri);
  expect(list.meta.get('format-version')).toBe('1');
  expect(list.meta.get('snapshot-id')).toBe(snapshotId);
  expect(list.meta.has('sequence-number')).toBe(false);
  expect(names(list.fields)).toEqual([
    'manifest_path',
    'manifest_length',
    'partition_spec_id',
    'added_snapshot_id',
    'added_files_count',
    'existing_files_count',
    'deleted_files_count',
    'partitions',
    'added_rows_count',
    'existing_rows_count',
    'deleted_rows_count',
    'key_metadata',
  ]);
  expect(byName(list.fields, 'added_snapshot_id')).toMatchObject({ type: 'long', 'field-id': 503 });
  const entries: Record<string, any>[] = [];
  for (const m of list.records) {
    const manifest = await avroFile(m.manifest_path);
    expect(manifest.meta.get('format-version')).toBe('1');
    expect(manifest.meta.has('content')).toBe(false);
    expect(manifest.meta.get('partition-spec-id')).toBe('0');
    expect(names(manifest.fields)).toEqual(['status', 'snapshot_id', 'data_file']);
    // Required in v1: a plain long, not a union with null.
    expect(byName(manifest.fields, 'snapshot_id')).toMatchObject({ type: 'long', 'field-id': 1 });
    const dataFile = (byName(manifest.fields, 'data_file').type as { fields: AvroField[] }).fields;
    expect(byName(dataFile, 'block_size_in_bytes')).toMatchObject({ type: 'long', 'field-id': 105 });
    expect(names(dataFile).slice(0, 6)).toEqual(['file_path', 'file_format', 'partition', 'record_count', 'file_size_in_bytes', 'block_size_in_bytes']);
    for (const absent of ['content', 'equality_ids', 'referenced_data_file']) expect(names(dataFile)).not.toContain(absent);
    for (const e of manifest.records) {
      expect(typeof e.snapshot_id).toBe('bigint');
      expect(e.data_file.block_size_in_bytes).toBe(64n * 1024n * 1024n);
      entries.push(e);
    }
  }
  return entries;
}

it('compacts a v1 table through v1 manifests, a v1 manifest list and a replace snapshot without a sequence number', async () => {
  const rows = await tableWithSmallFiles(send, TABLES, 'small', { eu: 4, us: 3 }, { formatVersion: 1 });
  const before = await scanTable(send, `${TABLES}/small`);
  expect(before.files).toHaveLength(7);
  const res = await maintain('small', { actions: ['rewrite-data-files'], strategy: 'binpack' });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  expect(res.body.compaction).toMatchObject({ outcome: 'committed', groups: 2, 'rewritten-data-files': 7, 'added-data-files': 2 });
  const after = await scanTable(send, `${TABLES}/small`);
  expect(after.rows).toEqual(rows);
  expect(after.files).toHaveLength(2);
  const { metadata, snapshot } = await current('small');
  expect(metadata['format-version']).toBe(1);
  expect(String(snapshot['snapshot-id'])).toBe(res.body.compaction['snapshot-id']);
  expect(snapshot).not.toHaveProperty('sequence-number');
  expect(snapshot.summary).toMatchObject({ operation: 'replace', 'added-data-files': '2', 'deleted-data-files': '7' });
  const entries = await checkV1(snapshot['manifest-list'], res.body.compaction['snapshot-id']);
  // The two new files ADDED and the seven rewritten DELETED, all by the compaction's snapshot.
  expect(entries.map((e) => e.status).sort()).toEqual([1, 1, 2, 2, 2, 2, 2, 2, 2]);
  for (const e of entries) expect(String(e.snapshot_id)).toBe(res.body.compaction['snapshot-id']);
  // Time travel to the append still plans the seven files.
  const parent = await send('POST', `${TABLES}/small/plan`, { 'snapshot-id': BigInt(snapshot['parent-snapshot-id']) });
  expect(parent.body['file-scan-tasks']).toHaveLength(7);
});

it("merges a v1 table's manifests into one v1 manifest whose EXISTING entries keep their snapshot ids", async () => {
  const { snapshots } = await tableWithManyManifests(send, TABLES, 'many', 12, 1);
  // Its data files are only named (never written): the plan's file list, plan tasks fetched as an engine would.
  const plan = async () => {
    const res = await send('POST', `${TABLES}/many/plan`, {});
    expect(res.status, stringifyJson(res.body)).toBe(200);
    const out: string[] = [];
    const collect = (b: { 'file-scan-tasks'?: Array<{ 'data-file': { 'file-path': string } }> }) =>
      out.push(...(b['file-scan-tasks'] ?? []).map((t) => t['data-file']['file-path']));
    collect(res.body);
    for (const planTask of res.body['plan-tasks'] ?? []) collect((await send('POST', `${TABLES}/many/tasks`, { 'plan-task': planTask })).body);
    return out.sort();
  };
  const files = await plan();
  const res = await maintain('many', { actions: ['rewrite-manifests'] });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  expect(res.body.manifests).toMatchObject({ outcome: 'committed', 'rewritten-manifests': 12, 'added-manifests': 1, 'entries-processed': 36 });
  expect(await plan()).toEqual(files);
  const { metadata, snapshot } = await current('many');
  expect(metadata['format-version']).toBe(1);
  expect(snapshot).not.toHaveProperty('sequence-number');
  expect(snapshot.summary).toMatchObject({ operation: 'replace', 'manifests-created': '1', 'manifests-replaced': '12' });
  const entries = await checkV1(snapshot['manifest-list'], res.body.manifests['snapshot-id']);
  expect(entries).toHaveLength(36);
  expect(entries.every((e) => e.status === 0)).toBe(true);
  // Each entry keeps the snapshot id of the append that added it (v1 has no sequence numbers to carry).
  expect(new Set(entries.map((e) => String(e.snapshot_id)))).toEqual(new Set(snapshots));
});

it('compacts a v1 table on the schedule', async () => {
  const rows = await tableWithSmallFiles(send, TABLES, 'sched1', { eu: 5, us: 5 }, { formatVersion: 1, properties: { 'compaction.enabled': 'true' } });
  const schedule = await send('POST', '/management/v1/warehouses/wh/properties', { updates: { 'maintenance.interval-ms': '3600000' } });
  expect(schedule.status, stringifyJson(schedule.body)).toBe(200);
  expect(await cat.lakegate.services.maintenanceScheduler.tick()).toMatchObject({ failed: 0, compacted: 1 });
  const after = await scanTable(send, `${TABLES}/sched1`);
  expect(after.rows).toEqual(rows);
  expect(after.files).toHaveLength(2);
  expect((await current('sched1')).snapshot.summary.operation).toBe('replace');
});

import { describe, expect, it } from 'vitest';
import { stringifyJson } from '../json.js';
import { notePageJson, planAnswerJson } from './answer-json.js';
import { PlanCache } from './plan-cache.js';
import type { PlanResult } from './service.js';

const metadataJson = (n: number) =>
  JSON.stringify({ 'format-version': 2, 'table-uuid': 'u', location: 's3://b/t', 'current-snapshot-id': n, schemas: [], 'partition-specs': [] });
const page = () => ({
  'file-scan-tasks': [{ 'data-file': { 'file-path': 's3://b/t/data/a.parquet', 'record-count': 9007199254740993n } }],
  'delete-files': [{ 'file-path': 's3://b/t/data/d.parquet' }],
});
const counts = { filesScanned: 2, filesPruned: 1, tasks: 1 };

describe('the plan cache', () => {
  it('parses a metadata file once, and only for the very JSON it was parsed from', () => {
    const cache = new PlanCache(1024 * 1024);
    const json = metadataJson(1);
    const first = cache.tableMetadata('wh\u0000u', 's3://b/t/metadata/1.json', json);
    expect(cache.tableMetadata('wh\u0000u', 's3://b/t/metadata/1.json', json)).toBe(first);
    // Other JSON under the same location (a drop and re-create): parsed anew, never the kept one.
    const other = cache.tableMetadata('wh\u0000u', 's3://b/t/metadata/1.json', metadataJson(2));
    expect(other).not.toBe(first);
    expect(other['current-snapshot-id']).toBe(2);
    // Another table (warehouse, uuid) never shares an entry.
    expect(cache.tableMetadata('wh2\u0000u', 's3://b/t/metadata/1.json', json)).not.toBe(first);
  });

  it('answers a kept answer for the same table, metadata file, JSON and pinned scan only', () => {
    const cache = new PlanCache(1024 * 1024);
    const json = metadataJson(1);
    const key = PlanCache.scanKey('wh\u0000u', 's3://b/t/metadata/1.json', { snapshotId: '1', caseSensitive: true, useSnapshotSchema: false });
    const kept = cache.keepAnswer(key, json, { page: page(), counts, dataManifests: 1 });
    expect(kept.pageJson).toBe(stringifyJson(kept.page));
    expect(cache.answer(key, json)).toMatchObject({ counts, dataManifests: 1 });
    expect(cache.answer(key, metadataJson(2))).toBeUndefined();
    expect(
      cache.answer(PlanCache.scanKey('wh\u0000u', 's3://b/t/metadata/1.json', { snapshotId: '2', caseSensitive: true, useSnapshotSchema: false }), json),
    ).toBeUndefined();
    expect(
      cache.answer(PlanCache.scanKey('wh\u0000u', 's3://b/t/metadata/2.json', { snapshotId: '1', caseSensitive: true, useSnapshotSchema: false }), json),
    ).toBeUndefined();
  });

  it('stays within its byte budget and keeps nothing larger than a sixteenth of it', () => {
    const cache = new PlanCache(64 * 1024);
    for (let i = 0; i < 200; i++) cache.keepAnswer(`k${i}`, 'm', { page: page(), counts, dataManifests: 1 });
    expect(cache.size.answers).toBeLessThanOrEqual(32 * 1024);
    const huge = { 'file-scan-tasks': [{ 'file-path': 'x'.repeat(4096) }] };
    cache.keepAnswer('huge', 'm', { page: huge, counts, dataManifests: 1 });
    expect(cache.answer('huge', 'm')).toBeUndefined();
    for (let i = 0; i < 200; i++) cache.tableMetadata('t', `s3://b/t/metadata/${i}.json`, metadataJson(i));
    expect(cache.size.metadata).toBeLessThanOrEqual(32 * 1024);
  });
});

describe("a completed plan answer written around its page's JSON", () => {
  it('is the text stringifyJson writes for the answer, with and without credentials', () => {
    const p = page();
    notePageJson(p, stringifyJson(p));
    const plain: PlanResult = { status: 'completed', 'plan-id': 'a"b', ...p };
    expect(planAnswerJson(plain)).toBe(stringifyJson(plain));
    const withCredentials: PlanResult = { ...plain, 'storage-credentials': [{ prefix: 's3://b/t', config: { 's3.access-key-id': 'k' } }] };
    expect(planAnswerJson(withCredentials)).toBe(stringifyJson(withCredentials));
    const empty = { 'file-scan-tasks': [] };
    notePageJson(empty, stringifyJson(empty));
    const none: PlanResult = { status: 'completed', 'plan-id': 'p', ...empty };
    expect(planAnswerJson(none)).toBe(stringifyJson(none));
  });

  it('writes any other answer the ordinary way', () => {
    const tasks: PlanResult = { status: 'completed', 'plan-id': 'p', 'plan-tasks': ['t1'] };
    expect(planAnswerJson(tasks)).toBe(stringifyJson(tasks));
    const unnoted: PlanResult = { status: 'completed', 'plan-id': 'p', ...page() };
    expect(planAnswerJson(unnoted)).toBe(stringifyJson(unnoted));
    expect(planAnswerJson({ status: 'submitted', 'plan-id': 'p' })).toBe('{"status":"submitted","plan-id":"p"}');
  });
});

/**
 * Manifest rewrite (`rewrite-manifests`, issue 59), in-process on a file warehouse: a v2 table partitioned by
 * identity(region) gets one manifest per append (its entries' data files are named, never read: the rewrite and the
 * scan plan are metadata only). The rewrite leaves fewer manifests, clustered by partition, with the same planned
 * files and record counts; time travel to the snapshot before still plans the old manifests; dry runs change nothing;
 * absurd targets are 400s; its event, /metrics and audit record say what it did; a run holds a bounded amount of entries
 * and defers the manifests past the bound to the next run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ManifestReader } from '../../packages/server/src/catalog/manifests/manifest-reader.js';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from '../support/iceberg-http.js';
import type { TestCatalog } from '../support/in-process.js';
import { startFileCatalog } from '../support/lake-warehouse.js';
import { REGIONS, tableWithManyManifests as manyManifests } from '../support/many-manifests.js';
import { tableWithSmallFiles } from '../support/small-files.js';

let cat: TestCatalog;
let send: Send;
const TABLES = '/v1/wh/namespaces/db/tables';

beforeAll(async () => {
  ({ cat, send } = await startFileCatalog('wh', ['db']));
});
afterAll(async () => {
  await cat?.close();
});

const tableWithManyManifests = (name: string, appends: number) => manyManifests(send, TABLES, name, appends);

/** Each planned data file with its record count and the delete files the plan applies to it. */
async function plan(name: string, snapshotId?: string): Promise<Array<[string, number, string[]]>> {
  const res = await send('POST', `${TABLES}/${name}/plan`, snapshotId === undefined ? {} : { 'snapshot-id': BigInt(snapshotId) });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  type Task = { 'data-file': { 'file-path': string; 'record-count': number }; 'delete-file-references'?: number[] };
  type Answer = { 'file-scan-tasks'?: Task[]; 'delete-files'?: Array<{ 'file-path': string }> };
  const out: Array<[string, number, string[]]> = [];
  const collect = (answer: Answer) => {
    for (const t of answer['file-scan-tasks'] ?? []) {
      const deletes = (t['delete-file-references'] ?? []).map((i) => answer['delete-files']![i]!['file-path']).sort();
      out.push([t['data-file']['file-path'], Number(t['data-file']['record-count']), deletes]);
    }
  };
  collect(res.body);
  // Many manifests are planned as plan tasks, fetched as an engine would.
  for (const planTask of res.body['plan-tasks'] ?? []) {
    const fetched = await send('POST', `${TABLES}/${name}/tasks`, { 'plan-task': planTask });
    expect(fetched.status, stringifyJson(fetched.body)).toBe(200);
    collect(fetched.body);
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

async function head(name: string) {
  const loaded = await send('GET', `${TABLES}/${name}`);
  const m = loaded.body.metadata;
  const snap = m.snapshots.find((s: { 'snapshot-id': unknown }) => String(s['snapshot-id']) === String(m['current-snapshot-id']));
  const reader = new ManifestReader({ read: async (uri) => new Uint8Array(readFileSync(fileURLToPath(uri))) }, [m.location]);
  const manifests = await reader.readManifestList(snap['manifest-list']);
  return { metadata: m, snapshot: snap, manifests, reader };
}

const maintain = (name: string, body: unknown) => send('POST', `/management/v1/warehouses/wh/namespaces/db/tables/${name}/maintenance`, body);

it('merges 30 one-append manifests into one: same planned files and record counts, a replace snapshot, time travel intact', async () => {
  const { snapshots } = await tableWithManyManifests('events', 30);
  const before = await head('events');
  expect(before.manifests).toHaveLength(30);
  const files = await plan('events');
  expect(files).toHaveLength(90);

  const dry = await maintain('events', { actions: ['rewrite-manifests'], 'dry-run': true });
  expect(dry.status, stringifyJson(dry.body)).toBe(200);
  expect(dry.body.manifests).toMatchObject({ outcome: 'dry-run', 'rewritten-manifests': 30, 'added-manifests': 1, 'entries-processed': 90 });
  expect((await head('events')).snapshot['snapshot-id']).toEqual(before.snapshot['snapshot-id']);

  const res = await maintain('events', { actions: ['rewrite-manifests'] });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  expect(res.body.manifests).toMatchObject({
    outcome: 'committed',
    'rewritten-manifests': 30,
    'added-manifests': 1,
    'kept-manifests': 0,
    'entries-processed': 90,
  });
  // Only the action asked for ran: no expiry, no orphan removal.
  expect(res.body['expired-snapshots']).toEqual([]);
  expect(res.body.compaction).toBeUndefined();

  const after = await head('events');
  expect(String(after.snapshot['snapshot-id'])).toBe(res.body.manifests['snapshot-id']);
  expect(String(after.snapshot['parent-snapshot-id'])).toBe(snapshots.at(-1));
  expect(after.snapshot.summary).toMatchObject({
    operation: 'replace',
    'manifests-created': '1',
    'manifests-replaced': '30',
    'manifests-kept': '0',
    'entries-processed': '90',
  });
  expect(after.manifests).toHaveLength(1);
  expect(after.manifests[0]!.counts).toMatchObject({ addedFiles: 0, existingFiles: 90, deletedFiles: 0, existingRows: 3 * ((30 * 31) / 2) });
  // Entries carried as EXISTING with their own snapshot ids and sequence numbers.
  const entries = [];
  for await (const e of after.reader.readManifest(after.manifests[0]!)) entries.push(e);
  expect(entries.every((e) => e.status === 0)).toBe(true);
  const first = entries.find((e) => e.file.filePath.endsWith('/us-0.parquet'))!;
  expect(String(first.snapshotId)).toBe(snapshots[0]);
  expect(first.sequenceNumber).toBe(1);
  expect(first.fileSequenceNumber).toBe(1);
  expect(after.manifests[0]!.minSequenceNumber).toBe(1);
  expect(await plan('events')).toEqual(files);
  // Filters still prune by the merged manifest's partition summary and the entries' bounds.
  const eu = await send('POST', `${TABLES}/events/plan`, { filter: { type: 'eq', term: 'region', value: 'eu' } });
  expect(eu.body['plan-tasks'] ?? []).toEqual([]);
  expect(eu.body['file-scan-tasks']).toHaveLength(30);
  // Time travel: the snapshot before the rewrite still plans through its 30 manifests.
  expect(await plan('events', snapshots.at(-1))).toEqual(files);
  expect(await plan('events', snapshots[4])).toHaveLength(15);

  const job = await send('GET', '/management/v1/warehouses/wh/namespaces/db/tables/events/maintenance');
  expect(job.body).toMatchObject({ state: 'done', progress: { phase: 'done', 'manifests-rewritten': 30 } });
  // Nothing left to merge: a second run commits nothing.
  const again = await maintain('events', { actions: ['rewrite-manifests'] });
  expect(again.body.manifests).toMatchObject({ outcome: 'nothing-to-do', 'rewritten-manifests': 0 });

  const event = cat
    .logs()
    .split('\n')
    .filter((l) => l.includes('"table.manifests-rewritten"'))
    .map((l) => JSON.parse(l).event);
  expect(event).toEqual([expect.objectContaining({ name: 'events', trigger: 'on-demand', rewrittenManifests: 30, addedManifests: 1, entries: 90 })]);
  const metrics = (await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
  expect(Number(/lakegate_compaction_manifests_rewritten_total\{trigger="on-demand"\} (\d+)/.exec(metrics)?.[1])).toBe(30);
  expect(Number(/lakegate_compaction_manifests_written_total\{trigger="on-demand"\} (\d+)/.exec(metrics)?.[1])).toBe(1);
  const audit = (await send('GET', '/management/v1/audit?limit=500')).body.events as Array<{ type: string; detail?: Record<string, unknown> }>;
  expect(audit.filter((e) => e.type === 'maintenance.completed' && e.detail?.manifestRewrite === 'committed')).toEqual([
    expect.objectContaining({ detail: expect.objectContaining({ rewrittenManifests: 30, addedManifests: 1 }) }),
  ]);
});

it('holds at most manifestRewriteMemoryBytes of entries per run: the small manifests past it are deferred to the next run, which merges them', async () => {
  await tableWithManyManifests('bounded', 12);
  const files = await plan('bounded');
  const settings = (cat.lakegate.services.maintenance as unknown as { ctx: { settings: { manifestRewriteMemoryBytes?: number } } }).ctx.settings;
  // One byte: each run merges the least it may (two manifests), and defers the rest.
  settings.manifestRewriteMemoryBytes = 1;
  try {
    const first = await maintain('bounded', { actions: ['rewrite-manifests'] });
    expect(first.status, stringifyJson(first.body)).toBe(200);
    expect(first.body.manifests).toMatchObject({
      outcome: 'committed',
      'rewritten-manifests': 2,
      'added-manifests': 1,
      'deferred-manifests': 10,
      'kept-manifests': 10,
    });
    expect((await head('bounded')).manifests).toHaveLength(11);
    expect(await plan('bounded')).toEqual(files);
  } finally {
    delete settings.manifestRewriteMemoryBytes;
  }
  // The default bound: the next run merges what was deferred, and nothing is deferred.
  const next = await maintain('bounded', { actions: ['rewrite-manifests'] });
  expect(next.body.manifests).toMatchObject({ outcome: 'committed', 'rewritten-manifests': 11, 'added-manifests': 1, 'deferred-manifests': 0 });
  expect((await head('bounded')).manifests).toHaveLength(1);
  expect(await plan('bounded')).toEqual(files);
});

it('clusters entries by partition when the target makes several manifests, each covering one region', async () => {
  await tableWithManyManifests('clustered', 60);
  const files = await plan('clustered');
  const res = await maintain('clustered', { actions: ['rewrite-manifests'], 'target-manifest-size-bytes': 16384 });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  const after = await head('clustered');
  const { manifests } = after;
  expect(manifests.length).toBeGreaterThan(1);
  expect(manifests.length).toBeLessThan(60);
  expect(res.body.manifests).toMatchObject({ outcome: 'committed', 'rewritten-manifests': 60, 'added-manifests': manifests.length });
  let spanning = 0;
  for (const m of manifests) {
    expect(m.length).toBeLessThanOrEqual(16384);
    const regions = new Set<unknown>();
    for await (const e of after.reader.readManifest(m)) regions.add(e.file.partition[0]);
    if (regions.size > 1) spanning += 1;
    // The manifest list's partition summary bounds exactly what the manifest holds.
    const sorted = [...regions].sort() as string[];
    expect(Buffer.from(m.partitions![0]!.lowerBound!).toString()).toBe(sorted[0]);
    expect(Buffer.from(m.partitions![0]!.upperBound!).toString()).toBe(sorted.at(-1));
  }
  // Sorted by region and cut by size: at most the two manifests at a region's boundary hold two regions.
  expect(spanning).toBeLessThanOrEqual(REGIONS.length - 1);
  expect(await plan('clustered')).toEqual(files);
  // Its own full outputs are not small: running it again rewrites at most the last, partly filled one of each cut.
  const again = await maintain('clustered', { actions: ['rewrite-manifests'], 'target-manifest-size-bytes': 16384 });
  expect(again.body.manifests.outcome).toBe('nothing-to-do');
});

it('plans again on the new head when a writer commits between its plan and its commit: the append is kept, the first attempt removed', async () => {
  const { location, append } = await tableWithManyManifests('busy', 10);
  // The job's storage, with a hook: the first manifest list it writes is preceded by a concurrent append.
  const ctx = (
    cat.lakegate.services.maintenance as unknown as {
      ctx: { storageFor: (w: unknown) => Promise<{ writeNew: (path: string, bytes: Uint8Array) => Promise<void> }> };
    }
  ).ctx;
  const storageFor = ctx.storageFor;
  let concurrent: string | undefined;
  ctx.storageFor = async (w) => {
    const storage = await storageFor.call(ctx, w);
    return Object.assign(Object.create(storage), {
      writeNew: async (path: string, bytes: Uint8Array) => {
        if (concurrent === undefined && /\/snap-\d+-1-/.test(path)) concurrent = await append();
        return storage.writeNew.call(storage, path, bytes);
      },
    });
  };
  try {
    const res = await maintain('busy', { actions: ['rewrite-manifests'] });
    expect(res.status, stringifyJson(res.body)).toBe(200);
    expect(res.body.manifests).toMatchObject({ outcome: 'committed', attempts: 2, 'rewritten-manifests': 11, 'added-manifests': 1, 'entries-processed': 33 });
  } finally {
    ctx.storageFor = storageFor;
  }
  const after = await head('busy');
  expect(String(after.snapshot['parent-snapshot-id'])).toBe(concurrent);
  expect(after.manifests).toHaveLength(1);
  expect(await plan('busy')).toHaveLength(33);
  // The first attempt's manifest and list were deleted: only the committed ones remain.
  const written = readdirSync(fileURLToPath(`${location}/metadata`)).filter((f) => f.endsWith('-m-rewrite.avro') || /^snap-\d+-1-/.test(f));
  expect(written.sort()).toEqual([after.manifests[0]!.path, after.snapshot['manifest-list']].map((p: string) => p.split('/').at(-1)).sort());
});

it('merges delete manifests apart from data manifests, and the plan applies the same deletes to the same files', async () => {
  const { append } = await tableWithManyManifests('deletes', 6);
  for (let k = 0; k < 4; k++) await append(true);
  const before = await head('deletes');
  expect(before.manifests.filter((m) => m.content === 1)).toHaveLength(4);
  const files = await plan('deletes');
  expect(files.filter((f) => f[2].length === 1)).toHaveLength(12);
  const res = await maintain('deletes', { actions: ['rewrite-manifests'] });
  expect(res.body.manifests).toMatchObject({ outcome: 'committed', 'rewritten-manifests': 10, 'added-manifests': 2, 'entries-processed': 30 });
  const after = await head('deletes');
  expect(after.manifests.map((m) => m.content).sort()).toEqual([0, 1]);
  const deleteManifest = after.manifests.find((m) => m.content === 1)!;
  expect(deleteManifest.counts).toMatchObject({ existingFiles: 12, addedFiles: 0 });
  // Delete entries keep their sequence numbers (above their data files'), so they still apply.
  expect(deleteManifest.minSequenceNumber).toBe(7);
  expect(await plan('deletes')).toEqual(files);
});

it('keeps the manifests of a spec on a dropped column as they are (the writer has no type for its partition) instead of failing', async () => {
  await tableWithManyManifests('evolved', 4);
  const files = await plan('evolved');
  const evolve = await send('POST', `${TABLES}/evolved`, {
    requirements: [],
    updates: [
      { action: 'add-spec', spec: { 'spec-id': 1, fields: [] } },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'add-schema', schema: { type: 'struct', 'schema-id': 1, fields: [{ id: 1, name: 'id', required: false, type: 'long' }] } },
      { action: 'set-current-schema', 'schema-id': -1 },
    ],
  });
  expect(evolve.status, stringifyJson(evolve.body)).toBe(200);
  const res = await maintain('evolved', { actions: ['rewrite-manifests'] });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  expect(res.body.manifests).toMatchObject({ outcome: 'nothing-to-do' });
  expect((await head('evolved')).manifests).toHaveLength(4);
  expect(await plan('evolved')).toEqual(files);
});

it('rewrite-data-files too leaves the files of a spec on a dropped column as they are, instead of failing', async () => {
  await tableWithSmallFiles(send, TABLES, 'evolved-files', { eu: 3 });
  const evolve = await send('POST', `${TABLES}/evolved-files`, {
    requirements: [],
    updates: [
      { action: 'add-spec', spec: { 'spec-id': 1, fields: [] } },
      { action: 'set-default-spec', 'spec-id': -1 },
      { action: 'add-schema', schema: { type: 'struct', 'schema-id': 1, fields: [{ id: 1, name: 'id', required: true, type: 'long' }] } },
      { action: 'set-current-schema', 'schema-id': -1 },
    ],
  });
  expect(evolve.status, stringifyJson(evolve.body)).toBe(200);
  const res = await maintain('evolved-files', { actions: ['rewrite-data-files'] });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  expect(res.body.compaction).toMatchObject({ outcome: 'nothing-to-do' });
});

it('keeps its manifests when the commit landed but reported a failure (a connection lost at COMMIT): the table still plans', async () => {
  await tableWithManyManifests('unknown', 5);
  const files = await plan('unknown');
  // The store the job commits through, with a hook: its first transaction commits, then throws.
  const ctx = (cat.lakegate.services.maintenance as unknown as { ctx: { store: { transaction: (...a: unknown[]) => Promise<unknown> } } }).ctx;
  const store = ctx.store;
  let failed = false;
  ctx.store = Object.assign(Object.create(store), {
    transaction: async (...a: unknown[]) => {
      const out = await store.transaction(...a);
      if (!failed) {
        failed = true;
        throw new Error('connection lost at COMMIT');
      }
      return out;
    },
  });
  let res;
  try {
    res = await maintain('unknown', { actions: ['rewrite-manifests'] });
  } finally {
    ctx.store = store;
  }
  expect(failed).toBe(true);
  expect(res.status).toBe(500);
  expect(stringifyJson(res.body)).not.toContain('connection lost');
  // The snapshot was committed: its manifests are there, and the table plans the same files through them.
  const after = await head('unknown');
  expect(after.snapshot.summary).toMatchObject({ operation: 'replace', 'manifests-replaced': '5' });
  expect(after.manifests).toHaveLength(1);
  expect(await plan('unknown')).toEqual(files);
});

it('refuses absurd targets and unknown fields with a 400 (v1 tables: compaction-v1.test.ts; v3: compaction-v3.test.ts)', async () => {
  for (const body of [
    { actions: ['rewrite-manifests'], 'target-manifest-size-bytes': 1 },
    { actions: ['rewrite-manifests'], 'target-manifest-size-bytes': 1024 ** 4 },
    { actions: ['rewrite-manifests'], 'target-manifest-size-bytes': 'big' },
    { actions: ['rewrite-manifest'] },
  ]) {
    const res = await maintain('events', body);
    expect(res.status, stringifyJson(body)).toBe(400);
  }
});

it('merges on the schedule the manifests of a table with compaction on and at least compaction.manifests.min-count small ones', async () => {
  await tableWithManyManifests('scheduled', 12);
  await tableWithManyManifests('few', 5);
  // Compaction on, the data-file thresholds out of reach (this test's data files are only named), 10 manifests at least.
  const props = { 'compaction.enabled': 'true', 'compaction.min-input-files': '100000', 'compaction.manifests.min-count': '10' };
  for (const name of ['scheduled', 'few']) {
    const set = await send('POST', `${TABLES}/${name}`, { requirements: [], updates: [{ action: 'set-properties', updates: props }] });
    expect(set.status, stringifyJson(set.body)).toBe(200);
  }
  const bad = await send('POST', `${TABLES}/few`, {
    requirements: [],
    updates: [{ action: 'set-properties', updates: { 'compaction.manifests.min-count': '1' } }],
  });
  expect(bad.status).toBe(400);
  const schedule = await send('POST', '/management/v1/warehouses/wh/properties', { updates: { 'maintenance.interval-ms': '3600000' } });
  expect(schedule.status, stringifyJson(schedule.body)).toBe(200);
  const files = await plan('scheduled');
  expect(await cat.lakegate.services.maintenanceScheduler.tick()).toMatchObject({ failed: 0 });
  const merged = await head('scheduled');
  expect(merged.manifests).toHaveLength(1);
  expect(merged.snapshot.summary).toMatchObject({ operation: 'replace', 'manifests-replaced': '12' });
  expect(await plan('scheduled')).toEqual(files);
  expect((await head('few')).manifests).toHaveLength(5);
  const metrics = (await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
  expect(Number(/lakegate_compaction_manifests_rewritten_total\{trigger="scheduled"\} (\d+)/.exec(metrics)?.[1])).toBe(12);
});

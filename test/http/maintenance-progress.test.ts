/**
 * A maintenance job's progress (issue 39), in-process on two replicas sharing one SQLite database: replica A runs a
 * table's orphan removal on demand and is paused (injected in its progress writes) once it enters its delete phase;
 * meanwhile replica B answers GET of the job from the lease row: running, the phase, the manifests and files scanned
 * so far, nothing deleted yet; a second run of the same table is refused with a 409 while the lease is held. After
 * the job ends, GET on either replica shows it done with the same counts as the result; a dry run later leaves the
 * last completed time alone; a failed job reports its reason and does not block the next run; a job whose replica
 * died (its lease left behind, expired) reads as abandoned.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MaintenanceProgress } from '../../packages/server/src/catalog/ports/maintenance.js';
import { appendUpdates, type Send, simpleSchema } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { type TestEntry, type TestManifest, writeManifest, writeManifestList } from '../support/manifest-writer.js';

let a: TestCatalog;
let b: TestCatalog;
let sendA: Send;
let sendB: Send;
const T = '/v1/default/namespaces/db/tables';
const JOB = (t: string) => `/management/v1/warehouses/default/namespaces/db/tables/${t}/maintenance`;
const ORPHANS = 4;

beforeAll(async () => {
  a = await startInProcess();
  b = await startInProcess({}, { dataDir: a.dataDir });
  sendA = injectSender(a.lakegate.app);
  sendB = injectSender(b.lakegate.app);
  expect((await sendA('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

/** A table of one snapshot (two manifests of three data files each) and `ORPHANS` stray files a week old. */
async function tableWithOrphans(name: string): Promise<{ location: string }> {
  const created = await sendA('POST', T, { name, schema: simpleSchema });
  const location = created.body.metadata.location as string;
  const manifests: TestManifest[] = [];
  for (const m of [0, 1]) {
    const file = `${location}/metadata/m${m}.avro`;
    const entries: TestEntry[] = [0, 1, 2].map((i) => ({
      status: 1,
      snapshotId: 1n,
      sequenceNumber: 1,
      file: { path: `${location}/data/f${m}${i}.parquet`, partition: [], records: 10 },
    }));
    manifests.push({ path: file, length: await writeManifest(file, [], entries), content: 0, sequenceNumber: 1, addedSnapshotId: 1n });
  }
  const list = `${location}/metadata/snap-1.avro`;
  await writeManifestList(list, manifests);
  const commit = appendUpdates(created.body.metadata, list);
  expect((await sendA('POST', `${T}/${name}`, { requirements: commit.requirements, updates: commit.updates })).status).toBe(200);
  const dir = path.join(fileURLToPath(location), 'data');
  mkdirSync(dir, { recursive: true });
  const weekAgo = new Date(Date.now() - 7 * 86_400_000);
  for (let i = 0; i < ORPHANS; i++) {
    const f = path.join(dir, `stray-${i}.parquet`);
    writeFileSync(f, 'x'.repeat(100 + i));
    utimesSync(f, weekAgo, weekAgo);
  }
  return { location };
}

it('reports a running job on another replica (phase, counts so far), refuses a second run, and keeps the end state', async () => {
  await tableWithOrphans('big');
  expect((await sendB('GET', JOB('big'))).body).toEqual({ state: 'never-run' });

  // The pause: replica A's first progress write of the delete phase lands, then waits for the test.
  const leases = a.lakegate.store.maintenanceLeases;
  const report = leases.report.bind(leases);
  let entered!: () => void;
  const inDeletePhase = new Promise<void>((r) => (entered = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  leases.report = async (tableId: string, holder: string, p: MaintenanceProgress) => {
    await report(tableId, holder, p);
    if (p.phase === 'deleting-orphans' && p['files-deleted'] === 0) {
      entered();
      await gate;
    }
  };
  try {
    const running = sendA('POST', JOB('big'), { actions: ['remove-orphan-files'] });
    await inDeletePhase;
    const seen = await sendB('GET', JOB('big'));
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ state: 'running', progress: { phase: 'deleting-orphans', 'files-deleted': 0, 'bytes-deleted': 0 } });
    expect(seen.body.holder).toMatch(/^replica:/);
    expect(seen.body['lease-expires-at-ms']).toBeGreaterThan(Date.now());
    // Two manifests of three entries each, read once; the listing saw the stray files and the table's own.
    expect(seen.body.progress['manifests-scanned']).toBe(2);
    expect(seen.body.progress['files-scanned']).toBeGreaterThanOrEqual(6 + 1 + ORPHANS);
    const second = await sendB('POST', JOB('big'), { actions: ['remove-orphan-files'], 'dry-run': true });
    expect(second.status).toBe(409);
    expect(second.body.error.type).toBe('ConflictException');
    release();
    const result = await running;
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body['deleted-files']).toBe(ORPHANS);
    for (const send of [sendA, sendB]) {
      const done = await send('GET', JOB('big'));
      expect(done.body).toMatchObject({
        state: 'done',
        progress: { phase: 'done', 'files-deleted': result.body['deleted-files'], 'bytes-deleted': result.body['deleted-bytes'] },
      });
      expect(done.body['last-completed-at-ms']).toBeGreaterThan(0);
    }
  } finally {
    release();
    leases.report = report;
  }

  // A dry run is no run for the schedule: the last completed time stays.
  const before = (await sendB('GET', JOB('big'))).body['last-completed-at-ms'];
  expect((await sendA('POST', JOB('big'), { actions: ['remove-orphan-files'], 'dry-run': true, 'orphan-older-than-ms': 0 })).status).toBe(200);
  const after = (await sendB('GET', JOB('big'))).body;
  expect(after.state).toBe('done');
  expect(after['last-completed-at-ms']).toBe(before);
});

it('reports a failed job with its reason, and the next run is not blocked by it', async () => {
  const created = await sendA('POST', T, { name: 'broken', schema: simpleSchema });
  // A snapshot whose manifest list was never written.
  const c = appendUpdates(created.body.metadata);
  expect((await sendA('POST', `${T}/broken`, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
  expect((await sendA('POST', JOB('broken'), { actions: ['remove-orphan-files'] })).status).toBe(400);
  const failed = (await sendB('GET', JOB('broken'))).body;
  expect(failed).toMatchObject({ state: 'failed', progress: { phase: 'failed' } });
  expect(failed.progress.error).toMatch(/Cannot read manifest file/);
  expect((await sendB('POST', JOB('broken'), { actions: ['remove-orphan-files'] })).status).toBe(400);
});

it('reads a job whose replica died as abandoned, and a run on demand takes it over once its lease expired', async () => {
  await tableWithOrphans('orphaned');
  const record = await a.lakegate.store.repository.getObject('default', ['db'], 'orphaned');
  expect(await a.lakegate.store.maintenanceLeases.take(record!.id, 'default', 'replica:dead', Date.now(), 1, Date.now())).toBe(true);
  await new Promise((r) => setTimeout(r, 5));
  expect((await sendB('GET', JOB('orphaned'))).body).toMatchObject({ state: 'abandoned', holder: 'replica:dead' });
  const run = await sendB('POST', JOB('orphaned'), { actions: ['remove-orphan-files'] });
  expect(run.status).toBe(200);
  expect(run.body['deleted-files']).toBe(ORPHANS);
  expect((await sendA('GET', JOB('orphaned'))).body).toMatchObject({ state: 'done', progress: { 'files-deleted': ORPHANS } });
});

it('answers 404 for the job of a table that does not exist', async () => {
  const missing = await sendA('GET', JOB('nope'));
  expect(missing.status).toBe(404);
  expect(missing.body.error.type).toBe('NoSuchTableException');
});

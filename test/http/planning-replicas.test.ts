/**
 * Async scan plans on two replicas of one database (issue 51): two in-process Lakegates share a data dir (one SQLite
 * database, one secret key), async planning on above one data manifest. A plan submitted on one is fetched,
 * expanded and cancelled on the other (before, plans lived in the process that made them: 404 anywhere else). A
 * submitted plan whose planning process stopped renewing its lease (it died) is taken over by the replica its owner
 * fetches it on and completes with the files a fresh plan gives (its pinned snapshot and filter); of replicas racing
 * for it one runs it; a cancelled one stays cancelled; past the takeover bound it is answered `failed` in the Iceberg
 * error model (503, never a stack); and the dead process's late result changes nothing.
 * Through a real proxy and PostgreSQL: test/interop/replicas-proxy.test.ts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendUpdates, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';
import { type TestManifest, writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { tempDir } from '../support/temp.js';
import type { StoredPlan } from '../../packages/server/src/catalog/ports/planning.js';

const dir = tempDir('lakegate-plan-replicas-');
const ENV = { LAKEGATE_PLANNING_ASYNC_MANIFESTS: '1' };
let a: TestCatalog;
let b: TestCatalog;
let c: TestCatalog;
let onA: Send;
let onB: Send;
let onC: Send;
let firstManifests: TestManifest[] = [];
const manifestsOfFirstSnapshot = async () => firstManifests;
const T = '/v1/default/namespaces/db/tables/events';
const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: false },
    { id: 2, name: 'category', type: 'string', required: false },
  ],
};

beforeAll(async () => {
  a = await startInProcess(ENV, { dataDir: dir.dir });
  b = await startInProcess(ENV, { dataDir: dir.dir });
  c = await startInProcess(ENV, { dataDir: dir.dir });
  onA = injectSender(a.lakegate.app);
  onB = injectSender(b.lakegate.app);
  onC = injectSender(c.lakegate.app);
  expect((await onA('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
  const created = await onA('POST', '/v1/default/namespaces/db/tables', {
    name: 'events',
    schema,
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'category', transform: 'identity' }] },
    properties: { 'format-version': '2' },
  });
  expect(created.status).toBe(200);
  const location = created.body.metadata.location as string;
  const manifests: TestManifest[] = [];
  for (const [i, c] of ['a', 'b', 'c'].entries()) {
    const path = `${location}/metadata/m-${c}.avro`;
    const length = await writeManifest(
      path,
      ['category'],
      [
        {
          status: 1,
          snapshotId: 1n,
          sequenceNumber: 1,
          file: { path: `${location}/data/${c}1.parquet`, partition: [c], records: 10, longBounds: [[1, i * 10, i * 10 + 9]] },
        },
      ],
      0,
    );
    manifests.push({ path, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n });
  }
  const list = `${location}/metadata/snap-events.avro`;
  await writeManifestList(list, manifests);
  firstManifests = manifests;
  const first = appendUpdates(created.body.metadata, list);
  expect((await onA('POST', T, { requirements: first.requirements, updates: first.updates })).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await c?.close();
  await b?.close();
  await a?.close();
  dir.cleanup();
});

const submit = async () => {
  const r = await onA('POST', `${T}/plan`, {});
  expect(r.status).toBe(200);
  expect(r.body.status).toBe('submitted');
  return r.body['plan-id'] as string;
};

it('a plan submitted on one replica is fetched and expanded on the other', async () => {
  const id = await submit();
  await a.lakegate.services.planning.background.idle();
  const fetched = await onB('GET', `${T}/plan/${id}`);
  expect(fetched.status).toBe(200);
  expect(fetched.body.status).toBe('completed');
  const files: string[] = [];
  for (const task of fetched.body['plan-tasks'] as string[]) {
    const page = await onB('POST', '/v1/default/namespaces/db/tables/events/tasks', { 'plan-task': task });
    expect(page.status).toBe(200);
    for (const t of page.body['file-scan-tasks']) files.push(t['data-file']['file-path'].split('/').pop());
  }
  expect(files.sort()).toEqual(['a1.parquet', 'b1.parquet', 'c1.parquet']);
});

it('a plan cancelled on the other replica is gone on both, and its tasks are refused', async () => {
  const id = await submit();
  await a.lakegate.services.planning.background.idle();
  const tasks = (await onA('GET', `${T}/plan/${id}`)).body['plan-tasks'] as string[];
  expect((await onB('DELETE', `${T}/plan/${id}`)).status).toBe(204);
  expect((await onA('GET', `${T}/plan/${id}`)).status).toBe(404);
  expect((await onB('GET', `${T}/plan/${id}`)).status).toBe(404);
  expect((await onA('POST', `${T}/tasks`, { 'plan-task': tasks[0] })).status).toBe(404);
});

/** What a process that died mid-plan leaves: the row still submitted, its lease lapsed (nobody renews it). */
const dieMidPlan = async (id: string, extra: Partial<StoredPlan> = {}) => {
  const row = (await b.lakegate.store.plans.get(id, Date.now()))!;
  await b.lakegate.store.plans.put({ ...row, status: 'submitted', result: {}, leaseUntilMs: Date.now() - 1, ...extra });
};

/** The file names a completed plan's tasks expand to, expanded on `on`. */
const filesOf = async (on: Send, body: any): Promise<string[]> => {
  const files: string[] = [];
  for (const task of (body['plan-tasks'] as string[] | undefined) ?? []) {
    const page = await on('POST', `${T}/tasks`, { 'plan-task': task });
    expect(page.status).toBe(200);
    for (const t of page.body['file-scan-tasks']) files.push(t['data-file']['file-path'].split('/').pop());
  }
  for (const t of body['file-scan-tasks'] ?? []) files.push(t['data-file']['file-path'].split('/').pop());
  return files.sort();
};

/** How many replicas audited taking plan `id` over (the audit trail is in the shared database). */
const takeovers = async (id: string): Promise<number> => {
  await Promise.all([a, b, c].map((r) => r.lakegate.services.planning.background.idle()));
  // Each replica writes its audit records in batches (auth/audit.ts); a replica's audit read flushes its own batch
  // first, so reading on A and C stores whatever they took over before B reads the shared trail (no timed wait).
  for (const on of [onA, onC]) expect((await on('GET', '/management/v1/audit?limit=1')).status).toBe(200);
  const audit = await onB('GET', '/management/v1/audit?limit=1000');
  expect(audit.status).toBe(200);
  return (audit.body.events as Array<{ type: string; detail: { planId?: string } }>).filter((e) => e.type === 'table.plan.taken-over' && e.detail.planId === id)
    .length;
};

it('a submitted plan whose planning process died is taken over on the other replica and completes with the files of a fresh plan', async () => {
  const filter = { type: 'in', term: 'category', values: ['a', 'c'] };
  const fresh = await onA('POST', `${T}/plan`, { filter });
  expect(fresh.body.status).toBe('submitted');
  await a.lakegate.services.planning.background.idle();
  const expected = await filesOf(onA, (await onA('GET', `${T}/plan/${fresh.body['plan-id']}`)).body);
  expect(expected).toEqual(['a1.parquet', 'c1.parquet']);

  const r = await onA('POST', `${T}/plan`, { filter });
  const id = r.body['plan-id'] as string;
  await a.lakegate.services.planning.background.idle();
  await dieMidPlan(id);
  // B claims it and plans it again from the row (the pinned scan, its filter): meanwhile the fetch answers submitted.
  const first = await onB('GET', `${T}/plan/${id}`);
  expect(first.status).toBe(200);
  expect(first.body.status).toBe('submitted');
  await b.lakegate.services.planning.background.idle();
  const done = await onB('GET', `${T}/plan/${id}`);
  expect(done.body.status).toBe('completed');
  expect(await filesOf(onB, done.body)).toEqual(expected);
  expect((await onA('GET', `${T}/plan/${id}`)).body.status).toBe('completed');
  // The dead process's late answer changes nothing; the takeover is audited.
  expect(await a.lakegate.store.plans.settle(id, Date.now(), { status: 'completed', result: { 'plan-tasks': [] } })).toBe(false);
  expect(await takeovers(id)).toBe(1);
  expect((await b.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/lakegate_planning_async_lapses_total\{outcome="taken-over"\} [1-9]/);
});

it('a replica shutting down hands its submitted plans over at once (their lease released, not failed)', async () => {
  const id = await submit();
  await a.lakegate.services.planning.background.idle();
  await dieMidPlan(id, { leaseUntilMs: Date.now() + 60_000 });
  // A process stopping while it plans releases the lease (background.ts stop): simulated as its release.
  await b.lakegate.store.plans.heartbeat([{ id, takeovers: 0 }], Date.now(), Date.now());
  expect((await onB('GET', `${T}/plan/${id}`)).body.status).toBe('submitted');
  await b.lakegate.services.planning.background.idle();
  const done = await onB('GET', `${T}/plan/${id}`);
  expect(done.body.status).toBe('completed');
  expect(await filesOf(onB, done.body)).toEqual(['a1.parquet', 'b1.parquet', 'c1.parquet']);
});

it('a cancelled plan stays cancelled: no replica takes it over', async () => {
  const id = await submit();
  await a.lakegate.services.planning.background.idle();
  await dieMidPlan(id);
  expect((await onA('DELETE', `${T}/plan/${id}`)).status).toBe(204);
  expect((await onB('GET', `${T}/plan/${id}`)).status).toBe(404);
  expect((await onC('GET', `${T}/plan/${id}`)).status).toBe(404);
  const row = await b.lakegate.store.plans.get(id, Date.now());
  expect(row?.status).toBe('cancelled');
  expect(row?.takeovers).toBeUndefined();
  expect(await takeovers(id)).toBe(0);
});

it('two replicas racing to take over one plan: exactly one runs it', async () => {
  const id = await submit();
  await a.lakegate.services.planning.background.idle();
  await dieMidPlan(id);
  const [onFirst, onSecond] = await Promise.all([onB('GET', `${T}/plan/${id}`), onC('GET', `${T}/plan/${id}`)]);
  expect([onFirst.status, onSecond.status]).toEqual([200, 200]);
  await Promise.all([b.lakegate.services.planning.background.idle(), c.lakegate.services.planning.background.idle()]);
  expect((await b.lakegate.store.plans.get(id, Date.now()))?.takeovers).toBe(1);
  expect(await takeovers(id)).toBe(1);
  const done = await onC('GET', `${T}/plan/${id}`);
  expect(done.body.status).toBe('completed');
  expect(await filesOf(onC, done.body)).toEqual(['a1.parquet', 'b1.parquet', 'c1.parquet']);
});

it('the pinned snapshot is planned again, not the table’s newer one; past the bound a lapse answers failed (503), once', async () => {
  const id = await submit();
  await a.lakegate.services.planning.background.idle();
  // The table moves on (a snapshot without c's manifest) before the plan is taken over.
  const loaded = await onA('GET', T);
  const location = loaded.body.metadata.location as string;
  const list = `${location}/metadata/snap-events-2.avro`;
  const old = await manifestsOfFirstSnapshot();
  await writeManifestList(list, old.slice(0, 2));
  const c2 = appendUpdates(loaded.body.metadata, list);
  expect((await onA('POST', T, { requirements: c2.requirements, updates: c2.updates })).status).toBe(200);
  await dieMidPlan(id);
  expect((await onB('GET', `${T}/plan/${id}`)).body.status).toBe('submitted');
  await b.lakegate.services.planning.background.idle();
  const done = await onB('GET', `${T}/plan/${id}`);
  expect(await filesOf(onB, done.body)).toEqual(['a1.parquet', 'b1.parquet', 'c1.parquet']);

  // Taken over twice already (the default bound): the next lapse settles it failed, in the Iceberg error model.
  const spent = await submit();
  await a.lakegate.services.planning.background.idle();
  await dieMidPlan(spent, { takeovers: 2 });
  const fetched = await onB('GET', `${T}/plan/${spent}`);
  expect(fetched.status).toBe(200);
  expect(fetched.body.status).toBe('failed');
  expect(fetched.body.error.code).toBe(503);
  expect(JSON.stringify(fetched.body)).not.toMatch(/at .*\.ts:\d+/);
  expect(await a.lakegate.store.plans.settle(spent, Date.now(), { status: 'completed', result: { 'plan-tasks': [] } })).toBe(false);
  expect((await onA('GET', `${T}/plan/${spent}`)).body.status).toBe('failed');
  expect(await takeovers(spent)).toBe(0);
});

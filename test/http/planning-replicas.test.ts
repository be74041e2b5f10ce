/**
 * Async scan plans on two replicas of one database (issue 51): two in-process Lakegates share a data dir (one SQLite
 * database, one secret key), async planning on above one data manifest. A plan submitted on one is fetched,
 * expanded and cancelled on the other (before, plans lived in the process that made them: 404 anywhere else). A
 * submitted plan whose planning process stopped renewing its lease (it died) is answered `failed` on the other,
 * in the Iceberg error model (503, never a stack), and the dead process's late result changes nothing.
 * Through a real proxy and PostgreSQL: test/interop/replicas-proxy.test.ts.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { appendUpdates, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';
import { type TestManifest, writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { tempDir } from '../support/temp.js';

const dir = tempDir('lakegate-plan-replicas-');
const ENV = { LAKEGATE_PLANNING_ASYNC_MANIFESTS: '1' };
let a: TestCatalog;
let b: TestCatalog;
let onA: Send;
let onB: Send;
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
  onA = injectSender(a.lakegate.app);
  onB = injectSender(b.lakegate.app);
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
  const c = appendUpdates(created.body.metadata, list);
  expect((await onA('POST', T, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
}, 60_000);
afterAll(async () => {
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

it('a submitted plan whose planning process died is answered failed on the other replica, once', async () => {
  const id = await submit();
  await a.lakegate.services.planning.background.idle();
  // What a process that died mid-plan leaves: the row still submitted, its lease lapsed (nobody renews it).
  const row = (await b.lakegate.store.plans.get(id, Date.now()))!;
  await b.lakegate.store.plans.put({ ...row, status: 'submitted', result: {}, leaseUntilMs: Date.now() - 1 });
  const fetched = await onB('GET', `${T}/plan/${id}`);
  expect(fetched.status).toBe(200);
  expect(fetched.body.status).toBe('failed');
  expect(fetched.body.error.code).toBe(503);
  expect(JSON.stringify(fetched.body)).not.toMatch(/at .*\.ts:\d+/);
  // The dead process's late answer changes nothing.
  expect(await a.lakegate.store.plans.settle(id, Date.now(), { status: 'completed', result: { 'plan-tasks': [] } })).toBe(false);
  expect((await onA('GET', `${T}/plan/${id}`)).body.status).toBe('failed');
});

/**
 * Async scan planning in-process (catalog/planning/service.ts with background.ts), with async planning on above
 * one data manifest (LAKEGATE_PLANNING_ASYNC_MANIFESTS=1; it is off by default for PyIceberg 0.12): a
 * partitioned v2 table of three data manifests (categories a, b, c) answers `submitted`, is planned in the
 * background, and fetchPlanningResult answers `completed` with plan tasks of the matching manifests only; the
 * SDK (IcebergRestCatalog.awaitPlan) polls it to the same files. Cancelled and expired plans answer 404, as
 * does another principal's; a manifest the server cannot read makes the plan `failed` with the Iceberg error
 * model; a revoked grant makes the next fetch 403. A one-manifest table still answers `completed` at once. On an
 * S3 warehouse (test/support/fake-s3.ts) the completed fetch carries read-only storage credentials when the plan
 * call (or the fetch) asked for vended credentials.
 */
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { readFileSync, writeFileSync } from 'node:fs';
import { IcebergRestCatalog, bearerAuth, isNotFound } from '@lakegate/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grantPrincipal, revoke } from '../support/access.js';
import { appendUpdates, categorySchema as schema, type Send } from '../support/iceberg-http.js';
import { startFakeS3 } from '../support/fake-s3.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tempDir } from '../support/temp.js';
import { bearerSender } from '../support/inject.js';
import { type TestManifest, writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { signedInPrincipal, tokenOf, grantedPrincipal } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let adminToken: string;
let offsetMs = 0;
const T = '/v1/default/namespaces/db/tables';
const plan = (send: Send, body: unknown, table = 'events') => send('POST', `${T}/${table}/plan`, body);
const fetchPlan = (send: Send, id: string, table = 'events') => send('GET', `${T}/${table}/plan/${id}`);
const events = { type: 'table' as const, warehouse: 'default', namespace: ['db'], name: 'events' };

/** Every background plan of the server has settled. */
const settled = () => cat.lakegate.services.planning.background.idle();

/**
 * Creates `table` with one snapshot of the given data manifests (each one file of one category), or of missing/corrupt
 * ones. With `counted`, the list records each manifest's file counts (as v2 writers do): the `missing` category's
 * manifest is not written, and the `deleted` one's only entry is DELETED (counted 0 added, 0 existing, 1 deleted).
 */
async function table(name: string, categories: string[], broken?: 'missing' | 'corrupt', counted?: { missing: string; deleted: string }): Promise<void> {
  const created = await admin('POST', T, {
    name,
    schema,
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'category', transform: 'identity' }] },
    properties: { 'format-version': '2' },
  });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const location = created.body.metadata.location as string;
  const manifests: TestManifest[] = [];
  for (const [i, c] of categories.entries()) {
    const path = `${location}/metadata/m-${c}.avro`;
    let length = 10;
    if (broken === 'corrupt') writeFileSync(fileURLToPath(path), 'Obj\u0001 not avro');
    else if (broken === undefined && c !== counted?.missing)
      length = await writeManifest(
        path,
        ['category'],
        [
          {
            status: c === counted?.deleted ? 2 : 1,
            snapshotId: 1n,
            sequenceNumber: 1,
            file: { path: `${location}/data/${c}1.parquet`, partition: [c], records: 10, longBounds: [[1, i * 10, i * 10 + 9]] },
          },
        ],
        0,
      );
    const files: [number, number, number] = c === counted?.deleted ? [0, 0, 1] : [1, 0, 0];
    manifests.push({ path, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n, ...(counted ? { files } : {}) });
  }
  const list = `${location}/metadata/snap-${name}.avro`;
  await writeManifestList(list, manifests);
  const c = appendUpdates(created.body.metadata, list);
  expect((await admin('POST', `${T}/${name}`, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
}

/** The data files of a completed plan, following its plan tasks. */
async function files(
  send: Send,
  page: { 'file-scan-tasks'?: Array<{ 'data-file': { 'file-path': string } }>; 'plan-tasks'?: string[] },
  name = 'events',
): Promise<string[]> {
  const out = (page['file-scan-tasks'] ?? []).map((t) => t['data-file']['file-path']);
  for (const token of page['plan-tasks'] ?? []) {
    const r = await send('POST', `${T}/${name}/tasks`, { 'plan-task': token });
    expect(r.status, stringifyJson(r.body)).toBe(200);
    out.push(...(await files(send, r.body, name)));
  }
  return out.map((p) => p.split('/').pop()!).sort();
}

beforeAll(async () => {
  cat = await startInProcess(
    {
      LAKEGATE_PLANNING_ASYNC_MANIFESTS: '1',
      LAKEGATE_PLANNING_INLINE_MANIFESTS: '1',
      LAKEGATE_PLANNING_MANIFESTS_PER_TASK: '1',
      LAKEGATE_PLANNING_TTL_SECONDS: '600',
    },
    { auth: true, clock: { now: () => Date.now() + offsetMs } },
  );
  const a = cat.admin();
  adminToken = await tokenOf(cat.lakegate.app, a.client_id, a.client_secret);
  admin = bearerSender(cat.lakegate.app, adminToken);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
  await table('events', ['a', 'b', 'c']);
  await table('small', ['a']);
});
afterAll(async () => {
  await settled();
  await cat?.close();
});

describe('async planning', () => {
  it('answers submitted above the threshold, then completed with plan tasks of the matching manifests only', async () => {
    const r = await plan(admin, { filter: { type: 'eq', term: 'category', value: 'b' } });
    expect(r.status, stringifyJson(r.body)).toBe(200);
    expect(r.body.status).toBe('submitted');
    expect(typeof r.body['plan-id']).toBe('string');
    expect(r.body['plan-tasks']).toBeUndefined();
    expect(r.body['file-scan-tasks']).toBeUndefined();
    await settled();
    const done = await fetchPlan(admin, r.body['plan-id']);
    expect(done.status, stringifyJson(done.body)).toBe(200);
    expect(done.body.status).toBe('completed');
    // Manifests a and c hold no matching file: one plan task, for b's manifest.
    expect(done.body['plan-tasks']).toHaveLength(1);
    expect(await files(admin, done.body)).toEqual(['b1.parquet']);
    const all = await plan(admin, {});
    await settled();
    const full = await fetchPlan(admin, all.body['plan-id']);
    expect(full.body['plan-tasks']).toHaveLength(3);
    expect(await files(admin, full.body)).toEqual(['a1.parquet', 'b1.parquet', 'c1.parquet']);
    // Nothing matches: completed with no tasks.
    const none = await plan(admin, { filter: { type: 'eq', term: 'category', value: 'z' } });
    await settled();
    expect((await fetchPlan(admin, none.body['plan-id'])).body).toEqual({ status: 'completed', 'file-scan-tasks': [] });
  });

  it('answers completed at once at or below the threshold', async () => {
    const r = await plan(admin, {}, 'small');
    expect(r.body.status).toBe('completed');
    expect(await files(admin, r.body, 'small')).toEqual(['a1.parquet']);
  });

  it('the SDK awaits a submitted plan and pages its tasks', async () => {
    await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = cat.lakegate.app.server.address() as AddressInfo;
    const catalog = new IcebergRestCatalog({ uri: `http://127.0.0.1:${port}`, auth: bearerAuth(adminToken) });
    const id = { namespace: ['db'], name: 'events' };
    const submitted = await catalog.planTableScan(id, { filter: { type: 'in', term: 'category', values: ['a', 'c'] } });
    expect(submitted.status).toBe('submitted');
    const done = await catalog.awaitPlan(id, submitted, { pollMs: 10 });
    expect(done.status).toBe('completed');
    const seen: string[] = [];
    for await (const page of catalog.scanTaskPages(id, done))
      for (const t of page['file-scan-tasks'] ?? []) seen.push(t['data-file']['file-path'].split('/').pop()!);
    expect(seen.sort()).toEqual(['a1.parquet', 'c1.parquet']);
    const cancelled = await catalog.planTableScan(id, {});
    await catalog.cancelPlanning(id, cancelled['plan-id']!);
    await expect(catalog.fetchPlanningResult(id, cancelled['plan-id']!)).rejects.toSatisfy(isNotFound);
  });

  it('a cancelled plan answers 404, also after its background work ends; so does an expired one', async () => {
    const r = await plan(admin, {});
    expect(r.body.status).toBe('submitted');
    expect((await admin('DELETE', `${T}/events/plan/${r.body['plan-id']}`)).status).toBe(204);
    const gone = await fetchPlan(admin, r.body['plan-id']);
    expect(gone.status).toBe(404);
    expect(gone.body.error.type).toBe('NoSuchPlanIdException');
    await settled();
    expect((await fetchPlan(admin, r.body['plan-id'])).status).toBe(404);
    const later = await plan(admin, {});
    await settled();
    expect((await fetchPlan(admin, later.body['plan-id'])).body.status).toBe('completed');
    offsetMs += 601_000;
    try {
      expect((await fetchPlan(admin, later.body['plan-id'])).status).toBe(404);
    } finally {
      offsetMs -= 601_000;
    }
  });

  it("another principal's async plan is 404 to fetch and to cancel", async () => {
    const other = await grantedPrincipal(cat, admin, 'async-other', ['table:read-data'], events);
    const r = await plan(admin, {});
    expect((await fetchPlan(other.send, r.body['plan-id'])).status).toBe(404);
    expect((await other.send('DELETE', `${T}/events/plan/${r.body['plan-id']}`)).status).toBe(404);
    await settled();
    expect((await fetchPlan(admin, r.body['plan-id'])).body.status).toBe('completed');
  });

  it('a manifest the server cannot read fails the plan with the Iceberg error model, never a stack', async () => {
    for (const broken of ['missing', 'corrupt'] as const) {
      const name = `broken-${broken}`;
      await table(name, ['a', 'b'], broken);
      const r = await plan(admin, {}, name);
      expect(r.status, stringifyJson(r.body)).toBe(200);
      expect(r.body.status).toBe('submitted');
      await settled();
      const failed = await fetchPlan(admin, r.body['plan-id'], name);
      expect(failed.status, stringifyJson(failed.body)).toBe(200);
      expect(failed.body).toMatchObject({ status: 'failed', error: { type: 'UnprocessableEntityException', code: 422 } });
      expect(failed.body.error.message).toMatch(/Cannot read manifest file/);
      expect(stringifyJson(failed.body)).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('with nothing to prune by, takes the matching manifests from the list counts without reading them', async () => {
    // Manifest c is missing: a plan that read it would fail. b's only file was deleted, as its counts say.
    await table('counted', ['a', 'b', 'c'], undefined, { missing: 'c', deleted: 'b' });
    const r = await plan(admin, {}, 'counted');
    expect(r.body.status).toBe('submitted');
    await settled();
    const done = await fetchPlan(admin, r.body['plan-id'], 'counted');
    expect(done.body.status, stringifyJson(done.body)).toBe('completed');
    // a and c count a live file; b none.
    expect(done.body['plan-tasks']).toHaveLength(2);
    const expanded = await Promise.all((done.body['plan-tasks'] as string[]).map((token) => admin('POST', `${T}/counted/tasks`, { 'plan-task': token })));
    // The missing manifest fails where a synchronous plan's would: at its expansion, in the error model.
    expect(expanded.map((e) => e.status).sort()).toEqual([200, 422]);
    expect(
      expanded
        .find((e) => e.status === 200)!
        .body['file-scan-tasks'].map((t: { 'data-file': { 'file-path': string } }) => t['data-file']['file-path'].split('/').pop()),
    ).toEqual(['a1.parquet']);
    // A filter is something to prune by: every manifest is read, and the missing one fails the plan.
    const filtered = await plan(admin, { filter: { type: 'not-null', term: 'category' } }, 'counted');
    await settled();
    expect((await fetchPlan(admin, filtered.body['plan-id'], 'counted')).body).toMatchObject({ status: 'failed', error: { code: 422 } });
  });

  it('re-authorizes every fetch: a revoked grant is 403', async () => {
    const reader = await signedInPrincipal(cat, 'async-revoked');
    const role = await grantPrincipal(admin, reader.id, ['table:read-data'], events);
    const r = await plan(reader.send, {});
    expect(r.body.status).toBe('submitted');
    await settled();
    expect((await fetchPlan(reader.send, r.body['plan-id'])).body.status).toBe('completed');
    await revoke(admin, role, ['table:read-data'], events);
    const after = await fetchPlan(reader.send, r.body['plan-id']);
    expect(after.status).toBe(403);
    expect(after.body.error.type).toBe('ForbiddenException');
  });

  it('vends read-only credentials with the completed result when the plan asked for them', async () => {
    const s3 = await startFakeS3();
    const local = tempDir();
    try {
      expect(
        (
          await admin('POST', '/management/v1/warehouses', {
            name: 'lake',
            'storage-root': 's3://bucket/wh',
            'storage-profile': { type: 's3', bucket: 'bucket', region: 'us-east-1', endpoint: s3.endpoint, 'path-style-access': true },
            'storage-secret': { 'access-key-id': 'root', 'secret-access-key': 'root-secret' },
          })
        ).status,
      ).toBe(201);
      expect((await admin('POST', '/v1/lake/namespaces', { namespace: ['sales'] })).status).toBe(200);
      const created = await admin('POST', '/v1/lake/namespaces/sales/tables', {
        name: 'orders',
        schema,
        'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'category', transform: 'identity' }] },
        properties: { 'format-version': '2' },
      });
      const location = created.body.metadata.location as string;
      // Manifests are written locally by the test's writer, then put into the fake S3 at the table's location.
      const upload = (uri: string, file: string) => fetch(`${s3.endpoint}/${uri.replace('s3://', '')}`, { method: 'PUT', body: readFileSync(file) });
      const manifests: TestManifest[] = [];
      for (const c of ['a', 'b']) {
        const file = `${local.dir}/m-${c}.avro`;
        const length = await writeManifest(
          `file://${file}`,
          ['category'],
          [{ status: 1, snapshotId: 1n, sequenceNumber: 1, file: { path: `${location}/data/${c}1.parquet`, partition: [c], records: 10 } }],
          0,
        );
        await upload(`${location}/metadata/m-${c}.avro`, file);
        manifests.push({ path: `${location}/metadata/m-${c}.avro`, length, content: 0, sequenceNumber: 1, addedSnapshotId: 1n });
      }
      await writeManifestList(`file://${local.dir}/snap.avro`, manifests);
      await upload(`${location}/metadata/snap.avro`, `${local.dir}/snap.avro`);
      const c = appendUpdates(created.body.metadata, `${location}/metadata/snap.avro`);
      expect((await admin('POST', '/v1/lake/namespaces/sales/tables/orders', { requirements: c.requirements, updates: c.updates })).status).toBe(200);
      const url = '/v1/lake/namespaces/sales/tables/orders/plan';
      const r = await admin('POST', url, {}, { 'x-iceberg-access-delegation': 'vended-credentials' });
      expect(r.body.status, stringifyJson(r.body)).toBe('submitted');
      expect(r.body['storage-credentials']).toBeUndefined();
      await settled();
      const before = s3.policies.length;
      const done = await admin('GET', `${url}/${r.body['plan-id']}`);
      expect(done.body.status, stringifyJson(done.body)).toBe('completed');
      expect(done.body['plan-tasks']).toHaveLength(2);
      expect(done.body['storage-credentials']).toHaveLength(1);
      expect(done.body['storage-credentials'][0].prefix).toBe(location);
      expect(typeof done.body['storage-credentials'][0]['storage-refresh-token']).toBe('string');
      const actions = s3.policies.slice(before).flatMap((p) => p.Statement.flatMap((st) => st.Action));
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => /Put|Delete|Multipart/.test(a))).toEqual([]);
      // A plan that did not ask gets none, unless its fetch asks.
      const plain = await admin('POST', url, {});
      await settled();
      expect((await admin('GET', `${url}/${plain.body['plan-id']}`)).body['storage-credentials']).toBeUndefined();
      expect(
        (await admin('GET', `${url}/${plain.body['plan-id']}`, undefined, { 'x-iceberg-access-delegation': 'vended-credentials' })).body['storage-credentials'],
      ).toHaveLength(1);
    } finally {
      await s3.close();
      local.cleanup();
    }
  });
});

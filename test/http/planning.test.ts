/**
 * Server-side scan planning in-process (catalog/planning/service.ts), on a v2 table partitioned by
 * identity(category) whose manifests are written here (test/support/manifest-writer.ts): three appends and a
 * position delete. Small scans answer completed with file scan tasks, larger ones plan tasks that
 * fetchScanTasks expands; metrics pruning and delete attachment as the spec says; incremental append scans;
 * every bad input is a 400 with its reason and an unreadable manifest a 422, never a 500; plans and plan tasks
 * are their owner's alone (404 for anyone else, or when tampered, cancelled); read-metadata is 403 and a revoked
 * grant stops fetchScanTasks. PyIceberg proves the same end to end (test/interop/planning-pyiceberg.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grantPrincipal, revoke } from '../support/access.js';
import { appendUpdates, categorySchema as schema, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { startFakeS3 } from '../support/fake-s3.js';
import { tampered } from '../support/tamper.js';
import { bearerSender } from '../support/inject.js';
import { type TestManifest, writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { signInAdmin, signedInPrincipal, grantedPrincipal } from '../support/principals.js';
import { createS3Lake } from '../support/lake-warehouse.js';

let cat: TestCatalog;
let admin: Send;
const T = '/v1/default/namespaces/db/tables';
const plan = (send: Send, body: unknown, table = 'events', headers: Record<string, string> = {}) => send('POST', `${T}/${table}/plan`, body, headers);
const tasks = (send: Send, token: string, table = 'events') => send('POST', `${T}/${table}/tasks`, { 'plan-task': token });
let location: string;
let snapshots: bigint[] = [];

const events = { type: 'table' as const, warehouse: 'default', namespace: ['db'], name: 'events' };

/** Commits a snapshot whose manifest list names `manifests` (operation `operation`). */
async function commitSnapshot(table: string, manifests: TestManifest[], operation = 'append'): Promise<bigint> {
  const metadata = (await admin('GET', `${T}/${table}`)).body.metadata;
  const list = `${metadata.location}/metadata/snap-${snapshots.length}-${Date.now()}.avro`;
  await writeManifestList(list, manifests);
  const c = appendUpdates(metadata, list);
  c.updates[0]!.snapshot!.summary = { operation };
  const res = await admin('POST', `${T}/${table}`, { requirements: c.requirements, updates: c.updates });
  expect(res.status, stringifyJson(res.body)).toBe(200);
  return c.snapshotId;
}

const paths = (r: { body: { 'file-scan-tasks'?: Array<{ 'data-file': { 'file-path': string } }> } }) =>
  (r.body['file-scan-tasks'] ?? []).map((t) => t['data-file']['file-path'].split('/').pop()).sort();

/** Every file scan task of a plan: its own, and those of every plan task (followed as PyIceberg does). */
async function allTasks(send: Send, first: { 'file-scan-tasks'?: unknown[]; 'plan-tasks'?: string[] }, table = 'events') {
  const out: Array<{ file: string; deletes: string[] }> = [];
  const take = (page: {
    'file-scan-tasks'?: Array<{ 'data-file': { 'file-path': string }; 'delete-file-references'?: number[] }>;
    'delete-files'?: Array<{ 'file-path': string }>;
  }) => {
    for (const t of page['file-scan-tasks'] ?? [])
      out.push({
        file: t['data-file']['file-path'].split('/').pop()!,
        deletes: (t['delete-file-references'] ?? []).map((i) => page['delete-files']![i]!['file-path'].split('/').pop()!),
      });
  };
  take(first as never);
  const pending = [...(first['plan-tasks'] ?? [])];
  while (pending.length > 0) {
    const r = await tasks(send, pending.shift()!, table);
    expect(r.status, stringifyJson(r.body)).toBe(200);
    take(r.body);
    pending.push(...(r.body['plan-tasks'] ?? []));
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

beforeAll(async () => {
  // At most two data manifests are planned in the first call; larger scans get one plan task per manifest.
  cat = await startInProcess({ LAKEGATE_PLANNING_INLINE_MANIFESTS: '2', LAKEGATE_PLANNING_MANIFESTS_PER_TASK: '1' }, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
  const created = await admin('POST', T, {
    name: 'events',
    schema,
    'partition-spec': { fields: [{ 'source-id': 2, 'field-id': 1000, name: 'category', transform: 'identity' }] },
    properties: { 'format-version': '2' },
  });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  location = created.body.metadata.location;
  const m = (name: string) => `${location}/metadata/${name}.avro`;
  const d = (name: string) => `${location}/data/${name}.parquet`;
  const manifest = async (
    name: string,
    seq: number,
    snapshotId: bigint,
    files: Parameters<typeof writeManifest>[2][number]['file'][],
    content: 0 | 1 = 0,
  ): Promise<TestManifest> => {
    const length = await writeManifest(
      m(name),
      ['category'],
      files.map((file) => ({ status: 1, snapshotId, sequenceNumber: seq, file })),
      content,
    );
    return { path: m(name), length, content, sequenceNumber: seq, addedSnapshotId: snapshotId };
  };
  // Snapshot ids are chosen by appendUpdates: write each manifest after learning the id it will carry (the commit's).
  const next = () => {
    const c = appendUpdates({ location, 'current-snapshot-id': -1, 'format-version': 2 });
    return c.snapshotId;
  };
  void next;
  const s1Manifests: TestManifest[] = [];
  // Manifests record the snapshot that added them; the server reads added_snapshot_id only for incremental scans.
  const s1 = await commitSnapshot('events', []);
  s1Manifests.push(
    await manifest('m1', 1, s1, [
      { path: d('a1'), partition: ['a'], records: 10, longBounds: [[1, 0, 9]] },
      { path: d('b1'), partition: ['b'], records: 10, longBounds: [[1, 10, 19]] },
    ]),
  );
  // Rewrite s1's manifest list now that m1 exists (the list path is the one s1 committed).
  const meta1 = (await admin('GET', `${T}/events`)).body.metadata;
  await writeManifestList(meta1.snapshots[0]['manifest-list'], s1Manifests);
  const s2 = await commitSnapshot('events', s1Manifests);
  const m2 = await manifest('m2', 2, s2, [{ path: d('a2'), partition: ['a'], records: 10, longBounds: [[1, 20, 29]] }]);
  await writeManifestList((await admin('GET', `${T}/events`)).body.metadata.snapshots[1]['manifest-list'], [m2, ...s1Manifests]);
  const s3 = await commitSnapshot('events', []);
  const m3 = await manifest('m3', 3, s3, [{ path: d('c1'), partition: ['c'], records: 10, longBounds: [[1, 30, 39]] }]);
  await writeManifestList((await admin('GET', `${T}/events`)).body.metadata.snapshots[2]['manifest-list'], [m3, m2, ...s1Manifests]);
  const s4 = await commitSnapshot('events', [], 'delete');
  const d1 = await manifest('d1', 4, s4, [{ path: d('a1-deletes'), content: 1, partition: ['a'], records: 2, referencedDataFile: d('a1') }], 1);
  await writeManifestList((await admin('GET', `${T}/events`)).body.metadata.snapshots[3]['manifest-list'], [m3, m2, ...s1Manifests, d1]);
  snapshots = [s1, s2, s3, s4];
});
afterAll(async () => cat?.close());

describe('planTableScan', () => {
  it('plans a small scan in the first call: completed, a plan id, file scan tasks with spec id and partition', async () => {
    const r = await plan(admin, { 'snapshot-id': snapshots[1] });
    expect(r.status, stringifyJson(r.body)).toBe(200);
    expect(r.body.status).toBe('completed');
    expect(typeof r.body['plan-id']).toBe('string');
    expect(r.body['plan-tasks']).toBeUndefined();
    expect(paths(r)).toEqual(['a1.parquet', 'a2.parquet', 'b1.parquet']);
    const a2 = r.body['file-scan-tasks'].find((t: { 'data-file': { 'file-path': string } }) => t['data-file']['file-path'].endsWith('a2.parquet'));
    expect(a2['data-file']).toMatchObject({
      content: 'data',
      'file-format': 'parquet',
      'spec-id': 0,
      partition: ['a'],
      'record-count': 10,
      'file-size-in-bytes': 1000,
    });
    // No column statistics unless asked for (stats-fields).
    expect(a2['data-file']['lower-bounds']).toBeUndefined();
    expect(r.headers['cache-control']).toBe('no-store');
  });

  it('prunes by column metrics and returns the filter as each task residual', async () => {
    const filter = { type: 'gt-eq', term: 'id', value: 20 };
    const r = await plan(admin, { 'snapshot-id': snapshots[1], filter });
    expect(paths(r)).toEqual(['a2.parquet']);
    expect(r.body['file-scan-tasks'][0]['residual-filter']).toEqual(filter);
  });

  it('returns the statistics of the stats-fields only, in single-value JSON', async () => {
    const r = await plan(admin, { 'snapshot-id': snapshots[0], 'stats-fields': ['id'] });
    const a1 = r.body['file-scan-tasks'].find((t: { 'data-file': { 'file-path': string } }) => t['data-file']['file-path'].endsWith('a1.parquet'));
    expect(a1['data-file']['lower-bounds']).toEqual({ keys: [1], values: [0] });
    expect(a1['data-file']['upper-bounds']).toEqual({ keys: [1], values: [9] });
    expect(a1['data-file']['value-counts']).toEqual({ keys: [1], values: [10] });
  });

  it('answers plan tasks for a larger scan; fetchScanTasks expands them, deletes attached by reference', async () => {
    const r = await plan(admin, {});
    expect(r.status).toBe(200);
    expect(r.body['file-scan-tasks']).toBeUndefined();
    expect(r.body['plan-tasks']).toHaveLength(3);
    expect(await allTasks(admin, r.body)).toEqual([
      { file: 'a1.parquet', deletes: ['a1-deletes.parquet'] },
      { file: 'a2.parquet', deletes: [] },
      { file: 'b1.parquet', deletes: [] },
      { file: 'c1.parquet', deletes: [] },
    ]);
    const filtered = await plan(admin, {
      filter: { type: 'and', left: { type: 'eq', term: 'category', value: 'a' }, right: { type: 'lt', term: 'id', value: 5 } },
    });
    expect((await allTasks(admin, filtered.body)).map((t) => t.file)).toEqual(['a1.parquet']);
  });

  it('plans incremental append scans: the files the appends after start added, up to end', async () => {
    const r = await plan(admin, { 'start-snapshot-id': snapshots[0], 'end-snapshot-id': snapshots[2] });
    expect(r.status, stringifyJson(r.body)).toBe(200);
    expect(paths(r)).toEqual(['a2.parquet', 'c1.parquet']);
    const fromStart = await plan(admin, { 'start-snapshot-id': snapshots[1], 'end-snapshot-id': snapshots[3] });
    expect(paths(fromStart)).toEqual(['c1.parquet']);
  });

  it.each([
    [{ filter: { type: 'eq', term: 'nope', value: 1 } }, /cannot find field 'nope'/],
    [{ filter: { type: 'eq', term: 'id', value: 'ten' } }, /not a valid long literal/],
    [{ filter: { type: 'between', term: 'id', value: 1 } }, /unknown expression type/],
    [{ filter: 'id > 3' }, /body\/filter must be boolean; body\/filter must be object/],
    [{ 'snapshot-id': 12345 }, /snapshot-id 12345 is not a snapshot of the table/],
    [{ 'snapshot-id': 1, 'start-snapshot-id': 1, 'end-snapshot-id': 2 }, /cannot be combined/],
    [{ 'start-snapshot-id': 1 }, /end-snapshot-id is required/],
    [{ select: ['id', 'missing'] }, /select: cannot find field 'missing'/],
    [{ 'stats-fields': ['ID'] }, /stats-fields: cannot find field 'ID'/],
    [{ 'case-sensitive': 'yes' }, /case-sensitive/],
  ])('refuses %j with 400 and the reason', async (body, reason) => {
    const r = await plan(admin, body);
    expect(r.status, stringifyJson(r.body)).toBe(400);
    expect(r.body.error).toMatchObject({ type: 'BadRequestException', code: 400, message: expect.stringMatching(reason) });
  });

  it('accepts the reserved metadata columns in select (Spark names _row_id there), not in stats-fields', async () => {
    const select = ['id', '_file', '_pos', '_spec_id', '_partition', '_deleted', '_row_id', '_last_updated_sequence_number'];
    const r = await plan(admin, { 'snapshot-id': snapshots[1], select });
    expect(r.status, stringifyJson(r.body)).toBe(200);
    expect(paths(r)).toEqual(paths(await plan(admin, { 'snapshot-id': snapshots[1] })));
    expect((await plan(admin, { 'snapshot-id': snapshots[1], 'case-sensitive': false, select: ['_ROW_ID'] })).status).toBe(200);
    expect((await plan(admin, { 'snapshot-id': snapshots[1], select: ['_ROW_ID'] })).status).toBe(400);
    expect((await plan(admin, { 'stats-fields': ['_row_id'] })).status).toBe(400);
  });

  it('refuses a start snapshot that is not an ancestor of the end', async () => {
    const r = await plan(admin, { 'start-snapshot-id': snapshots[2], 'end-snapshot-id': snapshots[1] });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/is not an ancestor of end-snapshot-id/);
  });

  it('binds names case-insensitively when case-sensitive is false', async () => {
    const r = await plan(admin, { 'snapshot-id': snapshots[1], 'case-sensitive': false, filter: { type: 'eq', term: 'ID', value: 25 } });
    expect(paths(r)).toEqual(['a2.parquet']);
  });
});

describe('unreadable manifests', () => {
  it('answers 422 with the file named for a corrupt, missing or outside manifest, never a 500 or files outside the table', async () => {
    for (const [table, list] of [
      ['corrupt', 'corrupt'],
      ['missing', 'missing'],
      ['outside', 'outside'],
    ] as const) {
      const created = await admin('POST', T, { name: table, schema, properties: { 'format-version': '2' } });
      const own = created.body.metadata.location as string;
      let manifestPath = `${own}/metadata/m.avro`;
      if (list === 'corrupt') writeFileSync(fileURLToPath(manifestPath), 'Obj\u0001 not avro');
      if (list === 'outside') manifestPath = `${location}/metadata/m1.avro`;
      const metadata = created.body.metadata;
      const listUri = `${own}/metadata/snap-${table}.avro`;
      await writeManifestList(listUri, [{ path: manifestPath, length: 10, content: 0, sequenceNumber: 1, addedSnapshotId: 1n }]);
      const c = appendUpdates(metadata, listUri);
      expect((await admin('POST', `${T}/${table}`, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
      const r = await plan(admin, {}, table);
      expect(r.status, `${table}: ${stringifyJson(r.body)}`).toBe(422);
      expect(r.body.error.message).toMatch(list === 'outside' ? /outside the table's location/ : /Cannot read manifest file/);
      expect(stringifyJson(r.body)).not.toMatch(/at .*\.ts:\d+/);
    }
  });
});

describe('ownership, authorization and revocation', () => {
  it('a reader with read-metadata only is refused 403; with read-data it plans', async () => {
    const meta = await grantedPrincipal(cat, admin, 'plan-meta-only', ['table:read-metadata'], events);
    const r = await plan(meta.send, {});
    expect(r.status).toBe(403);
    expect(r.body.error.type).toBe('ForbiddenException');
    const reader = await grantedPrincipal(cat, admin, 'plan-reader', ['table:read-data'], events);
    expect((await plan(reader.send, {})).status).toBe(200);
  });

  it("another principal's plan id and plan tasks are 404; tampered tokens too", async () => {
    const owner = await signedInPrincipal(cat, 'plan-owner');
    const other = await signedInPrincipal(cat, 'plan-other');
    for (const p of [owner, other]) await grantPrincipal(admin, p.id, ['table:read-data'], events);
    const r = await plan(owner.send, {});
    const planId = r.body['plan-id'];
    const token = r.body['plan-tasks'][0] as string;
    expect((await tasks(owner.send, token)).status).toBe(200);
    const stolen = await tasks(other.send, token);
    expect(stolen.status).toBe(404);
    expect(stolen.body.error.type).toBe('NoSuchPlanTaskException');
    expect((await other.send('GET', `${T}/events/plan/${planId}`)).status).toBe(404);
    expect((await other.send('DELETE', `${T}/events/plan/${planId}`)).status).toBe(404);
    const flipped = tampered(token);
    expect((await tasks(owner.send, flipped)).status).toBe(404);
    expect((await tasks(owner.send, 'not-a-token')).status).toBe(404);
    // Bound to the table too: the same token on another table of the owner's is refused.
    await grantPrincipal(admin, owner.id, ['table:read-data'], { ...events, name: 'corrupt' });
    expect((await tasks(owner.send, token, 'corrupt')).status).toBe(404);
    // The owner fetches its plan, cancels it; then the id and its plan tasks are gone.
    const fetched = await owner.send('GET', `${T}/events/plan/${planId}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ status: 'completed', 'plan-tasks': r.body['plan-tasks'] });
    expect((await owner.send('DELETE', `${T}/events/plan/${planId}`)).status).toBe(204);
    const gone = await owner.send('GET', `${T}/events/plan/${planId}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.type).toBe('NoSuchPlanIdException');
    expect((await tasks(owner.send, token)).status).toBe(404);
    expect((await owner.send('GET', `${T}/events/plan/no-such-plan`)).status).toBe(404);
  });

  it('a revoked grant stops fetchScanTasks of an existing plan task', async () => {
    const reader = await signedInPrincipal(cat, 'plan-revoked');
    const role = await grantPrincipal(admin, reader.id, ['table:read-data'], events);
    const r = await plan(reader.send, {});
    const token = r.body['plan-tasks'][0] as string;
    expect((await tasks(reader.send, token)).status).toBe(200);
    await revoke(admin, role, ['table:read-data'], events);
    const after = await tasks(reader.send, token);
    expect(after.status).toBe(403);
  });

  it('audits each plan and each plan task expansion', async () => {
    const r = await plan(admin, { filter: { type: 'eq', term: 'category', value: 'c' } });
    await tasks(admin, r.body['plan-tasks'][0]);
    const audit = await admin('GET', '/management/v1/audit?limit=50');
    expect(audit.status, stringifyJson(audit.body)).toBe(200);
    const types = stringifyJson(audit.body);
    expect(types).toContain('table.plan');
    expect(types).toContain('table.plan.tasks');
  });
});

describe('credentials and replicas', () => {
  it('vends read-only credentials for the table location with a refresh token, even to a writer, when asked for', async () => {
    const s3 = await startFakeS3();
    try {
      await createS3Lake(admin, s3.endpoint);
      expect((await admin('POST', '/v1/lake/namespaces', { namespace: ['sales'] })).status).toBe(200);
      const table = await admin('POST', '/v1/lake/namespaces/sales/tables', { name: 'orders', schema });
      const tableLocation = table.body.metadata.location as string;
      const writer = await grantedPrincipal(cat, admin, 'plan-writer', ['table:read-data', 'table:write-data'], {
        type: 'table',
        warehouse: 'lake',
        namespace: ['sales'],
        name: 'orders',
      });
      const url = '/v1/lake/namespaces/sales/tables/orders/plan';
      const before = s3.policies.length;
      const r = await writer.send('POST', url, {}, { 'x-iceberg-access-delegation': 'vended-credentials' });
      expect(r.status, stringifyJson(r.body)).toBe(200);
      expect(r.body['storage-credentials']).toHaveLength(1);
      const credential = r.body['storage-credentials'][0];
      expect(credential.prefix).toBe(tableLocation);
      expect(credential.config).toMatchObject({
        's3.access-key-id': expect.any(String),
        's3.secret-access-key': expect.any(String),
        's3.session-token': expect.any(String),
      });
      expect(typeof credential['storage-refresh-token']).toBe('string');
      // The session policy the credential was vended under grants reads only, under the table's location.
      const actions = s3.policies.slice(before).flatMap((p) => p.Statement.flatMap((st) => st.Action));
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((a) => /Put|Delete|Multipart/.test(a))).toEqual([]);
      // The refresh token refreshes exactly that credential, still read-only.
      const refreshed = await writer.send(
        'GET',
        `/v1/lake/namespaces/sales/tables/orders/credentials?storageRefreshToken=${encodeURIComponent(credential['storage-refresh-token'])}`,
      );
      expect(refreshed.status, stringifyJson(refreshed.body)).toBe(200);
      expect(refreshed.body['storage-credentials'][0].prefix).toBe(tableLocation);
      // loadCredentials?planId= answers the plan's read-only credentials to its owner; anyone else's plan id is 404.
      const byPlan = await writer.send('GET', `/v1/lake/namespaces/sales/tables/orders/credentials?planId=${r.body['plan-id']}`);
      expect(byPlan.status, stringifyJson(byPlan.body)).toBe(200);
      expect(byPlan.body['storage-credentials'][0].prefix).toBe(tableLocation);
      expect((await admin('GET', `/v1/lake/namespaces/sales/tables/orders/credentials?planId=${r.body['plan-id']}`)).status).toBe(404);
      expect(
        s3.policies
          .slice(before)
          .flatMap((p) => p.Statement.flatMap((st) => st.Action))
          .filter((a) => /Put|Delete|Multipart/.test(a)),
      ).toEqual([]);
      // Without the delegation header, or with remote signing only (not offered here), no credentials.
      expect((await writer.send('POST', url, {})).body['storage-credentials']).toBeUndefined();
      expect((await writer.send('POST', url, {}, { 'x-iceberg-access-delegation': 'remote-signing' })).body['storage-credentials']).toBeUndefined();
    } finally {
      await s3.close();
    }
  });

  it('expands a plan task on another replica sharing the secret key (serve --workers N)', async () => {
    const replica = await startInProcess(
      { LAKEGATE_PLANNING_INLINE_MANIFESTS: '2', LAKEGATE_PLANNING_MANIFESTS_PER_TASK: '1' },
      { auth: true, dataDir: cat.dataDir },
    );
    try {
      const a = cat.admin();
      const other = bearerSender(
        replica.lakegate.app,
        await replica.lakegate.app
          .inject({
            method: 'POST',
            url: '/v1/oauth/tokens',
            payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: a.client_id, client_secret: a.client_secret }).toString(),
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          })
          .then((r) => r.json().access_token as string),
      );
      const r = await plan(admin, {});
      const expanded = await tasks(other, r.body['plan-tasks'][0]);
      expect(expanded.status, stringifyJson(expanded.body)).toBe(200);
      expect(expanded.body['file-scan-tasks'].length).toBeGreaterThan(0);
    } finally {
      await replica.lakegate.close();
    }
  });
});

describe('advertised and recommended', () => {
  it('lists the four endpoints in /v1/config, and the warehouse and table planning mode', async () => {
    const config = await admin('GET', '/v1/config?warehouse=default');
    for (const e of [
      'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan',
      'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}',
      'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}/plan/{plan-id}',
      'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/tasks',
    ]) {
      expect(config.body.endpoints).toContain(e);
    }
    expect(config.body.defaults['scan-planning-mode']).toBeUndefined();
    expect((await admin('GET', `${T}/events`)).body.config['scan-planning-mode']).toBeUndefined();
    const set = await admin('POST', `${T}/events`, { requirements: [], updates: [{ action: 'set-properties', updates: { 'scan-planning-mode': 'server' } }] });
    expect(set.status).toBe(200);
    expect((await admin('GET', `${T}/events`)).body.config['scan-planning-mode']).toBe('server');
  });
});

/**
 * A table's location is its own: the credentials vended for a table and the files the catalog deletes for it stay
 * inside it, whatever paths a client brings in. On an S3 warehouse backed by an in-memory S3 and STS
 * (test/support/fake-s3.ts) that records the session policies, so each test reads exactly what was vended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeS3, type FakeS3 } from '../support/fake-s3.js';
import { appendUpdates, createTransactionCommit, type Send, simpleSchema, sqlView } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';
import { createS3Lake } from '../support/lake-warehouse.js';

let cat: TestCatalog;
let s3: FakeS3;
let send: Send;
let victim: { location: string; metadataLocation: string };
const delegated = { 'x-iceberg-access-delegation': 'vended-credentials' };
const tables = (ns: string) => `/v1/lake/namespaces/${ns}/tables`;
const objectArns = (from: number) => s3.policies.slice(from).flatMap((p) => p.Statement.flatMap((s) => s.Resource.filter((r) => r.includes('/'))));

beforeAll(async () => {
  s3 = await startFakeS3();
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
  await createS3Lake(send, s3.endpoint);
  for (const ns of ['sales', 'evil']) expect((await send('POST', '/v1/lake/namespaces', { namespace: [ns] })).status).toBe(200);
  const created = await send('POST', tables('sales'), { name: 'orders', schema: simpleSchema });
  expect(created.status).toBe(200);
  victim = { location: created.body.metadata.location, metadataLocation: created.body['metadata-location'] };
});
afterAll(async () => {
  await cat?.close();
  await s3?.close();
});

describe('write.*.path properties', () => {
  it('must lie inside the table’s own location, so no credential is vended for another table’s files or the whole warehouse', async () => {
    const before = s3.policies.length;
    for (const [key, value] of [
      ['write.data.path', victim.location],
      ['write.metadata.path', `${victim.location}/metadata`],
      ['write.object-storage.path', 's3://bucket/wh'],
      ['write.folder-storage.path', 's3://bucket/wh/sales'],
    ] as const) {
      const created = await send('POST', tables('evil'), { name: `w_${key.length}`, schema: simpleSchema, properties: { [key]: value } }, delegated);
      expect(created.status, `${key}: ${JSON.stringify(created.body)}`).toBe(400);
      expect(created.body.error.message).toMatch(new RegExp(`property ${key.replace(/\./g, '\\.')} .*outside the location of the table`));
    }
    const own = await send('POST', tables('evil'), { name: 'w', schema: simpleSchema }, delegated);
    expect(own.status).toBe(200);
    const committed = await send('POST', `${tables('evil')}/w`, {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { 'write.data.path': victim.location } }],
    });
    expect(committed.status).toBe(400);
    // Inside its own location, a write path is fine (and needs no credential of its own).
    const inside = await send('POST', `${tables('evil')}/w`, {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { 'write.data.path': `${own.body.metadata.location}/elsewhere` } }],
    });
    expect(inside.status).toBe(200);
    const loaded = await send('GET', `${tables('evil')}/w`, undefined, delegated);
    expect(loaded.body['storage-credentials'].map((c: { prefix: string }) => c.prefix)).toEqual([own.body.metadata.location]);
    expect(objectArns(before).every((arn) => arn.startsWith(`arn:aws:s3:::bucket/${own.body.metadata.location.slice('s3://bucket/'.length)}/`))).toBe(true);
  });

  it('are held to the new location when a commit moves the table', async () => {
    const created = await send('POST', tables('evil'), { name: 'mover', schema: simpleSchema });
    const location = created.body.metadata.location as string;
    expect(
      (
        await send('POST', `${tables('evil')}/mover`, {
          requirements: [],
          updates: [{ action: 'set-properties', updates: { 'write.data.path': `${location}/data` } }],
        })
      ).status,
    ).toBe(200);
    const moved = await send('POST', `${tables('evil')}/mover`, { requirements: [], updates: [{ action: 'set-location', location: `${location}-moved` }] });
    expect(moved.status).toBe(400);
    expect(moved.body.error.message).toMatch(/write\.data\.path .*outside the location of the table/);
  });
});

describe('metadata files a commit trims from the metadata log', () => {
  it('are deleted only inside the table’s own location, never files of another table the log names', async () => {
    const dataFile = `${victim.location.slice('s3://bucket/'.length)}/data/00000-x.parquet`;
    s3.put('bucket', dataFile, 'PAR1');
    // A metadata file written by whoever holds the credentials of evil/reg, naming another table's files in its log.
    const template = (await send('POST', tables('evil'), { name: 'template', schema: simpleSchema })).body.metadata;
    const location = 's3://bucket/wh/evil/reg';
    const metadata = {
      ...template,
      location,
      'table-uuid': '11111111-2222-3333-4444-555555555555',
      properties: {},
      'metadata-log': [
        { 'timestamp-ms': 1, 'metadata-file': victim.metadataLocation },
        { 'timestamp-ms': 2, 'metadata-file': `s3://bucket/${dataFile}` },
        { 'timestamp-ms': 3, 'metadata-file': `${location}/metadata/00001-old.metadata.json` },
      ],
    };
    s3.put('bucket', 'wh/evil/reg/metadata/00001-old.metadata.json', '{}');
    s3.put('bucket', 'wh/evil/reg/metadata/00002-reg.metadata.json', JSON.stringify(metadata));
    expect(
      (await send('POST', '/v1/lake/namespaces/evil/register', { name: 'reg', 'metadata-location': `${location}/metadata/00002-reg.metadata.json` })).status,
    ).toBe(200);
    const trim = { 'write.metadata.delete-after-commit.enabled': 'true', 'write.metadata.previous-versions-max': '1' };
    expect((await send('POST', `${tables('evil')}/reg`, { requirements: [], updates: [{ action: 'set-properties', updates: trim }] })).status).toBe(200);
    expect(s3.keys()).toEqual(expect.arrayContaining([`bucket/${victim.metadataLocation.slice('s3://bucket/'.length)}`, `bucket/${dataFile}`]));
    // The table's own trimmed file is deleted as before.
    expect(s3.keys()).not.toContain('bucket/wh/evil/reg/metadata/00001-old.metadata.json');
    expect((await send('GET', `${tables('sales')}/orders`)).status).toBe(200);
  });
});

/** A namespace written straight into the store, as one created before the namespace-directory rule was. */
async function storedNamespace(levels: string[]): Promise<void> {
  expect(await cat.lakegate.store.repository.insertNamespace({ id: `ns-${levels.join('.')}`, warehouse: 'lake', levels, properties: {} })).toBe(true);
  cat.lakegate.services.access.forgetNamespaceIds();
}

describe('a table at the place where another namespace’s tables go', () => {
  const squatted = (res: { status: number; body: any }, by: RegExp) => {
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error?.message ?? res.body.error).toMatch(by);
  };

  it('keeps later tables out of it: a default location inside another table’s is refused', async () => {
    // Taken before the namespace exists (at an existing namespace's directory it is refused, see below).
    const squat = await send('POST', tables('evil'), { name: 'squat', schema: simpleSchema, location: 's3://bucket/wh/hr' }, delegated);
    expect(squat.status).toBe(200);
    // The namespace is refused while its directory is taken (object-locations.test.ts); one that came about anyway
    // (stored before that rule, or through the database) still gets no table inside the squatting one.
    squatted(await send('POST', '/v1/lake/namespaces', { namespace: ['hr'] }), /lies inside the location of a table or view/);
    await storedNamespace(['hr']);
    squatted(await send('POST', tables('hr'), { name: 'salaries', schema: simpleSchema }), /overlaps the location of another table or view/);
    squatted(
      await send('POST', tables('hr'), { name: 'salaries', schema: simpleSchema, 'stage-create': true }),
      /overlaps the location of another table or view/,
    );
    squatted(await send('POST', '/lance/lake/v1/table/hr$salaries/declare', { id: ['hr', 'salaries'] }), /overlaps the location of another table or view/);
    // Once it is gone, the namespace is usable again.
    expect((await send('DELETE', `${tables('evil')}/squat`)).status).toBe(204);
    expect((await send('POST', tables('hr'), { name: 'salaries', schema: simpleSchema })).status).toBe(200);
  });

  it('counts stage-created tables too, so neither a later table nor the staged one’s commit can overlap', async () => {
    const staged = await send(
      'POST',
      tables('evil'),
      { name: 'staged_squat', schema: simpleSchema, location: 's3://bucket/wh/legal', 'stage-create': true },
      delegated,
    );
    expect(staged.status).toBe(200);
    // A retried stage-create of the same table at the same place is no other table.
    expect(
      (await send('POST', tables('evil'), { name: 'staged_squat', schema: simpleSchema, location: 's3://bucket/wh/legal', 'stage-create': true })).status,
    ).toBe(200);
    squatted(await send('POST', '/v1/lake/namespaces', { namespace: ['legal'] }), /lies inside the location of a table or view/);
    await storedNamespace(['legal']);
    squatted(await send('POST', tables('legal'), { name: 'cases', schema: simpleSchema }), /overlaps the location of another table or view/);
    squatted(
      await send('POST', tables('legal'), { name: 'cases', schema: simpleSchema, location: 's3://bucket/wh/legal/cases' }),
      /overlaps the location of another table or view/,
    );
    squatted(
      await send('POST', tables('evil'), { name: 'other', schema: simpleSchema, location: 's3://bucket/wh', 'stage-create': true }),
      /overlaps the location of another table or view|storage root/,
    );
    const commit = await send('POST', `${tables('evil')}/staged_squat`, createTransactionCommit(staged.body.metadata, 's3://bucket/wh/legal'));
    expect(commit.status, JSON.stringify(commit.body)).toBe(200);
    squatted(await send('POST', tables('legal'), { name: 'cases', schema: simpleSchema }), /overlaps the location of another table or view/);
  });
});

describe('a location whose checked form is not the one storage uses', () => {
  it('is refused: an empty key segment would have the credential and the purge cover wh/evil/dbl, not the table’s wh/evil//dbl', async () => {
    const res = await send('POST', tables('evil'), { name: 'dbl', schema: simpleSchema, location: 's3://bucket/wh/evil//dbl' }, delegated);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/empty path segments/);
  });
});

describe('a table or view at a storage root itself', () => {
  it('is refused, also in a warehouse without tables, where it would contain every later table', async () => {
    await createS3Lake(send, s3.endpoint, { name: 'fresh', root: 's3://bucket/fresh' });
    expect((await send('POST', '/v1/fresh/namespaces', { namespace: ['a'] })).status).toBe(200);
    for (const location of ['s3://bucket/fresh', 's3://bucket/fresh/']) {
      const res = await send('POST', '/v1/fresh/namespaces/a/tables', { name: 'everything', schema: simpleSchema, location }, delegated);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toMatch(/is a storage root of warehouse fresh/);
    }
    const lance = await send('POST', '/lance/fresh/v1/table/a$everything/declare', { id: ['a', 'everything'], location: 's3://bucket/fresh' });
    expect(lance.status).toBe(400);
    expect((await send('POST', '/v1/fresh/namespaces/a/tables', { name: 'below', schema: simpleSchema, location: 's3://bucket/fresh/below' })).status).toBe(
      200,
    );
  });
});

describe('a commit that moves a table', () => {
  it('is refused while its snapshots name files at the old location, which another table could then take, read and purge', async () => {
    const created = await send('POST', tables('sales'), { name: 'mv', schema: simpleSchema });
    const old = created.body.metadata.location as string;
    const append = appendUpdates(created.body.metadata);
    expect((await send('POST', `${tables('sales')}/mv`, { requirements: append.requirements, updates: append.updates })).status).toBe(200);
    s3.put('bucket', `${old.slice('s3://bucket/'.length)}/data/00000-x.parquet`, 'PAR1');
    const moved = await send('POST', `${tables('sales')}/mv`, { requirements: [], updates: [{ action: 'set-location', location: `${old}-moved` }] });
    expect(moved.status, JSON.stringify(moved.body)).toBe(400);
    expect(moved.body.error.message).toMatch(/manifest-list .* is outside the new location of the table/);
    // So the old location stays taken: no other table can be put there to read or purge the files.
    const grab = await send('POST', '/lance/lake/v1/table/evil$grab/register', { id: ['evil', 'grab'], location: old });
    expect(grab.status).toBe(400);
    // A table without snapshots still moves.
    const empty = await send('POST', tables('sales'), { name: 'empty_mv', schema: simpleSchema });
    const to = `${empty.body.metadata.location}-moved`;
    expect(
      (await send('POST', `${tables('sales')}/empty_mv`, { requirements: [], updates: [{ action: 'set-location', location: to }] })).body.metadata.location,
    ).toBe(to);
  });
});

describe('a view', () => {
  const view = (name: string, location?: string) =>
    sqlView(name, ['evil'], 'select 1', { timestampMs: 1_700_000_000_000, properties: {}, ...(location ? { location } : {}) });

  it('may not lie at or inside a table’s location, where its metadata files would keep the table’s purge from deleting anything', async () => {
    for (const location of [victim.location, `${victim.location}/views/v`]) {
      const res = await send('POST', '/v1/lake/namespaces/evil/views', view('v', location));
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.message).toMatch(/overlaps the location of another table or view/);
    }
    // Views may share a location among themselves, and a default location is fine.
    expect((await send('POST', '/v1/lake/namespaces/evil/views', view('v1', 's3://bucket/wh/evil/views'))).status).toBe(200);
    expect((await send('POST', '/v1/lake/namespaces/evil/views', view('v2', 's3://bucket/wh/evil/views'))).status).toBe(200);
    expect((await send('POST', '/v1/lake/namespaces/evil/views', view('v3'))).status).toBe(200);
    const moved = await send('POST', '/v1/lake/namespaces/evil/views/v1', {
      requirements: [],
      updates: [{ action: 'set-location', location: victim.location }],
    });
    expect(moved.status).toBe(400);
  });
});

describe('a client-chosen location at an existing namespace’s directory', () => {
  it('is refused for tables and views, so no one can keep that namespace’s tables out', async () => {
    expect((await send('POST', '/v1/lake/namespaces', { namespace: ['ops'] })).status).toBe(200);
    expect((await send('POST', '/v1/lake/namespaces', { namespace: ['ops', 'eu west'] })).status).toBe(200);
    for (const location of ['s3://bucket/wh/ops', 's3://bucket/wh/ops/eu%20west', 's3://bucket/wh/sales']) {
      const res = await send('POST', tables('evil'), { name: 'squat_ns', schema: simpleSchema, location });
      expect(res.status, location).toBe(400);
      expect(res.body.error.message).toMatch(/is the directory of a namespace|overlaps/);
    }
    const view = sqlView('vsquat', ['evil'], 'select 1', { location: 's3://bucket/wh/ops' });
    expect((await send('POST', '/v1/lake/namespaces/evil/views', view)).body.error.message).toMatch(/is the directory of a namespace/);
    expect((await send('POST', tables('ops'), { name: 'x', schema: simpleSchema })).status).toBe(200);
    // A directory no namespace has is just a location.
    expect((await send('POST', tables('evil'), { name: 'squat_ns', schema: simpleSchema, location: 's3://bucket/wh/ops-archive' })).status).toBe(200);
  });
});

describe('a table dropped and created again at the same location', () => {
  it('is another table: its vended credential carries a refresh token bound to the new uuid, and that refresh answers 200', async () => {
    const location = 's3://bucket/wh/sales/again';
    const first = await send('POST', tables('sales'), { name: 'again', schema: simpleSchema, location }, delegated);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const oldToken = first.body['storage-credentials'][0]['storage-refresh-token'] as string;
    expect((await send('DELETE', `${tables('sales')}/again`)).status).toBe(204);
    const second = await send('POST', tables('sales'), { name: 'again', schema: simpleSchema, location }, delegated);
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.metadata['table-uuid']).not.toBe(first.body.metadata['table-uuid']);
    const loaded = await send('GET', `${tables('sales')}/again`, undefined, delegated);
    const token = loaded.body['storage-credentials'][0]['storage-refresh-token'] as string;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims.tu).toBe(second.body.metadata['table-uuid']);
    const refresh = (t: string) => send('GET', `${tables('sales')}/again/credentials?storageRefreshToken=${encodeURIComponent(t)}`);
    const refreshed = await refresh(token);
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(refreshed.body['storage-credentials'][0].prefix).toBe(location);
    // The dropped table's token names the dropped table: it refreshes nothing of its successor.
    expect((await refresh(oldToken)).status).toBe(404);
  });
});

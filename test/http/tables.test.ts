import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendUpdates, createTransactionCommit, type Send, simpleSchema, sqlView, sqlViewVersion } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
let send: Send;
const T = '/v1/default/namespaces/db/tables';

beforeAll(async () => {
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
});
afterAll(async () => cat.close());

const create = (name: string, extra: Record<string, unknown> = {}) => send('POST', T, { name, schema: simpleSchema, ...extra });
const load = async (name: string) => (await send('GET', `${T}/${name}`)).body;

describe('create and load', () => {
  it('assigns fresh ids, binds the partition spec and sort order, writes metadata 00000', async () => {
    const res = await create('fresh', {
      schema: {
        type: 'struct',
        'schema-id': 7,
        fields: [
          { id: 30, name: 'id', type: 'long', required: true },
          { id: 40, name: 'ts', type: 'timestamp', required: false },
        ],
      },
      'partition-spec': { 'spec-id': 5, fields: [{ 'source-id': 40, 'field-id': 1234, name: 'ts_day', transform: 'day' }] },
      'write-order': { 'order-id': 9, fields: [{ 'source-id': 30, transform: 'identity', direction: 'asc', 'null-order': 'nulls-first' }] },
      properties: { 'format-version': '1', owner: 'me' },
    });
    expect(res.status).toBe(200);
    const m = res.body.metadata;
    expect(m['format-version']).toBe(1);
    expect(m.schemas[0].fields.map((f: { id: number }) => f.id)).toEqual([1, 2]);
    expect(m['partition-specs'][0].fields[0]).toMatchObject({ 'source-id': 2, 'field-id': 1000, transform: 'day' });
    expect(m['sort-orders'].find((o: { 'order-id': number }) => o['order-id'] === 1).fields[0]['source-id']).toBe(1);
    expect(m.properties.owner).toBe('me');
    expect(m.properties['format-version']).toBeUndefined();
    expect(res.body['metadata-location']).toMatch(/\/metadata\/00000-[0-9a-f-]+\.metadata\.json$/);
    const onDisk = JSON.parse(readFileSync(fileURLToPath(res.body['metadata-location']), 'utf8'));
    expect(onDisk['table-uuid']).toBe(m['table-uuid']);
  });

  it.each([1, 2, 3])('creates and appends to format version %i tables', async (v) => {
    const res = await create(`v${v}`, { properties: { 'format-version': String(v) } });
    expect(res.body.metadata['format-version']).toBe(v);
    const c = appendUpdates(res.body.metadata);
    const commit = await send('POST', `${T}/v${v}`, { requirements: c.requirements, updates: c.updates });
    expect(commit.status).toBe(200);
    expect(commit.body.metadata['current-snapshot-id']).toBe(c.snapshotId);
    if (v === 3) expect(commit.body.metadata['next-row-id']).toBe(10);
  });

  it('keeps 63-bit snapshot ids exact through commit, load and the metadata file', async () => {
    const res = await create('bigids');
    const c = appendUpdates(res.body.metadata);
    expect(c.snapshotId > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const commit = await send('POST', `${T}/bigids`, { requirements: c.requirements, updates: c.updates });
    expect(commit.status).toBe(200);
    const loaded = await load('bigids');
    expect(loaded.metadata['current-snapshot-id']).toBe(c.snapshotId);
    expect(readFileSync(fileURLToPath(loaded['metadata-location']), 'utf8')).toContain(`"current-snapshot-id":${c.snapshotId}`);
  });

  it('answers 304 to a matching If-None-Match and a new ETag after a commit', async () => {
    await create('etag');
    const first = await send('GET', `${T}/etag`);
    const etag = first.headers.etag!;
    expect((await send('GET', `${T}/etag`, undefined, { 'if-none-match': etag })).status).toBe(304);
    await send('POST', `${T}/etag`, { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] });
    const after = await send('GET', `${T}/etag`, undefined, { 'if-none-match': etag });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(etag);
  });

  it('filters snapshots to referenced ones with snapshots=refs', async () => {
    const res = await create('refs');
    let meta = res.body.metadata;
    for (let i = 0; i < 2; i++) {
      const c = appendUpdates(meta);
      meta = (await send('POST', `${T}/refs`, { requirements: c.requirements, updates: c.updates })).body.metadata;
    }
    expect((await send('GET', `${T}/refs?snapshots=all`)).body.metadata.snapshots).toHaveLength(2);
    expect((await send('GET', `${T}/refs?snapshots=refs`)).body.metadata.snapshots).toHaveLength(1);
    expect((await send('GET', `${T}/refs?snapshots=some`)).status).toBe(400);
  });

  it('answers snapshots=refs with the file as it is but for the unreferenced snapshots, the same bytes every time, and a commit at once', async () => {
    const raw = async (query: string) => (await cat.lakegate.app.inject({ method: 'GET', url: `${T}/refs_exact?snapshots=${query}` })).body;
    // A v3 double default written 1.0: Iceberg Java refuses a schema whose double default is written 1.
    const schema = { type: 'struct', fields: [{ id: 1, name: 'x', required: false, type: 'double', 'initial-default': 1.0, 'write-default': 2.5 }] };
    const created = await send('POST', T, { name: 'refs_exact', schema, properties: { 'format-version': '3' } });
    expect(created.status).toBe(200);
    let meta = created.body.metadata;
    for (let i = 0; i < 3; i++) {
      const c = appendUpdates(meta);
      meta = (await send('POST', `${T}/refs_exact`, { requirements: c.requirements, updates: c.updates })).body.metadata;
    }
    const all = await raw('all');
    const answers = [await raw('refs'), await raw('refs'), await raw('refs')];
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toContain('"initial-default":1.0');
    const refs = JSON.parse(answers[0]!) as { metadata: Record<string, unknown> & { snapshots: unknown[] } };
    const full = JSON.parse(all) as { metadata: Record<string, unknown> & { snapshots: Array<{ 'snapshot-id': unknown }> } };
    expect(refs.metadata.snapshots).toHaveLength(1);
    // Everything else is the file's: same keys in the same order, same values (the ids compared as text).
    const current = String(meta['current-snapshot-id']);
    expect(answers[0]).toContain(`"snapshot-id":${current}`);
    expect(Object.keys(refs.metadata)).toEqual(Object.keys(full.metadata));
    for (const key of Object.keys(full.metadata))
      if (!['snapshots', 'current-snapshot-id', 'refs', 'snapshot-log'].includes(key)) expect(refs.metadata[key]).toEqual(full.metadata[key]);
    // A commit is answered at once: the new current snapshot, no longer the old one.
    const c = appendUpdates(meta);
    expect((await send('POST', `${T}/refs_exact`, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
    const after = await raw('refs');
    expect(after).toContain(`"snapshot-id":${c.snapshotId}`);
    expect(after).not.toContain(`"snapshot-id":${current},`);
    expect((await send('GET', `${T}/refs_exact?snapshots=refs`)).body.metadata.snapshots).toHaveLength(1);
  });

  it('answers with the metadata exactly as stored: register, unregister, a commit that changes nothing, and views', async () => {
    const raw = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const res = await cat.lakegate.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
      expect(res.statusCode, res.body).toBe(200);
      return res.body;
    };
    // A double default written 1.0, which Iceberg Java requires; a parse and a new serialisation write 1.
    const field = { id: 1, name: 'x', required: false, type: 'double', 'initial-default': 1.0, 'write-default': 1.0 };
    const exact = '"initial-default":1.0,"write-default":1.0';
    // A namespace of its own: other tests list db's tables and views.
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['exact'] })).status).toBe(200);
    const E = '/v1/default/namespaces/exact/tables';
    const created = await send('POST', E, { name: 'exact_answers', schema: { type: 'struct', fields: [field] }, properties: { 'format-version': '3' } });
    expect(created.status).toBe(200);
    expect(await raw('POST', `${E}/exact_answers`, { requirements: [], updates: [] })).toContain(exact);
    const unregistered = await raw('POST', `${E}/exact_answers/unregister`);
    expect(unregistered).toContain(exact);
    const file = (JSON.parse(unregistered) as { 'metadata-location': string })['metadata-location'];
    expect(await raw('POST', '/v1/default/namespaces/exact/register', { name: 'exact_answers', 'metadata-location': file })).toContain(exact);

    const V = '/v1/default/namespaces/exact/views';
    const view = await send(
      'POST',
      V,
      sqlView('exact_view', ['exact'], 'select 1.0 as x', { schema: { type: 'struct', 'schema-id': 0, fields: [field] }, properties: {} }),
    );
    expect(view.status).toBe(200);
    expect(await raw('GET', `${V}/exact_view`)).toContain(exact);
    expect(await raw('POST', `${V}/exact_view`, { requirements: [], updates: [] })).toContain(exact);
    expect(await raw('POST', `${V}/exact_view`, { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] })).toContain(exact);
    const viewFile = (JSON.parse(await raw('GET', `${V}/exact_view`)) as { 'metadata-location': string })['metadata-location'];
    expect((await send('DELETE', `${V}/exact_view`)).status).toBe(204);
    expect(await raw('POST', '/v1/default/namespaces/exact/register-view', { name: 'exact_view', 'metadata-location': viewFile })).toContain(exact);
    expect(await raw('GET', `${V}/exact_view`)).toContain(exact);
  });

  it('reports a missing table in a missing namespace as NoSuchTableException', async () => {
    const res = await send('GET', '/v1/default/namespaces/nope/tables/t');
    expect(res.status).toBe(404);
    expect(res.body.error.type).toBe('NoSuchTableException');
  });
});

describe('stage-create (CTAS)', () => {
  it('is invisible until committed with assert-create, yet resolvable for credentials', async () => {
    const staged = await create('ctas', { 'stage-create': true });
    expect(staged.status).toBe(200);
    // Engines report metrics on a CTAS target before it is committed.
    expect((await send('POST', `${T}/ctas/metrics`, { 'report-type': 'commit-report', 'table-name': 'db.ctas' })).status).toBe(204);
    expect(staged.body['metadata-location']).toBeUndefined();
    expect((await send('HEAD', `${T}/ctas`)).status).toBe(404);
    expect((await send('GET', `${T}/ctas/credentials`)).status).toBe(200);
    const m = staged.body.metadata;
    const commit = await send('POST', `${T}/ctas`, createTransactionCommit(m));
    expect(commit.status).toBe(200);
    expect(commit.body['metadata-location']).toMatch(/00000-/);
    expect(commit.body.metadata['metadata-log']).toEqual([]);
    expect((await send('HEAD', `${T}/ctas`)).status).toBe(204);
    const again = await send('POST', `${T}/ctas`, { requirements: [{ type: 'assert-create' }], updates: [{ action: 'assign-uuid', uuid: m['table-uuid'] }] });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/^Requirement failed: table already exists/);
  });
});

describe('commits', () => {
  it('rejects unknown actions and requirement types with 400 and changes nothing', async () => {
    const before = await create('strict');
    for (const body of [
      { requirements: [], updates: [{ action: 'explode' }] },
      { requirements: [{ type: 'assert-magic' }], updates: [] },
      { requirements: [], updates: [{ action: 'set-properties', updates: { a: 1 } }] },
      { requirements: [], updates: 'nope' },
      { requirements: [], updates: [{ action: 'set-current-schema', 'schema-id': 42 }] },
      { requirements: [], updates: [{ action: 'set-location', location: '/etc' }] },
    ]) {
      const res = await send('POST', `${T}/strict`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message.length).toBeGreaterThan(5);
      expect(JSON.stringify(res.body)).not.toMatch(/\.ts:\d+|\.js:\d+/);
    }
    const after = await send('GET', `${T}/strict`);
    expect(after.body['metadata-location']).toBe(before.body['metadata-location']);
  });

  it('fails requirement mismatches with 409 CommitFailedException', async () => {
    const res = await create('req');
    const conflict = await send('POST', `${T}/req`, { requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': 5 }], updates: [] });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.type).toBe('CommitFailedException');
    expect(conflict.body.error.message).toMatch(/^Requirement failed: current schema changed/);
    expect((await send('POST', `${T}/req`, { requirements: [{ type: 'assert-table-uuid', uuid: res.body.metadata['table-uuid'] }], updates: [] })).status).toBe(
      200,
    );
    expect((await send('POST', `${T}/missing`, { requirements: [], updates: [] })).status).toBe(404);
  });

  it('serializes concurrent commits: no update is lost, racing appends have exactly one winner', async () => {
    await create('race');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send('POST', `${T}/race`, { requirements: [], updates: [{ action: 'set-properties', updates: { [`p${i}`]: 'x' } }] }),
      ),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const m = (await load('race')).metadata;
    expect(Object.keys(m.properties).filter((k) => k.startsWith('p'))).toHaveLength(20);
    const attempts = Array.from({ length: 5 }, () => appendUpdates(m));
    const appends = await Promise.all(attempts.map((c) => send('POST', `${T}/race`, { requirements: c.requirements, updates: c.updates })));
    expect(appends.filter((r) => r.status === 200)).toHaveLength(1);
    expect(appends.filter((r) => r.status === 409)).toHaveLength(4);
  });

  it('commits multi-table transactions all-or-nothing', async () => {
    const a = (await create('txa')).body.metadata;
    await create('txb');
    const ok = await send('POST', '/v1/default/transactions/commit', {
      'table-changes': [
        {
          identifier: { namespace: ['db'], name: 'txa' },
          requirements: [{ type: 'assert-table-uuid', uuid: a['table-uuid'] }],
          updates: [{ action: 'set-properties', updates: { tx: '1' } }],
        },
        { identifier: { namespace: ['db'], name: 'txb' }, requirements: [], updates: [{ action: 'set-properties', updates: { tx: '1' } }] },
      ],
    });
    expect(ok.status).toBe(204);
    const bad = await send('POST', '/v1/default/transactions/commit', {
      'table-changes': [
        { identifier: { namespace: ['db'], name: 'txa' }, requirements: [], updates: [{ action: 'set-properties', updates: { tx: '2' } }] },
        {
          identifier: { namespace: ['db'], name: 'txb' },
          requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }],
          updates: [{ action: 'set-properties', updates: { tx: '2' } }],
        },
      ],
    });
    expect(bad.status).toBe(409);
    expect((await load('txa')).metadata.properties.tx).toBe('1');
    expect((await load('txb')).metadata.properties.tx).toBe('1');
    const dup = await send('POST', '/v1/default/transactions/commit', {
      'table-changes': [
        { identifier: { namespace: ['db'], name: 'txa' }, requirements: [], updates: [] },
        { identifier: { namespace: ['db'], name: 'txa' }, requirements: [], updates: [] },
      ],
    });
    expect(dup.status).toBe(400);
  });

  it('trims the metadata-log and deletes trimmed files when asked', async () => {
    await create('trim', { properties: { 'write.metadata.previous-versions-max': '2', 'write.metadata.delete-after-commit.enabled': 'true' } });
    for (let i = 0; i < 5; i++) await send('POST', `${T}/trim`, { requirements: [], updates: [{ action: 'set-properties', updates: { i: String(i) } }] });
    const t = await load('trim');
    expect(t.metadata['metadata-log']).toHaveLength(2);
    const dir = fileURLToPath(`${t.metadata.location}/metadata`);
    expect(readdirSync(dir).filter((f) => f.endsWith('.metadata.json'))).toHaveLength(3);
  });
});

describe('write.metadata.compression-codec', () => {
  const fileOf = (location: string) => readFileSync(fileURLToPath(location));
  const isGzip = (bytes: Buffer) => bytes[0] === 0x1f && bytes[1] === 0x8b;

  it('writes gzip-compressed .gz.metadata.json files for gzip (any case), plain ones for none, and reads them back', async () => {
    const created = (await create('gz', { properties: { 'write.metadata.compression-codec': 'GZIP' } })).body;
    expect(created['metadata-location']).toMatch(/\/metadata\/00000-[0-9a-f-]+\.gz\.metadata\.json$/);
    const first = fileOf(created['metadata-location']);
    expect(isGzip(first)).toBe(true);
    expect(JSON.parse(gunzipSync(first).toString('utf8'))).toEqual(created.metadata);

    const c = appendUpdates(created.metadata);
    const appended = (await send('POST', `${T}/gz`, { requirements: c.requirements, updates: c.updates })).body;
    expect(appended['metadata-location']).toMatch(/\/00001-[0-9a-f-]+\.gz\.metadata\.json$/);
    const loaded = await load('gz');
    expect(loaded['metadata-location']).toBe(appended['metadata-location']);
    const appendedText = gunzipSync(fileOf(appended['metadata-location'])).toString('utf8');
    expect(appendedText).toContain(`"current-snapshot-id":${c.snapshotId}`);
    expect(JSON.parse(appendedText)['last-updated-ms']).toBe(loaded.metadata['last-updated-ms']);
    expect(loaded.metadata['metadata-log'].at(-1)['metadata-file']).toBe(created['metadata-location']);

    const plain = (
      await send('POST', `${T}/gz`, { requirements: [], updates: [{ action: 'set-properties', updates: { 'write.metadata.compression-codec': 'none' } }] })
    ).body;
    expect(plain['metadata-location']).toMatch(/\/00002-[0-9a-f-]+\.metadata\.json$/);
    expect(plain['metadata-location']).not.toMatch(/\.gz\./);
    expect(JSON.parse(fileOf(plain['metadata-location']).toString('utf8')).properties).toEqual(plain.metadata.properties);

    // A compressed file registers like any other (the table let go of its location first).
    expect((await send('POST', `${T}/gz/unregister`)).status).toBe(200);
    const reg = await send('POST', '/v1/default/namespaces/db/register', { name: 'gz_registered', 'metadata-location': appended['metadata-location'] });
    expect(reg.status, reg.body.error?.message).toBe(200);
    expect((await load('gz_registered')).metadata['current-snapshot-id']).toBe(c.snapshotId);
  });

  it('deletes trimmed compressed files like plain ones', async () => {
    await create('gz_trim', {
      properties: {
        'write.metadata.compression-codec': 'gzip',
        'write.metadata.previous-versions-max': '1',
        'write.metadata.delete-after-commit.enabled': 'true',
      },
    });
    for (let i = 0; i < 3; i++) await send('POST', `${T}/gz_trim`, { requirements: [], updates: [{ action: 'set-properties', updates: { i: String(i) } }] });
    const t = await load('gz_trim');
    const files = readdirSync(fileURLToPath(`${t.metadata.location}/metadata`));
    expect(files.filter((f) => f.endsWith('.gz.metadata.json'))).toHaveLength(2);
  });

  it('compresses view metadata files the same way', async () => {
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['gz_views'] })).status).toBe(200);
    const version = {
      'version-id': 1,
      'timestamp-ms': Date.now(),
      'schema-id': 0,
      summary: { 'engine-name': 'test' },
      'default-namespace': ['db'],
      representations: [{ type: 'sql', sql: 'select 1', dialect: 'spark' }],
    };
    const res = await send('POST', '/v1/default/namespaces/gz_views/views', {
      name: 'gz_view',
      schema: simpleSchema,
      'view-version': version,
      properties: { 'write.metadata.compression-codec': 'gzip' },
    });
    expect(res.status).toBe(200);
    expect(res.body['metadata-location']).toMatch(/\.gz\.metadata\.json$/);
    expect(JSON.parse(gunzipSync(fileOf(res.body['metadata-location'])).toString('utf8'))).toEqual(res.body.metadata);
  });
});

describe('locations, rename, register, drop, metrics', () => {
  it('refuses locations outside the warehouse and leaves nothing behind', async () => {
    for (const location of ['/etc/lakegate', 'file:///tmp/elsewhere', 's3://other-bucket/t', `${cat.dataDir}/warehouse/../escape`]) {
      const res = await create('outside', { location });
      expect(res.status, location).toBe(400);
    }
    expect((await send('HEAD', `${T}/outside`)).status).toBe(404);
  });

  it('renames across namespaces with the errors clients expect', async () => {
    await send('POST', '/v1/default/namespaces', { namespace: ['other'] });
    await create('ren');
    await create('taken');
    const to = (ns: string[], name: string) => ({ source: { namespace: ['db'], name: 'ren' }, destination: { namespace: ns, name } });
    expect((await send('POST', '/v1/default/tables/rename', to(['nope'], 'x'))).body.error.type).toBe('NoSuchNamespaceException');
    const clash = await send('POST', '/v1/default/tables/rename', to(['db'], 'taken'));
    expect(clash.status).toBe(409);
    expect(clash.body.error.message).toBe('Cannot rename db.ren to db.taken. Table already exists');
    expect((await send('POST', '/v1/default/tables/rename', to(['other'], 'moved'))).status).toBe(204);
    expect((await send('GET', '/v1/default/namespaces/other/tables/moved')).status).toBe(200);
    expect((await send('POST', '/v1/default/tables/rename', to(['other'], 'again'))).body.error.type).toBe('NoSuchTableException');
  });

  it('unregisters and registers a table from its metadata file', async () => {
    await create('reg');
    const c = await send('POST', `${T}/reg`, { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] });
    const un = await send('POST', `${T}/reg/unregister`);
    expect(un.status).toBe(200);
    expect(un.body['metadata-location']).toBe(c.body['metadata-location']);
    expect((await send('HEAD', `${T}/reg`)).status).toBe(404);
    const reg = await send('POST', '/v1/default/namespaces/db/register', { name: 'reg2', 'metadata-location': un.body['metadata-location'] });
    expect(reg.status).toBe(200);
    expect(reg.body.metadata.properties.k).toBe('v');
    expect((await send('POST', '/v1/default/namespaces/db/register', { name: 'reg2', 'metadata-location': un.body['metadata-location'] })).status).toBe(409);
    expect((await send('POST', '/v1/default/namespaces/db/register', { name: 'reg3', 'metadata-location': '/etc/passwd' })).status).toBe(400);
  });

  it('drops without purge keeping files, and with purge deleting only the table location', async () => {
    const keep = (await create('keep')).body;
    const purge = (await create('purge')).body;
    const neighbour = (await create('purge_neighbour')).body;
    expect((await send('DELETE', `${T}/keep`)).status).toBe(204);
    expect(existsSync(fileURLToPath(keep['metadata-location']))).toBe(true);
    expect((await send('DELETE', `${T}/purge?purgeRequested=true`)).status).toBe(204);
    expect(existsSync(fileURLToPath(purge.metadata.location))).toBe(false);
    expect(existsSync(fileURLToPath(neighbour['metadata-location']))).toBe(true);
    expect((await send('DELETE', `${T}/purge`)).status).toBe(404);
  });

  it('stores metrics reports and serves them back through the management API', async () => {
    await create('metrics');
    const report = {
      'report-type': 'scan-report',
      'table-name': 'db.metrics',
      'snapshot-id': 1,
      filter: true,
      'schema-id': 0,
      'projected-field-ids': [1],
      'projected-field-names': ['id'],
      metrics: {},
    };
    expect((await send('POST', `${T}/metrics/metrics`, report)).status).toBe(204);
    expect((await send('POST', `${T}/metrics/metrics`, { 'report-type': 'nonsense' })).status).toBe(400);
    const listed = await send('GET', '/management/v1/warehouses/default/namespaces/db/tables/metrics/metrics-reports');
    expect(listed.body.reports).toHaveLength(1);
    expect(listed.body.reports[0].report['table-name']).toBe('db.metrics');
  });

  it('lists the reports of the table that holds the name, not of the dropped one before it; a rename takes them along', async () => {
    const reports = async (name: string) =>
      (
        (await send('GET', `/management/v1/warehouses/default/namespaces/db/tables/${name}/metrics-reports`)).body.reports as Array<{
          report: { filter: string };
        }>
      ).map((r) => r.report.filter);
    const scan = (name: string, filter: string) => send('POST', `${T}/${name}/metrics`, { 'report-type': 'scan-report', 'table-name': `db.${name}`, filter });
    await create('reborn');
    expect((await scan('reborn', 'ssn = 123')).status).toBe(204);
    expect((await send('DELETE', `${T}/reborn`)).status).toBe(204);
    // Dropped: its reports stay readable under its name.
    expect(await reports('reborn')).toEqual(['ssn = 123']);
    await create('reborn');
    expect((await scan('reborn', 'id > 1')).status).toBe(204);
    // Before: the new table showed its predecessor's report ('ssn = 123') too.
    expect(await reports('reborn')).toEqual(['id > 1']);
    expect(
      (await send('POST', '/v1/default/tables/rename', { source: { namespace: ['db'], name: 'reborn' }, destination: { namespace: ['db'], name: 'moved' } }))
        .status,
    ).toBe(204);
    expect(await reports('moved')).toEqual(['id > 1']);
    // The old name again holds no table: the dropped one's, never the live table's that moved away.
    expect(await reports('reborn')).toEqual(['ssn = 123']);
    // A stage-create's reports (no catalog id yet) are its committed table's.
    const staged = await create('ctas_metrics', { 'stage-create': true });
    expect((await scan('ctas_metrics', 'staged')).status).toBe(204);
    expect((await send('POST', `${T}/ctas_metrics`, createTransactionCommit(staged.body.metadata))).status).toBe(200);
    expect((await scan('ctas_metrics', 'committed')).status).toBe(204);
    expect((await reports('ctas_metrics')).sort()).toEqual(['committed', 'staged']);
  });
});

describe('views', () => {
  const view = (sql: string) => sqlViewVersion(['db'], sql, { timestampMs: Date.now(), summary: { 'engine-name': 'test' } });

  it('creates, loads, replaces, renames and drops views', async () => {
    const created = await send('POST', '/v1/default/namespaces/db/views', { name: 'v', schema: simpleSchema, 'view-version': view('select 1') });
    expect(created.status).toBe(200);
    expect(created.body.metadata['current-version-id']).toBe(1);
    expect((await send('POST', T, { name: 'v', schema: simpleSchema })).body.error.message).toMatch(/^View with same name already exists/);
    const replaced = await send('POST', '/v1/default/namespaces/db/views/v', {
      requirements: [{ type: 'assert-view-uuid', uuid: created.body.metadata['view-uuid'] }],
      updates: [
        { action: 'add-view-version', 'view-version': { ...view('select 2'), 'version-id': 2, 'schema-id': 0 } },
        { action: 'set-current-view-version', 'view-version-id': -1 },
      ],
    });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.metadata['current-version-id']).toBe(2);
    expect((await send('GET', '/v1/default/namespaces/db/views')).body.identifiers).toEqual([{ namespace: ['db'], name: 'v' }]);
    expect(
      (await send('POST', '/v1/default/views/rename', { source: { namespace: ['db'], name: 'v' }, destination: { namespace: ['db'], name: 'w' } })).status,
    ).toBe(204);
    expect((await send('HEAD', '/v1/default/namespaces/db/views/w')).status).toBe(204);
    expect((await send('DELETE', '/v1/default/namespaces/db/views/w')).status).toBe(204);
    expect((await send('GET', '/v1/default/namespaces/db/views/w')).body.error.type).toBe('NoSuchViewException');
  });
});

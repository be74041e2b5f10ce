/**
 * Lance materialized views where the catalog only stores definitions (lance-namespace 0.13; issue 58), over HTTP in
 * process on the local file warehouse with authentication: CreateMaterializedView stores the definition on a declared
 * table with no data (201, version 0), which ListTables lists, DescribeTable answers (materialized_view.* properties,
 * is_only_declared) and DropTable removes; it is authorized as DeclareTable (403 code 15), audited and recorded; a taken
 * name is a 409 (code 5), a missing namespace a 404 (code 1), a bad definition a 400 (code 13). What needs an engine
 * answers 406 (code 0) once the request is checked: an initial refresh or auto_refresh (nothing stored),
 * RefreshMaterializedView and AlterTableBackfillColumns (after 400, 403 and 404).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { bearerSender, postJson } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';
const SCHEMA = Buffer.from('an Arrow schema message').toString('base64');
const queryView = { kind: 'query', source_query: 'SELECT id FROM mv.src WHERE id > 1', output_schema: SCHEMA };
const udtf = Buffer.from(JSON.stringify({ udtf: 'split' })).toString('base64');
const udtfSpec = (over: Record<string, unknown> = {}) => ({
  kind: 'chunker',
  udtf,
  udtf_sha: createHash('sha256').update(udtf).digest('hex'),
  udtf_name: 'split',
  udtf_version: '1',
  input_columns: ['text'],
  num_cpus: null,
  ...over,
});

describe('Lance materialized views (definitions only)', () => {
  let cat: TestCatalog;
  let admin = '';
  let reader = '';
  const call = (url: string, payload: unknown, token = admin) => postJson(cat.lakegate.app, url, payload, { authorization: `Bearer ${token}` });
  const get = async (url: string) =>
    (await cat.lakegate.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${admin}` } })).json() as Record<string, any>;
  const create = (name: string, body: unknown, token = admin) => call(`${L}/materialized_view/mv%24${name}/create`, body, token);

  beforeAll(async () => {
    cat = await startInProcess({}, { auth: true });
    const a = cat.admin();
    admin = await signIn(cat.lakegate.app, a.client_id, a.client_secret);
    expect((await call(`${L}/namespace/mv/create`, {})).status).toBe(200);
    expect((await call(`${L}/table/mv%24src/declare`, {})).status).toBe(200);
    const r = await cat.lakegate.principals.create('mv-reader');
    await grantPrincipal(bearerSender(cat.lakegate.app, admin), r.clientId, ['namespace:list', 'table:list', 'table:read-metadata', 'table:read-data'], {
      type: 'namespace',
      warehouse: 'default',
      namespace: ['mv'],
    });
    reader = await signIn(cat.lakegate.app, r.clientId, r.clientSecret);
  });
  afterAll(async () => cat.close());

  it('stores the definition on a declared table: listed, described with its definition, audited, recorded, dropped', async () => {
    expect(await create('by_id', { ...queryView, id: ['mv', 'by_id'], with_no_data: true, auto_refresh: null })).toEqual({ status: 201, body: { version: 0 } });
    const described = await call(`${L}/table/mv%24by_id/describe`, { check_declared: true });
    expect(described.status).toBe(200);
    expect(described.body!.properties).toEqual({
      'materialized_view.kind': 'query',
      'materialized_view.source_query': queryView.source_query,
      'materialized_view.output_schema': SCHEMA,
    });
    expect(described.body!.is_only_declared).toBe(true);
    // The reader may describe it too (table:read-metadata), as any table.
    expect((await call(`${L}/table/mv%24by_id/describe`, {}, reader)).body!.properties['materialized_view.kind']).toBe('query');
    expect((await get(`${L}/namespace/mv/table/list`)).tables).toEqual(['by_id', 'src']);

    const audit = (await get('/management/v1/audit?limit=200')) as { events?: any[]; items?: any[] };
    const allowed = (audit.events ?? audit.items ?? []).filter((e) => e.type === 'access.allowed' && String(e.object ?? JSON.stringify(e)).includes('by_id'));
    expect(allowed.length).toBeGreaterThan(0);
    expect(JSON.stringify(allowed)).toContain('table:create');
    const stream = await get('/management/v1/events?warehouse=default&after=0&limit=1000');
    const declared = (stream.events as { type: string; data: Record<string, unknown> }[]).filter(
      (e) => e.type === 'io.lakegate.lance-table.declared' && JSON.stringify(e.data).includes('by_id'),
    );
    expect(declared).toHaveLength(1);
    expect(declared[0]!.data).toMatchObject({ 'materialized-view': 'query' });

    const dropped = await call(`${L}/table/mv%24by_id/drop`, {});
    expect(dropped.status).toBe(200);
    expect(dropped.body!.properties['materialized_view.source_query']).toBe(queryView.source_query);
    expect(await call(`${L}/table/mv%24by_id/describe`, {})).toMatchObject({ status: 404, body: { code: 4 } });
  });

  it('stores a chunker view with its UDTF entry, checked against its SHA-256', async () => {
    expect(await create('chunks', { ...queryView, kind: 'chunker', udtf_spec: udtfSpec() })).toMatchObject({ status: 201 });
    const properties = (await call(`${L}/table/mv%24chunks/describe`, {})).body!.properties;
    expect(properties['materialized_view.kind']).toBe('chunker');
    expect(JSON.parse(properties['materialized_view.udtf_spec'])).toEqual(udtfSpec());
  });

  it('refuses a bad definition (400 code 13), a taken name (409 code 5), a missing namespace (404 code 1), a caller without table:create (403 code 15)', async () => {
    for (const bad of [
      { ...queryView, source_query: '  ' },
      { ...queryView, output_schema: 'not base64!' },
      { ...queryView, udtf_spec: udtfSpec({ kind: 'query' }) },
      { ...queryView, kind: 'udtf' },
      { ...queryView, kind: 'udtf', udtf_spec: udtfSpec() },
      { ...queryView, kind: 'chunker', udtf_spec: udtfSpec({ udtf_sha: '0'.repeat(64) }) },
      { ...queryView, kind: 'view' },
      { ...queryView, id: ['mv', 'other'] },
      { kind: 'query', source_query: 'SELECT 1' },
    ]) {
      expect(await create('bad', bad), JSON.stringify(bad)).toMatchObject({ status: 400, body: { code: 13 } });
    }
    expect(await create('src', queryView)).toMatchObject({ status: 409, body: { code: 5 } });
    expect(await create('twice', queryView)).toMatchObject({ status: 201 });
    expect(await create('twice', { ...queryView, source_query: 'SELECT 2' })).toMatchObject({ status: 409, body: { code: 5 } });
    expect((await call(`${L}/table/mv%24twice/describe`, {})).body!.properties['materialized_view.source_query']).toBe(queryView.source_query);
    expect(await call(`${L}/materialized_view/nowhere%24v/create`, queryView)).toMatchObject({ status: 404, body: { code: 1 } });
    expect(await create('by_reader', queryView, reader)).toMatchObject({ status: 403, body: { code: 15 } });
    expect(await call(`${L}/table/mv%24by_reader/describe`, {})).toMatchObject({ status: 404 });
  });

  it('answers 406 (code 0) where an engine is needed, storing nothing: an initial refresh, auto_refresh', async () => {
    for (const body of [
      { ...queryView, with_no_data: false },
      { ...queryView, auto_refresh: true },
    ]) {
      const refused = await create('eager', body);
      expect(refused).toMatchObject({ status: 406, body: { code: 0 } });
      expect(refused.body!.error).toMatch(/runs no query engine/);
    }
    expect(await call(`${L}/table/mv%24eager/describe`, {})).toMatchObject({ status: 404, body: { code: 4 } });
  });

  it('RefreshMaterializedView: 406 naming who refreshes, once the view is found (404 code 4) and the caller may write it (403 code 15)', async () => {
    expect(await create('to_refresh', queryView)).toMatchObject({ status: 201 });
    const refresh = (name: string, body: unknown = {}, token = admin) => call(`${L}/materialized_view/mv%24${name}/refresh`, body, token);
    const refused = await refresh('to_refresh', { src_version: 3, cluster: null });
    expect(refused).toMatchObject({ status: 406, body: { code: 0 } });
    expect(refused.body!.error).toMatch(/stores materialized view and computed column definitions and runs no query engine/);
    expect(refused.body!.error).toMatch(/LanceDB or Geneva/);
    expect(await refresh('to_refresh', { src_version: -1 })).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await refresh('missing')).toMatchObject({ status: 404, body: { code: 4 } });
    // A table that is not a view is no materialized view to refresh.
    expect(await refresh('src')).toMatchObject({ status: 404, body: { code: 4 } });
    expect(await refresh('to_refresh', {}, reader)).toMatchObject({ status: 403, body: { code: 15 } });
    // The definition is untouched.
    expect((await call(`${L}/table/mv%24to_refresh/describe`, {})).body!.properties['materialized_view.kind']).toBe('query');
  });

  it('AlterTableBackfillColumns: 406 once the column path is checked (400), the table found (404) and the caller may write it (403)', async () => {
    const backfill = (name: string, body: unknown, token = admin) => call(`${L}/table/mv%24${name}/backfill_column`, body, token);
    const refused = await backfill('src', { column: 'emb', where: null, concurrency: 4 });
    expect(refused).toMatchObject({ status: 406, body: { code: 0 } });
    expect(refused.body!.error).toMatch(/runs no query engine/);
    for (const bad of [{}, { column: '' }, { column: '`open' }, { column: 'x', branch: '../up' }]) {
      expect(await backfill('src', bad), JSON.stringify(bad)).toMatchObject({ status: 400, body: { code: 13 } });
    }
    expect(await backfill('missing', { column: 'emb' })).toMatchObject({ status: 404, body: { code: 4 } });
    expect(await backfill('src', { column: 'emb' }, reader)).toMatchObject({ status: 403, body: { code: 15 } });
  });

  it('reserves materialized_view.* properties for the definition: a table declared with one is refused (400)', async () => {
    const declared = await call(`${L}/table/mv%24fake/declare`, { properties: { 'materialized_view.kind': 'query' } });
    expect(declared).toMatchObject({ status: 400, body: { code: 13 } });
    expect(declared.body!.error).toMatch(/materialized_view\.kind is reserved/);
    expect(await call(`${L}/table/mv%24fake/describe`, {})).toMatchObject({ status: 404 });
  });
});

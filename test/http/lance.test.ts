/**
 * The Lance REST Namespace API (mounted at /lance/{warehouse}) over the
 * shared catalog: every operation, its modes, bad input in Lance's error
 * model, the boundary with Iceberg objects, and authentication.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tampered } from '../support/tamper.js';

type Method = 'GET' | 'POST';

function client(get: () => TestCatalog, headers: () => Record<string, string> = () => ({})) {
  return async (method: Method, url: string, payload?: unknown, extra: Record<string, string> = {}) => {
    const res = await get().lakegate.app.inject({
      method,
      url,
      ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
      headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers(), ...extra },
    });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined, text: res.body, headers: res.headers };
  };
}

const L = '/lance/default/v1';

describe('Lance REST Namespace API (anonymous catalog)', () => {
  let cat: TestCatalog;
  const call = client(() => cat);
  beforeAll(async () => {
    cat = await startInProcess();
  });
  afterAll(async () => cat.close());

  describe('namespaces', () => {
    it('creates, describes, checks, lists and drops nested namespaces', async () => {
      const created = await call('POST', `${L}/namespace/lns/create?delimiter=%24`, { id: ['lns'], properties: { owner: 'ana' } });
      expect(created).toMatchObject({ status: 200, body: { properties: { owner: 'ana' } } });
      expect((await call('POST', `${L}/namespace/lns%24child/create`, { id: ['lns', 'child'] })).status).toBe(200);

      expect((await call('POST', `${L}/namespace/lns/describe`, { id: ['lns'] })).body).toEqual({ properties: { owner: 'ana' } });
      const exists = await call('POST', `${L}/namespace/lns%24child/exists`, { id: ['lns', 'child'] });
      expect(exists.status).toBe(200);
      expect(exists.text).toBe('');
      const missing = await call('POST', `${L}/namespace/nope/exists`, { id: ['nope'] });
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 1, instance: '/lance/default/v1/namespace/nope/exists' });
      expect(typeof missing.body!.error).toBe('string');

      // The root namespace is the id equal to the delimiter.
      expect((await call('GET', `${L}/namespace/%24/list`)).body!.namespaces).toContain('lns');
      expect((await call('GET', `${L}/namespace/lns/list`)).body).toEqual({ namespaces: ['child'], page_token: null });
      expect((await call('POST', `${L}/namespace/%24/describe`, {})).body).toEqual({ properties: {} });
      expect((await call('POST', `${L}/namespace/%24/exists`, {})).status).toBe(200);

      // The same namespace is an Iceberg namespace.
      // Iceberg's view of the same namespace shows where its tables go by default (Lance's describe shows only what was set).
      expect((await call('GET', '/v1/default/namespaces/lns')).body).toEqual({
        namespace: ['lns'],
        properties: { owner: 'ana', location: `file://${cat.dataDir}/warehouse/lns` },
      });

      const notEmpty = await call('POST', `${L}/namespace/lns/drop`, { id: ['lns'] });
      expect(notEmpty).toMatchObject({ status: 409, body: { code: 3 } });
      expect((await call('POST', `${L}/namespace/lns%24child/drop`, { id: ['lns', 'child'] })).status).toBe(200);
      expect((await call('POST', `${L}/namespace/lns/drop`, { id: ['lns'], behavior: 'Restrict' })).body).toEqual({ properties: { owner: 'ana' } });
      expect((await call('POST', `${L}/namespace/lns/describe`, { id: ['lns'] })).body).toMatchObject({ code: 1 });
    });

    it('honours the create modes (create, exist_ok, overwrite)', async () => {
      await call('POST', `${L}/namespace/modes/create`, { id: ['modes'], properties: { a: '1' } });
      expect((await call('POST', `${L}/namespace/modes/create`, { id: ['modes'] })).body).toMatchObject({ code: 2 });
      expect((await call('POST', `${L}/namespace/modes/create`, { id: ['modes'], mode: 'Create' })).status).toBe(409);
      const ok = await call('POST', `${L}/namespace/modes/create`, { id: ['modes'], mode: 'exist_ok', properties: { b: '2' } });
      expect(ok).toMatchObject({ status: 200, body: { properties: { a: '1' } } });
      const over = await call('POST', `${L}/namespace/modes/create`, { id: ['modes'], mode: 'OVERWRITE', properties: { b: '2' } });
      expect(over).toMatchObject({ status: 200, body: { properties: { b: '2' } } });
      expect((await call('POST', `${L}/namespace/modes/describe`, { id: ['modes'] })).body).toEqual({ properties: { b: '2' } });
      await call('POST', `${L}/table/modes%24t/declare`, { id: ['modes', 't'] });
      expect((await call('POST', `${L}/namespace/modes/create`, { id: ['modes'], mode: 'overwrite' })).body).toMatchObject({ code: 3 });
      expect((await call('POST', `${L}/namespace/modes/create`, { id: ['modes'], mode: 'sometimes' })).body).toMatchObject({ code: 13 });
      expect((await call('POST', `${L}/namespace/zz%24yy/create`, { id: ['zz', 'yy'] })).body).toMatchObject({ code: 1 });
    });

    it('honours the drop modes and behaviors (fail, skip, restrict, cascade)', async () => {
      expect((await call('POST', `${L}/namespace/ghost/drop`, { id: ['ghost'] })).body).toMatchObject({ code: 1 });
      expect((await call('POST', `${L}/namespace/ghost/drop`, { id: ['ghost'], mode: 'Skip' })).status).toBe(200);

      await call('POST', `${L}/namespace/cas/create`, { id: ['cas'] });
      await call('POST', `${L}/namespace/cas%24inner/create`, { id: ['cas', 'inner'] });
      const declared = (await call('POST', `${L}/table/cas%24inner%24ds/declare`, { id: ['cas', 'inner', 'ds'] })).body!;
      const dataDir = fileURLToPath(declared.location as string);
      mkdirSync(path.join(dataDir, '_versions'), { recursive: true });
      writeFileSync(path.join(dataDir, '_versions', '1.manifest'), 'lance');
      const iceberg = await call('POST', '/v1/default/namespaces/cas/tables', {
        name: 'ice',
        schema: { type: 'struct', fields: [{ id: 1, name: 'x', type: 'int', required: false }] },
      });
      expect(iceberg.status).toBe(200);

      expect((await call('POST', `${L}/namespace/cas/drop`, { id: ['cas'], behavior: 'restrict' })).body).toMatchObject({ code: 3 });
      expect((await call('POST', `${L}/namespace/cas/drop`, { id: ['cas'], behavior: 'Cascade' })).status).toBe(200);
      expect((await call('POST', `${L}/namespace/cas%24inner/exists`, { id: ['cas', 'inner'] })).status).toBe(404);
      expect((await call('GET', '/v1/default/namespaces/cas/tables/ice')).status).toBe(404);
      // The Lance dataset's files went with it; the Iceberg table was only unregistered.
      expect(existsSync(dataDir)).toBe(false);
      expect(existsSync(fileURLToPath(iceberg.body!.metadata.location as string))).toBe(true);
    });

    it('pages namespace listings with limit and page_token', async () => {
      await call('POST', `${L}/namespace/pg/create`, { id: ['pg'] });
      for (let i = 0; i < 5; i++) await call('POST', `${L}/namespace/pg%24c${i}/create`, { id: ['pg', `c${i}`] });
      const seen: string[] = [];
      let token: string | null = null;
      let pages = 0;
      do {
        const res = await call('GET', `${L}/namespace/pg/list?limit=2${token ? `&page_token=${token}` : ''}`);
        expect(res.body!.namespaces.length).toBeLessThanOrEqual(2);
        seen.push(...res.body!.namespaces);
        token = res.body!.page_token;
        pages += 1;
      } while (token);
      expect(pages).toBe(3);
      expect(seen).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    });
  });

  describe('tables', () => {
    beforeAll(async () => {
      await call('POST', `${L}/namespace/lt/create`, { id: ['lt'] });
    });

    it('declares a table at a server-chosen location under the warehouse, then describes, lists, checks and drops it', async () => {
      const declared = await call('POST', `${L}/table/lt%24t1/declare?delimiter=%24`, { id: ['lt', 't1'], properties: { team: 'ml' } });
      expect(declared.status).toBe(200);
      const location = declared.body!.location as string;
      expect(location.startsWith(`file://${cat.dataDir}`)).toBe(true);
      expect(location).toMatch(/\/lt\/t1-[0-9a-f]{32}$/);
      // Local files need no credentials; the catalog manages the table's versions (lance-versions.test.ts).
      expect(declared.body).toEqual({ location, storage_options: {}, properties: { team: 'ml' }, managed_versioning: true });

      const described = await call('POST', `${L}/table/lt%24t1/describe?with_table_uri=true`, { id: ['lt', 't1'] });
      expect(described.body).toEqual({ location, table_uri: location, storage_options: {}, properties: { team: 'ml' }, managed_versioning: true });
      expect((await call('POST', `${L}/table/lt%24t1/exists`, { id: ['lt', 't1'] })).status).toBe(200);
      expect((await call('GET', `${L}/namespace/lt/table/list`)).body).toEqual({ tables: ['t1'], page_token: null });

      const dup = await call('POST', `${L}/table/lt%24t1/declare`, { id: ['lt', 't1'] });
      expect(dup).toMatchObject({ status: 409, body: { code: 5 } });

      mkdirSync(path.join(fileURLToPath(location), 'data'), { recursive: true });
      writeFileSync(path.join(fileURLToPath(location), 'data', 'f.lance'), 'x');
      // Some clients send no body on drop (the spec has none).
      const dropped = await call('POST', `${L}/table/lt%24t1/drop`);
      expect(dropped.body).toEqual({ id: ['lt', 't1'], location, properties: { team: 'ml' } });
      expect(existsSync(fileURLToPath(location))).toBe(false);
      expect((await call('POST', `${L}/table/lt%24t1/exists`, { id: ['lt', 't1'] })).body).toMatchObject({ code: 4 });
      expect((await call('POST', `${L}/table/lt%24t1/describe`, { id: ['lt', 't1'] })).status).toBe(404);
      expect((await call('POST', `${L}/table/lt%24t1/drop`, {})).body).toMatchObject({ code: 4 });
    });

    it('accepts the deprecated create-empty name for declare, and a client-chosen location inside the warehouse only', async () => {
      const inside = `file://${cat.dataDir}/warehouse/custom/place`;
      const res = await call('POST', `${L}/table/lt%24ce/create-empty`, { id: ['lt', 'ce'], location: inside });
      expect(res).toMatchObject({ status: 200, body: { location: inside } });
      const outside = await call('POST', `${L}/table/lt%24out/declare`, { id: ['lt', 'out'], location: 'file:///etc/lance' });
      expect(outside).toMatchObject({ status: 400, body: { code: 13 } });
    });

    it('registers and deregisters a dataset (data stays), with create and overwrite modes', async () => {
      const location = `file://${cat.dataDir}/warehouse/lt/registered.lance`;
      mkdirSync(fileURLToPath(location), { recursive: true });
      const reg = await call('POST', `${L}/table/lt%24reg/register`, { id: ['lt', 'reg'], location, properties: { src: 'import' } });
      expect(reg.body).toEqual({ location, properties: { src: 'import' } });
      expect((await call('POST', `${L}/table/lt%24reg/register`, { id: ['lt', 'reg'], location })).body).toMatchObject({ code: 5 });
      const over = await call('POST', `${L}/table/lt%24reg/register`, { id: ['lt', 'reg'], location, mode: 'Overwrite', properties: { v: '2' } });
      expect(over.body).toEqual({ location, properties: { v: '2' } });
      expect((await call('POST', `${L}/table/lt%24reg/register`, { id: ['lt', 'reg'] })).body).toMatchObject({ code: 13 });

      const gone = await call('POST', `${L}/table/lt%24reg/deregister`, { id: ['lt', 'reg'] });
      expect(gone.body).toEqual({ id: ['lt', 'reg'], location, properties: { v: '2' } });
      expect(existsSync(fileURLToPath(location))).toBe(true);
      expect((await call('POST', `${L}/table/lt%24reg/deregister`, { id: ['lt', 'reg'] })).body).toMatchObject({ code: 4 });
    });

    it('pages table listings', async () => {
      await call('POST', `${L}/namespace/many/create`, { id: ['many'] });
      for (const n of ['a', 'b', 'c']) await call('POST', `${L}/table/many%24${n}/declare`, { id: ['many', n] });
      const first = (await call('GET', `${L}/namespace/many/table/list?limit=2`)).body!;
      expect(first.tables).toEqual(['a', 'b']);
      const second = (await call('GET', `${L}/namespace/many/table/list?limit=2&page_token=${first.page_token}`)).body!;
      expect(second).toEqual({ tables: ['c'], page_token: null });
      expect((await call('GET', `${L}/namespace/nowhere/table/list`)).body).toMatchObject({ code: 1 });
    });

    it('keeps Iceberg tables and Lance tables apart in one identifier space', async () => {
      await call('POST', `${L}/namespace/mix/create`, { id: ['mix'] });
      const schema = { type: 'struct', fields: [{ id: 1, name: 'x', type: 'int', required: false }] };
      expect((await call('POST', '/v1/default/namespaces/mix/tables', { name: 'ice', schema })).status).toBe(200);
      await call('POST', `${L}/table/mix%24lan/declare`, { id: ['mix', 'lan'] });

      // Each protocol lists and loads only its own kind...
      expect((await call('GET', `${L}/namespace/mix/table/list`)).body!.tables).toEqual(['lan']);
      expect((await call('GET', '/v1/default/namespaces/mix/tables')).body!.identifiers).toEqual([{ namespace: ['mix'], name: 'ice' }]);
      expect((await call('GET', '/v1/default/namespaces/mix/tables/lan')).body!.error.type).toBe('NoSuchTableException');
      expect((await call('POST', `${L}/table/mix%24ice/describe`, { id: ['mix', 'ice'] })).body).toMatchObject({ code: 4 });
      expect((await call('POST', `${L}/table/mix%24ice/drop`, {})).body).toMatchObject({ code: 4 });
      expect((await call('POST', `${L}/table/mix%24ice/exists`, {})).status).toBe(404);
      // ...but a name is taken whatever the kind.
      expect((await call('POST', `${L}/table/mix%24ice/declare`, { id: ['mix', 'ice'] })).body).toMatchObject({ code: 5 });
      expect((await call('POST', '/v1/default/namespaces/mix/tables', { name: 'lan', schema })).status).toBe(409);
      const createCommit = await call('POST', '/v1/default/namespaces/mix/tables/lan', { requirements: [{ type: 'assert-create' }], updates: [] });
      expect(createCommit.status).toBe(409);
      expect(createCommit.body!.error.message).toMatch(/^Table already exists/);
      expect(
        (await call('POST', `${L}/table/mix%24ice/register`, { id: ['mix', 'ice'], location: `file://${cat.dataDir}/warehouse/x`, mode: 'overwrite' })).body,
      ).toMatchObject({ code: 5 });
      expect((await call('GET', '/v1/default/namespaces/mix/tables/ice')).status).toBe(200);
      // An Iceberg drop of a namespace sees its Lance tables.
      await call('POST', `${L}/namespace/onlylance/create`, { id: ['onlylance'] });
      await call('POST', `${L}/table/onlylance%24t/declare`, { id: ['onlylance', 't'] });
      const icebergDrop = await cat.lakegate.app.inject({ method: 'DELETE', url: '/v1/default/namespaces/onlylance' });
      expect(icebergDrop.json().error.type).toBe('NamespaceNotEmptyException');
    });

    it('refuses tables in the root namespace and what it cannot serve', async () => {
      expect((await call('POST', `${L}/table/rooted/declare`, { id: ['rooted'] })).body).toMatchObject({ code: 0 });
      expect((await call('POST', `${L}/table/rooted/describe`, { id: ['rooted'] })).body).toMatchObject({ code: 4 });
      expect((await call('GET', `${L}/namespace/%24/table/list`)).body).toEqual({ tables: [], page_token: null });
      // load_detailed_metadata is served (test/http/lance-describe-detailed.test.ts), after the table is found.
      const detailed = await call('POST', `${L}/table/lt%24x/describe?load_detailed_metadata=true`, { id: ['lt', 'x'] });
      expect(detailed).toMatchObject({ status: 404, body: { code: 4 } });
      const unknownOp = await call('POST', `${L}/table/lt%24x/count_rows`, { id: ['lt', 'x'] });
      expect(unknownOp).toMatchObject({ status: 406, body: { code: 0 } });
    });
  });

  describe('ids as LanceDB encodes them', () => {
    // LanceDB's REST client form-encodes the path id (url::form_urlencoded): a space is "+", a plus is %2B, "$" is %24.
    it('reads "+" in a path id as a space (LanceDB 0.39 sends sig+ns for "sig ns")', async () => {
      const created = await call('POST', `${L}/namespace/sig+ns/create?delimiter=%24`, { id: ['sig ns'], properties: { a: '1' } });
      expect(created).toMatchObject({ status: 200, body: { properties: { a: '1' } } });
      expect((await call('POST', `${L}/namespace/sig%20ns/describe`, { id: ['sig ns'] })).body).toEqual({ properties: { a: '1' } });
      expect((await call('GET', `${L}/namespace/%24/list`)).body!.namespaces).toContain('sig ns');
      const declared = await call('POST', `${L}/table/sig+ns%24my+table/declare?delimiter=%24`, { id: ['sig ns', 'my table'] });
      expect(declared.status, JSON.stringify(declared.body)).toBe(200);
      expect((await call('GET', `${L}/namespace/sig+ns/table/list`)).body).toEqual({ tables: ['my table'], page_token: null });
      expect((await call('POST', `${L}/table/sig+ns%24my+table/exists`, { id: ['sig ns', 'my table'] })).status).toBe(200);
      // The same objects through Iceberg, whose path parameters are percent-encoded.
      expect((await call('GET', '/v1/default/namespaces/sig%20ns')).status).toBe(200);
    });

    it('reads %2B as a plus, distinct from a space', async () => {
      expect((await call('POST', `${L}/namespace/a%2Bb/create`, { id: ['a+b'] })).status).toBe(200);
      expect((await call('POST', `${L}/namespace/a%2Bb/exists`, { id: ['a+b'] })).status).toBe(200);
      expect((await call('POST', `${L}/namespace/a+b/exists`, { id: ['a b'] })).body).toMatchObject({ code: 1 });
      const mismatch = await call('POST', `${L}/namespace/a+b/describe`, { id: ['a+b'] });
      expect(mismatch).toMatchObject({ status: 400, body: { code: 13 } });
      expect(mismatch.body!.error).toMatch(/differs from the id in the path/);
    });

    it("accepts a body id holding the path's delimited text in one level, as DuckDB's lance extension 1.5.5 sends it", async () => {
      expect((await call('POST', `${L}/namespace/dk/create`, { id: ['dk'] })).status).toBe(200);
      const declared = await call('POST', `${L}/table/dk%24pts/declare?delimiter=%24`, { id: ['dk$pts'] });
      expect(declared.status, JSON.stringify(declared.body)).toBe(200);
      expect((await call('GET', `${L}/namespace/dk/table/list`)).body).toEqual({ tables: ['pts'], page_token: null });
      const described = await call('POST', `${L}/table/dk%24pts/describe?delimiter=%24`, { id: ['dk$pts'] });
      expect(described.status, JSON.stringify(described.body)).toBe(200);
      expect(described.body!.location).toBe(declared.body!.location);
      // Another delimiter: the text joined by it. Text naming another object is still refused, nothing declared.
      expect((await call('POST', `${L}/table/dk.pts/describe?delimiter=.`, { id: ['dk.pts'] })).status).toBe(200);
      for (const other of [['dk$other'], ['dk.pts'], ['dk$pts$x'], ['dkpts']]) {
        const refused = await call('POST', `${L}/table/dk%24other2/declare?delimiter=%24`, { id: other });
        expect(refused, JSON.stringify(other)).toMatchObject({ status: 400, body: { code: 13 } });
      }
      expect((await call('GET', `${L}/namespace/dk/table/list`)).body).toEqual({ tables: ['pts'], page_token: null });
    });
  });

  describe('bad input', () => {
    it.each([
      ['body id differs from the path', 'POST', `${L}/namespace/a/create`, { id: ['b'] }],
      ['empty level', 'POST', `${L}/namespace/a%24%24b/create`, {}],
      ['control character', 'POST', `${L}/namespace/a%01b/create`, {}],
      ['dot-dot', 'POST', `${L}/table/ns%24../declare`, {}],
      ['slash in a name', 'POST', `${L}/namespace/a%2Fb/create`, {}],
      ['properties not strings', 'POST', `${L}/namespace/pp/create`, { properties: { a: 1 } }],
      ['id not an array', 'POST', `${L}/namespace/pp/create`, { id: 'pp' }],
      ['body not an object', 'POST', `${L}/namespace/pp/create`, '[1,2]'],
      ['malformed JSON', 'POST', `${L}/namespace/pp/create`, '{"id":'],
      ['drop behavior unknown', 'POST', `${L}/namespace/pp/drop`, { behavior: 'explode' }],
      ['limit not a number', 'GET', `${L}/namespace/%24/list?limit=ten`, undefined],
      // A limit above the server's maximum is lowered to it (an upper bound, listing-unpaged.test.ts); below 1 it is refused.
      ['limit below 1', 'GET', `${L}/namespace/%24/list?limit=0`, undefined],
      ['page token forged', 'GET', `${L}/namespace/%24/list?page_token=%%%`, undefined],
      ['delimiter too long', 'GET', `${L}/namespace/%24/list?delimiter=abcdefghijk`, undefined],
      ['vend_credentials not a boolean', 'POST', `${L}/table/lt%24v/describe`, { vend_credentials: 'yes' }],
      ['with_table_uri not a boolean', 'POST', `${L}/table/lt%24v/describe?with_table_uri=maybe`, {}],
      ['register without location', 'POST', `${L}/table/lt%24v/register`, {}],
    ] as const)('%s → 400 with code 13', async (_name, method, url, payload) => {
      const res = await call(method, url, payload);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 13 });
      expect(typeof res.body!.error).toBe('string');
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    });

    it('honours another delimiter', async () => {
      expect((await call('POST', `${L}/namespace/d1/create`, { id: ['d1'] })).status).toBe(200);
      expect((await call('POST', `${L}/namespace/d1.d2/create?delimiter=.`, { id: ['d1', 'd2'] })).status).toBe(200);
      expect((await call('GET', `${L}/namespace/d1/list`)).body!.namespaces).toEqual(['d2']);
      expect((await call('POST', `${L}/namespace/d1::d2/exists?delimiter=::`, {})).status).toBe(200);
      expect((await call('GET', `${L}/namespace/-/list?delimiter=-`)).body!.namespaces).toContain('d1');
    });

    it('answers an unknown warehouse as a missing namespace', async () => {
      const res = await call('GET', '/lance/nowhere/v1/namespace/%24/list');
      expect(res).toMatchObject({ status: 404, body: { code: 1 } });
    });
  });
});

describe('Lance REST Namespace API authentication', () => {
  let cat: TestCatalog;
  let token = '';
  const call = client(() => cat);
  beforeAll(async () => {
    cat = await startInProcess({}, { auth: true });
    const admin = cat.admin();
    const res = await cat.lakegate.app.inject({
      method: 'POST',
      url: '/v1/oauth/tokens',
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: admin.client_id, client_secret: admin.client_secret }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    token = res.json().access_token;
  });
  afterAll(async () => cat.close());

  it('answers 401 in the Lance error model without a credential or with a bad one', async () => {
    const none = await call('GET', `${L}/namespace/%24/list`);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ code: 16, instance: `${L}/namespace/%24/list` });
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const bad = await call('POST', `${L}/table/a%24b/describe`, {}, { authorization: 'Bearer not-a-token' });
    expect(bad).toMatchObject({ status: 401, body: { code: 16 } });
    expect(JSON.stringify(bad.body)).not.toContain('not-a-token');
  });

  it('accepts a bearer token from the issuer and an x-api-key', async () => {
    const bearer = { authorization: `Bearer ${token}` };
    expect((await call('POST', `${L}/namespace/authns/create`, { id: ['authns'] }, bearer)).status).toBe(200);
    expect((await call('GET', `${L}/namespace/%24/list`, undefined, bearer)).body!.namespaces).toContain('authns');

    const svc = await cat.lakegate.principals.create('lance-client');
    await grantPrincipal(bearerSender(cat.lakegate.app, token), svc.clientId, ['namespace:list'], { type: 'warehouse', warehouse: 'default' });
    const key = (await call('POST', `/management/v1/principals/${svc.clientId}/api-keys`, { name: 'lance' }, bearer)).body!['api-key'] as string;
    const withKey = await call('POST', `${L}/namespace/authns/describe`, { id: ['authns'] }, { 'x-api-key': key });
    expect(withKey.status).toBe(200);
    expect((await call('POST', `${L}/namespace/authns/describe`, {}, { 'x-api-key': tampered(key, { count: 2, fromEnd: 1 }) })).body).toMatchObject({
      code: 16,
    });
    expect(cat.logs()).not.toContain(key);
    expect(cat.logs()).not.toContain(token);
  });

  it('accepts SigV4-signed Lance requests (the $ in the path is part of the signature)', async () => {
    const { signRequest } = await import('@lakegate/sigv4');
    const bearer = { authorization: `Bearer ${token}` };
    const signer = await cat.lakegate.principals.create('lance-signer');
    await grantPrincipal(bearerSender(cat.lakegate.app, token), signer.clientId, ['table:create'], {
      type: 'namespace',
      warehouse: 'default',
      namespace: ['authns'],
    });
    const key = (await call('POST', `/management/v1/principals/${signer.clientId}/access-keys`, undefined, bearer)).body!;
    const body = JSON.stringify({ id: ['authns', 't'] });
    const signed = await signRequest(
      { method: 'POST', url: `${L}/table/authns%24t/declare?delimiter=%24`, headers: { host: 'localhost:80', 'content-type': 'application/json' }, body },
      {
        service: 'execute-api',
        region: 'us-east-1',
        credentials: { accessKeyId: key['access-key-id'], secretAccessKey: key['secret-access-key'] },
        signingDate: new Date(),
      },
    );
    const res = await cat.lakegate.app.inject({ method: 'POST', url: signed.url, headers: signed.headers, payload: body });
    expect(res.statusCode).toBe(200);
    const tampered = await cat.lakegate.app.inject({
      method: 'POST',
      url: signed.url.replace('authns%24t', 'authns%24u'),
      headers: signed.headers,
      payload: body,
    });
    expect(tampered.statusCode).toBe(401);
    expect(tampered.json()).toMatchObject({ code: 16 });
  });

  it("answers another tenant's warehouse as not found", async () => {
    const other = await cat.lakegate.services.warehouses.create({
      name: 'acme-wh',
      tenant: 'acme',
      storageRoot: `file://${cat.dataDir}/acme`,
      properties: {},
      storageProfile: { type: 'file' },
    });
    expect(other.tenant).toBe('acme');
    const res = await call('GET', '/lance/acme-wh/v1/namespace/%24/list', undefined, { authorization: `Bearer ${token}` });
    expect(res).toMatchObject({ status: 404, body: { code: 1 } });
    const missing = await call('GET', '/lance/no-such-wh/v1/namespace/%24/list', undefined, { authorization: `Bearer ${token}` });
    expect(missing.body!.error.replace('no-such-wh', 'acme-wh')).toBe(res.body!.error);
  });
});

/**
 * Lance ListAllTables (GET /lance/{warehouse}/v1/table) over HTTP, in process: every Lance table of the warehouse
 * across namespaces (nested ones too), as full ids joined by the delimiter, in one order, paged; Iceberg tables are not
 * Lance tables; each caller sees what it may see (table:list on a namespace, or a visibility privilege on a table),
 * and a caller who may see nothing gets an empty list, not a 403.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { simpleSchema } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';

describe('Lance ListAllTables', () => {
  let cat: TestCatalog;
  let admin = '';
  const get = async (url: string, token = admin) => {
    const res = await cat.lakegate.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, any> };
  };
  const post = (url: string, payload: unknown = {}) =>
    cat.lakegate.app.inject({
      method: 'POST',
      url,
      payload: JSON.stringify(payload),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    });
  const tokenOf = (clientId: string, secret: string) => signIn(cat.lakegate.app, clientId, secret);
  /** Every page, following page_token. */
  const all = async (query: string, token = admin): Promise<string[]> => {
    const out: string[] = [];
    let pageToken: string | null | undefined;
    do {
      const res = await get(`${L}/table?${query}${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`, token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      out.push(...(res.body.tables as string[]));
      pageToken = res.body.page_token;
    } while (pageToken);
    return out;
  };

  beforeAll(async () => {
    cat = await startInProcess({}, { auth: true });
    const a = cat.admin();
    admin = await tokenOf(a.client_id, a.client_secret);
    for (const ns of ['zeta', 'alpha', 'alpha$inner', 'empty']) expect((await post(`${L}/namespace/${encodeURIComponent(ns)}/create`)).statusCode).toBe(200);
    for (const id of ['zeta$t1', 'alpha$b', 'alpha$a', 'alpha$inner$deep'])
      expect((await post(`${L}/table/${encodeURIComponent(id)}/declare`)).statusCode).toBe(200);
    // An Iceberg table is not a Lance table.
    expect((await post('/v1/default/namespaces/alpha/tables', { name: 'iceberg', schema: simpleSchema })).statusCode).toBe(200);
  });
  afterAll(async () => cat.close());

  it('lists every Lance table of the warehouse in one order, whole or paged, with the delimiter asked for', async () => {
    const expected = ['alpha$a', 'alpha$b', 'alpha$inner$deep', 'zeta$t1'];
    expect((await get(`${L}/table`)).body).toEqual({ tables: expected, page_token: null });
    expect(await all('limit=1')).toEqual(expected);
    expect(await all('limit=3')).toEqual(expected);
    expect((await get(`${L}/table?delimiter=.&include_declared=true`)).body.tables).toEqual(['alpha.a', 'alpha.b', 'alpha.inner.deep', 'zeta.t1']);
    expect(await get(`${L}/table?page_token=forged`)).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await get('/lance/nowhere/v1/table')).toMatchObject({ status: 404 });
  });

  it('shows each caller what it may see, and nothing (not a 403) to a caller who may see nothing', async () => {
    const lister = await cat.lakegate.principals.create('all-lister');
    const reader = await cat.lakegate.principals.create('all-reader');
    const nobody = await cat.lakegate.principals.create('all-nobody');
    const send = bearerSender(cat.lakegate.app, admin);
    await grantPrincipal(send, lister.clientId, ['table:list'], { type: 'namespace', warehouse: 'default', namespace: ['alpha'] });
    await grantPrincipal(send, reader.clientId, ['table:read-metadata'], { type: 'table', warehouse: 'default', namespace: ['zeta'], name: 't1' });
    // table:list on alpha is inherited by alpha.inner.
    expect(await all('limit=1', await tokenOf(lister.clientId, lister.clientSecret))).toEqual(['alpha$a', 'alpha$b', 'alpha$inner$deep']);
    expect(await all('limit=1', await tokenOf(reader.clientId, reader.clientSecret))).toEqual(['zeta$t1']);
    expect((await get(`${L}/table`, await tokenOf(nobody.clientId, nobody.clientSecret))).body).toEqual({ tables: [], page_token: null });
  });
});

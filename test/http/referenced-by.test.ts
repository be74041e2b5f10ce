/**
 * referenced-by (apache/iceberg#13810, Iceberg REST 1.11.0): the served OpenAPI document declares it where the spec
 * does (loadTable, loadCredentials, loadView), and requests carrying it are answered as without it: Lakegate accepts
 * the view chain and authorizes the caller itself (docs/compatibility.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Send, simpleSchema, sqlView } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
let send: Send;
const chain = encodeURIComponent('prod\u001fanalytics\u001fquarterly_view,prod\u001fanalytics\u001fmonthly_view');

beforeAll(async () => {
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['rb'] })).status).toBe(200);
  expect((await send('POST', '/v1/default/namespaces/rb/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
  const view = sqlView('v', ['rb'], 'select 1', { properties: {} });
  expect((await send('POST', '/v1/default/namespaces/rb/views', view)).status).toBe(200);
});
afterAll(async () => cat?.close());

describe('referenced-by', () => {
  it('is declared in the served document for loadTable, loadCredentials and loadView', async () => {
    const doc = (await cat.lakegate.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const params = (path: string) => (doc.paths[path].get.parameters as Array<{ name: string; in: string }>).filter((p) => p.in === 'query').map((p) => p.name);
    expect(params('/v1/{prefix}/namespaces/{namespace}/tables/{table}')).toContain('referenced-by');
    expect(params('/v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials')).toContain('referenced-by');
    expect(params('/v1/{prefix}/namespaces/{namespace}/views/{view}')).toContain('referenced-by');
  });

  it('is accepted on those operations and changes nothing in the answer', async () => {
    const plain = await send('GET', '/v1/default/namespaces/rb/views/v');
    const viaChain = await send('GET', `/v1/default/namespaces/rb/views/v?referenced-by=${chain}`);
    expect(viaChain.status).toBe(200);
    expect(viaChain.body).toEqual(plain.body);
    expect((await send('GET', `/v1/default/namespaces/rb/tables/t?referenced-by=${chain}`)).status).toBe(200);
    expect((await send('GET', `/v1/default/namespaces/rb/tables/t/credentials?referenced-by=${chain}`)).status).toBe(200);
  });
});

/**
 * The management API's list of a table's policies parses the table's metadata once for the whole list, not once per
 * policy (policy-admin.ts): listing three policies parses it as often as listing one, once more than listing none.
 * Counted as the parses of the table's metadata JSON text (JSON.parse is the native path of catalog/json.ts
 * parseJson for such a text). In process, the answers checked alongside: each policy as it reads on the table.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { peopleSchema, type Send } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { grant } from '../support/access.js';

const POLICIES = '/management/v1/warehouses/default/namespaces/pl/tables/people/policies';
let cat: TestCatalog;
let send: Send;

beforeAll(async () => {
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['pl'] })).status).toBe(200);
  const created = await send('POST', '/v1/default/namespaces/pl/tables', { name: 'people', schema: peopleSchema(['id', 'region', 'email']) });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  await grant(send, 'pl-analysts', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['pl'], name: 'people' });
});
afterAll(async () => cat?.close());

/** The parses of the table's metadata text while listing its policies, and the list. */
async function listed(): Promise<{ parses: number; policies: Array<Record<string, unknown>> }> {
  const text = (await cat.lakegate.store.repository.getObject('default', ['pl'], 'people'))!.metadataJson;
  const parse = vi.spyOn(JSON, 'parse');
  try {
    const res = await send('GET', POLICIES);
    expect(res.status, stringifyJson(res.body)).toBe(200);
    return { parses: parse.mock.calls.filter(([source]) => source === text).length, policies: res.body.policies as Array<Record<string, unknown>> };
  } finally {
    parse.mockRestore();
  }
}

it('parses the table metadata once per list, however many policies it lists', async () => {
  const none = await listed();
  expect(none.policies).toEqual([]);
  const filter = (value: string) => ({ kind: 'row-filter', roles: ['pl-analysts'], filter: { type: 'eq', term: 'region', value } });
  expect((await send('POST', POLICIES, filter('eu'))).status).toBe(201);
  const one = await listed();
  expect(one.parses).toBe(none.parses + 1);
  expect((await send('POST', POLICIES, filter('us'))).status).toBe(201);
  expect((await send('POST', POLICIES, { kind: 'column-mask', roles: ['pl-analysts'], masks: [{ column: 'email', action: 'show-last-4' }] })).status).toBe(201);
  const three = await listed();
  expect(three.parses).toBe(one.parses);
  expect(three.policies.map((p) => [p.kind, p.filter ?? p.masks])).toEqual([
    ['row-filter', { type: 'eq', term: 'region', value: 'eu' }],
    ['row-filter', { type: 'eq', term: 'region', value: 'us' }],
    ['column-mask', [{ 'field-id': 3, column: 'email', action: 'show-last-4' }]],
  ]);
});

/**
 * Listings to the letter of the Iceberg spec's PageToken: without pageToken, every result in one answer with
 * next-page-token null (streamed page by page: catalog/paging.ts everyPage, http/serializers.ts sendEveryPage); with
 * pageToken, pages of at most pageSize, a pageSize above the server's maximum (1000) lowered to it, not refused.
 * A listing of a missing namespace is still a plain 404, not a broken stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Send, simpleSchema } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
let send: Send;
const COUNT = 1010;

beforeAll(async () => {
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['many'] })).status).toBe(200);
  for (let i = 0; i < COUNT; i += 50) {
    const batch = Array.from({ length: Math.min(50, COUNT - i) }, (_, j) =>
      send('POST', '/v1/default/namespaces', { namespace: ['many', `n${String(i + j).padStart(4, '0')}`] }),
    );
    for (const res of await Promise.all(batch)) expect(res.status).toBe(200);
  }
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['few'] })).status).toBe(200);
  for (const name of ['a', 'b', 'c']) expect((await send('POST', '/v1/default/namespaces/few/tables', { name, schema: simpleSchema })).status).toBe(200);
}, 120_000);
afterAll(async () => cat?.close());

describe('listings without pageToken', () => {
  it(`answer all ${COUNT} namespaces at once with next-page-token null`, async () => {
    const res = await send('GET', '/v1/default/namespaces?parent=many');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.namespaces).toHaveLength(COUNT);
    expect(res.body.namespaces[0]).toEqual(['many', 'n0000']);
    expect(res.body.namespaces.at(-1)).toEqual(['many', `n${COUNT - 1}`]);
    expect(res.body['next-page-token']).toBeNull();
    // pageSize without pageToken does not page either: the spec's rule is about pageToken alone.
    expect((await send('GET', '/v1/default/namespaces?parent=many&pageSize=10')).body.namespaces).toHaveLength(COUNT);
  });

  it('answer tables and views whole too, and a missing namespace with a plain 404', async () => {
    const tables = await send('GET', '/v1/default/namespaces/few/tables');
    expect(tables.body).toEqual({ identifiers: ['a', 'b', 'c'].map((name) => ({ namespace: ['few'], name })), 'next-page-token': null });
    expect((await send('GET', '/v1/default/namespaces/few/views')).body).toEqual({ identifiers: [], 'next-page-token': null });
    const missing = await send('GET', '/v1/default/namespaces/nope/tables');
    expect(missing.status).toBe(404);
    expect(missing.body.error.type).toBe('NoSuchNamespaceException');
  });
});

describe('listings with pageToken', () => {
  it('lower a pageSize above the maximum to it instead of refusing it, and page to the end', async () => {
    const first = await send('GET', '/v1/default/namespaces?parent=many&pageToken=&pageSize=5000');
    expect(first.status).toBe(200);
    expect(first.body.namespaces).toHaveLength(1000);
    const token = first.body['next-page-token'];
    expect(typeof token).toBe('string');
    const second = await send('GET', `/v1/default/namespaces?parent=many&pageSize=5000&pageToken=${encodeURIComponent(token)}`);
    expect(second.body.namespaces).toHaveLength(COUNT - 1000);
    expect(second.body['next-page-token']).toBeNull();
  });
});

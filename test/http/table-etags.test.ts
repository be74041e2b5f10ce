/**
 * ETags on every answer that carries a table's metadata (apache/iceberg#14760): createTable, registerTable and
 * updateTable (commit) answer the ETag loadTable answers for the same metadata, so a client that sends it as
 * If-None-Match right after is told "not modified" (304) until the table changes, or its warehouse's settings or
 * storage do (the answer's config comes from them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Send, simpleSchema } from '../support/iceberg-http.js';
import { injectSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
let send: Send;
const T = '/v1/default/namespaces/etags/tables';

beforeAll(async () => {
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['etags'] })).status).toBe(200);
});
afterAll(async () => cat?.close());

/** The answer's ETag is loadTable's: If-None-Match with it is 304 now. */
async function expectCurrent(name: string, etag: string | undefined): Promise<void> {
  expect(etag).toMatch(/^W\/".+"$/);
  const loaded = await send('GET', `${T}/${name}`);
  expect(loaded.headers.etag).toBe(etag);
  expect((await send('GET', `${T}/${name}`, undefined, { 'if-none-match': etag! })).status).toBe(304);
}

describe('ETags', () => {
  it('createTable answers the ETag of the metadata it wrote; a staged create answers none', async () => {
    const created = await send('POST', T, { name: 'made', schema: simpleSchema });
    expect(created.status).toBe(200);
    await expectCurrent('made', created.headers.etag);
    const staged = await send('POST', T, { name: 'staged', schema: simpleSchema, 'stage-create': true });
    expect(staged.status).toBe(200);
    expect(staged.headers.etag).toBeUndefined();
  });

  it("a commit answers the new metadata's ETag, and the old one no longer matches", async () => {
    const before = (await send('POST', T, { name: 'committed', schema: simpleSchema })).headers.etag;
    const commit = await send('POST', `${T}/committed`, { requirements: [], updates: [{ action: 'set-properties', updates: { a: 'b' } }] });
    expect(commit.status).toBe(200);
    expect(commit.headers.etag).not.toBe(before);
    await expectCurrent('committed', commit.headers.etag);
    expect((await send('GET', `${T}/committed`, undefined, { 'if-none-match': before! })).status).toBe(200);
  });

  it('registerTable answers the ETag of the metadata it registered', async () => {
    expect((await send('POST', T, { name: 'origin', schema: simpleSchema })).status).toBe(200);
    const gone = await send('POST', `${T}/origin/unregister`);
    expect(gone.status).toBe(200);
    const registered = await send('POST', '/v1/default/namespaces/etags/register', { name: 'again', 'metadata-location': gone.body['metadata-location'] });
    expect(registered.status, JSON.stringify(registered.body)).toBe(200);
    await expectCurrent('again', registered.headers.etag);
  });

  it("a change of the warehouse's settings changes every table's ETag: a revalidating engine gets the new config, not 304", async () => {
    const created = await send('POST', T, { name: 'configured', schema: simpleSchema });
    const before = created.headers.etag as string;
    await expectCurrent('configured', before);
    expect(created.body.config?.['scan-planning-mode']).toBeUndefined();
    const set = (updates: Record<string, string>, removals: string[] = []) =>
      send('POST', '/management/v1/warehouses/default/properties', { updates, removals });
    expect((await set({ 'scan-planning-mode': 'server' })).status).toBe(200);
    try {
      const revalidated = await send('GET', `${T}/configured`, undefined, { 'if-none-match': before });
      expect(revalidated.status).toBe(200);
      expect(revalidated.body.config['scan-planning-mode']).toBe('server');
      expect(revalidated.headers.etag).not.toBe(before);
      await expectCurrent('configured', revalidated.headers.etag);
    } finally {
      expect((await set({}, ['scan-planning-mode'])).status).toBe(200);
    }
    // The same settings again: the same ETag as before the change.
    await expectCurrent('configured', before);
  });
});

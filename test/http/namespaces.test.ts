import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

let cat: TestCatalog;
beforeAll(async () => {
  cat = await startInProcess();
});
afterAll(async () => cat.close());

const inject = (method: 'GET' | 'POST' | 'DELETE' | 'HEAD', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  cat.lakegate.app.inject({ method, url, payload: payload as string, headers });

describe('config', () => {
  it('returns the default warehouse prefix, endpoints and idempotency lifetime', async () => {
    const res = await inject('GET', '/v1/config');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.overrides.prefix).toBe('default');
    expect(body.endpoints).toContain('POST /v1/{prefix}/transactions/commit');
    expect(body['idempotency-key-lifetime']).toMatch(/^PT\d+S$/);
  });

  it('answers 404 NoSuchWarehouseException for an unknown warehouse', async () => {
    const res = await inject('GET', '/v1/config?warehouse=nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.type).toBe('NoSuchWarehouseException');
  });
});

describe('namespaces', () => {
  it('creates, loads, lists, updates and drops nested namespaces', async () => {
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['a'], properties: { owner: 'x' } })).statusCode).toBe(200);
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['a', 'b'] })).statusCode).toBe(200);
    const dup = await inject('POST', '/v1/default/namespaces', { namespace: ['a'] });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.type).toBe('AlreadyExistsException');

    // Without a location property of its own, a namespace shows where its tables go by default (under the warehouse root).
    expect((await inject('GET', '/v1/default/namespaces/a')).json()).toEqual({
      namespace: ['a'],
      properties: { owner: 'x', location: `file://${cat.dataDir}/warehouse/a` },
    });
    expect((await inject('HEAD', '/v1/default/namespaces/a%1Fb')).statusCode).toBe(204);
    expect((await inject('HEAD', '/v1/default/namespaces/zzz')).statusCode).toBe(404);

    const top = (await inject('GET', '/v1/default/namespaces')).json();
    expect(top.namespaces).toContainEqual(['a']);
    expect(top.namespaces).not.toContainEqual(['a', 'b']);
    expect((await inject('GET', '/v1/default/namespaces?parent=a')).json().namespaces).toEqual([['a', 'b']]);

    const upd = await inject('POST', '/v1/default/namespaces/a/properties', { removals: ['owner', 'ghost'], updates: { k: 'v' } });
    expect(upd.json()).toEqual({ updated: ['k'], removed: ['owner'], missing: ['ghost'] });

    const notEmpty = await inject('DELETE', '/v1/default/namespaces/a');
    expect(notEmpty.statusCode).toBe(409);
    expect(notEmpty.json().error.type).toBe('NamespaceNotEmptyException');
    expect((await inject('DELETE', '/v1/default/namespaces/a%1Fb')).statusCode).toBe(204);
    expect((await inject('DELETE', '/v1/default/namespaces/a')).statusCode).toBe(204);
    expect((await inject('GET', '/v1/default/namespaces/a')).json().error.type).toBe('NoSuchNamespaceException');
  });

  it('takes a location property only inside the warehouse, and places tables under it', async () => {
    const inside = `file://${cat.dataDir}/warehouse/elsewhere/loc1`;
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['loc1'], properties: { location: inside } })).statusCode).toBe(200);
    const table = await inject('POST', '/v1/default/namespaces/loc1/tables', { name: 't', schema: { type: 'struct', fields: [] } });
    expect(table.json().metadata.location).toMatch(new RegExp(`^${inside}/t-[0-9a-f]{32}$`));
    for (const outside of ['file:///etc', 's3://other-bucket/x', `file://${cat.dataDir}/warehouse/../x`]) {
      const created = await inject('POST', '/v1/default/namespaces', { namespace: ['loc2'], properties: { location: outside } });
      expect(created.statusCode, outside).toBe(400);
      expect(created.json().error.message).toMatch(/namespace property location .* outside the storage locations|"\.\."|segments/);
      expect((await inject('POST', '/v1/default/namespaces/loc1/properties', { updates: { location: outside } })).statusCode).toBe(400);
      const lance = await inject('POST', '/lance/default/v1/namespace/loc3/create', { id: ['loc3'], mode: 'exist_ok', properties: { location: outside } });
      expect(lance.statusCode).toBe(400);
    }
    expect((await inject('GET', '/v1/default/namespaces/loc1')).json().properties.location).toBe(inside);
    expect((await inject('GET', '/v1/default/namespaces/loc2')).statusCode).toBe(404);
  });

  it('treats property names as data: "constructor" or "toString" are ordinary keys to remove or report missing', async () => {
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['words'], properties: { constructor: 'c' } })).statusCode).toBe(200);
    const upd = await inject('POST', '/v1/default/namespaces/words/properties', { removals: ['toString', 'constructor'], updates: { hasOwnProperty: 'h' } });
    expect(upd.json()).toEqual({ updated: ['hasOwnProperty'], removed: ['constructor'], missing: ['toString'] });
    expect((await inject('GET', '/v1/default/namespaces/words')).json().properties).toMatchObject({ hasOwnProperty: 'h' });
    expect((await inject('POST', '/v1/default/namespaces/words/properties', { removals: ['valueOf'], updates: {} })).statusCode).toBe(200);
  });

  it('pages namespace listings with pageToken/pageSize', async () => {
    for (let i = 0; i < 7; i++) await inject('POST', '/v1/default/namespaces', { namespace: [`p${i}`] });
    const seen: string[][] = [];
    let token: string | null | undefined;
    let pages = 0;
    do {
      const res = await inject('GET', `/v1/default/namespaces?pageSize=3&pageToken=${token ?? ''}`);
      const body = res.json();
      expect(body.namespaces.length).toBeLessThanOrEqual(3);
      seen.push(...body.namespaces);
      token = body['next-page-token'];
      pages += 1;
    } while (token);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen.filter((n) => n[0]!.startsWith('p')).map((n) => n[0])).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  });

  it.each([
    ['empty level', { namespace: [''] }],
    ['control character', { namespace: ['a\u0001b'] }],
    ['dot-dot', { namespace: ['..'] }],
    ['backslash', { namespace: ['a\\b'] }],
    ['not an array', { namespace: 'abc' }],
    ['non-string property', { namespace: ['ok'], properties: { a: 1 } }],
  ])('rejects a bad namespace (%s) with 400 and stores nothing', async (_what, body) => {
    const before = (await inject('GET', '/v1/default/namespaces')).json().namespaces.length;
    const res = await inject('POST', '/v1/default/namespaces', body);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.type).toBe('BadRequestException');
    expect((await inject('GET', '/v1/default/namespaces')).json().namespaces.length).toBe(before);
  });

  it('rejects malformed JSON, absurd page sizes and bad page tokens with 400', async () => {
    const bad = await cat.lakegate.app.inject({
      method: 'POST',
      url: '/v1/default/namespaces',
      payload: '{"namespace": [',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/Malformed JSON/);
    expect(bad.body).not.toMatch(/at .*\.js:\d+/);
    // An absurd pageSize is an upper bound the server lowers (Iceberg spec), not an error; below 1 it is one.
    expect((await inject('GET', '/v1/default/namespaces?pageSize=100000&pageToken=')).statusCode).toBe(200);
    expect((await inject('GET', '/v1/default/namespaces?pageSize=-1')).statusCode).toBe(400);
    expect((await inject('GET', '/v1/default/namespaces?pageToken=%%%')).statusCode).toBe(400);
  });

  it('rejects an oversized body with 413', async () => {
    const huge = JSON.stringify({ namespace: ['big'], properties: { blob: 'x'.repeat(9 * 1024 * 1024) } });
    const res = await cat.lakegate.app.inject({
      method: 'POST',
      url: '/v1/default/namespaces',
      payload: huge,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(413);
    expect((await inject('HEAD', '/v1/default/namespaces/big')).statusCode).toBe(404);
  });

  it('replays an Idempotency-Key outcome instead of running the operation twice', async () => {
    const key = '017f22e2-79b0-7cc3-98c4-dc0c0c07398f';
    const first = await inject('POST', '/v1/default/namespaces', { namespace: ['idem'] }, { 'idempotency-key': key });
    expect(first.statusCode).toBe(200);
    const again = await inject('POST', '/v1/default/namespaces', { namespace: ['idem'] }, { 'idempotency-key': key });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const other = await inject('POST', '/v1/default/namespaces', { namespace: ['idem'] });
    expect(other.statusCode).toBe(409);
  });
});

describe('Idempotency-Key under concurrency', () => {
  it('runs a mutation once when two requests with the same key race', async () => {
    const key = '017f22e2-79b0-7cc3-98c4-dc0c0c073990';
    const [a, b] = await Promise.all([
      inject('POST', '/v1/default/namespaces', { namespace: ['race_idem'] }, { 'idempotency-key': key }),
      inject('POST', '/v1/default/namespaces', { namespace: ['race_idem'] }, { 'idempotency-key': key }),
    ]);
    // One ran; the other waited for it and replayed its answer: never a second AlreadyExists from running twice, nor a 409.
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect([a.headers['idempotent-replayed'], b.headers['idempotent-replayed']].filter(Boolean)).toEqual(['true']);
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['race_idem'] }, { 'idempotency-key': key })).statusCode).toBe(200);
  });

  it('rejects keys that are not UUIDs and keys reused for another operation', async () => {
    expect((await inject('POST', '/v1/default/namespaces', { namespace: ['k1'] }, { 'idempotency-key': 'abc' })).statusCode).toBe(400);
    const key = '017f22e2-79b0-7cc3-98c4-dc0c0c073991';
    await inject('POST', '/v1/default/namespaces', { namespace: ['k2'] }, { 'idempotency-key': key });
    expect((await inject('DELETE', '/v1/default/namespaces/k2', undefined, { 'idempotency-key': key })).statusCode).toBe(400);
  });
});

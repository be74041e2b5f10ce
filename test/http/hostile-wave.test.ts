/**
 * Hostile input against the operations of this wave (issues 36, 38, 39) that a schema fuzzer does not produce: event
 * cursors the stream never gave out, repeated cursors, hostile names in an undrop (the object stays dropped and
 * restorable), bodies of the wrong content type or too large for sign, plan, undrop, maintenance, sinks and Lance
 * versions; a method a served path does not serve (405 with Allow, found by Schemathesis' undeclared-method check). Each
 * answer is a 4xx in the surface's error model, never a 5xx, and nothing is logged as unhandled.
 * (Sink destinations: sink-destinations.test.ts; tampered plan tasks: planning.test.ts; sign URIs: remote-signing*.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Send, simpleSchema } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';

let cat: TestCatalog;
let admin: Send;
let token: string;

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  const a = cat.admin();
  const res = await cat.lakegate.app.inject({
    method: 'POST',
    url: '/v1/oauth/tokens',
    payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: a.client_id, client_secret: a.client_secret }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  token = res.json().access_token;
  admin = bearerSender(cat.lakegate.app, token);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['hw'] })).status).toBe(200);
  for (const name of ['t', 'gone']) expect((await admin('POST', '/v1/default/namespaces/hw/tables', { name, schema: simpleSchema })).status).toBe(200);
  // An event in the tenant's stream too.
  expect((await admin('POST', '/management/v1/roles', { name: 'hw-role' })).status).toBe(201);
});
afterAll(async () => cat?.close());

const icebergError = (res: { status: number; body: any }, status: number, message?: RegExp) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error).toMatchObject({ code: status, message: message ? expect.stringMatching(message) : expect.any(String) });
};

describe('event cursors', () => {
  it('refuses a cursor past the head of the warehouse or tenant stream (none was given out), and follows the head itself', async () => {
    for (const stream of ['warehouse=default&', '']) {
      const head = (await admin('GET', `/management/v1/events?${stream}limit=1000`)).body.next as string;
      expect(Number(head)).toBeGreaterThan(0);
      const atHead = await admin('GET', `/management/v1/events?${stream}after=${head}`);
      expect(atHead.status).toBe(200);
      expect(atHead.body).toMatchObject({ events: [], next: head, more: false });
      for (const ahead of [String(Number(head) + 1), '999999999999999']) {
        icebergError(await admin('GET', `/management/v1/events?${stream}after=${ahead}`), 400, /past the last event of this stream/);
      }
      icebergError(await admin('GET', `/management/v1/events?${stream}after=1&after=2`), 400, /after.*more than once/);
    }
  });
});

describe('undrop with hostile names', () => {
  it('refuses each with a 400 and keeps the object dropped and restorable', async () => {
    expect((await admin('DELETE', '/v1/default/namespaces/hw/tables/gone')).status).toBe(204);
    const listed = (await admin('GET', '/management/v1/warehouses/default/dropped')).body.dropped as Array<{ id: string; name: string }>;
    const id = listed.find((o) => o.name === 'gone')!.id;
    const undrop = (body: unknown) => admin('POST', `/management/v1/warehouses/default/dropped/${encodeURIComponent(id)}/undrop`, body);
    for (const body of [
      { name: 'a\u0000b' },
      { name: 'a\u202Eb' },
      { name: '' },
      { name: 'x'.repeat(5000) },
      { name: '..' },
      { namespace: ['..'] },
      { namespace: [] },
      { name: 7 },
      { name: 'ok', extra: 1 },
      { namespace: ['hw', 'x\udc00'] },
    ]) {
      icebergError(await undrop(body), 400);
    }
    // An id that is not ours: the same answer as an unknown one, whatever it holds.
    for (const other of ['..%2F..%2Fetc', '%00', '00000000-0000-0000-0000-000000000000', 'x'.repeat(300)]) {
      const res = await admin('POST', `/management/v1/warehouses/default/dropped/${other}/undrop`, {});
      expect([400, 404]).toContain(res.status);
      expect(res.body.error.code).toBe(res.status);
    }
    expect((await admin('GET', '/management/v1/warehouses/default/dropped')).body.dropped.map((o: { id: string }) => o.id)).toContain(id);
    const restored = await undrop({});
    expect(restored.status).toBe(200);
    expect((await admin('GET', '/v1/default/namespaces/hw/tables/gone')).status).toBe(200);
  });
});

describe('bodies of the wrong type or size on the new operations', () => {
  const posts: Array<[string, 'iceberg' | 'lance']> = [
    ['/v1/default/namespaces/hw/tables/t/plan', 'iceberg'],
    ['/v1/default/namespaces/hw/tables/t/tasks', 'iceberg'],
    ['/v1/default/namespaces/hw/tables/t/sign', 'iceberg'],
    ['/v1/aws/s3/sign', 'iceberg'],
    ['/management/v1/warehouses/default/namespaces/hw/tables/t/maintenance', 'iceberg'],
    ['/management/v1/warehouses/default/event-sinks', 'iceberg'],
    ['/management/v1/tenants/default/event-sinks', 'iceberg'],
    ['/management/v1/warehouses/default/dropped/x/undrop', 'iceberg'],
    ['/lance/default/v1/table/hw$t/version/create', 'lance'],
    ['/lance/default/v1/table/hw$t/restore', 'lance'],
  ];
  const send = (url: string, payload: string | Buffer, contentType: string) =>
    cat.lakegate.app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${token}`, 'content-type': contentType } });

  it('answers 415 for a content type that is not JSON, 400 for JSON that is not a value, in the surface’s error model', async () => {
    for (const [url, surface] of posts) {
      for (const [payload, type, status] of [
        ['<a/>', 'application/xml', 415],
        ['a=1', 'application/x-www-form-urlencoded', 415],
        ['{"a":', 'application/json', 400],
        ['{"a":1}{"b":2}', 'application/json', 400],
        [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), 'application/json', 400],
      ] as const) {
        const res = await send(url, payload, type);
        expect(res.statusCode, `${url} ${type}`).toBe(status);
        const body = res.json();
        if (surface === 'iceberg') expect(body.error).toMatchObject({ code: status, message: expect.any(String) });
        else expect(body).toMatchObject({ error: expect.any(String), code: expect.any(Number) });
        expect(res.body).not.toMatch(/at .*\.(js|ts):\d+|node_modules/);
      }
    }
  });

  it('answers 413 for a body over the limit, before reading it whole', async () => {
    const huge = `{"x":"${'a'.repeat(9 * 1024 * 1024)}"}`;
    for (const [url, surface] of posts.slice(0, 3)) {
      const res = await send(url, huge, 'application/json');
      expect(res.statusCode, url).toBe(413);
      if (surface === 'iceberg') expect(res.json().error.code).toBe(413);
    }
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });
});

describe('a method a path does not serve', () => {
  it('is 405 with the methods it serves in Allow, in the surface’s error model; an unknown path stays 404 (Lance: 406)', async () => {
    for (const [method, url, allow] of [
      ['PUT', '/v1/default/namespaces/hw/tables/t/plan', 'POST'],
      ['PATCH', '/v1/default/namespaces/hw', 'DELETE, GET, HEAD'],
      ['PUT', '/management/v1/events', 'GET'],
      ['POST', '/management/v1/warehouses/default/event-sinks/x', 'DELETE, GET'],
      ['GET', '/v1/aws/s3/sign', 'POST'],
    ] as const) {
      const res = await cat.lakegate.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, `${method} ${url}`).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.json().error).toMatchObject({ code: 405, message: expect.stringContaining(`allowed: ${allow}`) });
    }
    const unknown = await admin('GET', '/v1/default/namespaces/hw/tables/t/nothing-here');
    expect(unknown.status).toBe(404);
    const lance = await cat.lakegate.app.inject({ method: 'GET', url: '/lance/default/v1/table/hw$t/describe', headers: { authorization: `Bearer ${token}` } });
    expect(lance.statusCode).toBe(406);
  });
});

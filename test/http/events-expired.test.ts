/**
 * A consumer whose cursor fell behind the retention sweep is told so (issue 38), in-process on SQLite with an
 * injected clock: events are written, the clock moves past the retention (7 days), the server's own sweep deletes
 * them, and a pull with a cursor older than what it deleted is answered 410 `CursorExpiredException` in the
 * management error model, naming the oldest cursor still answered (message and `resume-after`), on the warehouse and
 * the tenant stream alike; `after=0` and a current cursor are answered 200, a cursor past the head 400. Every
 * exchange is checked against the wire contract (the 410 against its documented body). The SDK, over real HTTP,
 * raises EventCursorExpiredError carrying the same value. And /metrics reads the pending event intents at scrape.
 */
import { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogError, EventCursorExpiredError, LakegateManagement, isCursorExpired } from '@lakegate/client';
import { type ContractExchange, contractSender } from '../support/contract-sender.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tokenOf } from '../support/principals.js';

const DAY = 86_400_000;
let offset = 0;
const clock = { now: () => Date.now() + offset };
let cat: TestCatalog;
let send: Send;
let token: string;
const log: ContractExchange[] = [];

const W = '/management/v1/events?warehouse=default';
const head = async (url: string) => Number((await send('GET', `${url}&after=0&limit=1000`)).body.next);

/** The stream's state around a sweep: the cursor a consumer held in the old events, and the last one deleted. */
let warehouse: { consumer: number; lastOld: number; firstNew: number; headNew: number };
let tenant: { consumer: number; lastOld: number };

/** A token at the clock's present (tokens are short-lived: the one of eight days ago has expired). */
async function login(): Promise<void> {
  const admin = cat.admin();
  token = await tokenOf(cat.lakegate.app, admin.client_id, admin.client_secret);
}

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true, clock });
  await login();
  send = contractSender(cat.lakegate.app, log, () => ({ authorization: `Bearer ${token}` }));

  // Old events: a namespace and its property changes (warehouse stream), two roles (tenant stream).
  const start = await head(W);
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['old'] })).status).toBe(200);
  for (const tier of ['a', 'b', 'c'])
    expect((await send('POST', '/v1/default/namespaces/old/properties', { updates: { tier }, removals: [] })).status).toBe(200);
  const lastOld = await head(W);
  expect(lastOld).toBe(start + 4);
  const tenantStart = await head('/management/v1/events?tenant=default');
  for (const name of ['old-1', 'old-2']) expect((await send('POST', '/management/v1/roles', { name, description: '' })).status).toBe(201);
  tenant = { consumer: tenantStart + 1, lastOld: tenantStart + 2 };

  // Eight days later: new events, then the sweep.
  offset += 8 * DAY;
  await login();
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['new'] })).status).toBe(200);
  expect((await send('POST', '/v1/default/namespaces/new/properties', { updates: { tier: 'x' }, removals: [] })).status).toBe(200);
  expect((await send('POST', '/management/v1/roles', { name: 'new-1', description: '' })).status).toBe(201);
  expect(await cat.lakegate.sweepEvents()).toBeGreaterThanOrEqual(6);
  warehouse = { consumer: start + 1, lastOld, firstNew: lastOld + 1, headNew: lastOld + 2 };
});
afterAll(async () => cat?.close());

describe('a cursor older than what retention deleted', () => {
  it('is answered 410 in the management error model, naming the oldest cursor still answered', async () => {
    const res = await send('GET', `${W}&after=${warehouse.consumer}`);
    expect(res.status).toBe(410);
    expect(res.body.error).toMatchObject({ type: 'CursorExpiredException', code: 410, 'resume-after': String(warehouse.lastOld) });
    expect(res.body.error.message).toBe(
      `events after ${warehouse.consumer} up to ${warehouse.lastOld} were deleted by retention (7 days) before they were read; resume from ${warehouse.lastOld} (after=${warehouse.lastOld}, the oldest cursor still answered) or read again from 0`,
    );
    // Any cursor below the watermark, the smallest too.
    expect((await send('GET', `${W}&after=1`)).status).toBe(410);
    expect((await send('GET', `${W}&after=${warehouse.lastOld - 1}&limit=1`)).body.error['resume-after']).toBe(String(warehouse.lastOld));
  });

  it('goes on from the value it names, from 0, and from a current cursor (200); past the head stays 400', async () => {
    const resumed = await send('GET', `${W}&after=${warehouse.lastOld}`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.events.map((e: { sequence: string }) => Number(e.sequence))).toEqual([warehouse.firstNew, warehouse.headNew]);
    const fromStart = await send('GET', `${W}&after=0&limit=1`);
    expect(fromStart.status).toBe(200);
    expect(fromStart.body.events.map((e: { sequence: string }) => Number(e.sequence))).toEqual([warehouse.firstNew]);
    const current = await send('GET', `${W}&after=${warehouse.firstNew}`);
    expect(current.status).toBe(200);
    expect(current.body.events.map((e: { sequence: string }) => Number(e.sequence))).toEqual([warehouse.headNew]);
    const atHead = await send('GET', `${W}&after=${warehouse.headNew}`);
    expect(atHead.body).toMatchObject({ events: [], next: String(warehouse.headNew), more: false });
    const past = await send('GET', `${W}&after=${warehouse.headNew + 1}`);
    expect(past.status).toBe(400);
    expect(past.body.error.type).toBe('BadRequestException');
  });

  it('is answered the same on the tenant stream', async () => {
    const res = await send('GET', `/management/v1/events?tenant=default&after=${tenant.consumer}`);
    expect(res.status).toBe(410);
    expect(res.body.error).toMatchObject({ type: 'CursorExpiredException', 'resume-after': String(tenant.lastOld) });
    const resumed = await send('GET', `/management/v1/events?tenant=default&after=${tenant.lastOld}`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.events.map((e: { subject: string }) => e.subject)).toEqual(['role/new-1']);
  });

  it('every exchange matched the contract, the 410 its documented body', () => {
    expect(log.filter((x) => x.status === 410).length).toBeGreaterThanOrEqual(4);
    expect(log.flatMap((x) => [...x.requestIssues, ...x.responseIssues])).toEqual([]);
  });
});

describe('/metrics', () => {
  it('shows the event intents pending, read at scrape', async () => {
    const scrape = async () => /^lakegate_event_intents_pending (\d+)$/m.exec((await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body)?.[1];
    expect(await scrape()).toBe('0');
    const id = '20000000-0000-4000-8000-000000000001';
    const event = {
      id: '20000000-0000-4000-8000-000000000002',
      warehouse: 'tenant/default',
      type: 'io.lakegate.role.member-added',
      partitionKey: 'default',
      timeMs: clock.now(),
      data: {},
    };
    await cat.lakegate.store.eventIntents.saveIntent({ id, createdAtMs: clock.now(), events: [event], writes: [] });
    expect(await scrape()).toBe('1');
    expect(await cat.lakegate.store.eventIntents.dropIntent(id)).toBe(true);
    expect(await scrape()).toBe('0');
  });
});

describe('the SDK', () => {
  let url: string;
  beforeAll(async () => {
    await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as AddressInfo).port}`;
  });

  it('raises EventCursorExpiredError with the cursor to resume from, for the warehouse and the tenant stream', async () => {
    const management = new LakegateManagement({ uri: url, properties: { token } });
    const error = await management.listEvents('default', { after: String(warehouse.consumer) }).then(
      () => expect.fail('expected a 410'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EventCursorExpiredError);
    expect(error).toBeInstanceOf(CatalogError);
    expect(isCursorExpired(error)).toBe(true);
    expect(error).toMatchObject({ status: 410, type: 'CursorExpiredException', protocol: 'iceberg', resumeAfter: String(warehouse.lastOld) });
    const page = await management.listEvents('default', { after: (error as EventCursorExpiredError).resumeAfter });
    expect(page.events.map((e) => Number(e.sequence))).toEqual([warehouse.firstNew, warehouse.headNew]);
    const tenantError = await management.listTenantEvents({ after: String(tenant.consumer) }).catch((e: unknown) => e);
    expect(isCursorExpired(tenantError) && tenantError.resumeAfter).toBe(String(tenant.lastOld));
    // Other failures stay plain CatalogErrors.
    const past = await management.listEvents('default', { after: String(warehouse.headNew + 5) }).catch((e: unknown) => e);
    expect(past).toBeInstanceOf(CatalogError);
    expect(isCursorExpired(past)).toBe(false);
  });
});

/**
 * A federated warehouse's remote failure history (issue 57; catalog/federation/remote-health.ts, GET
 * /management/v1/warehouses/{w}/federation/status). The remote is another Lakegate on a real port behind a switchable
 * proxy (as in federation-rest.test.ts). Proves: every failure on the request path (loads, listings, commits) and of
 * the status check is recorded in the server's words with its operation, type and code; a burst of failing requests
 * is counted into one entry per window, not one per request; nothing of the credential is in it; the status answers
 * the history newest first with when the remote last answered, and keeps it after recovery; platform administrators only.
 * The whole history is listed page by page (GET …/federation/failures), and every failure is counted in /metrics
 * (lakegate_federation_remote_failures_total by warehouse, operation and code, never a message or address).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFront, startRemoteLakegate, type RemoteLakegate } from '../support/federation.js';
import { tokenOf, type CatalogWithCallers } from '../support/principals.js';
import { bearerSender } from '../support/inject.js';
import { simpleSchema } from '../support/iceberg-http.js';
import { startRemoteProxy, type RemoteProxy } from '../support/remote-proxy.js';

let remote: RemoteLakegate;
let proxy: RemoteProxy;
let front: CatalogWithCallers;
let client: { clientId: string; clientSecret: string };

const STATUS = '/management/v1/warehouses/hist/federation/status';
const FAILURES = '/management/v1/warehouses/hist/federation/failures';
const load = () => front.admin('GET', '/v1/hist/namespaces/sales/tables/orders');

interface Failure {
  operation: string;
  error: { message: string; type: string; code: number };
  count: number;
  'first-at-ms': number;
  'last-at-ms': number;
}
const failures = async (): Promise<{ body: Record<string, unknown>; list: Failure[] }> => {
  const res = await front.admin('GET', STATUS);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { body: res.body, list: res.body['recent-failures'] };
};

beforeAll(async () => {
  remote = await startRemoteLakegate();
  client = await remote.cat.lakegate.principals.create('front-history', ['admin']);
  proxy = await startRemoteProxy(remote.url);
  front = await startFront(remote, {
    warehouse: 'hist',
    namespace: 'sales',
    to: { uri: proxy.url, clientId: client.clientId, clientSecret: client.clientSecret },
  });
  expect((await front.admin('POST', '/v1/hist/namespaces/sales/tables', { name: 'orders', schema: simpleSchema })).status).toBe(200);
}, 60_000);
afterAll(async () => {
  await front?.cat.close();
  await proxy?.close();
  await remote?.cat.close();
});

describe("a federated warehouse's remote failures", () => {
  it('start empty; the status says when the remote last answered', async () => {
    const before = Date.now();
    const { body, list } = await failures();
    expect(body.ok).toBe(true);
    expect(list).toEqual([]);
    expect(body['last-answered-at-ms']).toBeGreaterThanOrEqual(before);
  });

  it('are recorded in the words the server uses, per operation, a burst counted into one entry, newest first', async () => {
    const started = Date.now();
    proxy.mode = 'down';
    const BURST = 30;
    const loads = await Promise.all(Array.from({ length: BURST }, load));
    expect(loads.map((r) => r.status)).toEqual(Array(BURST).fill(503));
    expect((await front.admin('GET', '/v1/hist/namespaces/sales/tables')).status).toBe(503);
    expect((await front.admin('GET', '/v1/hist/namespaces')).status).toBe(503);
    const { body, list } = await failures();
    expect(body).toMatchObject({ ok: false, error: { type: 'ServiceUnavailableException', code: 503 } });
    // The status's own check is the newest entry; every entry is in the error model with the server's message.
    expect(list[0]).toMatchObject({ operation: 'check', error: { type: 'ServiceUnavailableException', code: 503 }, count: 1 });
    expect(list.length).toBeLessThanOrEqual(20);
    expect(list.map((f) => f['last-at-ms'])).toEqual([...list.map((f) => f['last-at-ms'])].sort((a, b) => b - a));
    for (const f of list) {
      expect(f.error.message).toMatch(/^The remote catalog is unavailable: /);
      expect(f['first-at-ms']).toBeGreaterThanOrEqual(started);
      expect(f['last-at-ms']).toBeGreaterThanOrEqual(f['first-at-ms']);
    }
    // The burst: one entry (two if it straddled a window's end), counting every failed load.
    const burst = list.filter((f) => f.operation === 'load-table');
    expect(burst.length).toBeGreaterThanOrEqual(1);
    expect(burst.length).toBeLessThanOrEqual(2);
    expect(burst.reduce((n, f) => n + f.count, 0)).toBeGreaterThanOrEqual(BURST);
    expect(list.some((f) => f.operation === 'list-tables')).toBe(true);
    expect(list.some((f) => f.operation === 'list-namespaces')).toBe(true);
    expect(JSON.stringify(body)).not.toContain(client.clientSecret);
  });

  it('are listed whole, page by page, in the order the status answers them', async () => {
    const status = (await failures()).list;
    const whole = await front.admin('GET', `${FAILURES}?pageSize=1000`);
    expect(whole.status, JSON.stringify(whole.body)).toBe(200);
    const all: Failure[] = whole.body.failures;
    expect(whole.body['next-page-token']).toBeUndefined();
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all.slice(0, status.length)).toEqual(status);
    const walked: Failure[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await front.admin('GET', `${FAILURES}?pageSize=2${token ? `&pageToken=${token}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.failures.length).toBeLessThanOrEqual(2);
      walked.push(...res.body.failures);
      token = res.body['next-page-token'];
      pages += 1;
    } while (token);
    expect(walked).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect((await front.admin('GET', '/management/v1/warehouses/default/federation/failures')).status).toBe(400);
    for (const bad of [
      'pageSize=0',
      'pageSize=1001',
      'pageSize=x',
      'pageToken=not-a-token',
      `pageToken=${Buffer.from('[1,"check",0,"zz"]').toString('base64url')}`,
    ]) {
      const res = await front.admin('GET', `${FAILURES}?${bad}`);
      expect(res.status, bad).toBe(400);
    }
  });

  it('are counted in /metrics by warehouse, operation and code, without a message or address', async () => {
    const metrics = (await front.cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body;
    const count = (operation: string, code: string) =>
      Number(
        new RegExp(`^lakegate_federation_remote_failures_total\\{warehouse="hist",operation="${operation}",code="${code}"\\} (\\d+)$`, 'm').exec(metrics)?.[1],
      );
    expect(count('load-table', 'ERR_UNAVAILABLE')).toBeGreaterThanOrEqual(30);
    expect(count('list-tables', 'ERR_UNAVAILABLE')).toBeGreaterThanOrEqual(1);
    expect(count('check', 'ERR_UNAVAILABLE')).toBeGreaterThanOrEqual(1);
    const lines = metrics.split('\n').filter((l) => l.startsWith('lakegate_federation_remote_failures_total'));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.join('\n')).not.toMatch(/127\.0\.0\.1|unavailable|front-history/);
  });

  it("are kept after the remote recovers, which moves its last answer; a refusal of Lakegate's credentials is a 502 entry, never the secret", async () => {
    proxy.mode = 'up';
    const recovered = Date.now();
    expect((await load()).status).toBe(200);
    const after = await failures();
    expect(after.body.ok).toBe(true);
    expect(after.body['last-answered-at-ms']).toBeGreaterThanOrEqual(recovered);
    expect(after.list.some((f) => f.operation === 'load-table' && f.error.code === 503)).toBe(true);

    proxy.mode = 'refuse';
    const refused = await front.admin('POST', '/v1/hist/namespaces/sales/tables/orders', {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { k: 'v' } }],
    });
    proxy.mode = 'up';
    expect(refused.status, JSON.stringify(refused.body)).toBe(502);
    const { list } = await failures();
    const credentials = list.find((f) => f.error.code === 502);
    expect(credentials, JSON.stringify(list)).toBeDefined();
    expect(credentials).toMatchObject({ operation: 'load-table', error: { type: 'BadGatewayException' } });
    // The same sentence the client got.
    expect(credentials!.error.message).toBe(refused.body.error.message);
    expect(credentials!.error.message).toMatch(/The remote catalog refused/);
    expect(JSON.stringify(list)).not.toContain(client.clientSecret);
    expect(front.cat.logs()).not.toContain(client.clientSecret);
  });

  it('are answered to platform administrators only', async () => {
    const reader = await front.principal('hist-reader', ['namespace:list'], { type: 'warehouse', warehouse: 'hist' });
    expect((await reader.send('GET', STATUS)).status).toBe(403);
    expect((await reader.send('GET', FAILURES)).status).toBe(403);
    expect((await front.admin('GET', '/management/v1/warehouses/nope/federation/failures')).status).toBe(404);
    const tenantAdmin = await front.cat.lakegate.principals.create('hist-tenant-admin', ['admin'], {}, 'acme');
    const send = bearerSender(front.cat.lakegate.app, await tokenOf(front.cat.lakegate.app, tenantAdmin.clientId, tenantAdmin.clientSecret));
    expect((await send('GET', STATUS)).status).toBe(404);
    expect((await send('GET', FAILURES)).status).toBe(404);
  });
});

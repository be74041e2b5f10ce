/**
 * The destination rule holds at every connection a webhook sink makes, not only when it is created (server-side
 * request forgery through DNS rebinding or redirects): a warehouse manager's sink whose name answered a public
 * address at creation and answers 127.0.0.1 afterwards is refused at delivery, a failure like any other (retried,
 * backed off, `last-error` saying only that the destination is not public), and nothing reaches the local receiver.
 * The sink connects to the address its lookup checked (a name answering an operator-listed address is delivered to
 * that address), redirects are not followed, and a platform administrator's sink still reaches a local receiver.
 *
 * Real local receivers (node:http on 127.0.0.1 and 127.0.0.2, both loopback on Linux); the resolver is injected
 * through buildLakegate as a rebinding DNS server would answer.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { tokenOf as signIn } from '../support/principals.js';

interface Receiver {
  server: Server;
  port: number;
  hits: string[];
}

/** A receiver on `host` recording every request's path; `/redirect` answers 307 to `location()`, the rest 204. */
async function receiver(host: string, location: () => string = () => ''): Promise<Receiver> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(req.url ?? '');
      if (req.url === '/redirect') res.writeHead(307, { location: location() }).end();
      else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

const REFUSED = 'webhook refused: the destination resolves to a non-public address';
const PUBLIC = '93.184.216.34';

let cat: TestCatalog;
let platform: Send;
let manager: Send;
let local: Receiver;
let listed: Receiver;
const dns = new Map<string, string[]>();

const tokenOf = (id: string, secret: string) => signIn(cat.lakegate.app, id, secret);

const waitFor = async <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const SINKS = '/management/v1/warehouses/default/event-sinks';
const sinkOf = async (id: string) =>
  (await platform('GET', `${SINKS}/${id}`)).body as { state: string; failures: number; 'last-error'?: string; delivered?: number; cursor: number };
let namespaces = 0;
const someEvent = async () => expect((await platform('POST', '/v1/default/namespaces', { namespace: [`rebind${namespaces++}`] })).status).toBe(200);

beforeAll(async () => {
  local = await receiver('127.0.0.1');
  listed = await receiver('127.0.0.2', () => `http://127.0.0.1:${local.port}/stolen`);
  cat = await startInProcess(
    {
      LAKEGATE_EVENT_SINK_PRIVATE_NETWORKS: '127.0.0.2/32',
      LAKEGATE_EVENT_DELIVERY_INTERVAL_MS: '100',
      LAKEGATE_EVENT_SINK_MAX_FAILURES: '2',
      LAKEGATE_EVENT_SINK_MAX_BACKOFF_SECONDS: '1',
    },
    { auth: true, hostResolver: async (host) => dns.get(host) ?? [] },
  );
  const a = cat.admin();
  platform = bearerSender(cat.lakegate.app, await tokenOf(a.client_id, a.client_secret));
  const m = await platform('POST', '/management/v1/principals', { name: 'wh-manager' });
  await grantPrincipal(platform, m.body['client-id'], ['warehouse:manage'], { type: 'warehouse', warehouse: 'default' });
  manager = bearerSender(cat.lakegate.app, await tokenOf(m.body['client-id'], m.body['client-secret']));
});

afterAll(async () => {
  await cat?.close();
  for (const r of [local, listed]) {
    r?.server.closeAllConnections();
    await new Promise((resolve) => r?.server.close(resolve) ?? resolve(undefined));
  }
});

describe('webhook sink destinations at delivery', () => {
  it("refuses a manager's sink whose name rebinds to 127.0.0.1 after creation: a retried failure, nothing reaches the receiver", async () => {
    dns.set('hooks.rebind.test', [PUBLIC]);
    const created = await manager('POST', SINKS, { kind: 'webhook', config: { url: `http://hooks.rebind.test:${local.port}/hook` } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    dns.set('hooks.rebind.test', ['127.0.0.1']);
    await someEvent();
    const failing = await waitFor(
      'the sink to fail twice',
      () => sinkOf(created.body.sink.id),
      (s) => s.failures >= 2,
    );
    expect(failing['last-error']).toBe(REFUSED);
    expect(failing.state).toBe('failing');
    expect(failing['last-error']).not.toMatch(/127\.0\.0\.1|rebind/);
    expect(local.hits).toEqual([]);
    // A name answering one public and one internal address is refused whole.
    dns.set('hooks.rebind.test', [PUBLIC, '127.0.0.1']);
    const before = (await sinkOf(created.body.sink.id)).failures;
    await waitFor(
      'another refused attempt',
      () => sinkOf(created.body.sink.id),
      (s) => s.failures > before,
    );
    expect((await sinkOf(created.body.sink.id))['last-error']).toBe(REFUSED);
    expect(local.hits).toEqual([]);
    const metrics = await cat.lakegate.app.inject({ method: 'GET', url: '/metrics' });
    expect(Number(/^lakegate_event_deliveries_failed_total\{kind="webhook"\} (\d+)/m.exec(metrics.body)?.[1] ?? 0)).toBeGreaterThanOrEqual(3);
    expect((await platform('DELETE', `${SINKS}/${created.body.sink.id}`)).status).toBe(204);
  });

  it('connects to the address the lookup checked: a name answering an operator-listed address is delivered there', async () => {
    dns.set('hooks.listed.test', ['127.0.0.2']);
    const created = await manager('POST', SINKS, { kind: 'webhook', config: { url: `http://hooks.listed.test:${listed.port}/hook` } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await someEvent();
    await waitFor(
      'delivery to the listed receiver',
      async () => listed.hits.filter((h) => h === '/hook').length,
      (n) => n >= 1,
    );
    const sink = await sinkOf(created.body.sink.id);
    expect(sink.failures).toBe(0);
    expect(local.hits).toEqual([]);
    expect((await platform('DELETE', `${SINKS}/${created.body.sink.id}`)).status).toBe(204);
  });

  it('does not follow a redirect to a local address', async () => {
    dns.set('hooks.listed.test', ['127.0.0.2']);
    const created = await manager('POST', SINKS, { kind: 'webhook', config: { url: `http://hooks.listed.test:${listed.port}/redirect` } });
    expect(created.status).toBe(201);
    await someEvent();
    const failed = await waitFor(
      'the redirect to fail',
      () => sinkOf(created.body.sink.id),
      (s) => s.failures >= 1,
    );
    expect(failed['last-error']).toBe('webhook answered HTTP 307');
    expect(listed.hits).toContain('/redirect');
    expect(local.hits).toEqual([]);
    expect((await platform('DELETE', `${SINKS}/${created.body.sink.id}`)).status).toBe(204);
  });

  it("still delivers a platform administrator's sink to a local receiver, and to a name that resolves locally", async () => {
    const literal = await platform('POST', SINKS, { kind: 'webhook', config: { url: `http://127.0.0.1:${local.port}/platform` } });
    expect(literal.status).toBe(201);
    const named = await platform('POST', SINKS, { kind: 'webhook', config: { url: `http://localhost:${local.port}/platform-named` } });
    expect(named.status).toBe(201);
    await someEvent();
    await waitFor(
      'delivery of the platform sinks',
      async () => [...local.hits],
      (h) => h.includes('/platform') && h.includes('/platform-named'),
    );
    for (const s of [literal, named]) {
      expect((await sinkOf(s.body.sink.id)).failures).toBe(0);
      expect((await platform('DELETE', `${SINKS}/${s.body.sink.id}`)).status).toBe(204);
    }
  });
});

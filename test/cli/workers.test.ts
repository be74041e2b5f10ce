/**
 * `lakegate serve --workers 2`: two processes share the port and the SQLite
 * file, and behave as one server. Caches are kept for 10 minutes here
 * (authzCacheSeconds, identityCacheSeconds), so every change that reaches the
 * other worker in these tests reached it by announcement, not by expiry.
 * Each probe opens a new connection: Node's cluster hands connections to the
 * workers in turn, so a burst of probes reaches both.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, grant, grantPrincipal, revoke } from '../support/access.js';
import { clusterWorkerPids as workerPids } from '../support/cluster-workers.js';
import { startFakeS3 } from '../support/fake-s3.js';
import { httpSender, simpleSchema } from '../support/iceberg-http.js';
import { clientToken, createPrincipal, type CreatedPrincipal, type ServerProcess, startServer } from '../support/server-process.js';

/** One request on a connection of its own (closed after it). */
function fresh(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
  localAddress?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}${path}`,
      { method, agent: false, headers: { connection: 'close', ...headers }, ...(localAddress ? { localAddress } : {}) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function statuses(n: number, probe: () => Promise<{ status: number }>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await probe()).status);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const LONG_CACHES = { LAKEGATE_AUTHZ_CACHE_SECONDS: '600', LAKEGATE_IDENTITY_CACHE_SECONDS: '600' };

describe('serve --workers 2', () => {
  let server: ServerProcess;
  let reader: CreatedPrincipal;
  let readerToken: string;

  beforeAll(async () => {
    server = await startServer({ workers: 2, env: LONG_CACHES });
    const admin = httpSender(server.url, await server.token());
    expect((await admin('POST', '/v1/default/namespaces', { namespace: ['wk'] })).status).toBe(200);
    expect((await admin('POST', '/v1/default/namespaces/wk/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
    reader = await createPrincipal(server, 'wk-reader');
    await grantPrincipal(admin, reader.id, ['table:read-metadata'], { type: 'warehouse', warehouse: 'default' });
    readerToken = await clientToken(server.url, reader.credential);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('runs two worker processes under the primary and says so', () => {
    expect(workerPids(server.process.pid!)).toHaveLength(2);
    expect(server.output()).toContain('2 worker processes');
  });

  it('counts the requests of both workers in /metrics', async () => {
    const before = await configCount(server.url);
    const token = await server.token();
    expect(await statuses(20, () => fresh(server.url, 'GET', '/v1/config', { authorization: `Bearer ${token}` }))).toEqual(Array(20).fill(200));
    // Round-robin gave each worker about half: only the sum over both workers is 20 more.
    expect((await configCount(server.url)) - before).toBe(20);
  });

  it('shows database-read gauges once, not once per worker: events pending at a sink that refuses them', async () => {
    const admin = httpSender(server.url, await server.token());
    // Nothing listens on the discard port: every delivery fails, so the sink's cursor stays where it was made.
    const created = await admin('POST', '/management/v1/warehouses/default/event-sinks', { kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } });
    expect(created.status).toBe(201);
    for (const n of ['wk_ev1', 'wk_ev2', 'wk_ev3']) expect((await admin('POST', '/v1/default/namespaces', { namespace: [n] })).status).toBe(200);
    const sinkPending = async (): Promise<number> => {
      const sinks = ((await admin('GET', '/management/v1/warehouses/default/event-sinks')).body as { sinks: { kind: string; pending: number | string }[] })
        .sinks;
      return sinks.filter((s) => s.kind === 'webhook').reduce((sum, s) => sum + Number(s.pending), 0);
    };
    await until('the three events to be pending', async () => (await sinkPending()) >= 3);
    const pending = await sinkPending();
    // Every worker reads the same database at a scrape; the primary's sum over two workers showed twice the backlog.
    const text = (await fresh(server.url, 'GET', '/metrics')).text;
    expect(text).toMatch(new RegExp(`^lakegate_events_pending\\{kind="webhook"\\} ${pending}$`, 'm'));
    expect(text).toMatch(/^lakegate_lance_tag_intents_pending 0$/m);
    const id = (created.body as { sink: { id: string } }).sink.id;
    expect((await admin('DELETE', `/management/v1/warehouses/default/event-sinks/${id}`)).status).toBe(204);
  });

  it('a revoked grant stops working on every worker at once', async () => {
    const load = () => fresh(server.url, 'GET', '/v1/default/namespaces/wk/tables/t', { authorization: `Bearer ${readerToken}` });
    // Both workers decide (and cache) that the reader may load the table.
    expect(await statuses(8, load)).toEqual(Array(8).fill(200));
    await revoke(httpSender(server.url, await server.token()), `${reader.id}-role`, ['table:read-metadata'], { type: 'warehouse', warehouse: 'default' });
    const after = await statuses(8, load);
    expect(after.every((s) => s === 403 || s === 404)).toBe(true);
  });

  it('a disabled principal is refused by every worker at once, and works again when enabled', async () => {
    const probe = await createPrincipal(server, 'wk-probe');
    const token = await clientToken(server.url, probe.credential);
    const config = (bearer: string) => () => fresh(server.url, 'GET', '/v1/config', { authorization: `Bearer ${bearer}` });
    expect(await statuses(6, config(token))).toEqual(Array(6).fill(200));
    const admin = httpSender(server.url, await server.token());
    expect((await admin('POST', `/management/v1/principals/${probe.id}/disable`)).status).toBe(200);
    expect(await statuses(6, config(token))).toEqual(Array(6).fill(401));
    expect((await admin('POST', `/management/v1/principals/${probe.id}/enable`)).status).toBe(200);
    // Disabling revoked the tokens issued before the second it happened in (a token of that same second may live on:
    // docs/security.md), so a token issued after enabling is what must work again, on every worker.
    const again = await clientToken(server.url, probe.credential);
    expect(await statuses(6, config(again))).toEqual(Array(6).fill(200));
  });

  it('limits failed sign-ins of one client id across workers together', async () => {
    const victim = await createPrincipal(server, 'wk-victim');
    const attempt = (secret: string) =>
      fresh(
        server.url,
        'POST',
        '/v1/oauth/tokens',
        { 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams({ grant_type: 'client_credentials', client_id: victim.id, client_secret: secret }).toString(),
      );
    // Ten failures (the per-client limit), spread over both workers by round-robin: each saw about five itself.
    expect(await statuses(10, () => attempt('wrong'))).toEqual(Array(10).fill(401));
    const next = await statuses(4, () => attempt(victim.secret));
    expect(next).toEqual(Array(4).fill(429));
  });

  it('limits them per address across workers too: failures from another address lock the client out of no worker', async () => {
    const victim = await createPrincipal(server, 'wk-lockout');
    const attempt = (secret: string, from: string) =>
      fresh(
        server.url,
        'POST',
        '/v1/oauth/tokens',
        { 'content-type': 'application/x-www-form-urlencoded' },
        new URLSearchParams({ grant_type: 'client_credentials', client_id: victim.id, client_secret: secret }).toString(),
        from,
      );
    // Ten failures from 127.0.0.2 over both workers: that address is refused by both, the client's own by neither.
    expect(await statuses(10, () => attempt('wrong', '127.0.0.2'))).toEqual(Array(10).fill(401));
    expect(await statuses(4, () => attempt(victim.secret, '127.0.0.2'))).toEqual(Array(4).fill(429));
    expect(await statuses(4, () => attempt(victim.secret, '127.0.0.1'))).toEqual(Array(4).fill(200));
  });

  it("a table renamed through one worker is what every worker's Trino OPA decisions see, though they kept its record", async () => {
    const admin = httpSender(server.url, await server.token());
    const engine = await createPrincipal(server, 'wk-trino', { users: [{ issuer: 'asserted', name: 'alice' }], 'assert-identity': true });
    const key = (await admin('POST', `/management/v1/principals/${engine.id}/api-keys`, { name: 'opa' })).body['api-key'] as string;
    expect(
      (await admin('PUT', `/management/v1/warehouses/default/policy-enforcers/${engine.id}`, { mechanism: 'trino-opa', 'trino-catalog': 'lake' })).status,
    ).toBe(200);
    expect((await admin('POST', '/v1/default/namespaces/wk/tables', { name: 'o', schema: simpleSchema })).status).toBe(200);
    await addMember(admin, 'wk-opa', { kind: 'user', name: 'alice', issuer: 'asserted' });
    await grant(admin, 'wk-opa', ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['wk'], name: 'o' });
    const body = JSON.stringify({
      input: {
        context: { identity: { user: 'alice', groups: [] }, softwareStack: { trinoVersion: '476' } },
        action: { operation: 'SelectFromColumns', resource: { table: { catalogName: 'lake', schemaName: 'wk', tableName: 'o', columns: ['id'] } } },
      },
    });
    const select = async () => {
      const res = await fresh(
        server.url,
        'POST',
        `/management/v1/trino-opa/allow?api-key=${encodeURIComponent(key)}`,
        { 'content-type': 'application/json' },
        body,
      );
      return { status: res.status === 200 && (JSON.parse(res.text) as { result: boolean }).result ? 200 : 403 };
    };
    // Both workers resolve (and keep) the name: alice may read.
    expect(await statuses(8, select)).toEqual(Array(8).fill(200));
    const rename = { source: { namespace: ['wk'], name: 'o' }, destination: { namespace: ['wk'], name: 'o2' } };
    expect((await admin('POST', '/v1/default/tables/rename', rename)).status).toBe(204);
    // The worker that renamed it forgot the name at once; the other by the announcement (milliseconds; without it, it
    // would keep the name for the 10-minute authorization cache bound and answer yes for the renamed table).
    await until('every worker answering no', async () => (await statuses(8, select)).every((s) => s === 403), 5_000);
    // Nor is a new table under the old name the one alice was granted.
    expect((await admin('POST', '/v1/default/namespaces/wk/tables', { name: 'o', schema: simpleSchema })).status).toBe(200);
    expect(await statuses(8, select)).toEqual(Array(8).fill(403));
  });

  it('shows audit decisions of both workers as soon as they are made', async () => {
    const outsider = await createPrincipal(server, 'wk-outsider');
    const token = await clientToken(server.url, outsider.credential);
    const denied = await statuses(6, () => fresh(server.url, 'GET', '/v1/default/namespaces/wk/tables/t', { authorization: `Bearer ${token}` }));
    expect(denied.every((s) => s === 403 || s === 404)).toBe(true);
    const admin = httpSender(server.url, await server.token());
    const res = await admin('GET', `/management/v1/audit?actor=${encodeURIComponent(outsider.id)}&decision=deny&limit=100`);
    expect(res.status).toBe(200);
    expect((res.body.events as unknown[]).length).toBeGreaterThanOrEqual(6);
  });

  it("a warehouse's changed storage profile is what every worker vends at once", async () => {
    // The warehouse cache holds a warehouse 5 s: a worker that got no announcement would vend the old profile's config.
    const s3 = await startFakeS3();
    try {
      const admin = httpSender(server.url, await server.token());
      const profile = (region: string) => ({
        type: 's3',
        bucket: 'wk-bucket',
        region,
        endpoint: s3.endpoint,
        'path-style-access': true,
        'role-arn': 'arn:aws:iam::123456789012:role/wk',
      });
      const secret = { 'access-key-id': 'wk-key', 'secret-access-key': 'wk-secret' };
      expect(
        (
          await admin('POST', '/management/v1/warehouses', {
            name: 'wk-s3',
            'storage-root': 's3://wk-bucket/wh',
            'storage-profile': profile('us-east-1'),
            'storage-secret': secret,
          })
        ).status,
      ).toBe(201);
      expect((await admin('POST', '/v1/wk-s3/namespaces', { namespace: ['ns'] })).status).toBe(200);
      expect((await admin('POST', '/v1/wk-s3/namespaces/ns/tables', { name: 't', schema: simpleSchema })).status).toBe(200);
      const headers = { authorization: `Bearer ${await server.token()}`, 'x-iceberg-access-delegation': 'vended-credentials' };
      const regions = async () => {
        const out: string[] = [];
        for (let i = 0; i < 8; i++)
          out.push(JSON.parse((await fresh(server.url, 'GET', '/v1/wk-s3/namespaces/ns/tables/t', headers)).text).config['client.region']);
        return out;
      };
      expect(await regions()).toEqual(Array(8).fill('us-east-1'));
      expect((await admin('PUT', '/management/v1/warehouses/wk-s3/storage-profile', { 'storage-profile': profile('eu-west-1') })).status).toBe(200);
      expect(await regions()).toEqual(Array(8).fill('eu-west-1'));
    } finally {
      await s3.close();
    }
  });

  it('creates tables and commits to one table from both workers at once: every write lands, none fails', async () => {
    const token = await server.token();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        fresh(server.url, 'POST', '/v1/default/namespaces/wk/tables', headers, JSON.stringify({ name: `c${i}`, schema: simpleSchema })),
      ),
    );
    expect(created.map((r) => r.status)).toEqual(Array(24).fill(200));
    const commits = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        fresh(
          server.url,
          'POST',
          '/v1/default/namespaces/wk/tables/c0',
          headers,
          JSON.stringify({ requirements: [], updates: [{ action: 'set-properties', updates: { [`writer-${i}`]: 'x' } }] }),
        ),
      ),
    );
    expect(commits.map((r) => r.status)).toEqual(Array(40).fill(200));
    const loaded = JSON.parse((await fresh(server.url, 'GET', '/v1/default/namespaces/wk/tables/c0', headers)).text);
    for (let i = 0; i < 40; i++) expect(loaded.metadata.properties[`writer-${i}`]).toBe('x');
    expect(loaded.metadata['metadata-log'].length).toBeGreaterThanOrEqual(40);
  });

  it('replaces a worker that dies, and keeps serving meanwhile', async () => {
    const [victim, other] = workerPids(server.process.pid!);
    process.kill(victim!, 'SIGKILL');
    await until('a replacement worker', () => {
      const pids = workerPids(server.process.pid!);
      return pids.length === 2 && !pids.includes(victim!) && pids.includes(other!);
    });
    await until('the replacement to listen', async () => (await statuses(4, () => fresh(server.url, 'GET', '/healthz'))).every((s) => s === 200));
    expect(await server.settledOutput()).toContain('worker exited; starting another');
  });
});

async function configCount(url: string): Promise<number> {
  const text = (await fresh(url, 'GET', '/metrics')).text;
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('lakegate_http_requests_total{') && line.includes('route="/v1/config"') && line.includes('status="200"'))
      n += Number(line.split(' ').at(-1));
  }
  return n;
}

describe('stopping serve --workers 2', { timeout: 240_000 }, () => {
  it('SIGTERM to the primary stops every worker', async () => {
    const server = await startServer({ workers: 2 });
    const pids = workerPids(server.process.pid!);
    expect(pids).toHaveLength(2);
    await server.stop('SIGTERM');
    expect(server.process.exitCode).toBe(0);
    await until('the workers to exit', () => pids.every((p) => !alive(p)), 15_000);
  });

  it('workers stop by themselves when the primary is killed', async () => {
    const server = await startServer({ workers: 2 });
    const pids = workerPids(server.process.pid!);
    await server.stop('SIGKILL');
    await until('the orphaned workers to exit', () => pids.every((p) => !alive(p)), 15_000);
  });

  it('a taken port stops the server with an error instead of restarting workers forever', async () => {
    const first = await startServer({ workers: 1 });
    const port = Number(new URL(first.url).port);
    try {
      await expect(startServer({ workers: 2, port })).rejects.toThrow(/exited with 1[\s\S]*(EADDRINUSE|cannot listen)/);
    } finally {
      await first.stop();
    }
  });
});

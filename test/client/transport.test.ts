/**
 * HttpTransport against a local node:http server whose every answer the test scripts (stalls, resets, 503s with
 * Retry-After, 401s, error bodies of each protocol): retries happen only where they are safe, timeouts and the
 * caller's AbortSignal are honoured, and errors are typed without leaking credentials.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthProvider,
  bearerAuth,
  CatalogError,
  ConfigurationError,
  HttpTransport,
  isCommitStateUnknown,
  isConflict,
  isNotFound,
  isUnauthenticated,
  type TransportOptions,
} from '@lakegate/client';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, attempt: number, body: string) => void;

let server: Server;
let base: string;
let handler: Handler;
let seen: Seen[];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: Date.now() });
      handler(req, res, seen.length, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen = [];
  handler = (_req, res) => json(res, 200, {});
});

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** Never answers (until the client gives up and the socket closes). */
const hang: Handler = () => {};

const TOKEN = 'tok-SECRET-0123456789';

function transport(options: Partial<TransportOptions> = {}): HttpTransport {
  return new HttpTransport({ uri: base, auth: bearerAuth(TOKEN), retryBaseDelayMs: 20, timeoutMs: 2_000, ...options });
}

async function failure(p: Promise<unknown>): Promise<CatalogError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CatalogError);
  return e as CatalogError;
}

const COMMIT = { method: 'POST', path: 'v1/wh/namespaces/db/tables/t', body: { updates: [] }, errorModel: 'iceberg' } as const;

describe('retries of safe requests', () => {
  it('retries a GET after 503 and honours Retry-After', async () => {
    handler = (_req, res, n) =>
      n === 1
        ? json(res, 503, { error: { message: 'busy', type: 'ServiceUnavailableException', code: 503 } }, { 'retry-after': '1' })
        : json(res, 200, { ok: true });
    const r = await transport().send({ method: 'GET', path: 'v1/config', errorModel: 'iceberg' });
    expect(r.body).toEqual({ ok: true });
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('caps a long Retry-After at maxRetryAfterMs', async () => {
    handler = (_req, res, n) => (n === 1 ? json(res, 503, {}, { 'retry-after': '3600' }) : json(res, 200, {}));
    const started = Date.now();
    await transport({ maxRetryAfterMs: 200 }).send({ method: 'GET', path: 'x', errorModel: 'iceberg' });
    expect(seen).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('backs off exponentially and gives up after the configured retries with the last error', async () => {
    handler = (_req, res) => json(res, 502, { error: { message: 'bad gateway', type: 'BadGateway', code: 502 } });
    const e = await failure(transport({ retries: 3, retryBaseDelayMs: 100 }).send({ method: 'GET', path: 'x', errorModel: 'iceberg' }));
    expect(e.status).toBe(502);
    expect(seen).toHaveLength(4);
    const gaps = seen.slice(1).map((s, i) => s.at - seen[i]!.at);
    // Jittered within [ceiling/2, ceiling] of 100, 200, 400 ms (a little slack for timer granularity).
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);
  });

  it('retries a GET after the connection was reset', async () => {
    handler = (req, res, n) => (n === 1 ? req.socket.destroy() : json(res, 200, { n }));
    const r = await transport().send({ method: 'GET', path: 'x', errorModel: 'iceberg' });
    expect(r.body).toEqual({ n: 2 });
  });

  it('retries a GET after a timeout, also when the body stalls after the headers', async () => {
    handler = (_req, res, n) => {
      if (n === 1) return;
      if (n === 2) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"half":');
        return;
      }
      json(res, 200, { n });
    };
    const r = await transport({ timeoutMs: 300 }).send({ method: 'GET', path: 'x', errorModel: 'iceberg' });
    expect(r.body).toEqual({ n: 3 });
    expect(seen).toHaveLength(3);
  });

  it('reports a timeout as a CatalogError once the retries are spent', async () => {
    handler = hang;
    const e = await failure(transport({ timeoutMs: 150, retries: 1 }).send({ method: 'GET', path: 'x', errorModel: 'iceberg' }));
    expect(e).toMatchObject({ status: 0, type: 'Timeout', protocol: 'transport', request: 'GET /x' });
    expect(seen).toHaveLength(2);
  });

  it('reports a refused connection as ConnectionError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const e = await failure(transport({ uri: `http://127.0.0.1:${port}`, retries: 1 }).send({ method: 'GET', path: 'x', errorModel: 'iceberg' }));
    expect(e).toMatchObject({ status: 0, type: 'ConnectionError' });
    expect(e.message).toContain('ECONNREFUSED');
  });
});

describe('mutations', () => {
  it('does not repeat a POST without Idempotency-Key after a timeout; a commit then has an unknown state', async () => {
    handler = hang;
    const e = await failure(transport({ timeoutMs: 200 }).send(COMMIT));
    expect(seen).toHaveLength(1);
    expect(e.type).toBe('Timeout');
    expect(isCommitStateUnknown(e)).toBe(true);
    expect(isConflict(e)).toBe(false);
  });

  it('does not repeat a POST without Idempotency-Key after 503 or a reset', async () => {
    handler = (_req, res) => json(res, 503, { error: { message: 'down', type: 'ServiceUnavailableException', code: 503 } });
    const unavailable = await failure(transport().send(COMMIT));
    expect(seen).toHaveLength(1);
    // 503: the server did not run the commit, so its outcome is known (not applied).
    expect(isCommitStateUnknown(unavailable)).toBe(false);

    seen = [];
    handler = (req) => req.socket.destroy();
    const reset = await failure(transport().send(COMMIT));
    expect(seen).toHaveLength(1);
    expect(reset.type).toBe('ConnectionError');
    expect(isCommitStateUnknown(reset)).toBe(true);
  });

  it('treats 500, 502 and 504 on a commit as unknown state, but not on other POSTs', async () => {
    for (const status of [500, 502, 504]) {
      handler = (_req, res) => json(res, status, { error: { message: 'oops', type: 'ServerError', code: status } });
      expect(isCommitStateUnknown(await failure(transport().send(COMMIT)))).toBe(true);
      expect(isCommitStateUnknown(await failure(transport().send({ ...COMMIT, path: 'v1/wh/namespaces' })))).toBe(false);
    }
    handler = (_req, res) => json(res, 500, { error: { message: 'commit state unknown', type: 'CommitStateUnknownException', code: 500 } });
    expect(isCommitStateUnknown(await failure(transport().send({ ...COMMIT, path: 'v1/wh/transactions/commit' })))).toBe(true);
  });

  it('repeats a POST with Idempotency-Key after a timeout and 503, sending the same key each time', async () => {
    handler = (_req, res, n) => (n === 1 ? undefined : n === 2 ? json(res, 503, {}) : json(res, 200, { committed: true }));
    const r = await transport({ timeoutMs: 200 }).send({ ...COMMIT, idempotencyKey: 'key-1' });
    expect(r.body).toEqual({ committed: true });
    expect(seen).toHaveLength(3);
    expect(seen.map((s) => s.headers['idempotency-key'])).toEqual(['key-1', 'key-1', 'key-1']);
    expect(seen.map((s) => s.body)).toEqual(Array(3).fill('{"updates":[]}'));
  });

  it('repeats any request after 429 (the server did not take it)', async () => {
    handler = (_req, res, n) =>
      n === 1 ? json(res, 429, { error: { message: 'slow down', type: 'TooManyRequests', code: 429 } }, { 'retry-after': '0' }) : json(res, 200, {});
    await transport().send(COMMIT);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.headers['idempotency-key']).toBeUndefined();
  });
});

describe('authentication', () => {
  /** Hands out tok-1, then tok-2 after an invalidation. */
  function rotating(): AuthProvider & { invalidations: number } {
    let generation = 1;
    return {
      invalidations: 0,
      async authenticate(request) {
        request.headers['authorization'] = `Bearer tok-${generation}`;
      },
      invalidate() {
        this.invalidations++;
        generation++;
        return true;
      },
    };
  }

  it('after 401 invalidates the provider and repeats the request once, also a POST', async () => {
    handler = (req, res) =>
      req.headers.authorization === 'Bearer tok-2'
        ? json(res, 200, { ok: 1 })
        : json(res, 401, { error: { message: 'expired', type: 'NotAuthorizedException', code: 401 } });
    const auth = rotating();
    const r = await transport({ auth }).send(COMMIT);
    expect(r.body).toEqual({ ok: 1 });
    expect(auth.invalidations).toBe(1);
    expect(seen.map((s) => s.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('gives up after one re-authentication, and never retries 401 without invalidate', async () => {
    handler = (_req, res) => json(res, 401, { error: { message: 'no', type: 'NotAuthorizedException', code: 401 } });
    const auth = rotating();
    const e = await failure(transport({ auth }).send({ method: 'GET', path: 'x', errorModel: 'iceberg' }));
    expect(isUnauthenticated(e)).toBe(true);
    expect(auth.invalidations).toBe(1);
    expect(seen).toHaveLength(2);

    seen = [];
    await failure(transport().send({ method: 'GET', path: 'x', errorModel: 'iceberg' }));
    expect(seen).toHaveLength(1);
  });
});

describe('cancellation', () => {
  it('honours the caller’s AbortSignal while waiting for an answer, without retrying', async () => {
    handler = hang;
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const e = await transport({ timeoutMs: 10_000 })
      .send({ method: 'GET', path: 'x', errorModel: 'iceberg', signal: controller.signal })
      .catch((err: unknown) => err);
    expect((e as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(seen).toHaveLength(1);
  });

  it('honours the AbortSignal during a backoff wait, and an already aborted signal sends nothing', async () => {
    handler = (_req, res) => json(res, 503, {}, { 'retry-after': '5' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 150);
    const started = Date.now();
    const e = await transport()
      .send({ method: 'GET', path: 'x', errorModel: 'iceberg', signal: controller.signal })
      .catch((err: unknown) => err);
    expect((e as Error).message).toBe('caller gave up');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(seen).toHaveLength(1);

    seen = [];
    const e2 = await transport()
      .send({ method: 'GET', path: 'x', errorModel: 'iceberg', signal: AbortSignal.abort() })
      .catch((err: unknown) => err);
    expect((e2 as Error).name).toBe('AbortError');
    expect(seen).toHaveLength(0);
  });
});

describe('error bodies', () => {
  const get = (errorModel: 'iceberg' | 'lance' | 'oauth2' = 'iceberg') =>
    failure(transport({ retries: 0 }).send({ method: 'GET', path: 'v1/ns/x', errorModel }));

  it('maps an Iceberg error', async () => {
    handler = (_req, res) => json(res, 404, { error: { message: 'Table does not exist: db.t', type: 'NoSuchTableException', code: 404 } });
    const e = await get();
    expect(e).toMatchObject({ protocol: 'iceberg', status: 404, type: 'NoSuchTableException', message: 'Table does not exist: db.t', request: 'GET /v1/ns/x' });
    expect(isNotFound(e)).toBe(true);
  });

  it('maps a Lance error by its numeric code', async () => {
    handler = (_req, res) => json(res, 400, { error: 'TableNotFound', code: 4, detail: 'no table t', instance: '/v1/table/t' });
    const e = await get('lance');
    expect(e).toMatchObject({ protocol: 'lance', status: 400, code: 4, type: 'TableNotFound', message: 'TableNotFound: no table t' });
    expect(isNotFound(e)).toBe(true);
    handler = (_req, res) => json(res, 409, { error: 'ConcurrentModification', code: 14 });
    expect(isConflict(await get('lance'))).toBe(true);
  });

  it('maps an OAuth2 error', async () => {
    handler = (_req, res) => json(res, 400, { error: 'invalid_grant', error_description: 'the refresh token expired' });
    expect(await get('oauth2')).toMatchObject({ protocol: 'oauth2', status: 400, type: 'invalid_grant', message: 'invalid_grant: the refresh token expired' });
  });

  it('maps an answer without a recognisable body (HTML from a proxy, invalid JSON, nothing)', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    };
    expect(await get()).toMatchObject({ protocol: 'iceberg', status: 502, type: 'HTTP502', message: 'GET /v1/ns/x: HTTP 502 Bad Gateway' });
    handler = (_req, res) => json(res, 409, '{"error": {');
    expect(isConflict(await get())).toBe(true);
    handler = (_req, res) => {
      res.writeHead(404);
      res.end();
    };
    expect(isNotFound(await get())).toBe(true);
  });

  it('rejects invalid JSON in a successful answer with a typed error', async () => {
    handler = (_req, res) => json(res, 200, '{"a": tru');
    expect(await get()).toMatchObject({ type: 'InvalidResponse', request: 'GET /v1/ns/x' });
  });

  it('never puts the token (header or query) in errors', async () => {
    const cases: Handler[] = [
      (req, res) => json(res, 401, { error: { message: 'bad token', type: 'NotAuthorizedException', code: 401 } }),
      (req, res) => json(res, 500, 'boom'),
      (req) => req.socket.destroy(),
      hang,
    ];
    for (const h of cases) {
      handler = h;
      const e = await failure(transport({ timeoutMs: 150, retries: 0 }).send({ method: 'GET', path: 'v1/x', query: { token: TOKEN }, errorModel: 'iceberg' }));
      expect(seen.at(-1)!.headers.authorization).toBe(`Bearer ${TOKEN}`);
      for (const text of [e.message, String(e), e.stack ?? '', JSON.stringify(e), e.request]) expect(text).not.toContain(TOKEN);
    }
  });
});

describe('JSON and configuration', () => {
  it('keeps 64-bit integers exact both ways', async () => {
    handler = (_req, res, _n, body) => json(res, 200, body);
    const id = 9_223_372_036_854_775_807n;
    const r = await transport().send<{ id: bigint; small: number }>({ method: 'POST', path: 'echo', body: { id, small: 7 }, errorModel: 'iceberg' });
    expect(seen[0]!.body).toBe('{"id":9223372036854775807,"small":7}');
    expect(r.body.id).toBe(id);
    expect(r.body.small).toBe(7);
  });

  it('rejects unusable options at construction', () => {
    expect(() => transport({ uri: 'ftp://x' })).toThrow(ConfigurationError);
    expect(() => transport({ uri: 'not a url' })).toThrow(ConfigurationError);
    expect(() => transport({ uri: 'http://user:pw@127.0.0.1' })).toThrow(ConfigurationError);
    expect(() => transport({ timeoutMs: 0 })).toThrow(ConfigurationError);
    expect(() => transport({ retries: -1 })).toThrow(ConfigurationError);
    expect(() => transport({ retries: 1.5 })).toThrow(ConfigurationError);
    expect(() => transport({ retryBaseDelayMs: Number.NaN })).toThrow(ConfigurationError);
  });
});

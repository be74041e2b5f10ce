import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../observability/logger.js';
import { RequestLogger, RequestObserver, bindRequestLog, requestLoggingRoot } from './request-log.js';

/** A server whose log lines are collected; `ours`: with this module's logger factory and log controller. */
function server(ours: boolean, level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const observed: Array<[string, string, number]> = [];
  const logger = createLogger(
    level,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    }),
  );
  let n = 0;
  const app: FastifyInstance = Fastify({
    loggerInstance: ours ? requestLoggingRoot(logger) : (logger as FastifyBaseLogger),
    genReqId: () => `req-${++n}`,
    ...(ours ? { logController: new RequestObserver(logger, (m, r, s) => observed.push([m, r, s])) } : {}),
  });
  app.addHook('preValidation', async (req, reply) => {
    // As authentication does: later lines name the caller.
    if (req.headers['x-user']) {
      if (ours) bindRequestLog(req, reply, { actor: `user:${req.headers['x-user']}`, auth: 'jwt' });
      else req.log = reply.log = req.log.child({ actor: `user:${req.headers['x-user']}`, auth: 'jwt' });
    }
  });
  app.get('/ok', async () => ({ ok: true }));
  app.get('/warns', async (req) => {
    req.log.warn({ reason: 'odd', client_secret: 'hunter2' }, 'something odd');
    req.log.debug('not written at info');
    return { ok: true };
  });
  app.get('/fails', async () => {
    throw new Error('boom');
  });
  app.get('/child', async (req) => {
    req.log.child({ step: 'inner' }).info('from a child');
    return {};
  });
  return { app, lines, observed };
}

async function run(ours: boolean, level?: string) {
  const s = server(ours, level);
  for (const [url, user] of [
    ['/ok', undefined],
    ['/ok?token=abc.def.ghi&pageToken=p1', 'alice'],
    ['/warns', 'bob'],
    ['/fails', 'carol'],
    ['/child', 'dave'],
    ['/missing', undefined],
  ] as const) {
    await s.app.inject({ method: 'GET', url, headers: user ? { 'x-user': user } : {} });
  }
  await s.app.close();
  // Times differ between runs; everything else is compared.
  const lines = s.lines.map((l) =>
    Object.fromEntries(
      Object.entries(l)
        .filter(([k]) => !['time', 'pid', 'hostname'].includes(k))
        .map(([k, v]) => (k === 'responseTime' ? [k, typeof v] : [k, v])),
    ),
  );
  return { lines, observed: s.observed };
}

type Line = Record<string, unknown>;

/**
 * What this module writes, from Fastify's own lines: the same lines, except that a request's
 * "incoming request" line is written only at debug, and its completed (or errored) line carries the
 * request's `req` after the bindings, so one line per request says everything at info.
 */
function oneLinePerRequest(fastify: Line[], level: string): Line[] {
  const incoming = new Map<unknown, unknown>();
  const out: Line[] = [];
  for (const line of fastify) {
    if (line.msg === 'incoming request') {
      incoming.set(line.reqId, line.req);
      if (level === 'debug') out.push({ ...line, level: 20 });
      continue;
    }
    if (line.msg === 'request completed' || line.msg === 'request errored') {
      const { res, err, responseTime, msg, ...head } = line;
      out.push({ ...head, req: incoming.get(line.reqId), res, responseTime, ...(err !== undefined ? { err } : {}), msg });
      continue;
    }
    out.push(line);
  }
  return out;
}

describe('request log without a child logger per request', () => {
  it("writes Fastify's lines, one per request, field for field, with the caller, redaction and URL scrubbing", async () => {
    const fastify = await run(false);
    const ours = await run(true);
    expect(fastify.lines.length).toBeGreaterThan(12);
    const expected = oneLinePerRequest(fastify.lines, 'info');
    expect(ours.lines).toEqual(expected);
    // Key order too (a reader of the raw text sees the fields in this order).
    expect(ours.lines.map((l) => Object.keys(l))).toEqual(expected.map((l) => Object.keys(l)));
    expect(ours.lines.filter((l) => l.msg === 'incoming request')).toEqual([]);
    const completed = ours.lines.filter((l) => l.msg === 'request completed' || l.msg === 'request errored');
    expect(completed.map((l) => l.actor)).toEqual([undefined, 'user:alice', 'user:bob', 'user:carol', 'user:dave', undefined]);
    expect(completed.map((l) => (l.req as { url: string }).url)).toEqual(['/ok', '/ok?token=***&pageToken=p1', '/warns', '/fails', '/child', '/missing']);
    expect(completed.map((l) => (l.res as { statusCode: number }).statusCode)).toEqual([200, 200, 200, 500, 200, 404]);
    expect(JSON.stringify(ours.lines)).not.toContain('hunter2');
    expect(JSON.stringify(ours.lines)).not.toContain('abc.def.ghi');
  });

  it('writes the same at warn level (no line per request but errors) and at debug level (both lines)', async () => {
    for (const level of ['warn', 'debug']) {
      const fastify = await run(false, level);
      const ours = await run(true, level);
      expect(ours.lines).toEqual(oneLinePerRequest(fastify.lines, level));
    }
  });

  it('redacts the line of an error, whose fields it does not know', async () => {
    const s = server(true);
    s.app.get('/secret-error', async () => {
      throw Object.assign(new Error('bad'), { client_secret: 'hunter3' });
    });
    await s.app.inject({ method: 'GET', url: '/secret-error' });
    await s.app.close();
    // Fastify's error handler writes the error through the request's logger (the root logger's redaction).
    const logged = s.lines.find((l) => (l.err as { message?: string } | undefined)?.message === 'bad');
    expect(logged?.level).toBe(50);
    expect(s.lines.find((l) => l.msg === 'request completed')?.res).toEqual({ statusCode: 500 });
    expect(JSON.stringify(s.lines)).not.toContain('hunter3');
  });

  it('records every request in the metrics by route template, unmatched ones included', async () => {
    const { observed } = await run(true);
    expect(observed).toEqual([
      ['GET', '/ok', 200],
      ['GET', '/ok', 200],
      ['GET', '/warns', 200],
      ['GET', '/fails', 500],
      ['GET', '/child', 200],
      ['GET', 'unmatched', 404],
    ]);
  });

  it("gives each request a RequestLogger through Fastify's own child-logger factory, and a route with its own level a pino child", async () => {
    const s = server(true);
    const kinds: string[] = [];
    s.app.get('/kind', async (req) => {
      kinds.push(req.log instanceof RequestLogger ? 'request-logger' : 'other');
      return {};
    });
    s.app.get('/own-level', { logLevel: 'debug' }, async (req) => {
      kinds.push(req.log instanceof RequestLogger ? 'request-logger' : 'other');
      req.log.debug('debug on this route');
      return {};
    });
    await s.app.inject({ method: 'GET', url: '/kind' });
    await s.app.inject({ method: 'GET', url: '/own-level' });
    // The application's own log is the root logger's: its lines and level.
    s.app.log.info({ component: 'test' }, 'from the app log');
    expect(s.app.log.level).toBe('info');
    await s.app.close();
    expect(kinds).toEqual(['request-logger', 'other']);
    expect(s.lines.find((l) => l.msg === 'debug on this route')).toMatchObject({ level: 20, reqId: 'req-2' });
    expect(s.lines.find((l) => l.msg === 'from the app log')).toMatchObject({ level: 30, component: 'test' });
  });

  it('builds no pino child for a request that writes no line of its own', () => {
    const parent = createLogger('info', new Writable({ write: (_c, _e, done) => done() }));
    let children = 0;
    const counting = new Proxy(parent, {
      get: (t, p) => (p === 'child' ? (...a: Parameters<typeof parent.child>) => (children++, t.child(...a)) : Reflect.get(t, p)),
    });
    const log = new RequestLogger(counting, { reqId: 'r' });
    log.bind({ actor: 'user:x' });
    log.debug('below the level');
    expect(children).toBe(0);
    log.warn('written');
    expect(children).toBe(1);
    expect(log.all).toEqual({ reqId: 'r', actor: 'user:x' });
  });
});

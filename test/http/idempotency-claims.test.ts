/**
 * Idempotency-Key claims of requests in progress. A retry that arrives while
 * the first attempt runs waits for it and replays its answer (never 409, never
 * a second run), also when the two land on different workers sharing one
 * store; the wait is bounded (503 past it). A claim nobody keeps fresh (its
 * process died) is taken over by one waiting retry after `abandonedAfterMs`.
 * A key reused with another body is refused and runs nothing; refusals that
 * depend on who asks (403) are not stored. Real SQLite store, real Fastify;
 * two Fastify apps on one store stand for two workers; timings shortened.
 */
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../packages/server/src/catalog/ports/index.js';
import { useIdempotency } from '../../packages/server/src/http/plugins/idempotency.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';

const temp = tempDir('idempotency-claims-');
const store = new SqliteCatalogStore(path.join(temp.dir, 'claims.sqlite'));
let worker: FastifyInstance;
let other: FastifyInstance;
let dead: FastifyInstance;
let impatient: FastifyInstance;
let runs = 0;
let release: () => void = () => {};
let allowed = false;

function worker_(timing: { heartbeatMs: number; abandonedAfterMs: number; maxWaitMs: number }): FastifyInstance {
  const app = Fastify();
  useIdempotency(app, store, systemClock, 60_000, timing);
  app.post('/op', async (req) => {
    runs += 1;
    await new Promise<void>((r) => (release = r));
    return { runs, body: req.body };
  });
  app.post('/guarded', async (_req, reply) => {
    runs += 1;
    return allowed ? { runs } : reply.code(403).send({ error: 'forbidden' });
  });
  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, _req, reply) =>
    reply.code(err.code === 'ERR_UNAVAILABLE' ? 503 : err.code === 'ERR_IDEMPOTENCY_CONFLICT' ? 400 : 500).send({ code: err.code, message: err.message }),
  );
  return app;
}

beforeAll(async () => {
  await store.migrate();
  worker = worker_({ heartbeatMs: 50, abandonedAfterMs: 300, maxWaitMs: 5_000 });
  other = worker_({ heartbeatMs: 50, abandonedAfterMs: 300, maxWaitMs: 5_000 });
  impatient = worker_({ heartbeatMs: 50, abandonedAfterMs: 300, maxWaitMs: 300 });
  // A process that stops refreshing its claims, as one killed mid-request does.
  dead = worker_({ heartbeatMs: 3_600_000, abandonedAfterMs: 300, maxWaitMs: 5_000 });
  await Promise.all([worker.ready(), other.ready(), dead.ready(), impatient.ready()]);
});

afterAll(async () => {
  await Promise.all([worker.close(), other.close(), dead.close(), impatient.close()]);
  await store.close();
  temp.cleanup();
});

const post = (app: FastifyInstance, key: string, body: unknown = { a: 1 }, url = '/op') =>
  app.inject({ method: 'POST', url, payload: JSON.stringify(body), headers: { 'idempotency-key': key, 'content-type': 'application/json' } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Idempotency-Key claims', () => {
  it('a retry while the first attempt runs (on the same or another worker) waits for it and replays its answer; nothing runs twice', async () => {
    runs = 0;
    const key = '0190a000-0000-7000-8000-000000000001';
    const first = post(worker, key);
    await sleep(700); // more than twice abandonedAfterMs: only the heartbeat keeps the claim
    const sameWorker = post(worker, key);
    const otherWorker = post(other, key);
    await sleep(200);
    release();
    expect((await first).json()).toEqual({ runs: 1, body: { a: 1 } });
    for (const retry of [await sameWorker, await otherWorker]) {
      expect(retry.statusCode).toBe(200);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.json()).toEqual({ runs: 1, body: { a: 1 } });
    }
    expect(runs).toBe(1);
  });

  it('the wait is bounded: past maxWaitMs a retry gets 503 (state unknown, not a conflict) and runs nothing', async () => {
    runs = 0;
    const key = '0190a000-0000-7000-8000-000000000003';
    const first = post(worker, key);
    await sleep(50);
    const retry = await post(impatient, key);
    expect(retry.statusCode).toBe(503);
    release();
    await first;
    expect(runs).toBe(1);
    expect((await post(other, key)).json()).toEqual({ runs: 1, body: { a: 1 } });
  });

  it("a claim nobody keeps fresh (its process died) is taken over by a waiting retry after abandonedAfterMs, not after the key's lifetime", async () => {
    runs = 0;
    const key = '0190a000-0000-7000-8000-000000000002';
    void post(dead, key); // claims the key, runs, never finishes nor refreshes the claim
    await sleep(50);
    const releaseDead = release;
    const retried = post(worker, key);
    // The retry takes over and runs: waited for (a loaded machine is late), well inside the key's lifetime.
    await vi.waitFor(() => expect(runs).toBe(2), { timeout: 10_000, interval: 20 });
    release();
    const res = await retried;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ runs: 2, body: { a: 1 } });
    releaseDead();
  });

  it('the same key with another body is refused (400) and runs nothing; the first answer stays', async () => {
    runs = 0;
    const key = '0190a000-0000-7000-8000-000000000004';
    const first = post(worker, key, { namespace: ['idem1'] });
    await sleep(20);
    release();
    expect((await first).statusCode).toBe(200);
    const reused = await post(worker, key, { namespace: ['idem2'] });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().code).toBe('ERR_IDEMPOTENCY_CONFLICT');
    expect(runs).toBe(1);
    expect((await post(worker, key, { namespace: ['idem1'] })).json()).toEqual({ runs: 1, body: { namespace: ['idem1'] } });
  });

  it('a 403 is not stored: a retry after the grant runs the operation', async () => {
    runs = 0;
    allowed = false;
    const key = '0190a000-0000-7000-8000-000000000005';
    expect((await post(worker, key, {}, '/guarded')).statusCode).toBe(403);
    allowed = true;
    const retry = await post(worker, key, {}, '/guarded');
    expect(retry.statusCode).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(runs).toBe(2);
  });
});

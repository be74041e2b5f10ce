/**
 * Idempotency-Key claims of requests in progress. A retry that arrives while
 * the first attempt runs waits for it and replays its answer (never 409, never
 * a second run), also when the two land on different workers sharing one
 * store; the wait is bounded (503 past it). A claim nobody keeps fresh (its
 * process died) is taken over by one waiting retry after `abandonedAfterMs`.
 * A key reused with another body is refused and runs nothing; refusals that
 * depend on who asks (403) are not stored. Real SQLite store, real Fastify;
 * two Fastify apps on one store stand for two workers; timings shortened.
 *
 * Nothing here waits a fixed time for something to have happened: a loaded machine can be late by any amount. The
 * tests wait until the handler has actually started (the claim is then taken), and each run has its own release,
 * so a late run is never let go by another test's release. Fixed waits remain only as lower bounds (a claim kept
 * for longer than it could live without its heartbeat), where being late makes the point stronger, not weaker.
 */
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CatalogStore, systemClock } from '../../packages/server/src/catalog/ports/index.js';
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
/** The release of each run of /op, in the order the runs started (index runs - 1): one per run, never shared. */
let releases: (() => void)[] = [];
let allowed = false;
/**
 * Claim abandoned after 1 s without a heartbeat (every 50 ms): a process stalled for a while on a loaded machine (a
 * slow disk write, a busy CPU) must not look dead to its own retries, which would take the key over and run twice.
 */
const ABANDONED_AFTER_MS = 1_000;
/** Lookups of a key that found it claimed and still running, per worker: the retries that are waiting for a run. */
const waitingOn = new Map<string, number>();

/** The store as one worker sees it, counting its lookups that find a run in progress (waitingOn). */
function watched(name: string): CatalogStore {
  const repository = store.repository;
  const getIdempotency: typeof repository.getIdempotency = async (...args) => {
    const found = await repository.getIdempotency(...args);
    if (found?.status === 0) waitingOn.set(`${name} ${args[0]}`, (waitingOn.get(`${name} ${args[0]}`) ?? 0) + 1);
    return found;
  };
  return {
    repository: new Proxy(repository, {
      get: (target, prop) => {
        if (prop === 'getIdempotency') return getIdempotency;
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }),
  } as unknown as CatalogStore;
}

function worker_(name: string, timing: { heartbeatMs: number; abandonedAfterMs: number; maxWaitMs: number }): FastifyInstance {
  const app = Fastify();
  useIdempotency(app, watched(name), systemClock, 60_000, timing);
  app.post('/op', async (req) => {
    runs += 1;
    await new Promise<void>((r) => releases.push(r));
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
  worker = worker_('worker', { heartbeatMs: 50, abandonedAfterMs: ABANDONED_AFTER_MS, maxWaitMs: 5_000 });
  other = worker_('other', { heartbeatMs: 50, abandonedAfterMs: ABANDONED_AFTER_MS, maxWaitMs: 5_000 });
  impatient = worker_('impatient', { heartbeatMs: 50, abandonedAfterMs: ABANDONED_AFTER_MS, maxWaitMs: 300 });
  // A process that stops refreshing its claims, as one killed mid-request does.
  dead = worker_('dead', { heartbeatMs: 3_600_000, abandonedAfterMs: ABANDONED_AFTER_MS, maxWaitMs: 5_000 });
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
/** Generous: a loaded machine is late, and each wait ends as soon as its condition holds. */
const patiently = { timeout: 10_000, interval: 10 };

/**
 * Waits until the handler's n-th run of this test has started, and answers its release. Its claim is taken by then
 * (the claim is made before the handler runs), so what the test sends next finds it.
 */
async function started(n: number): Promise<() => void> {
  await vi.waitFor(() => expect(runs).toBe(n), patiently);
  return releases[n - 1]!;
}

/** Waits until `name` has found `key` claimed and still running: a retry sent there is waiting for that run. */
const waiting = (name: string, key: string) => vi.waitFor(() => expect(waitingOn.get(`${name} ${key}`) ?? 0).toBeGreaterThan(0), patiently);

describe('Idempotency-Key claims', () => {
  beforeEach(() => {
    runs = 0;
    releases = [];
  });

  it('a retry while the first attempt runs (on the same or another worker) waits for it and replays its answer; nothing runs twice', async () => {
    const key = '0190a000-0000-7000-8000-000000000001';
    const first = post(worker, key);
    const release = await started(1);
    await sleep(2 * ABANDONED_AFTER_MS + 100); // more than twice abandonedAfterMs: only the heartbeat keeps the claim
    const sameWorker = post(worker, key);
    const otherWorker = post(other, key);
    // Both retries have found the first attempt running before it is let go, so they did wait for it (a retry
    // that arrived after it had finished would replay without waiting, and prove nothing here).
    await waiting('worker', key);
    await waiting('other', key);
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
    const key = '0190a000-0000-7000-8000-000000000003';
    const first = post(worker, key);
    // The first attempt holds the claim before the retry is sent (otherwise the retry could claim the key first).
    const release = await started(1);
    const retry = await post(impatient, key);
    expect(retry.statusCode).toBe(503);
    release();
    await first;
    expect(runs).toBe(1);
    expect((await post(other, key)).json()).toEqual({ runs: 1, body: { a: 1 } });
  });

  it("a claim nobody keeps fresh (its process died) is taken over by a waiting retry after abandonedAfterMs, not after the key's lifetime", async () => {
    const key = '0190a000-0000-7000-8000-000000000002';
    const deadRun = post(dead, key); // claims the key, runs, never finishes (until released below) nor refreshes the claim
    // The dead process holds the claim before the retry is sent (otherwise the retry could claim the key first).
    const releaseDead = await started(1);
    const retried = post(worker, key);
    // The retry takes over and runs: waited for (a loaded machine is late), well inside the key's lifetime.
    const release = await started(2);
    release();
    const res = await retried;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ runs: 2, body: { a: 1 } });
    // Let the "dead" run end here, so that nothing of this test is still running during the next one.
    releaseDead();
    await deadRun;
  });

  it('the same key with another body is refused (400) and runs nothing; the first answer stays', async () => {
    const key = '0190a000-0000-7000-8000-000000000004';
    const first = post(worker, key, { namespace: ['idem1'] });
    // Let go of this run only once it has started: a release sent earlier would release nothing.
    (await started(1))();
    expect((await first).statusCode).toBe(200);
    const reused = await post(worker, key, { namespace: ['idem2'] });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().code).toBe('ERR_IDEMPOTENCY_CONFLICT');
    expect(runs).toBe(1);
    expect((await post(worker, key, { namespace: ['idem1'] })).json()).toEqual({ runs: 1, body: { namespace: ['idem1'] } });
  });

  it('a 403 is not stored: a retry after the grant runs the operation', async () => {
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
